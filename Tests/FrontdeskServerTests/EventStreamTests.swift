import Foundation
import FrontdeskCore
import FrontdeskStore
import FrontdeskTestSupport
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import Testing
@testable import FrontdeskServer

/// Server-sent-event streams: caps per display and per client address, and a display's stream ending
/// when the display is rotated or revoked. In-process, a stream request returns only when its stream
/// ends, so each open stream is a task; the test cancels the ones still open.
@Suite("Event streams")
struct EventStreamTests {
    /// Open streams, ended (cancelled) when the test is done.
    final class Streams: Sendable {
        private let tasks = NIOLockedValueBox<[Task<Reply, any Error>]>([])

        @discardableResult
        func open(_ app: TestApp, _ path: String, token: String? = nil, from address: String? = nil) -> Task<Reply, any Error> {
            var headers: HTTPFields = [:]
            if let address { headers[.init("X-Forwarded-For")!] = address }
            let task = Task { try await app.request(.get, path, token: token, headers: headers) }
            tasks.withLockedValue { $0.append(task) }
            return task
        }

        func closeAll() {
            for task in tasks.withLockedValue({ $0 }) { task.cancel() }
        }
    }

    static func eventsPath(_ display: (path: String, id: String)) -> String {
        display.path.replacingOccurrences(of: "?", with: "/events?")
    }

    /// The reply of `task` if it finishes within `limit`.
    static func finished(_ task: Task<Reply, any Error>, within limit: Duration = .seconds(60)) async -> Reply? {
        await OpsRoutes.firstAnswer(within: limit) { try? await task.value } ?? nil
    }

    @Test("per display: the cap-th stream is accepted, one more is 429 too_many_streams, a freed slot is usable again")
    func displayCap() async throws {
        try await TestApp.run(configure: {
            $0.maxStreamsPerDisplay = 3
            $0.maxStreamsPerAddress = 100
        }) { app in
            let studio = try await app.studio()
            let display = try await app.displayPath(studio)
            let other = try await app.displayPath(studio)
            let slots = app.services.streamSlots
            let streams = Streams()
            defer { streams.closeAll() }
            var open = [Task<Reply, any Error>]()
            for count in 1...3 {
                open.append(streams.open(app, Self.eventsPath(display)))
                #expect(await TestApp.eventually { slots.streams(displayId: display.id) == count }, "stream \(count) not open")
            }
            let refused = try await app.request(.get, Self.eventsPath(display))
            #expect(refused.status == 429)
            #expect(refused.errorCode == "too_many_streams")
            #expect(refused.errorMessage?.contains("3") == true, "\(refused.text)")
            #expect(slots.streams(displayId: display.id) == 3, "a refused stream takes no slot")

            // Another display is not affected.
            streams.open(app, Self.eventsPath(other))
            #expect(await TestApp.eventually { slots.streams(displayId: other.id) == 1 })

            // A stream that ends gives its slot back.
            open[0].cancel()
            let ended = await Self.finished(open[0])
            #expect(ended?.status == 200)
            #expect(ended?.text.hasPrefix("retry: 2000\n: connected") == true)
            #expect(await TestApp.eventually { slots.streams(displayId: display.id) == 2 })
            streams.open(app, Self.eventsPath(display))
            #expect(await TestApp.eventually { slots.streams(displayId: display.id) == 3 })
            #expect(try await app.request(.get, Self.eventsPath(display)).status == 429)

            streams.closeAll()
            #expect(await TestApp.eventually { slots.streams(displayId: display.id) == 0 && slots.streams(address: "unknown") == 0 })
        }
    }

    @Test("per client address: display and coach streams count together; another address is not affected")
    func addressCap() async throws {
        try await TestApp.run(configure: {
            $0.maxStreamsPerAddress = 2
            $0.trustForwardedFor = true
        }) { app in
            let studio = try await app.studio()
            let display = try await app.displayPath(studio)
            let coachEvents = "/coach/events?org=\(studio.orgId)"
            let slots = app.services.streamSlots
            let streams = Streams()
            defer { streams.closeAll() }
            let first = streams.open(app, Self.eventsPath(display), from: "203.0.113.5")
            streams.open(app, coachEvents, token: studio.ownerToken, from: "203.0.113.5")
            #expect(await TestApp.eventually { slots.streams(address: "203.0.113.5") == 2 })

            for (path, token) in [(coachEvents, studio.ownerToken), (Self.eventsPath(display), nil)] {
                var headers: HTTPFields = [.init("X-Forwarded-For")!: "203.0.113.5"]
                if let token { headers[.authorization] = "Bearer \(token)" }
                let refused = try await app.request(.get, path, headers: headers)
                #expect(refused.status == 429, "\(path)")
                #expect(refused.errorCode == "too_many_streams")
                #expect(refused.errorMessage?.contains("address") == true)
            }

            streams.open(app, coachEvents, token: studio.ownerToken, from: "198.51.100.7")
            #expect(await TestApp.eventually { slots.streams(address: "198.51.100.7") == 1 })

            first.cancel()
            #expect(await TestApp.eventually { slots.streams(address: "203.0.113.5") == 1 })
            streams.open(app, coachEvents, token: studio.ownerToken, from: "203.0.113.5")
            #expect(await TestApp.eventually { slots.streams(address: "203.0.113.5") == 2 })
        }
    }

