import Foundation
import FrontdeskCore
@testable import FrontdeskStore
import FrontdeskTestSupport
import Testing

@Suite("Read path: a member's week in a fixed number of statements")
struct ReadPathTests {
    /// A member with two subscriptions, bookings of every kind in the week and around it, and plans
    /// on offer (one inactive): every branch of the facts has rows, and rows it must leave out.
    static func busyMember(_ app: TestApp) async throws -> (studio: StudioFixture, token: String, membershipId: String, sessions: [String])
    {
        let studio = try await app.studio()
        _ = try await app.request(.patch, "/api/orgs/\(studio.orgId)", token: studio.ownerToken, body: ["paymentProvider": "stripe"])
        let (token, maya) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
        let start = app.clock.now().addingTimeInterval(86_400)
        var sessions: [String] = []
        for hour in 0..<6 {
            sessions.append(try await app.session(studio, startsAt: start.addingTimeInterval(Double(hour) * 5_400)))
        }
        // Next month: outside the week's window.
        let later = try await app.session(studio, startsAt: start.addingTimeInterval(30 * 86_400))
        try await app.insertBooking(session: sessions[0], membership: maya, status: "confirmed")
        try await app.insertBooking(session: sessions[1], membership: maya, status: "waitlisted", position: 1)
        try await app.insertBooking(session: sessions[2], membership: maya, status: "cancelled")
        try await app.insertBooking(session: later, membership: maya, status: "confirmed")
        _ = try await app.insertSubscription(org: studio.orgId, membership: maya, credits: 3, perDay: 2)
        _ = try await app.insertSubscription(org: studio.orgId, membership: maya, credits: nil, perWeek: 4)
        try await app.services.database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO plans (id, organization_id, name, class_credits, allow_overlapping_bookings, active, created_at, updated_at)
                VALUES (\(bind: NewID.make()), \(bind: studio.orgId), 'Archived', 5, \(bind: true), \(bind: false), 0, 0),
                       (\(bind: NewID.make()), \(bind: studio.orgId), 'Drop-in', 1, \(bind: true), \(bind: true), 0, 0)
                """
            ).run()
        }
        return (studio, token, maya, sessions)
    }

    @Test("the set-based facts are the facts the per-kind queries read")
    func sameFacts() async throws {
        try await TestApp.run { app in
            let (studio, _, maya, _) = try await Self.busyMember(app)
            let now = app.clock.now()
            let from = now.addingTimeInterval(-7 * 86_400), to = now.addingTimeInterval(14 * 86_400)
            let setBased = try await ScheduleStore(database: app.services.database)
                .memberFacts(orgId: studio.orgId, membershipId: maya, from: from, to: to, now: now)
            let perKind = try await app.services.database.read { sql in
                try await MemberFactsRows.memberFacts(sql, orgId: studio.orgId, membershipId: maya, from: from, to: to, now: now)
            }
            #expect(setBased.subscriptions.count == 2)
            #expect(setBased.bookings.count == 2)
            #expect(setBased.planOffers.map(\.name) == ["Drop-in", "Ten pack", "Ten pack"])
            // Subscriptions and bookings come in no particular order (the rules sort and count them); offers in the plans' order.
            #expect(setBased.subscriptions.sorted { $0.id < $1.id } == perKind.subscriptions.sorted { $0.id < $1.id })
            #expect(setBased.bookings.sorted { $0.sessionId < $1.sessionId } == perKind.bookings.sorted { $0.sessionId < $1.sessionId })
            #expect(setBased.planOffers == perKind.planOffers)
            // Nothing held: every list empty, no error on the empty union.
            let (_, stranger) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let none = try await ScheduleStore(database: app.services.database)
                .memberFacts(orgId: studio.orgId, membershipId: stranger, from: from, to: to, now: now)
            #expect(none.subscriptions.isEmpty && none.bookings.isEmpty && none.planOffers.count == 3)
        }
    }

    /// Statements the database received while `body` ran, with the read cache emptied first (as after
    /// a write), so they are what a read costs the database when it is not kept in memory.
    static func statements(_ app: TestApp, cached: Bool = false, _ body: () async throws -> Reply) async throws -> (Int, Reply) {
        if !cached { app.services.database.readCache.written(.everything) }
        let before = app.services.database.statementCount
        let reply = try await body()
        return (app.services.database.statementCount - before, reply)
    }

    @Test("a member's week costs the same few statements however much the member holds; eligibility is one of them")
    func statementCount() async throws {
        try await TestApp.run { app in
            let (studio, token, _, sessions) = try await Self.busyMember(app)
            let path = "/api/orgs/\(studio.orgId)/sessions"
            // Every login answered from memory (on PostgreSQL once the cache's listener is proven), so
            // the counts below are the route's own, whichever test runs beside this one.
            try await app.loginCacheServing()
            try #require(try await app.warmLoginCache(token))
            _ = try await app.request(.get, path, token: token)
            let (busy, reply) = try await Self.statements(app) { try await app.request(.get, path, token: token) }
            #expect(reply.status == 200)
            #expect(Set(TestApp.ids(reply)).isSuperset(of: sessions))
            // A member holding nothing, in the same week: the same count.
            let (fresh, _) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            try #require(try await app.warmLoginCache(fresh))
            _ = try await app.request(.get, path, token: fresh)
            let (empty, _) = try await Self.statements(app) { try await app.request(.get, path, token: fresh) }
            #expect(busy == empty)
            // Staff get no eligibility, but the counts and their own bookings come in the same one statement.
            try #require(try await app.warmLoginCache(studio.ownerToken))
            _ = try await app.request(.get, path, token: studio.ownerToken)
            let (staff, _) = try await Self.statements(app) { try await app.request(.get, path, token: studio.ownerToken) }
            #expect(busy == staff)
            // The route's own share: the sessions and the viewer's week; the rest is login and studio scope.
            let (scope, _) = try await Self.statements(app) {
                try await app.request(.get, "/api/orgs/\(studio.orgId)/sessions?from=2000-01-01&to=2000-01-02", token: token)
            }
            #expect(busy == scope + 1, "the empty range skips only the facts")
            #expect(busy == 3, "studio scope, sessions, the viewer's week (the login answered from memory): \(busy)")
            // Read again before any write: from memory (see ReadCacheTests for the cache itself).
            try await app.readCacheServing()
            #expect(try await app.cachedRead(path, token: token) != nil)
        }
    }
}
