import Foundation
import FrontdeskCore
import FrontdeskStore
import FrontdeskTestSupport
import HummingbirdTesting
import Synchronization
import Testing

@testable import FrontdeskServer

extension TestApp {
    /// Waits until the database's read cache serves (at once on SQLite; on PostgreSQL once this
    /// instance's `WriteListener` proved its LISTEN).
    func readCacheServing() async throws {
        let cache = services.database.readCache
        try #require(await Self.eventually(within: TestApp.listenerLimit) { cache.isServing }, "the write listener never connected")
    }

    /// `GET path` until an answer comes from the read cache without a statement (a parallel test's
    /// write notification on PostgreSQL may empty it in between), at most ten times: that answer.
    func cachedRead(_ path: String, token: String) async throws -> Reply? {
        for _ in 0..<10 {
            let (hits, statements) = (services.database.readCache.counts.hits, services.database.statementCount)
            let reply = try await request(.get, path, token: token)
            if services.database.readCache.counts.hits > hits, services.database.statementCount == statements { return reply }
        }
        return nil
    }

    /// A second server process over the same PostgreSQL database: its own backend (pools, read
    /// cache, listeners) and services, the same clock.
    func secondProcess(_ body: @Sendable (TestApp) async throws -> Void) async throws {
        let postgres = try #require(services.database as? PostgresBackend)
        let database = try await PostgresBackend(
            url: postgres.url, logger: TestBackend.logger, maximumConnections: 4, searchPath: postgres.searchPath)
        let other = AppServices(configuration: services.configuration, clock: clock, database: database, logger: TestBackend.logger)
        let app = buildApplication(services: other)
        let (routes, clock) = (app.routes, clock)
        do {
            try await app.application().test(.router) { client in
                try await body(TestApp(services: other, clock: clock, client: client, routes: routes))
            }
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }
}

@Suite("Hot reads kept until the next write")
struct ReadCacheTests {
    static func item(_ reply: Reply, _ id: String) -> [String: Any]? {
        (reply["items"] as? [[String: Any]])?.first { $0["id"] as? String == id }
    }

    @Test("a member's week answers from memory, without a statement, until a booking: then it is read afresh")
    func weekUntilWrite() async throws {
        try await TestApp.run { app in
            try await app.readCacheServing()
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400))
            let (token, _) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let week = "/api/orgs/\(studio.orgId)/sessions"
            let cached = try #require(try await app.cachedRead(week, token: token), "the week never came from memory")
            #expect(Self.item(cached, session)?["bookedCount"] as? Int == 0)
            #expect(Self.item(cached, session)?["myBooking"] == nil)

