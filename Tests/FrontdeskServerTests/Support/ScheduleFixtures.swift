import Foundation
import FrontdeskCore
import FrontdeskStore
import Testing

/// An org with a catalog, for scheduling tests.
struct StudioFixture: Sendable {
    let ownerToken: String
    let orgId: String
    let programId: String
    let feedProgramId: String
    let classTypeId: String
    let feedClassTypeId: String
    let locationId: String
}

extension TestApp {
    /// An owner, an org in `timezone`, a schedule program and a feed program with a class type each, a location.
    func studio(timezone: String = "Europe/Berlin") async throws -> StudioFixture {
        let (token, orgId) = try await owner()
        if timezone != "Europe/Berlin" {
            try #require(try await request(.patch, "/api/orgs/\(orgId)", token: token, body: ["timezone": timezone]).status == 200)
        }
        let base = "/api/orgs/\(orgId)"
        let program = try #require(try await request(.post, "\(base)/programs", token: token, body: ["name": "Yoga"]).string("id"))
        let feed = try #require(
            try await request(.post, "\(base)/programs", token: token, body: ["name": "Open Gym", "deliveryMode": "feed"]).string("id"))
        let type = try #require(
            try await request(
                .post, "\(base)/class-types", token: token,
                body: [
                    "programId": program, "name": "Vinyasa", "defaultCapacity": 12, "defaultDurationMin": 60,
                ]
            ).string("id"))
        let feedType = try #require(
            try await request(
                .post, "\(base)/class-types", token: token,
                body: [
                    "programId": feed, "name": "Open Gym", "defaultCapacity": 30, "defaultDurationMin": 90,
                ]
            ).string("id"))
        let location = try #require(try await request(.post, "\(base)/locations", token: token, body: ["name": "Loft"]).string("id"))
        return StudioFixture(
            ownerToken: token, orgId: orgId, programId: program, feedProgramId: feed, classTypeId: type,
            feedClassTypeId: feedType, locationId: location)
    }

    /// Creates a session through the API (a draft), optionally publishing it; returns its id.
    func session(
        _ studio: StudioFixture, startsAt: Date, classTypeId: String? = nil, publish: Bool = true,
        extra: [String: any Sendable] = [:]
    ) async throws -> String {
        var body: [String: any Sendable] = [
            "classTypeId": classTypeId ?? studio.classTypeId,
            "startsAt": ISO8601DateFormatter().string(from: startsAt),
        ]
        for (key, value) in extra { body[key] = value }
        let reply = try await request(.post, "/api/orgs/\(studio.orgId)/sessions", token: studio.ownerToken, body: body)
        try #require(reply.status == 201, "session create failed: \(reply.text)")
        let id = try #require(reply.string("id"))
        if publish {
            try #require(try await request(.post, "/api/sessions/\(id)/publish", token: studio.ownerToken).status == 200)
        }
        return id
    }

    /// Writes a booking row directly (the booking API is a later issue); returns its id.
    @discardableResult
    func insertBooking(
        session: String, membership: String, status: String, subscription: String? = nil, charged: Bool = false,
        position: Int? = nil
    ) async throws -> String {
        let id = NewID.make()
        try await services.database.transaction { sql in
            let org = try await sql.raw("SELECT organization_id FROM class_sessions WHERE id = \(bind: session)").first()!
                .decode(column: "organization_id", as: String.self)
            try await sql.raw(
                """
                INSERT INTO bookings (id, organization_id, session_id, membership_id, subscription_id, status, waitlist_position,
                    credit_charged, created_at, updated_at)
                VALUES (\(bind: id), \(bind: org), \(bind: session), \(bind: membership), \(bind: subscription), \(bind: status),
                    \(bind: position), \(bind: charged), 0, 0)
                """
            ).run()
        }
        return id
    }

    /// Writes a plan and an active subscription for a membership; returns the subscription id.
    func insertSubscription(org: String, membership: String, credits: Int?, perDay: Int? = nil, perWeek: Int? = nil) async throws -> String
    {
        let plan = NewID.make(), subscription = NewID.make()
        try await services.database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO plans (id, organization_id, name, class_credits, max_bookings_per_day, max_bookings_per_week,
                    allow_overlapping_bookings, active, created_at, updated_at)
                VALUES (\(bind: plan), \(bind: org), 'Ten pack', \(bind: credits), \(bind: perDay), \(bind: perWeek), \(bind: false), \(bind: true), 0, 0)
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO subscriptions (id, organization_id, membership_id, plan_id, status, credits_granted, credits_remaining,
                    starts_at, created_at, updated_at)
                VALUES (\(bind: subscription), \(bind: org), \(bind: membership), \(bind: plan), 'active', \(bind: credits),
                    \(bind: credits), 0, 0, 0)
                """
            ).run()
        }
        return subscription
    }

    /// A single integer from a query, for asserting on the database.
    func count(_ query: String) async throws -> Int {
        try await services.database.read { sql in
            try await sql.raw("\(unsafeRaw: query)").first()!.decode(column: "n", as: Int.self)
        }
    }

    /// Item ids of a list answer.
    static func ids(_ reply: Reply) -> [String] {
        (reply["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }
}

/// ISO-8601 with offset → Date, for expectations independent of the host zone.
func iso(_ text: String) -> Date {
    ISO8601DateFormatter().date(from: text)!
}
