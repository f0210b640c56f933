import Foundation
import FrontdeskCore
import FrontdeskStore
import FrontdeskTestSupport
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
@testable import FrontdeskServer

extension TestApp {
    /// Like `run`, but the real application listens on a free loopback port (given to `body`) and
    /// `app.request` goes over real HTTP: for what only a real socket shows (timeouts, streams).
    static func live(
        configure: @Sendable (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestApp, Int) async throws -> Void
    ) async throws {
        try await withTestDatabase { database in
            var configuration = ServerConfiguration()
            configuration.bcryptCost = 4
            configuration.publicBaseURL = "https://studio.example"
            configuration.runJobs = false
            configuration.host = "127.0.0.1"
            configuration.port = 0
            configure(&configuration)
            let clock = ManualClock(start)
            let services = AppServices(configuration: configuration, clock: clock, database: database, logger: TestBackend.logger)
            let app = buildApplication(services: services)
            let routes = app.routes
            try await app.application().test(.live) { client in
                let port = try #require(client.port)
                try await body(TestApp(services: services, clock: clock, client: client, routes: routes), port)
            }
        }
    }

    /// A display with a signed path, made through the stores rather than HTTP: with second-long
    /// connection timeouts, the live test client's one connection may be closed between requests.
    func storedDisplay() async throws -> (path: String, id: String) {
        let now = clock.now()
        let user = try await createUser("owner-\(NewID.make())@example.com")
        let (org, _) = try await services.organizations.create(
            Organization(id: NewID.make(), name: "Studio", timezone: "Europe/Berlin", createdAt: now, updatedAt: now), ownerUserId: user.id)
        let location = NewID.make()
        try await services.database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO locations (id, organization_id, name, created_at, updated_at)
                VALUES (\(bind: location), \(bind: org.id), 'Loft', \(bind: now.epochSeconds), \(bind: now.epochSeconds))
                """
            ).run()
        }
        let display = try await DisplaysStore(database: services.database).create(
            orgId: org.id, locationId: location, name: "Lobby TV",
            createdBy: nil, now: now)
        let url = try #require(try await services.signedDisplayURL(display))
        return (String(url.dropFirst(services.configuration.publicBaseURL.count)), display.id)
    }

    /// How long a test waits for a PostgreSQL listener to prove its LISTEN or to hear another
    /// instance's notification. Generous: the PostgreSQL suite runs hundreds of instances' listeners
    /// on one server, on machines with two cores; a working listener ends the wait within moments.
    static let listenerLimit: Duration = .seconds(120)

    /// Waits (up to `limit`) until `condition` holds, checking every 10 ms; whether it did. The default
    /// limit is only a guard against a hang: under the whole suite's load (every test at once on two
    /// cores) a single test can wait tens of seconds for a thread, and a condition that holds ends the
    /// wait at once.
    static func eventually(within limit: Duration = .seconds(60), _ condition: @Sendable () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return try await condition()
    }
}

/// A raw TCP connection to the test server: send any bytes (half a request head, say), see what
/// comes back and whether the server closed the connection.
final class RawConnection: Sendable {
    private let channel: any Channel
    private let received: NIOLockedValueBox<String>
    private let closedAt: NIOLockedValueBox<ContinuousClock.Instant?>
    /// Just before the connection was opened.
    let openedAt: ContinuousClock.Instant

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received: NIOLockedValueBox<String>
        init(received: NIOLockedValueBox<String>) { self.received = received }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.withLockedValue { $0 += String(buffer: buffer) }
        }
    }

    private init(channel: any Channel, received: NIOLockedValueBox<String>, openedAt: ContinuousClock.Instant) {
        self.channel = channel
        self.received = received
        self.openedAt = openedAt
        let closedAt = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
        self.closedAt = closedAt
        channel.closeFuture.whenComplete { _ in closedAt.withLockedValue { $0 = ContinuousClock.now } }
    }

    static func connect(port: Int) async throws -> RawConnection {
        // Taken before connecting: the server's clock for this connection cannot have started earlier.
        let started = ContinuousClock.now
        let received = NIOLockedValueBox("")
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(received: received)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawConnection(channel: channel, received: received, openedAt: started)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    var text: String { received.withLockedValue { $0 } }

    /// When the server closed the connection, if it has.
    var closed: ContinuousClock.Instant? { closedAt.withLockedValue { $0 } }

    /// Waits up to `limit` for the server to close the connection; whether it did.
    func closes(within limit: Duration) async -> Bool {
        await TestApp.eventually(within: limit) { self.closed != nil }
    }

    /// Waits up to `limit` for `fragment` to arrive (or the connection to close without it): whether it
    /// arrived. Generous by default: under the PostgreSQL suite's load a first answer took over 5 s.
    func receives(_ fragment: String, within limit: Duration = .seconds(30)) async -> Bool {
        _ = await TestApp.eventually(within: limit) { self.text.contains(fragment) || self.closed != nil }
        return text.contains(fragment)
    }

    func close() async {
        try? await channel.close().get()
    }
}