            #expect(try await app.book(session, token: token).status == 201)
            let after = try await app.request(.get, week, token: token)
            #expect(Self.item(after, session)?["bookedCount"] as? Int == 1)
            #expect((Self.item(after, session)?["myBooking"] as? [String: Any])?["status"] as? String == "confirmed")
            #expect((Self.item(after, session)?["bookingEligibility"] as? [String: Any])?["status"] as? String == "already_booked")
        }
    }

    @Test("the facts are kept without the time: a subscription ending at T counts at T − 1 s and not at T, both from memory")
    func subscriptionTermAtTheEdge() async throws {
        try await TestApp.run { app in
            try await app.readCacheServing()
            let studio = try await app.studio()
            _ = try await app.request(.patch, "/api/orgs/\(studio.orgId)", token: studio.ownerToken, body: ["paymentProvider": "stripe"])
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(3 * 86_400))
            let (token, maya) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let subscription = try await app.insertSubscription(org: studio.orgId, membership: maya, credits: 5)
            let ends = Date(epochSeconds: app.clock.now().addingTimeInterval(3600).epochSeconds)
            try await app.services.database.transaction { sql in
                try await sql.raw("UPDATE subscriptions SET ends_at = \(bind: ends.epochSeconds) WHERE id = \(bind: subscription)").run()
            }
            // A fixed range, so the clock moving does not move the key.
            let week = "/api/orgs/\(studio.orgId)/sessions?from=\(Self.day(app.clock.now()))&to=\(Self.day(app.clock.now() + 6 * 86_400))"
            func status(_ reply: Reply) -> String? {
                (Self.item(reply, session)?["bookingEligibility"] as? [String: Any])?["status"] as? String
            }
            app.clock.set(ends.addingTimeInterval(-1))
            let before = try #require(try await app.cachedRead(week, token: token))
            #expect(status(before) == "eligible")
            app.clock.set(ends)
            let at = try #require(try await app.cachedRead(week, token: token))
            #expect(status(at) == "no_plan")
        }
    }

    static func day(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        formatter.timeZone = TimeZone(identifier: "Europe/Berlin")
        return formatter.string(from: date)
    }

    @Test("a suspension refuses the member's next request although their studio access was kept")
    func suspensionIsAWrite() async throws {
        try await TestApp.run { app in
            try await app.readCacheServing()
            let studio = try await app.studio()
            let (token, maya) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let week = "/api/orgs/\(studio.orgId)/sessions"
            #expect(try await app.cachedRead(week, token: token) != nil)
            try await app.services.database.transaction { sql in
                try await sql.raw("UPDATE memberships SET status = 'suspended' WHERE id = \(bind: maya)").run()
            }
            #expect(try await app.request(.get, week, token: token).status == 403)
        }
    }

    @Test("a booking keeps the studio access and the week's classes cached: the next week reads one statement")
    func bookingKeepsAccess() async throws {
        try await TestApp.run { app in
            try await app.readCacheServing()
            let studio = try await app.studio()
            let (token, _) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let week = "/api/orgs/\(studio.orgId)/sessions"
            var sessions: [String] = []
            for hour in 0..<5 {
                sessions.append(try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400 + Double(hour) * 7200)))
            }
            // Each attempt: warm, book, read once. A parallel test's notification (PostgreSQL) can only add statements.
            var costs: [Int] = []
            for session in sessions {
                _ = try #require(try await app.cachedRead(week, token: token))
                #expect(try await app.book(session, token: token).status == 201)
                let before = app.services.database.statementCount
                #expect(try await app.request(.get, week, token: token).status == 200)
                costs.append(app.services.database.statementCount - before)
            }
            #expect(costs.min() == 1, "statements per read after a booking (counts, own bookings and facts): \(costs)")
            // A studio setting is a write that may change anything: the access is read again too.
            _ = try #require(try await app.cachedRead(week, token: token))
            #expect(
                try await app.request(.patch, "/api/orgs/\(studio.orgId)", token: studio.ownerToken, body: ["gpsMaxMeters": 150]).status
                    == 200)
            let before = app.services.database.statementCount
            #expect(try await app.request(.get, week, token: token).status == 200)
            #expect(app.services.database.statementCount - before >= 3)
        }
    }

    @Test("a class's access is the class's studio, read once per class, and the member's standing the week's read kept")
    func sessionAccessFromStanding() async throws {
        try await TestApp.run { app in
            try await app.readCacheServing()
            let studio = try await app.studio()
            let other = try await app.studio()
            let start = app.clock.now().addingTimeInterval(86_400)
            let (a, b) = (try await app.session(studio, startsAt: start), try await app.session(studio, startsAt: start + 7200))
            let elsewhere = try await app.session(other, startsAt: start)
            let (_, maya) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let (_, noor) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let users = try await app.services.database.read { sql in
                try await sql.raw("SELECT id, user_id FROM memberships WHERE id IN (\(bind: maya), \(bind: noor))").all()
                    .reduce(into: [String: String]()) {
                        $0[try $1.decode(column: "id", as: String.self)] = try $1.decode(column: "user_id", as: String.self)
                    }
            }
            let (mayaUser, noorUser) = (try #require(users[maya]), try #require(users[noor]))
            let organizations = app.services.organizations
            /// The access `user` has to `session`, and the statements it cost.
            func access(_ session: String, _ user: String) async throws -> (OrganizationsStore.SessionAccess?, Int) {
                let before = app.services.database.statementCount
                let found = try await organizations.sessionMembership(sessionId: session, userId: user)
                return (found, app.services.database.statementCount - before)
            }
            app.services.database.readCache.written(.everything)
            let (first, cold) = try await access(a, mayaUser)
            #expect(cold == 2, "the class's studio and the member's standing")
            #expect(first?.orgId == studio.orgId && first?.access?.membership.id == maya)
            #expect(try await access(a, mayaUser).1 == 0)
            #expect(try await access(b, mayaUser).1 == 1, "another class: its studio only")
            #expect(try await access(a, noorUser).1 == 1, "another member: their standing only")
            // The standing a member's week read keeps serves their class's routes.
            app.services.database.readCache.written(.everything)
            _ = try await organizations.membershipAndOrganization(orgId: studio.orgId, userId: mayaUser)
            #expect(try await access(b, mayaUser).1 == 1)
            // Another studio's class: found, without access; an unknown class: none, and kept so.
            let (foreign, _) = try await access(elsewhere, mayaUser)
            #expect(foreign?.orgId == other.orgId && foreign?.access == nil)
            let unknown = NewID.make()
            #expect(try await access(unknown, mayaUser).0 == nil)
            #expect(try await access(unknown, mayaUser).1 == 0)
            // A deleted class is a write that may change anything: no access after it.
            #expect(try await app.request(.delete, "/api/sessions/\(a)", token: studio.ownerToken).status == 204)
            #expect(try await access(a, mayaUser).0 == nil)
        }
    }

    @Test("the week's classes are read once for every viewer and kept through bookings; counts and each one's booking are fresh")
    func weekSharedThroughBookings() async throws {
        try await TestApp.run { app in
            try await app.readCacheServing()
            let studio = try await app.studio()
            let (maya, _) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let (noor, _) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400), extra: ["capacity": 1])
            let week = "/api/orgs/\(studio.orgId)/sessions"
            func shown(_ reply: Reply) -> [String: Any] {
                (reply["items"] as? [[String: Any]] ?? []).first { $0["id"] as? String == session } ?? [:]
            }
            _ = try #require(try await app.cachedRead(week, token: maya))
            try await app.loginCacheServing()
            try #require(try await app.warmLoginCache(noor))
            // Another viewer's first read of the same week: the classes from memory, one statement for their own.
            let (before, hits) = (app.services.database.statementCount, app.services.database.readCache.counts.hits)
            #expect(shown(try await app.request(.get, week, token: noor))["bookedCount"] as? Int == 0)
            #expect(app.services.database.readCache.counts.hits > hits)
            #expect(app.services.database.statementCount - before <= 2, "the studio access and the viewer's week at most")
            // Maya takes the only place: Noor's next read shows it full, Maya's shows her booking; neither
            // reads the classes again.
            #expect(try await app.book(session, token: maya).status == 201)
            let rangeHits = app.services.database.readCache.counts.hits
            let noorSees = shown(try await app.request(.get, week, token: noor))
            #expect(noorSees["bookedCount"] as? Int == 1 && noorSees["spotsLeft"] as? Int == 0 && noorSees["myBooking"] == nil)
            #expect((noorSees["bookingEligibility"] as? [String: Any])?["status"] as? String == "full")
            let mayaSees = shown(try await app.request(.get, week, token: maya))
            #expect((mayaSees["myBooking"] as? [String: Any])?["status"] as? String == "confirmed")
            #expect(mayaSees["bookedCount"] as? Int == 1)
            #expect(app.services.database.readCache.counts.hits >= rangeHits + 2, "the classes came from memory both times")
        }
    }

    @Test(
        "on PostgreSQL, a booking on one server shows in another server's cached week within 10 s",
        .enabled(if: TestBackend.current == .postgres))
    func acrossProcesses() async throws {
        try await TestApp.run { a in
            try await a.secondProcess { b in
                try await a.readCacheServing()
                try await b.readCacheServing()
                let studio = try await a.studio()
                let session = try await a.session(studio, startsAt: a.clock.now().addingTimeInterval(86_400))
                let (token, _) = try await a.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
                let week = "/api/orgs/\(studio.orgId)/sessions"
                let cached = try #require(try await b.cachedRead(week, token: token), "b's week never came from memory")
                #expect(Self.item(cached, session)?["bookedCount"] as? Int == 0)
                #expect(try await a.book(session, token: token).status == 201)
                let seen = try await TestApp.eventually(within: TestApp.listenerLimit) {
                    let reply = try await b.request(.get, week, token: token)
                    return Self.item(reply, session)?["bookedCount"] as? Int == 1
                }
                #expect(seen)
            }
        }
    }

    // MARK: The cache alone

    static let key = ReadCacheKey("test", ["a"])

    @Test("a value read while a write committed is answered but not kept")
    func writeDuringLoad() async throws {
        let cache = ReadCache(serving: true)
        let first = try await cache.value(Self.key) { () async throws -> Int in
            cache.written(.bookings)
            return 1
        }
        #expect(first == 1)
        #expect(cache.count == 0)
        #expect(try await cache.value(Self.key) { 2 } == 2)
        #expect(try await cache.value(Self.key) { 3 } == 2)
        cache.written(.bookings)
        #expect(try await cache.value(Self.key) { 4 } == 4)
    }

    /// Starts `count` reads of `key` at once, each loading `index` through `gate` (held until
    /// `open` is finished) and counting its loads; their answers.
    static func together(
        _ cache: ReadCache, _ key: ReadCacheKey, count: Int, loads: Loads, gate: AsyncStream<Void>, fail: Bool = false
    ) -> [Task<Int, any Error>] {
        (0..<count).map { index in
            Task {
                try await cache.value(key) { () async throws -> Int in
                    let first = loads.count.withLock { loads in
                        loads += 1
                        return loads == 1
                    }
                    if first {
                        for await _ in gate {}
                        if fail { throw CancellationError() }
                    }
                    return index
                }
            }
        }
    }

    @Test("one read per key at a time: requests that miss together share the first one's read")
    func sharedRead() async throws {
        let cache = ReadCache(serving: true)
        let loads = Loads()
        let (gate, open) = AsyncStream<Void>.makeStream()
        let tasks = Self.together(cache, Self.key, count: 50, loads: loads, gate: gate)
        // The first read holds at the gate until the other 49 wait for it.
        _ = await TestApp.eventually { cache.waiting == 49 }
        #expect(cache.waiting == 49)
        #expect(loads.count.withLock { $0 } == 1)
        open.finish()
        var answers: [Int] = []
        for task in tasks { answers.append(try await task.value) }
        #expect(loads.count.withLock { $0 } == 1, "the database read once")
        #expect(Set(answers).count == 1, "every request answered with that read's value")
        #expect(try await cache.value(Self.key) { -1 } == answers[0])
    }

    @Test("a value read elsewhere is kept at the stamp taken before its read, unless a write that can change it came after")
    func keptFromElsewhere() async throws {
        let cache = ReadCache(serving: true)
        let structure = ReadCacheKey("test", ["s"], changedBy: .everything)
        let stamp = cache.stamp(changedBy: .everything)
        cache.keep(structure, 7, stamp: stamp)
        #expect(try await cache.value(structure) { 8 } == 7)
        // A booking changes nothing a studio's key holds; anything may.
        let before = cache.stamp(changedBy: .everything)
        cache.written(.bookings)
        cache.keep(ReadCacheKey("test", ["b"], changedBy: .everything), 3, stamp: before)
        #expect(try await cache.value(ReadCacheKey("test", ["b"], changedBy: .everything)) { 4 } == 3)
        let stale = cache.stamp(changedBy: .everything)
        cache.written(.everything)
        cache.keep(structure, 9, stamp: stale)
        #expect(try await cache.value(structure) { 10 } == 10)
        // A bookings key's stamp moves with bookings.
        let bookings = cache.stamp(changedBy: .bookings)
        cache.written(.bookings)
        cache.keep(Self.key, 5, stamp: bookings)
        #expect(try await cache.value(Self.key) { 6 } == 6)
        // A nil kept answers nil; not serving, there is no stamp and nothing is kept.
        let none: Int? = nil
        cache.keep(ReadCacheKey("test", ["n"], changedBy: .everything), none, stamp: cache.stamp(changedBy: .everything))
        #expect(try await cache.value(ReadCacheKey("test", ["n"], changedBy: .everything)) { () -> Int? in 1 } == nil)
        let off = ReadCache(serving: false)
        #expect(off.stamp(changedBy: .everything) == nil)
        off.keep(structure, 1, stamp: nil)
        #expect(off.count == 0)
    }

    @Test("the shared read fails: it fails its own request only, each waiting request reads for itself")
    func sharedReadFails() async throws {
        let cache = ReadCache(serving: true)
        let loads = Loads()
        let (gate, open) = AsyncStream<Void>.makeStream()
        let tasks = Self.together(cache, Self.key, count: 20, loads: loads, gate: gate, fail: true)
        _ = await TestApp.eventually { cache.waiting == 19 }
        #expect(cache.waiting == 19)
        open.finish()
        var failed = 0
        for task in tasks {
            if case .failure = await task.result { failed += 1 }
        }
        #expect(failed == 1)
        #expect(loads.count.withLock { $0 } == 20, "the failed read, then each of the 19 on its own")
        #expect(cache.waiting == 0)
    }

    @Test("a write during the shared read: a request after it does not wait for the older read, and the older value is not kept")
    func writeDuringSharedRead() async throws {
        let cache = ReadCache(serving: true)
        let (gate, open) = AsyncStream<Void>.makeStream()
        let (started, startedSignal) = AsyncStream<Void>.makeStream()
        let older = Task {
            try await cache.value(Self.key) { () async throws -> Int in
                startedSignal.yield()
                for await _ in gate {}
                return 1
            }
        }
        for await _ in started { break }
        cache.written(.bookings)
        // Not waiting behind the held read: answered while it is still held.
        #expect(try await cache.value(Self.key) { 2 } == 2)
        open.finish()
        #expect(try await older.value == 1)
        #expect(try await cache.value(Self.key) { 3 } == 2, "the newer read is the one kept")
    }

    @Test("an optional value: a miss is not a cached nil, and a cached nil answers nil")
    func optionalValues() async throws {
        let cache = ReadCache(serving: true)
        #expect(try await cache.value(Self.key) { () -> Int? in nil } == nil)
        #expect(try await cache.value(Self.key) { () -> Int? in 1 } == nil)
        let other = ReadCacheKey("test", ["b"])
        #expect(try await cache.value(other) { () -> Int? in 2 } == 2)
    }

    @Test("scopes: housekeeping forgets nothing, bookings what bookings change, everything all")
    func scopes() async throws {
        let cache = ReadCache(serving: true)
        let schedule = ReadCacheKey("schedule", ["a"])
        let access = ReadCacheKey("access", ["a"], changedBy: .everything)
        func read(_ key: ReadCacheKey, _ value: Int) async throws -> Int { try await cache.value(key) { value } }
        #expect(try await read(schedule, 1) == 1)
        #expect(try await read(access, 1) == 1)
        cache.written(.housekeeping)
        #expect(try await read(schedule, 2) == 1)
        #expect(try await read(access, 2) == 1)
        cache.written(.bookings)
        #expect(try await read(schedule, 3) == 3)
        #expect(try await read(access, 3) == 1)
        cache.written(.everything)
        #expect(try await read(schedule, 4) == 4)
        #expect(try await read(access, 4) == 4)
    }

    @Test("another instance's notification: its scope, everything when unreadable, nothing for this instance's own")
    func heard() {
        let cache = ReadCache(serving: true)
        #expect(cache.heard(ReadCache.payload(instance: cache.instance, scope: .everything)) == nil)
        for scope in [WriteScope.bookings, .everything] {
            #expect(cache.heard(ReadCache.payload(instance: "other", scope: scope)) == scope)
        }
        for garbled in ["", "other", "other 9", "other x", "a b c"] {
            #expect(cache.heard(garbled) == .everything)
        }
    }

    @Test("not serving: nothing answers or is kept; serving again starts empty")
    func notServing() async throws {
        let cache = ReadCache(serving: false)
        #expect(try await cache.value(Self.key) { 1 } == 1)
        #expect(try await cache.value(Self.key) { 2 } == 2)
        #expect(cache.count == 0)
        cache.setServing(true)
        #expect(try await cache.value(Self.key) { 3 } == 3)
        #expect(try await cache.value(Self.key) { 4 } == 3)
        cache.setServing(false)
        #expect(try await cache.value(Self.key) { 5 } == 5)
        cache.setServing(true)
        #expect(cache.count == 0)
    }

    @Test("bounded: at the limit it keeps; one past, it starts afresh with the newcomer")
    func bounded() async throws {
        let cache = ReadCache(serving: true, limit: 3)
        for part in ["a", "b", "c"] { _ = try await cache.value(ReadCacheKey("t", [part])) { part } }
        #expect(cache.count == 3)
        #expect(try await cache.value(ReadCacheKey("t", ["a"])) { "x" } == "a")
        _ = try await cache.value(ReadCacheKey("t", ["d"])) { "d" }
        #expect(cache.count == 1)
        #expect(try await cache.value(ReadCacheKey("t", ["d"])) { "y" } == "d")
    }

    @Test("an entry older than maxAge is read again")
    func maxAge() async throws {
        let cache = ReadCache(serving: true, maxAge: .zero)
        #expect(try await cache.value(Self.key) { 1 } == 1)
        #expect(try await cache.value(Self.key) { 2 } == 2)
    }
}

/// Reads counted across the tasks of a test.
final class Loads: Sendable {
    let count = Mutex(0)
}
