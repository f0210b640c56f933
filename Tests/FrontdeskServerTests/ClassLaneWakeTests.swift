import Foundation
import FrontdeskCore
import FrontdeskStore
import FrontdeskTestSupport
import SQLKit
import Synchronization
import Testing

@testable import FrontdeskServer

/// A lane batch queues its notifications inside its transaction and wakes the outbox workers after
/// the commit, outside the class's lock (`FrontdeskDatabase.wakeOutboxWorkers`).
@Suite("Class lanes wake the outbox after the commit")
struct ClassLaneWakeTests {
    /// What a LISTEN heard, in order.
    final class Heard: Sendable {
        private let heard = Mutex<[String]>([])
        func add(_ payload: String) { heard.withLock { $0.append(payload) } }
        var payloads: [String] { heard.withLock { $0 } }
    }

    /// The notifications queued for a membership's user.
    static func queued(_ database: any FrontdeskDatabase, for membershipId: String) async throws -> Int {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT COUNT(*) AS n FROM notification_outbox o JOIN memberships m ON m.user_id = o.user_id
                WHERE m.id = \(bind: membershipId)
                """
            ).first()!.decode(column: "n", as: Int.self)
        }
    }

    /// Whether `check` turns true within `limit`, checked every 50 ms.
    static func until(_ limit: Duration, _ check: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await check() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await check()
    }

    @Test("a booking through the lane: no NOTIFY inside the lock, and this process's workers woken after the commit")
    func wakesAfterCommit() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(2 * 86_400))
            let member = try #require(try await app.quickMembers(studio.orgId, count: 1).first)
            let booker = try await ClassLaneTests.booker(app, studio.orgId, member)
            let org = try #require(try await app.services.organizations.organization(id: studio.orgId))
            let database = app.services.database
            #expect(try await Self.queued(database, for: member.membershipId) == 0)
            let lanes = ClassLanes(database: database, logger: TestBackend.logger)
            let before = database.statementCount
            let result = try #require(
                try await ClassLaneTests.answers(lanes.enqueue([ClassLaneTests.book(app, org, session, booker)])).first)
            #expect(try result.get().booking.status == .confirmed)
            if database.backend == .postgres {
                // The locks, BEGIN, the class with the members and their facts (one statement), the booking
                // with its outbox rows (one statement, `PendingInserts`), COMMIT and the unlock: the
                // workers' NOTIFY is sent after, not among these.
                #expect(database.statementCount - before == 6)
            }
            // This process's workers were poked (the signal is the process's, so other tests poke it
            // too): a wait returns at once, and the booking's messages are there for the claim.
            let woken = ContinuousClock.now
            await OutboxSignal.shared.wait(timeout: .seconds(10))
            #expect(ContinuousClock.now - woken < .seconds(5))
            #expect(try await Self.queued(database, for: member.membershipId) > 0)
        }
    }

    @Test("on PostgreSQL another instance's workers hear of a lane's notifications, and find them committed")
    func otherInstanceHears() async throws {
        guard TestBackend.current == .postgres else { return }
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(2 * 86_400))
            let member = try #require(try await app.quickMembers(studio.orgId, count: 1).first)
            let postgres = try #require(app.services.database as? PostgresBackend)
            let other = try await PostgresBackend(
                url: postgres.url, logger: TestBackend.logger, maximumConnections: 2, searchPath: postgres.searchPath)
            do {
                // The channel is every database's and schema's: other tests' commits are heard too, so
                // each notification is checked against this test's rows.
                let heard = Heard()
                let listener = Task { try await other.listen(channel: OutboxSignal.channel) { heard.add($0) } }
                defer { listener.cancel() }
                // Listening once a probe of its own comes back (sent again until then, at most 10 s).
                let probe = "probe \(NewID.make())"
                let listening = try await Self.until(.seconds(10)) {
                    try await other.notify(channel: OutboxSignal.channel, payload: probe)
                    return heard.payloads.contains(probe)
                }
                try #require(listening, "the other instance's LISTEN never heard its own probe")
                let seen = heard.payloads.count
                #expect(try await app.book(session, token: member.token).status == 201)
                // A notification after the booking, and the booking's messages committed when it came.
                let found = try await Self.until(.seconds(20)) {
                    guard heard.payloads.count > seen else { return false }
                    let rows = try await Self.queued(other, for: member.membershipId)
                    return rows > 0
                }
                #expect(found)
            } catch {
                await other.shutdown()
                throw error
            }
            await other.shutdown()
        }
    }
}
