import Foundation
import FrontdeskCore
import SQLKit

/// Another live, not-cancelled class a session's time collides with, for its coach or its location.
struct SessionClash: Sendable {
    var kind: SessionEditRules.Clash
    var sessionId: String
    var className: String
    var startsAt: Date
    var endsAt: Date
}

/// Coach and room double-booking, inside the caller's transaction.
enum SessionClashRows {
    /// The first class (by start) other than `session` itself that shares an instant of
    /// `[startsAt, endsAt)` (a class ending as the other starts does not) with the same coach, else
    /// with the same location. Drafts count: they are meant to run.
    static func firstClash(_ sql: any SQLDatabase, _ session: ClassSession) async throws -> SessionClash? {
        for kind in [SessionEditRules.Clash.coach, .room] {
            let column: SQLQueryString
            let value: String?
            switch kind {
            case .coach: (column, value) = ("s.coach_membership_id", session.coachMembershipId)
            case .room: (column, value) = ("s.location_id", session.locationId)
            }
            guard let value else { continue }
            let row = try await sql.raw(
                """
                SELECT s.id, s.starts_at, s.ends_at, ct.name AS class_name FROM class_sessions s
                JOIN class_types ct ON ct.id = s.class_type_id
                WHERE s.organization_id = \(bind: session.organizationId) AND \(column) = \(bind: value) AND s.id <> \(bind: session.id)
                  AND s.deleted_at IS NULL AND s.status <> 'cancelled'
                  AND s.starts_at < \(bind: session.endsAt.epochSeconds) AND s.ends_at > \(bind: session.startsAt.epochSeconds)
                ORDER BY s.starts_at, s.id LIMIT 1
                """
            ).first()
            if let row {
                return SessionClash(
                    kind: kind, sessionId: try row.string("id"), className: try row.string("class_name"),
                    startsAt: try row.date("starts_at"), endsAt: try row.date("ends_at"))
            }
        }
        return nil
    }

    /// Refuses (409 `coach_busy` / `room_busy`) a class whose time collides with another of its coach
    /// or location, unless `force`; a forced clash is audited.
    static func check(_ sql: any SQLDatabase, _ session: ClassSession, force: Bool, actor: BookingActor?, now: Date) async throws {
        guard let clash = try await SessionClashRows.firstClash(sql, session) else { return }
        guard force else {
            let timezone = try await MembershipRows.organization(sql, id: session.organizationId)?.timezone ?? "UTC"
            throw SessionEditRules.clashError(
                clash.kind, otherClassName: clash.className, otherStartsAt: clash.startsAt, otherEndsAt: clash.endsAt,
                timezone: timezone)
        }
        var audit = AuditChange()
        audit.details["conflict"] = .text(clash.kind.rawValue)
        audit.details["otherSessionId"] = .text(clash.sessionId)
        audit.details["startsAt"] = AuditValue(session.startsAt)
        audit.details["endsAt"] = AuditValue(session.endsAt)
        try await AuditRows.record(
            sql, orgId: session.organizationId, actor: actor, action: "session.conflict_override", entityType: "session",
            entityId: session.id, payload: audit, now: now)
    }
}
