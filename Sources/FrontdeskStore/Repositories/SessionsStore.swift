import Foundation
import FrontdeskCore
import SQLKit

/// Class sessions. (The scheduling rules around them live in FrontdeskCore and the scheduling routes.)
public struct SessionsStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    static func session(_ row: any SQLRow) throws -> ClassSession {
        ClassSession(
            id: try row.string("id"), organizationId: try row.string("organization_id"),
            classTypeId: try row.string("class_type_id"), locationId: try row.optionalString("location_id"),
            coachMembershipId: try row.optionalString("coach_membership_id"), startsAt: try row.date("starts_at"),
            durationMin: try row.int("duration_min"), capacity: try row.int("capacity"),
            status: SessionStatus(rawValue: try row.string("status")) ?? .draft,
            cancelReason: try row.optionalString("cancel_reason"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")
        )
    }

    /// Inserts sessions in one transaction (used by creation and by the demo seeder).
    public func insert(_ sessions: [ClassSession], createdBy: String?) async throws {
        try await database.transaction { sql in
            for session in sessions {
                try await Self.insert(sql, session, createdBy: createdBy)
            }
        }
    }

    static func insert(_ sql: any SQLDatabase, _ session: ClassSession, createdBy: String?) async throws {
        try await sql.raw("""
            INSERT INTO class_sessions (id, organization_id, class_type_id, location_id, coach_membership_id, starts_at,
                duration_min, ends_at, capacity, status, cancel_reason, created_by_membership_id, created_at, updated_at)
            VALUES (\(bind: session.id), \(bind: session.organizationId), \(bind: session.classTypeId), \(bind: session.locationId),
                \(bind: session.coachMembershipId), \(bind: session.startsAt.epochSeconds), \(bind: session.durationMin),
                \(bind: session.endsAt.epochSeconds), \(bind: session.capacity), \(bind: session.status.rawValue),
                \(bind: session.cancelReason), \(bind: createdBy), \(bind: session.createdAt.epochSeconds),
                \(bind: session.updatedAt.epochSeconds))
            """).run()
    }

    /// Live (not deleted) sessions of the org starting in `[from, to)`, by start time.
    public func sessions(orgId: String, from: Date, to: Date) async throws -> [ClassSession] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT * FROM class_sessions WHERE organization_id = \(bind: orgId) AND deleted_at IS NULL
                  AND starts_at >= \(bind: from.epochSeconds) AND starts_at < \(bind: to.epochSeconds)
                ORDER BY starts_at, id
                """).all().map(Self.session)
        }
    }
}
