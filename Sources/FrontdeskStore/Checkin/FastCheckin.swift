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
        try await database.run(FastCheckinUpdate(self), write: true, scope: .bookings).first.map(BookingRows.booking)
    }

    /// The guarded UPDATE of one arrival, a prepared `HotStatement` (its type name names the prepared
    /// statement): the guarded UPDATE with the arrival's values as placeholders, so the batch and the lone
    /// check-in share one guard.
    private struct FastCheckinUpdate: HotStatement {
        static let sql = guardedHead + "($1, $2, $3, $4, $5, $6, $7)" + guardedTail
        let values: [HotValue]
        init(_ c: FastCheckin) {
            values = [
                .integer(c.at), .text(c.method), .text(c.actorMembershipId), .text(c.sessionId), .text(c.membershipId),
                .text(c.orgId), .integer(c.opensBefore),
            ]
        }
    }

    /// The guard, per row of the arrivals (`(at, method, actor, session, member, org, opensBefore)`
    /// tuples): a confirmed booking of this member in this session and org, the session live, published
    /// and of this org, and `at` inside the check-in window. The arrivals' columns have names of their
    /// own, so `RETURNING *` (all SQLite allows in an UPDATE … FROM) answers whole booking rows on both
    /// engines. The head comes before the arrivals' VALUES rows, the tail after them (on PostgreSQL a batch's
    /// arrivals are `unnest`ed arrays after `arrivals`, `CheckinBatcher.statement`).
    /// The `status IN (…)` term repeats the predicate of the partial unique index `bookings_one_active`
    /// (session, member): SQLite uses a partial index only when the query names its predicate, and
    /// without it chose the studio's index and read every booking of the studio per arrival (check-ins
    /// slowing as the studio's bookings grew). PostgreSQL proves the implication itself.
    static let arrivals = "WITH arrivals (a_at, a_method, a_actor, a_session, a_member, a_org, a_opens) AS ("
    static let guardedHead = arrivals + "VALUES "
    static let guardedTail = """
        )
        UPDATE bookings SET status = 'attended', checked_in_at = a.a_at, checkin_method = a.a_method,
            checked_in_by_membership_id = a.a_actor, updated_at = a.a_at
        FROM arrivals a
        WHERE bookings.session_id = a.a_session AND bookings.membership_id = a.a_member AND bookings.status = 'confirmed'
          AND bookings.status IN ('confirmed', 'waitlisted', 'attended')
          AND bookings.organization_id = a.a_org
          AND EXISTS (SELECT 1 FROM class_sessions s WHERE s.id = a.a_session AND s.organization_id = a.a_org
                      AND s.status = 'published' AND s.deleted_at IS NULL
                      AND s.starts_at - a.a_opens <= a.a_at AND a.a_at < s.ends_at)
        RETURNING *
        """
}
