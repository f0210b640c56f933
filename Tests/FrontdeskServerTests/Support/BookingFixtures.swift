import Foundation
import FrontdeskCore
import FrontdeskStore
import FrontdeskTestSupport
import HTTPTypes
import Testing

extension TestApp {
    /// Many members at once, written through the stores (no bcrypt per member): (token, membershipId).
    func quickMembers(_ orgId: String, count: Int) async throws -> [(token: String, membershipId: String)] {
        var result: [(String, String)] = []
        let now = clock.now()
        for index in 0..<count {
            let email = "rush-\(index)-\(NewID.make().prefix(8))@example.com"
            let (summary, _) = try await services.organizations.addMember(orgId: orgId, email: email, role: .member, now: now) {
                ("Rusher \(index)", "x")
            }
            let token = SecretToken.generate()
            try await services.accounts.createSession(
                userId: summary.user.id, tokenHash: SecretToken.hash(token),
                expiresAt: now.addingTimeInterval(86_400 * 30), userAgent: nil,
                clientAddress: nil, now: now)
            result.append((token, summary.membership.id))
        }
        return result
    }

    /// Books through the API.
    @discardableResult
    func book(_ session: String, token: String, body: [String: any Sendable]? = nil, key: String? = nil) async throws -> Reply {
        let headers: HTTPFields = key.map { [.init("Idempotency-Key")!: $0] } ?? [:]
        if let body { return try await request(.post, "/api/sessions/\(session)/bookings", token: token, body: body, headers: headers) }
        return try await request(.post, "/api/sessions/\(session)/bookings", token: token, headers: headers)
    }

    /// Cancels through the API.
    @discardableResult
    func cancelBooking(_ booking: String, token: String, key: String? = nil) async throws -> Reply {
        let headers: HTTPFields = key.map { [.init("Idempotency-Key")!: $0] } ?? [:]
        return try await request(.post, "/api/bookings/\(booking)/cancel", token: token, headers: headers)
    }

    /// A plan through the API; returns its id.
    func plan(_ studio: StudioFixture, _ body: [String: any Sendable]) async throws -> String {
        let reply = try await request(.post, "/api/orgs/\(studio.orgId)/plans", token: studio.ownerToken, body: body)
        try #require(reply.status == 201, "\(reply.text)")
        return try #require(reply.string("id"))
    }

    /// Subscribes a member through the API; returns the subscription id.
    func subscribe(_ studio: StudioFixture, membership: String, plan: String, credits: Int? = nil) async throws -> String {
        var body: [String: any Sendable] = ["planId": plan]
        if let credits { body["credits"] = credits }
        let reply = try await request(
            .post, "/api/orgs/\(studio.orgId)/members/\(membership)/subscriptions", token: studio.ownerToken, body: body)
        try #require(reply.status == 201, "\(reply.text)")
        return try #require(reply.string("id"))
    }

    /// The invariants SPEC §5 promises for a session, checked from the database.
    func checkInvariants(session: String) async throws {
        let capacity = try await count("SELECT capacity AS n FROM class_sessions WHERE id = '\(session)'")
        let confirmed = try await count(
            "SELECT COUNT(*) AS n FROM bookings WHERE session_id = '\(session)' AND status IN ('confirmed', 'attended') AND capacity_override = \(services.database.backend == .postgres ? "false" : "0")"
        )
        #expect(confirmed <= capacity, "overbooked: \(confirmed) > \(capacity)")
        let doubles = try await count(
            """
            SELECT COUNT(*) AS n FROM (SELECT membership_id FROM bookings WHERE session_id = '\(session)'
              AND status IN ('confirmed', 'waitlisted', 'attended') GROUP BY membership_id HAVING COUNT(*) > 1) d
            """)
        #expect(doubles == 0, "a member holds two active bookings")
        let positions = try await services.database.read { sql in
            try await sql.raw(
                """
                SELECT waitlist_position FROM bookings WHERE session_id = \(bind: session) AND status = 'waitlisted' ORDER BY waitlist_position
                """
            ).all().map { try $0.decode(column: "waitlist_position", as: Int.self) }
        }
        #expect(positions == Array(stride(from: 1, through: positions.count, by: 1)), "waitlist not dense: \(positions)")
        let negative = try await count("SELECT COUNT(*) AS n FROM subscriptions WHERE credits_remaining < 0")
        #expect(negative == 0)
        let inconsistent = try await count(
            """
            SELECT COUNT(*) AS n FROM subscriptions s WHERE s.credits_remaining IS NOT NULL AND s.credits_remaining <>
              s.credits_granted + COALESCE((SELECT SUM(l.amount) FROM credit_ledger l WHERE l.subscription_id = s.id), 0)
            """)
        #expect(inconsistent == 0, "balance differs from grants + ledger")
        let chargedWithoutLedger = try await count(
            """
            SELECT COUNT(*) AS n FROM bookings b WHERE b.credit_charged = \(services.database.backend == .postgres ? "true" : "1")
              AND (SELECT COALESCE(SUM(l.amount), 0) FROM credit_ledger l WHERE l.booking_id = b.id) <> -1
            """)
        #expect(chargedWithoutLedger == 0, "a charged booking without exactly one net charge")
        let miscounted = try await count(ClassCountsCheck.miscounted)
        #expect(miscounted == 0, "a class's kept places taken or waitlist length differs from its bookings")
    }
}
