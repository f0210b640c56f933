import Foundation
import FrontdeskCore
import SQLKit

/// One line of "my bookings": the booking with what its session was.
public struct MyBookingRow: Codable, Sendable {
    public var booking: Booking
    public var organizationName: String
    public var classTypeName: String
    public var startsAt: Date
    public var endsAt: Date
    public var sessionStatus: SessionStatus
    public var locationName: String?
}

/// Which bookings "my bookings" lists.
public enum MyBookingsGroup: String, Sendable, CaseIterable {
    /// Confirmed or waitlisted, session not yet ended; soonest first.
    case upcoming
    /// Attended, no-show, or confirmed for a session that has ended; latest first.
    case past
    /// Cancelled; latest first.
    case cancelled
    /// Everything; latest first.
    case all
}

/// "My bookings" across every org of a user, with a stable order and keyset pagination.
public struct MyBookingsStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    public func list(
        userId: String, group: MyBookingsGroup, from: Date?, to: Date?, limit: Int, after cursor: KeysetCursor?,
        now: Date
    ) async throws -> (rows: [MyBookingRow], next: KeysetCursor?) {
        try await database.read { sql in
            let ascending = group == .upcoming
            let nowSeconds = now.epochSeconds
            var filter: SQLQueryString
            switch group {
            case .upcoming: filter = "AND b.status IN ('confirmed', 'waitlisted') AND s.ends_at > \(bind: nowSeconds)"
            case .past:
                filter = "AND (b.status IN ('attended', 'no_show') OR (b.status = 'confirmed' AND s.ends_at <= \(bind: nowSeconds)))"
            case .cancelled: filter = "AND b.status = 'cancelled'"
            case .all: filter = ""
            }
            if let from { filter = filter + " AND s.starts_at >= \(bind: from.epochSeconds)" }
            if let to { filter = filter + " AND s.starts_at < \(bind: to.epochSeconds)" }
            if let cursor {
                filter =
                    filter
                    + (ascending
                        ? " AND (s.starts_at > \(bind: cursor.at) OR (s.starts_at = \(bind: cursor.at) AND b.id > \(bind: cursor.id)))"
                        : " AND (s.starts_at < \(bind: cursor.at) OR (s.starts_at = \(bind: cursor.at) AND b.id < \(bind: cursor.id)))")
            }
            let order: SQLQueryString = ascending ? "ORDER BY s.starts_at ASC, b.id ASC" : "ORDER BY s.starts_at DESC, b.id DESC"
            let rows = try await sql.raw(
                """
                SELECT b.*, o.name AS org_name, ct.name AS class_type_name, s.starts_at AS session_starts_at,
                    s.ends_at AS session_ends_at, s.status AS session_status, l.name AS location_name
                FROM bookings b
                JOIN memberships m ON m.id = b.membership_id
                JOIN class_sessions s ON s.id = b.session_id
                JOIN class_types ct ON ct.id = s.class_type_id
                JOIN organizations o ON o.id = b.organization_id
                LEFT JOIN locations l ON l.id = s.location_id
                WHERE m.user_id = \(bind: userId) AND s.deleted_at IS NULL \(filter)
                \(order) LIMIT \(bind: limit + 1)
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
