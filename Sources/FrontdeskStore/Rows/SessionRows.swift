import Foundation
import FrontdeskCore
import SQLKit

/// Row operations on class sessions inside the caller's transaction.
enum SessionRows {
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

    static func insert(_ sql: any SQLDatabase, _ session: ClassSession, createdBy: String?) async throws {
        try await sql.raw(
            """
            INSERT INTO class_sessions (id, organization_id, class_type_id, location_id, coach_membership_id, starts_at,
                duration_min, ends_at, capacity, status, cancel_reason, created_by_membership_id, created_at, updated_at)
            VALUES (\(bind: session.id), \(bind: session.organizationId), \(bind: session.classTypeId), \(bind: session.locationId),
                \(bind: session.coachMembershipId), \(bind: session.startsAt.epochSeconds), \(bind: session.durationMin),
                \(bind: session.endsAt.epochSeconds), \(bind: session.capacity), \(bind: session.status.rawValue),
                \(bind: session.cancelReason), \(bind: createdBy), \(bind: session.createdAt.epochSeconds),
                \(bind: session.updatedAt.epochSeconds))
            """
        ).run()
    }

    static func live(_ sql: any SQLDatabase, orgId: String, id: String) async throws -> ClassSession? {
        try await sql.raw(
            """
            SELECT * FROM class_sessions WHERE id = \(bind: id) AND organization_id = \(bind: orgId) AND deleted_at IS NULL
            """
        ).first().map(session)
    }

    static func requireLive(_ sql: any SQLDatabase, orgId: String, id: String) async throws -> ClassSession {
        guard let session = try await live(sql, orgId: orgId, id: id) else { throw DomainError.notFound("Session") }
        return session
    }

    static func classTypeDefaults(_ sql: any SQLDatabase, orgId: String, id: String) async throws -> (capacity: Int, duration: Int) {
        guard
            let row = try await sql.raw(
                """
                SELECT default_capacity, default_duration_min FROM class_types
                WHERE id = \(bind: id) AND organization_id = \(bind: orgId) AND deleted_at IS NULL
                """
            ).first()
        else { throw DomainError.notFound("Class type") }
        return (try row.int("default_capacity"), try row.int("default_duration_min"))
    }

    static func checkReferences(_ sql: any SQLDatabase, orgId: String, locationId: String?, coachMembershipId: String?) async throws {
        if let locationId {
            let found = try await sql.raw(
                """
                SELECT id FROM locations WHERE id = \(bind: locationId) AND organization_id = \(bind: orgId) AND deleted_at IS NULL
                """
            ).first()
            if found == nil { throw DomainError.notFound("Location") }
        }
        if let coachMembershipId {
            guard
                let row = try await sql.raw(
                    """
                    SELECT role, status FROM memberships WHERE id = \(bind: coachMembershipId) AND organization_id = \(bind: orgId)
                    """
                ).first()
            else { throw DomainError.notFound("Coach") }
            let role = Role(rawValue: try row.string("role")) ?? .member
            guard role.isStaff, try row.string("status") == MembershipStatus.active.rawValue else {
                throw DomainError(.invalidCoach, "The coach must be an active owner, admin or coach of the organization.")
            }
        }
    }

    /// Confirmed plus attended places of a session.
    static func bookedCount(_ sql: any SQLDatabase, sessionId: String) async throws -> Int {
        try await sql.raw(
            """
            SELECT COUNT(*) AS n FROM bookings WHERE session_id = \(bind: sessionId) AND status IN ('confirmed', 'attended')
            """
        ).first()?.int("n") ?? 0
    }
}
