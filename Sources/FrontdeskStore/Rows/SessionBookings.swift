import Foundation
import FrontdeskCore
import SQLKit

/// Bookings taken down with their session (cancel, delete, bulk): set-based, inside the caller's
/// transaction — every active booking cancelled, each charged credit refunded with a ledger row, and
/// a class-cancelled e-mail queued per booking. Also the refund of a single cancelled booking.
public enum SessionBookings {
    /// Counts of what was affected.
    public struct Effect: Sendable, Equatable {
        public var cancelledBookings = 0
        public var refundedCredits = 0
    }

    /// Takes down the active bookings of `sessionIds` inside the caller's transaction. Every row is
    /// built in the database (`INSERT … SELECT`, set-based `UPDATE`s): four statements per 500
    /// sessions, whatever the number of bookings, and no row bound from Swift.
    public static func cancelAll(
        _ sql: any SQLDatabase, sessionIds: [String], reason: String?, actorMembershipId: String?, now: Date
    ) async throws -> Effect {
        var effect = Effect()
        let at = now.epochSeconds
        for chunk in sessionIds.chunked(into: 500) {
            let active: SQLQueryString = "b.session_id IN (\(binds: chunk)) AND b.status IN ('confirmed', 'waitlisted')"
            let charged: SQLQueryString = """
                b.session_id IN (\(binds: chunk)) AND b.status = 'confirmed' AND b.credit_charged = \(bind: true) AND b.subscription_id IS NOT NULL
                """
            // Refunds first, while the bookings still say what they were.
            effect.refundedCredits += try await refund(
                sql, bookings: charged, reason: "session cancelled",
                actorMembershipId: actorMembershipId, now: now)
            // A class-cancelled e-mail per booking, unless the member opted out of class e-mails or the studio's mail is held.
            var payload: [(key: String, value: SQLQueryString)] = [("bookingId", "b.id"), ("sessionId", "b.session_id")]
            if let reason { payload.append(("reason", "\(bind: reason)")) }
            try await sql.raw(
                """
                INSERT INTO notification_outbox (id, organization_id, user_id, channel, template, payload, dedupe_key,
                    status, attempts, available_at, created_at)
                SELECT \(PortableSQL.newID(sql)), b.organization_id, m.user_id, 'email', 'class_cancelled', \(PortableSQL.jsonObject(sql, payload)),
                    'class_cancelled:' || b.id, 'pending', 0, \(bind: at), \(bind: at)
                FROM bookings b JOIN memberships m ON m.id = b.membership_id
                WHERE \(active) AND \(OutboxRows.wanted(user: "m.user_id", channel: "'email'"))
                  AND \(OutboxRows.mailAllowed(org: "b.organization_id"))
                ON CONFLICT (dedupe_key) DO NOTHING
                """
            ).run()
            effect.cancelledBookings += try await sql.raw(
                """
                UPDATE bookings SET status = 'cancelled', waitlist_position = NULL, cancelled_at = \(bind: at),
                    cancelled_by_membership_id = \(bind: actorMembershipId), credit_charged = \(bind: false), updated_at = \(bind: at)
                WHERE session_id IN (\(binds: chunk)) AND status IN ('confirmed', 'waitlisted')
                RETURNING id
                """
            ).all().count
        }
        if effect.cancelledBookings > 0 { try await OutboxRows.wake(sql) }
        return effect
    }

    /// Gives back the credit of every booking matching `bookings` (a condition on `b`, which must
    /// hold only for charged bookings with a subscription): a ledger row each, numbered after its
    /// subscription's last entry, and the credits returned (limited plans only). Two statements,
    /// built in the database, however many bookings; returns how many were refunded.
    static func refund(
        _ sql: any SQLDatabase, bookings condition: SQLQueryString, reason: String, actorMembershipId: String?,
        now: Date
    ) async throws -> Int {
        let at = now.epochSeconds
        let refunded = try await sql.raw(
            """
            INSERT INTO credit_ledger (id, organization_id, subscription_id, booking_id, kind, amount, reason, actor_membership_id,
                created_at, seq)
            SELECT \(PortableSQL.newID(sql)), b.organization_id, b.subscription_id, b.id, 'refund', 1, \(bind: reason),
                \(bind: actorMembershipId), \(bind: at),
                COALESCE(last.seq, 0) + ROW_NUMBER() OVER (PARTITION BY b.subscription_id ORDER BY b.id)
            FROM bookings b
            LEFT JOIN (SELECT l.subscription_id, MAX(l.seq) AS seq FROM credit_ledger l
                       WHERE l.subscription_id IN (SELECT b.subscription_id FROM bookings b WHERE \(condition))
                       GROUP BY l.subscription_id) last ON last.subscription_id = b.subscription_id
            WHERE \(condition)
            RETURNING id
            """
        ).all().count
        guard refunded > 0 else { return 0 }
        try await sql.raw(
            """
            UPDATE subscriptions SET updated_at = \(bind: at), credits_remaining = credits_remaining + refunds.n
            FROM (SELECT b.subscription_id, COUNT(*) AS n FROM bookings b WHERE \(condition) GROUP BY b.subscription_id) refunds
            WHERE subscriptions.id = refunds.subscription_id AND subscriptions.credits_remaining IS NOT NULL
            """
        ).run()
        return refunded
    }
}
