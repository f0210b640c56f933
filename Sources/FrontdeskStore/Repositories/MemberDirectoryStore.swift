import Foundation
import FrontdeskCore
import SQLKit

/// What the back office's member pages read: the studio's members a page at a time (searchable by
/// name or e-mail, suspended ones included) and one member's bookings in this studio.
public struct MemberDirectoryStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// Members whose name or e-mail contains `text` (case-insensitive; empty: everyone), by name,
    /// `limit` from `offset`, and how many match in all.
    public func page(orgId: String, text: String, limit: Int, offset: Int) async throws -> (members: [MemberSummary], total: Int) {
        let escaped = text.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        let pattern = "%\(escaped)%"
        let limit = max(1, min(limit, 200))
        let offset = max(0, offset)
        return try await database.read { sql in
            let filter: SQLQueryString =
                text.isEmpty
                ? ""
                : "AND (LOWER(u.name) LIKE \(bind: pattern) ESCAPE '\\' OR LOWER(u.email) LIKE \(bind: pattern) ESCAPE '\\')"
            let total =
                try await sql.raw(
                    """
                    SELECT COUNT(*) AS n FROM memberships m JOIN users u ON u.id = m.user_id
                    WHERE m.organization_id = \(bind: orgId) \(filter)
                    """
                ).first().map { try $0.int("n") } ?? 0
            let members = try await sql.raw(
                """
                SELECT \(unsafeRaw: MembershipRows.summaryColumns) FROM memberships m
                JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id
                WHERE m.organization_id = \(bind: orgId) \(filter)
                ORDER BY u.name, m.id LIMIT \(bind: limit) OFFSET \(bind: offset)
                """
            ).all().map(MembershipRows.summary)
            return (members, total)
        }
    }

    /// One member's bookings in the studio, latest class first, `limit` at a time.
    public func bookings(
        orgId: String, membershipId: String, limit: Int, after cursor: KeysetCursor?
    ) async throws -> (rows: [MyBookingRow], next: KeysetCursor?) {
        let limit = max(1, min(limit, 200))
        return try await database.read { sql in
            var filter: SQLQueryString = ""
            if let cursor {
                filter = "AND (s.starts_at < \(bind: cursor.at) OR (s.starts_at = \(bind: cursor.at) AND b.id < \(bind: cursor.id)))"
            }
            let rows = try await sql.raw(
                """
                SELECT b.*, o.name AS org_name, ct.name AS class_type_name, s.starts_at AS session_starts_at,
                    s.ends_at AS session_ends_at, s.status AS session_status, l.name AS location_name
                FROM bookings b
                JOIN class_sessions s ON s.id = b.session_id
                JOIN class_types ct ON ct.id = s.class_type_id
                JOIN organizations o ON o.id = b.organization_id
                LEFT JOIN locations l ON l.id = s.location_id
                WHERE b.organization_id = \(bind: orgId) AND b.membership_id = \(bind: membershipId) AND s.deleted_at IS NULL \(filter)
                ORDER BY s.starts_at DESC, b.id DESC LIMIT \(bind: limit + 1)
                """
            ).all().map { row in
                MyBookingRow(
                    booking: try BookingRows.booking(row), organizationName: try row.string("org_name"),
                    classTypeName: try row.string("class_type_name"), startsAt: try row.date("session_starts_at"),
                    endsAt: try row.date("session_ends_at"),
                    sessionStatus: SessionStatus(rawValue: try row.string("session_status")) ?? .published,
                    locationName: try row.optionalString("location_name"))
            }
            let page = Array(rows.prefix(limit))
            let next = rows.count > limit ? page.last.map { KeysetCursor(at: $0.startsAt.epochSeconds, id: $0.booking.id) } : nil
            return (page, next)
        }
    }
}
