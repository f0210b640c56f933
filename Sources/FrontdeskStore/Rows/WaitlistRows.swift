import Foundation
import FrontdeskCore
import SQLKit

/// Moves waitlisted members up when places free (SPEC §5), in the caller's transaction: the first
/// still-eligible ones in waitlist order are confirmed and charged; ineligible ones are skipped and
/// keep waiting; nothing moves within `waitlistCutoffMinutes` of the start. Positions stay dense.
public enum WaitlistRows {
    /// Waiting members whose facts are read together while looking for the next eligible ones (at
    /// least twice the free places).
    public static let promotionChunk = 8

    @discardableResult
    public static func promote(
        _ sql: any SQLDatabase, org: Organization, sessionId: String, actorMembershipId: String?, now: Date
    ) async throws -> Int {
        // The class and its places taken (confirmed + attended, as `SessionRows.bookedCount` counts) in one statement.
        guard
            let row = try await sql.raw(
                """
                SELECT s.*, (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status IN ('confirmed', 'attended'))
                    AS promotion_booked_count
                FROM class_sessions s WHERE s.id = \(bind: sessionId) AND s.deleted_at IS NULL
                """
            ).first()
        else { return 0 }
        let session = try SessionRows.session(row)
        guard session.status == .published,
            PromotionRules.isOpen(now: now, startsAt: session.startsAt, cutoffMinutes: org.waitlistCutoffMinutes)
        else { return 0 }
        let booked = try row.int("promotion_booked_count")
        let free = session.capacity - booked
        guard free > 0 else { return 0 }
        let waiting = try await sql.raw(
            """
            SELECT b.id, b.membership_id, m.user_id, m.role FROM bookings b JOIN memberships m ON m.id = b.membership_id
            WHERE b.session_id = \(bind: sessionId) AND b.status = 'waitlisted' ORDER BY b.waitlist_position, b.created_at, b.id
            """
        ).all()
        guard !waiting.isEmpty else { return 0 }
        // The waiting members' plans and bookings are read a few at a time in waitlist order, two
        // statements per few (not two per member, nor all of a long waitlist for one free place):
        // candidates are judged one by one, so the first eligible ones are found the same way.
        let (from, to) = BookingRows.window(org: org, session: session)
        var users: [String: (membership: String, user: String)] = [:]
        var chosen: [(bookingId: String, subscription: ActiveSubscription?, chargeCredit: Bool)] = []
        var start = waiting.startIndex
        while chosen.count < free, start < waiting.endIndex {
            let few = waiting[start..<min(start + max(2 * free, promotionChunk), waiting.endIndex)]
            start = few.endIndex
            let memberships = try few.map { try $0.string("membership_id") }
            let facts = try await BatchMemberFacts.read(sql, membershipIds: Array(Set(memberships)).sorted(), from: from, to: to)
            var candidates: [(bookingId: String, snapshot: BookingSnapshot)] = []
            for (entry, membership) in zip(few, memberships) {
                let role = Role(rawValue: try entry.string("role")) ?? .member
                let snapshot = BookingRows.snapshot(
                    org: org, session: session, isStaff: role.isStaff, bookedCount: booked, now: now,
                    facts: MemberFacts(
                        subscriptions: facts.active(membership, at: now), bookings: facts.bookings[membership] ?? [], planOffers: []))
                candidates.append((try entry.string("id"), snapshot))
                users[try entry.string("id")] = (membership, try entry.string("user_id"))
            }
            chosen += PromotionRules.select(freePlaces: free - chosen.count, candidates: candidates)
        }
        for choice in chosen {
            var charged = false
            if choice.chargeCredit, let subscription = choice.subscription {
                try await CreditLedger.take(sql, subscriptionId: subscription.id, now: now)
                try await CreditLedger.ledger(
                    sql, orgId: org.id, subscriptionId: subscription.id, bookingId: choice.bookingId, kind: "charge",
                    amount: -1, reason: "waitlist promotion", actorMembershipId: actorMembershipId, now: now)
                charged = true
            }
            try await sql.raw(
                """
                UPDATE bookings SET status = 'confirmed', waitlist_position = NULL, subscription_id = \(bind: choice.subscription?.id),
                    credit_charged = \(bind: charged), updated_at = \(bind: now.epochSeconds)
                WHERE id = \(bind: choice.bookingId)
                """
            ).run()
            if let user = users[choice.bookingId] {
                let payload = ["bookingId": choice.bookingId, "sessionId": sessionId]
                try await OutboxRows.enqueue(
                    sql,
                    [
                        OutboxMessage(
                            organizationId: org.id, userId: user.user, channel: "email", template: "booking_promoted",
                            payload: payload, dedupeKey: "booking_promoted:\(choice.bookingId):email"),
                        OutboxMessage(
                            organizationId: org.id, userId: user.user, channel: "push", template: "booking_promoted",
                            payload: payload, dedupeKey: "booking_promoted:\(choice.bookingId):push"),
                    ], now: now)
            }
        }
        if !chosen.isEmpty { try await renumber(sql, sessionId: sessionId, now: now) }
        return chosen.count
    }

    /// Makes waitlist positions 1…n again, keeping their order, in one statement (only the rows whose
    /// position changes are written).
    static func renumber(_ sql: any SQLDatabase, sessionId: String, now: Date) async throws {
        try await renumber(sql, sessionIds: [sessionId], now: now)
    }

    /// `renumber` for the waitlists of several classes, each on its own, in one statement.
    static func renumber(_ sql: any SQLDatabase, sessionIds: [String], now: Date) async throws {
        try await sql.raw(
            """
            UPDATE bookings SET waitlist_position = r.new_position, updated_at = \(bind: now.epochSeconds)
            FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY session_id ORDER BY waitlist_position, created_at, id) AS new_position
                  FROM bookings WHERE session_id IN (\(SQLList(Set(sessionIds).sorted().map { SQLBind($0) })))
                      AND status = 'waitlisted') r
            WHERE bookings.id = r.id AND (bookings.waitlist_position IS NULL OR bookings.waitlist_position <> r.new_position)
            """
        ).run()
    }
}
