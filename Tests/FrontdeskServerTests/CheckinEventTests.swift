import Foundation
import FrontdeskCore
import FrontdeskServer
import FrontdeskStore
import FrontdeskTestSupport
import Testing

@Suite("Check-in events")
struct CheckinEventTests {
    /// The first event of `stream`, or nil after `seconds` (real time: this waits for a delivery, not a clock).
    static func first(_ stream: AsyncStream<CheckinEvent>, within seconds: Double = 2) async -> CheckinEvent? {
        await withTaskGroup(of: CheckinEvent?.self) { group in
            group.addTask { for await event in stream { return event }; return nil }
            group.addTask { try? await Task.sleep(for: .seconds(seconds)); return nil }
            let result = await group.next() ?? nil
            group.cancelAll()
            return result
        }
    }

    @Test("a check-in, an undo and a no-show are announced to subscribers")
    func local() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(600))
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            let booking = try #require(try await app.book(session, token: member.token).string("id"))
            let events = app.services.checkinEvents.subscribe()
            let ring = try await app.services.keyRing.ring(now: app.clock.now())
            let token = CheckinToken.issue(sessionId: session, at: app.clock.now(), keys: ring)
            #expect(try await app.request(.post, "/api/sessions/\(session)/self-checkin", token: member.token, body: ["token": token]).status == 200)
            let event = await Self.first(events)
            #expect(event?.kind == .checkedIn)
            #expect(event?.sessionId == session)
            #expect(event?.bookingId == booking)
            _ = try await app.request(.post, "/api/bookings/\(booking)/undo-checkin", token: studio.ownerToken)
            #expect(await Self.first(events)?.kind == .undone)
        }
    }

    @Test("on PostgreSQL another instance hears the event within 2 seconds", .enabled(if: TestBackend.current == .postgres))
    func acrossInstances() async throws {
        try await TestApp.run { app in
            let other = CheckinEventBus(database: app.services.database, logger: TestBackend.logger)
            let listener = Task { try await other.run() }
            defer { listener.cancel() }
            let events = other.subscribe()
            let probe = CheckinEvent(organizationId: NewID.make(), sessionId: NewID.make(), bookingId: NewID.make(), kind: .checkedIn,
                                     at: Date(), origin: "")
            // LISTEN is set up asynchronously: publish until the other instance hears it (at most 2 s).
            let heard = await withTaskGroup(of: CheckinEvent?.self) { group in
                group.addTask { await Self.first(events, within: 2) }
                group.addTask {
                    for _ in 0..<20 {
                        await app.services.checkinEvents.publish(probe)
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                    return nil
                }
                let result = await group.next() ?? nil
                group.cancelAll()
                return result
            }
            #expect(heard?.bookingId == probe.bookingId)
        }
    }
}
