import Foundation
import FrontdeskCore
import FrontdeskStore
import FrontdeskTestSupport
import Synchronization
import Testing

/// A lane's batch that waited for its locks takes the requests queued meanwhile (`Lanes.Latecomers`,
/// `LockJoining`): with two servers on one class, each server's next batch used to hold the one
/// request that arrived first, its lock wait letting every other request of the server queue for the
/// batch after it.
@Suite("Lane latecomers")
struct LaneLatecomersTests {
    /// Opens once; everyone waiting on it goes on (bounded, so a bug fails instead of hanging CI).
    final class Gate: Sendable {
        private let stream: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation

        init() { (stream, continuation) = AsyncStream<Void>.makeStream() }
        func open() { continuation.finish() }
        func wait() async { for await _ in stream {} }
    }

    @Test("latecomers: the executor takes what queued meanwhile, keeps a prefix, the rest goes back to the front in order")
    func keepsAPrefix() async throws {
        let seen = Mutex<[[Int]]>([])
        let gate = Gate()
        let lanes = Lanes<Int, Int>(maxBatch: 4) { _, items, latecomers in
            let first = seen.withLock { $0.isEmpty }
            if first { await gate.wait() }
            let late = latecomers.take()
            // The first batch keeps two of the three it could take; the second keeps all it finds.
            latecomers.keep(first: first ? 2 : late.count)
            #expect(latecomers.take().isEmpty, "only the first take takes")
            let all = items + latecomers.joined
            seen.withLock { $0.append(all) }
            return all.map { .success($0 * 10) }
        }
        let replies = [lanes.enqueue(key: "k", 1)] + (2...7).map { lanes.enqueue(key: "k", $0) }
        gate.open()
        for (index, reply) in replies.enumerated() { #expect(try await reply.value == (index + 1) * 10) }
        // Room for three more in the first batch (maxBatch 4): 2, 3, 4 taken, 4 given back ahead of 5.
        #expect(seen.withLock { $0 } == [[1, 2, 3], [4, 5, 6, 7]])
        #expect(lanes.stats == LaneStats(batches: 2, requests: 7, largestBatch: 4))
        #expect(lanes.queued(key: "k") == 0)
    }

    @Test("latecomers an executor takes and neither keeps nor gives back are not lost")
    func forgottenLatecomers() async throws {
        let gate = Gate()
        let calls = Mutex(0)
        let lanes = Lanes<Int, Int>(maxBatch: 8) { _, items, latecomers in
            if calls.withLock({ count in
                count += 1
                return count
            }) == 1 {
                await gate.wait()
                _ = latecomers.take()
            }
            return items.map { .success($0) }
        }
        let replies = [lanes.enqueue(key: "k", 1), lanes.enqueue(key: "k", 2), lanes.enqueue(key: "k", 3)]
        gate.open()
        for (index, reply) in replies.enumerated() { #expect(try await reply.value == index + 1) }
        #expect(lanes.stats == LaneStats(batches: 2, requests: 3, largestBatch: 2))
    }

    /// Holds `keys` in a transaction of its own until `release` opens; answers once they are held.
    static func hold(_ database: any FrontdeskDatabase, _ keys: [String], until release: Gate) async throws -> Task<Void, any Error> {
        let held = Gate()
        let task = Task {
            try await database.transaction(TransactionOptions(lockKeys: keys)) { _ in
                held.open()
                await release.wait()
            }
        }
        await held.wait()
        return task
    }

    /// A studio's class in two days with `capacity` places, and `members` members acting for themselves.
    static func classWithMembers(
        _ app: TestApp, capacity: Int, members: Int
    ) async throws -> (org: Organization, session: String, bookers: [ClassLaneTests.Booker]) {
        let studio = try await app.studio()
        let session = try await app.session(
            studio, startsAt: app.clock.now().addingTimeInterval(2 * 86_400), extra: ["capacity": capacity])
        var bookers: [ClassLaneTests.Booker] = []
        for person in try await app.quickMembers(studio.orgId, count: members) {
            bookers.append(try await ClassLaneTests.booker(app, studio.orgId, person))
        }
        return (try #require(try await app.services.organizations.organization(id: studio.orgId)), session, bookers)
    }

    @Test("a class lane's batch that waited for the class takes the bookings queued meanwhile: one transaction, arrival order")
    func batchWaitingForItsClassTakesLatecomers() async throws {
        try await TestApp.run { app in
            let (org, session, bookers) = try await Self.classWithMembers(app, capacity: 2, members: 5)
            // Another server's batch of this class (on SQLite: the one writer) holds it.
            let release = Gate()
            let other = try await Self.hold(app.services.database, ["session:\(session)"], until: release)
            let lanes = ClassLanes(database: app.services.database, logger: TestBackend.logger)
            var replies = lanes.enqueue([ClassLaneTests.book(app, org, session, bookers[0])])
            for who in bookers.dropFirst() { replies += lanes.enqueue([ClassLaneTests.book(app, org, session, who)]) }
            release.open()
            try await other.value
            let results = try await ClassLaneTests.answers(replies)
            #expect(results.map(ClassLaneTests.code) == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"])
            #expect(try results.map { try $0.get().booking.waitlistPosition } == [nil, nil, 1, 2, 3])
            #expect(lanes.stats == LaneStats(batches: 1, requests: 5, largestBatch: 5), "the four queued behind the first joined its batch")
            try await app.checkInvariants(session: session)
        }
    }

    @Test(
        "on PostgreSQL a latecomer whose member is locked elsewhere waits for the next batch, and so does everyone after it",
        .enabled(if: TestBackend.current == .postgres))
    func lockedLatecomerGoesBack() async throws {
        try await TestApp.run { app in
            let (org, session, bookers) = try await Self.classWithMembers(app, capacity: 1, members: 4)
            let database = app.services.database
            // The third member is busy in another class's batch; this class is held by another server.
            let memberFree = Gate(), classFree = Gate()
            let memberHolder = try await Self.hold(database, ["member:\(bookers[2].membershipId)"], until: memberFree)
            let classHolder = try await Self.hold(database, ["session:\(session)"], until: classFree)
            let lanes = ClassLanes(database: database, logger: TestBackend.logger)
            var replies = lanes.enqueue([ClassLaneTests.book(app, org, session, bookers[0])])
            for who in bookers.dropFirst() { replies += lanes.enqueue([ClassLaneTests.book(app, org, session, who)]) }
            classFree.open()
            try await classHolder.value
            // The second joins the first's batch; the third cannot, so the fourth may not either.
            let firstTwo = try await ClassLaneTests.answers(Array(replies.prefix(2)))
            #expect(firstTwo.map(ClassLaneTests.code) == ["confirmed", "waitlisted"])
            #expect(lanes.stats == LaneStats(batches: 1, requests: 2, largestBatch: 2))
            memberFree.open()
            try await memberHolder.value
            let lastTwo = try await ClassLaneTests.answers(Array(replies.suffix(2)))
            #expect(lastTwo.map(ClassLaneTests.code) == ["waitlisted", "waitlisted"])
            #expect(try (firstTwo + lastTwo).map { try $0.get().booking.waitlistPosition } == [nil, 1, 2, 3])
            #expect(lanes.stats == LaneStats(batches: 2, requests: 4, largestBatch: 2))
            try await app.checkInvariants(session: session)
            // Every lock was let go, the fourth member's (tried in the first batch, then left out) too.
            let key = "member:\(bookers[3].membershipId)"
            let free = try await database.read { sql in
                try await sql.raw(
                    """
                    SELECT pg_try_advisory_lock(hashtextextended(\(bind: key), 0)) AS free,
                        pg_advisory_unlock(hashtextextended(\(bind: key), 0)) AS unlocked
                    """
                ).first()?.decode(column: "free", as: Bool.self)
            }
            #expect(free == true)
        }
    }
}
