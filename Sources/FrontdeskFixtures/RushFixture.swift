import Foundation
import FrontdeskCore
import FrontdeskStore
import SQLKit

/// The data a class-release rush needs, written in bulk straight into the database a server uses:
/// an org, one published class of `capacity` places, and `members` members each with a login token.
/// Used by the `frontdesk-bench` tool only.
public struct RushFixture: Sendable {
    public let organizationId: String
    public let sessionId: String
    public let tokens: [String]

    /// `startsIn` places the class (default: in two days); `booked` gives every member a confirmed place.
    public static func create(
        database: any FrontdeskDatabase, members: Int, capacity: Int, now: Date,
        startsIn: Int64 = 172_800, booked: Bool = false
    ) async throws -> RushFixture {
        let org = NewID.make(), program = NewID.make(), type = NewID.make(), session = NewID.make()
        let t = now.epochSeconds
        let tokens = (0..<members).map { _ in SecretToken.generate() }
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO organizations (id, name, timezone, created_at, updated_at) VALUES (\(bind: org), 'Rush Studio', 'Europe/Berlin', \(bind: t), \(bind: t))
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO programs (id, organization_id, name, delivery_mode, created_at, updated_at)
                VALUES (\(bind: program), \(bind: org), 'Rush', 'schedule', \(bind: t), \(bind: t))
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO class_types (id, organization_id, program_id, name, default_capacity, default_duration_min, color, created_at, updated_at)
                VALUES (\(bind: type), \(bind: org), \(bind: program), 'Hot class', \(bind: capacity), 60, '#b91c1c', \(bind: t), \(bind: t))
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO class_sessions (id, organization_id, class_type_id, starts_at, duration_min, ends_at, capacity, status, created_at, updated_at)
                VALUES (\(bind: session), \(bind: org), \(bind: type), \(bind: t + startsIn), 60, \(bind: t + startsIn + 3600), \(bind: capacity), 'published', \(bind: t), \(bind: t))
                """
            ).run()
            for chunk in Array(tokens.enumerated()).chunked(into: 150) {
                var users: [SQLQueryString] = [], memberships: [SQLQueryString] = [], sessions: [SQLQueryString] = []
                var bookings: [SQLQueryString] = []
                for (index, token) in chunk {
                    let user = NewID.make(), membership = NewID.make()
                    let email = "rush-\(index)-\(user.prefix(8))@bench.frontdesk.test"
                    users.append("(\(bind: user), \(bind: email), \(bind: email), \(bind: "Rusher \(index)"), 'x', \(bind: t), \(bind: t))")
                    memberships.append("(\(bind: membership), \(bind: org), \(bind: user), 'member', 'active', \(bind: t), \(bind: t))")
                    bookings.append(
                        "(\(bind: NewID.make()), \(bind: org), \(bind: session), \(bind: membership), 'confirmed', \(bind: t), \(bind: t))")
                    sessions.append(
                        "(\(bind: NewID.make()), \(bind: user), \(bind: SecretToken.hash(token)), \(bind: t), \(bind: t + 86_400), \(bind: t))"
                    )
                }
                try await sql.raw(
                    """
                    INSERT INTO users (id, email, email_normalized, name, password_hash, created_at, updated_at) VALUES \(users.joined(separator: ", "))
                    """
                ).run()
                try await sql.raw(
                    """
                    INSERT INTO memberships (id, organization_id, user_id, role, status, created_at, updated_at) VALUES \(memberships.joined(separator: ", "))
                    """
                ).run()
                try await sql.raw(
                    """
                    INSERT INTO auth_sessions (id, user_id, token_hash, created_at, expires_at, last_used_at) VALUES \(sessions.joined(separator: ", "))
                    """
                ).run()
                if booked {
                    try await sql.raw(
                        """
                        INSERT INTO bookings (id, organization_id, session_id, membership_id, status, created_at, updated_at)
                        VALUES \(bookings.joined(separator: ", "))
                        """
                    ).run()
                }
            }
        }
        return RushFixture(organizationId: org, sessionId: session, tokens: tokens)
    }

    /// What the database holds for the rushed class afterwards.
    public struct Outcome: Sendable {
        public var confirmed: Int
        public var waitlisted: Int
        public var membersTwice: Int
        public var waitlistDense: Bool
    }

    public static func outcome(database: any FrontdeskDatabase, sessionId: String) async throws -> Outcome {
        try await database.read { sql in
            let confirmed =
                try await sql.raw("SELECT COUNT(*) AS n FROM bookings WHERE session_id = \(bind: sessionId) AND status = 'confirmed'")
                .first()?.decode(column: "n", as: Int.self) ?? 0
            let positions = try await sql.raw(
                """
                SELECT waitlist_position FROM bookings WHERE session_id = \(bind: sessionId) AND status = 'waitlisted' ORDER BY waitlist_position
                """
            ).all().map { try $0.decode(column: "waitlist_position", as: Int.self) }
            let twice =
                try await sql.raw(
                    """
                    SELECT COUNT(*) AS n FROM (SELECT membership_id FROM bookings WHERE session_id = \(bind: sessionId)
                      AND status IN ('confirmed', 'waitlisted', 'attended') GROUP BY membership_id HAVING COUNT(*) > 1) d
                    """
                ).first()?.decode(column: "n", as: Int.self) ?? 0
            return Outcome(
                confirmed: confirmed, waitlisted: positions.count, membersTwice: twice,
                waitlistDense: positions == Array(stride(from: 1, through: positions.count, by: 1)))
        }
    }
}