    @Test("stream caps are configurable and range-checked")
    func capConfiguration() throws {
        let defaults = try ServerConfiguration().validated()
        #expect(defaults.maxStreamsPerDisplay == 4)
        #expect(defaults.maxStreamsPerAddress == 20)
        let env = try ServerConfiguration().applying(environment: [
            "FRONTDESK_MAX_STREAMS_PER_DISPLAY": "2",
            "FRONTDESK_MAX_STREAMS_PER_ADDRESS": "50",
        ]).validated()
        #expect(env.maxStreamsPerDisplay == 2 && env.maxStreamsPerAddress == 50)
        var zero = ServerConfiguration()
        zero.maxStreamsPerDisplay = 0
        #expect(throws: ConfigurationError.self) { try zero.validated() }
    }

    @Test("rotating or revoking a display ends its open streams at once, with a last refresh event", arguments: ["rotate", "revoke"])
    func changeEndsStream(action: String) async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let display = try await app.displayPath(studio)
            let bystander = try await app.displayPath(studio)
            let slots = app.services.streamSlots
            let streams = Streams()
            defer { streams.closeAll() }
            let stream = streams.open(app, Self.eventsPath(display))
            let other = streams.open(app, Self.eventsPath(bystander))
            #expect(await TestApp.eventually { slots.streams(displayId: display.id) == 1 && slots.streams(displayId: bystander.id) == 1 })

            #expect(
                try await app.request(.post, "/api/orgs/\(studio.orgId)/displays/\(display.id)/\(action)", token: studio.ownerToken).status
                    == 200)
            let ended = await Self.finished(stream)
            #expect(ended?.status == 200, "the stream did not end within 5 s")
            #expect(ended?.text.hasSuffix("event: refresh\ndata: {}\n\n") == true, "\(ended?.text ?? "")")
            #expect(await TestApp.eventually { slots.streams(displayId: display.id) == 0 })
            // Only that display's streams end; a new one with the old link is refused.
            #expect(slots.streams(displayId: bystander.id) == 1)
            #expect(await Self.finished(other, within: .milliseconds(200)) == nil)
            #expect(try await app.request(.get, Self.eventsPath(display)).status == 403)
        }
    }

    @Test("a change nobody announced (the CLI on SQLite) ends the stream at the next keep-alive re-check")
    func recheckEndsStream() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let display = try await app.displayPath(studio)
            let store = DisplaysStore(database: app.services.database)
            let row = try #require(try await store.display(id: display.id))
            let slot = try app.services.streamSlots.acquire(displayId: row.id, address: "test", maxPerDisplay: 1, maxPerAddress: 1)
            let (events, continuation) = AsyncStream<CheckinEvent>.makeStream()
            defer { continuation.finish() }
            let response = ServerSentEvents.response(
                events: events, organizationId: row.organizationId, slot: slot,
                watch: .link(of: row, store: store, logger: TestBackend.logger),
                heartbeat: .milliseconds(50))
            let collected = NIOLockedValueBox("")
            let writing = Task { try await response.body.write(Collect(text: collected)) }
            #expect(
                await TestApp.eventually { collected.withLockedValue { $0.contains(": keep-alive") } }, "the link holds: keep-alives flow")
            _ = try await store.rotate(orgId: row.organizationId, id: row.id, now: app.clock.now())
            let done = await OpsRoutes.firstAnswer(within: .seconds(60)) { (try? await writing.value) != nil }
            writing.cancel()
            #expect(done == true, "the stream did not end")
            #expect(collected.withLockedValue { $0 }.hasSuffix("event: refresh\ndata: {}\n\n"))
            #expect(app.services.streamSlots.streams(displayId: row.id) == 0)
        }
    }

    @Test("on PostgreSQL a rotation announced by another instance ends the stream here", .enabled(if: TestBackend.current == .postgres))
    func otherInstance() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let display = try await app.displayPath(studio)
            let streams = Streams()
            defer { streams.closeAll() }
            // This app's bus listens (its service runs); wait until it hears the other instance.
            let other = CheckinEventBus(database: app.services.database, logger: TestBackend.logger)
            try await CheckinEventTests.untilListening(app.services.checkinEvents, hears: other)

            let stream = streams.open(app, Self.eventsPath(display))
            #expect(await TestApp.eventually { app.services.streamSlots.streams(displayId: display.id) == 1 })
            let rotated = try await DisplaysStore(database: app.services.database).rotate(
                orgId: studio.orgId, id: display.id, now: app.clock.now())
            await other.publish(.displayChanged(rotated, at: app.clock.now()))
            let ended = await Self.finished(stream)
            #expect(ended?.text.hasSuffix("event: refresh\ndata: {}\n\n") == true, "the stream did not end")
        }
    }

    struct Collect: ResponseBodyWriter {
        let text: NIOLockedValueBox<String>
        mutating func write(_ buffer: ByteBuffer) async throws { text.withLockedValue { $0 += String(buffer: buffer) } }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
