import Foundation
import FrontdeskCore
import SQLKit

/// One member's self check-in on the fast path: their confirmed booking made attended by a guarded
/// UPDATE, when the guard holds — a confirmed booking of this member in this session and org, the
/// session live, published and of this org, and `at` inside the member's check-in window (from
/// `opensBefore` seconds before the start until the end).
struct FastCheckin: Sendable {
    let at: Int64
    let method: String
    let actorMembershipId: String
    let sessionId: String
    let membershipId: String
    let orgId: String
    let opensBefore: Int64

    init(org: Organization, sessionId: String, membershipId: String, method: CheckinMethod, actorMembershipId: String, now: Date) {
        at = now.epochSeconds
        self.method = method.rawValue
        self.actorMembershipId = actorMembershipId
        self.sessionId = sessionId
        self.membershipId = membershipId
        orgId = org.id
        opensBefore = Int64(max(0, org.checkinOpensMinutesBefore)) * 60
    }

    /// The booking this check-in may change: one active booking per member and session.
    var key: Key { Key(sessionId: sessionId, membershipId: membershipId) }

    struct Key: Hashable, Comparable {
        let sessionId: String
        let membershipId: String
        static func < (a: Key, b: Key) -> Bool { (a.sessionId, a.membershipId) < (b.sessionId, b.membershipId) }
    }

    /// The check-in alone, as a prepared statement: the booking it made attended, or nil.
    func runAlone(_ database: any FrontdeskDatabase) async throws -> Booking? {
        try await database.run(FastCheckinUpdate(self), write: true).first.map(BookingRows.booking)
    }

    /// The guarded one-row UPDATE, so a prepared `HotStatement` (its type name names the prepared statement). `CheckinBatcher.statement` is the same
    /// guard for many rows; keep the two alike.
    private struct FastCheckinUpdate: HotStatement {
        static let sql = """
            UPDATE bookings SET status = 'attended', checked_in_at = $1, checkin_method = $2,
                checked_in_by_membership_id = $3, updated_at = $1
            WHERE session_id = $4 AND membership_id = $5 AND status = 'confirmed' AND organization_id = $6
              AND EXISTS (SELECT 1 FROM class_sessions s WHERE s.id = $4 AND s.organization_id = $6
                          AND s.status = 'published' AND s.deleted_at IS NULL
                          AND s.starts_at - $7 <= $1 AND $1 < s.ends_at)
            RETURNING *
            """
        let values: [HotValue]
        init(_ c: FastCheckin) {
            values = [
                .integer(c.at), .text(c.method), .text(c.actorMembershipId), .text(c.sessionId), .text(c.membershipId),
                .text(c.orgId), .integer(c.opensBefore),
            ]
        }
    }
}
