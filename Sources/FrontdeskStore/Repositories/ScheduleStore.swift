import Foundation
import FrontdeskCore
import SQLKit

/// A session as the schedule shows it: names of what it refers to, counts, and the viewer's booking.
public struct ScheduledSession: Sendable {
    public struct ViewerBooking: Sendable, Codable, Equatable {
        public var id: String
        public var status: String
        public var waitlistPosition: Int?
    }

    public var session: ClassSession
    public var classTypeName: String
    public var color: String
    public var programId: String
    public var programName: String
    public var deliveryMode: DeliveryMode
    public var locationName: String?
    public var coachName: String?
    /// Confirmed plus attended.
    public var bookedCount: Int
    public var waitlistCount: Int
    public var viewerBooking: ViewerBooking?
}

/// The schedule read model: one query for a range of sessions with everything the list shows, no
/// per-session round trips; plus the member facts the eligibility payload needs.
public struct ScheduleStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    static let select = select(
        viewer: "vb.id AS viewer_booking_id, vb.status AS viewer_booking_status, vb.waitlist_position AS viewer_waitlist_position")

    /// The sessions with what the list shows of them; `viewer` names the viewer's booking's columns.
    private static func select(viewer: String) -> String {
        """
        SELECT s.*, ct.name AS class_type_name, ct.color AS class_type_color, p.id AS program_id, p.name AS program_name,
            p.delivery_mode, l.name AS location_name, cu.name AS coach_name,
            s.places_taken AS booked_count, s.waitlist_length AS waitlist_count,
            \(viewer)
        FROM class_sessions s
        JOIN class_types ct ON ct.id = s.class_type_id
        JOIN programs p ON p.id = ct.program_id
        LEFT JOIN locations l ON l.id = s.location_id
        LEFT JOIN memberships cm ON cm.id = s.coach_membership_id
        LEFT JOIN users cu ON cu.id = cm.user_id
        """
    }

    static func scheduled(_ row: any SQLRow) throws -> ScheduledSession {
        let bookingId = try row.optionalString("viewer_booking_id")
        return ScheduledSession(
            session: try SessionRows.session(row), classTypeName: try row.string("class_type_name"),
            color: try row.string("class_type_color"), programId: try row.string("program_id"),
            programName: try row.string("program_name"),
            deliveryMode: DeliveryMode(rawValue: try row.string("delivery_mode")) ?? .schedule,
            locationName: try row.optionalString("location_name"), coachName: try row.optionalString("coach_name"),
            bookedCount: try row.int("booked_count"), waitlistCount: try row.int("waitlist_count"),
            viewerBooking: try bookingId.map {
                ScheduledSession.ViewerBooking(
                    id: $0, status: try row.string("viewer_booking_status"),
                    waitlistPosition: try row.optionalInt("viewer_waitlist_position"))
            }
        )
    }

    /// Live sessions of the org starting in `[from, to)`. With `membersView`, only what a member may
    /// see (SPEC §4): published schedule-mode sessions and sessions the viewer holds an active booking for.
    /// Kept in the database's `ReadCache` until the next write.
    public func sessions(
        orgId: String, from: Date, to: Date, viewerMembershipId: String, membersView: Bool
    ) async throws -> [ScheduledSession] {
        let key = ReadCacheKey(
            membersView ? "schedule.members" : "schedule.staff",
            [orgId, viewerMembershipId, String(from.epochSeconds), String(to.epochSeconds)])
        return try await database.readCache.value(key) {
            let rows =
                membersView
                ? try await database.run(MembersRange(orgId: orgId, viewer: viewerMembershipId, from: from, to: to), write: false)
                : try await database.run(StaffRange(orgId: orgId, viewer: viewerMembershipId, from: from, to: to), write: false)
            return try rows.map(Self.scheduled)
        }
    }

    /// Every live session of the org starting in `[from, to)`, as anyone's list shows it but for what
    /// bookings change (counts, the viewer's booking: `MemberWeek.live` brings those): one read for
    /// every viewer of the range, kept in the database's `ReadCache` until a write that may change a
    /// class (`everything`), so bookings do not send it back to the database.
    public func range(orgId: String, from: Date, to: Date) async throws -> [ScheduledSession] {
        let key = ReadCacheKey(
            "schedule.range", [orgId, String(from.epochSeconds), String(to.epochSeconds)], changedBy: .everything)
        return try await database.readCache.value(key) {
            try await database.run(OrgRange(orgId: orgId, from: from, to: to), write: false).map(Self.scheduled)
        }
    }

    /// `range`'s statement: no viewer, so no booking of one.
    private struct OrgRange: HotStatement {
        static let sql = """
            \(select(viewer: "NULL AS viewer_booking_id, NULL AS viewer_booking_status, NULL AS viewer_waitlist_position"))
            WHERE s.organization_id = $1 AND s.deleted_at IS NULL AND s.starts_at >= $2 AND s.starts_at < $3
            ORDER BY s.starts_at, s.id
            """
        let orgId: String
        let from, to: Date
        var values: [HotValue] { [.text(orgId), .integer(from.epochSeconds), .integer(to.epochSeconds)] }
    }

    /// The sessions of a range, the most common read: prepared `HotStatement`s, one per view.
    static func range(visibility: String) -> String {
        """
        \(select)
        LEFT JOIN bookings vb ON vb.session_id = s.id AND vb.membership_id = $2
            AND vb.status IN ('confirmed', 'waitlisted', 'attended')
        WHERE s.organization_id = $1 AND s.deleted_at IS NULL AND s.starts_at >= $3 AND s.starts_at < $4
          \(visibility)
        ORDER BY s.starts_at, s.id
        """
    }

    /// What a member may see (SPEC §4): published schedule-mode sessions and those they hold a booking for.
    private struct MembersRange: HotStatement {
        static let sql = range(visibility: "AND ((s.status = 'published' AND p.delivery_mode = 'schedule') OR vb.id IS NOT NULL)")
        let orgId, viewer: String
        let from, to: Date
        var values: [HotValue] { [.text(orgId), .text(viewer), .integer(from.epochSeconds), .integer(to.epochSeconds)] }
    }

    /// Everything live in the range (staff).
    private struct StaffRange: HotStatement {
        static let sql = range(visibility: "")
        let orgId, viewer: String
        let from, to: Date
        var values: [HotValue] { [.text(orgId), .text(viewer), .integer(from.epochSeconds), .integer(to.epochSeconds)] }
    }

    /// One live session of the org as the schedule shows it to `viewerMembershipId`.
    public func session(orgId: String, id: String, viewerMembershipId: String) async throws -> ScheduledSession? {
        try await database.read { sql in
            try await sql.raw(
                """
                \(unsafeRaw: Self.select)
                LEFT JOIN bookings vb ON vb.session_id = s.id AND vb.membership_id = \(bind: viewerMembershipId)
                    AND vb.status IN ('confirmed', 'waitlisted', 'attended')
                WHERE s.id = \(bind: id) AND s.organization_id = \(bind: orgId) AND s.deleted_at IS NULL
                """
            ).first().map(Self.scheduled)
        }
    }

    public typealias MemberFacts = FrontdeskStore.MemberFacts

    /// What a viewer's list of `[listFrom, listTo)` needs beside `range`, in one statement
    /// (`ScheduleFactsRows`), kept in the database's `ReadCache` until the next write: the member's
    /// eligibility facts in `[from, to)` (a window that holds every session of the list), and the
    /// classes' counts and the member's bookings as of that read (`MemberWeek.live`).
    public func memberWeek(
        orgId: String, membershipId: String, from: Date, to: Date, listFrom: Date, listTo: Date
    ) async throws -> MemberWeek {
        let key = ReadCacheKey(
            "schedule.week",
            [orgId, membershipId] + [from, to, listFrom, listTo].map { String($0.epochSeconds) })
        return try await database.readCache.value(key) {
            try await ScheduleFactsRows.memberWeek(
                database, orgId: orgId, membershipId: membershipId, from: from, to: to, listFrom: listFrom, listTo: listTo)
        }
    }

    /// The member's eligibility facts for a schedule in `[from, to)` at `now`: one statement
    /// (`ScheduleFactsRows`), kept in the database's `ReadCache` until the next write.
    public func memberFacts(orgId: String, membershipId: String, from: Date, to: Date, now: Date) async throws -> MemberFacts {
        let key = ReadCacheKey(
            "schedule.facts", [orgId, membershipId, String(from.epochSeconds), String(to.epochSeconds)])
        return try await database.readCache.value(key) {
            try await ScheduleFactsRows.memberWeek(
                database, orgId: orgId, membershipId: membershipId, from: from, to: to, listFrom: from, listTo: from)
        }.facts(at: now)
    }

}
