import Foundation
import FrontdeskCore
import SQLKit

/// Bookings taken down with their session (cancel, delete, bulk): set-based, inside the caller's
/// transaction — every active booking cancelled, each charged credit refunded with a ledger row, and
/// a class-cancelled e-mail queued per booking.
public enum SessionBookings {
    /// Counts of what was affected.
    public struct Effect: Sendable, Equatable {
        public var cancelledBookings = 0
        public var refundedCredits = 0
    }

    public static func cancelAll(
        _ sql: any SQLDatabase, sessionIds: [String], reason: String?, actorMembershipId: String?, now: Date
    ) async throws -> Effect {
        var effect = Effect()
        for chunk in sessionIds.chunked(into: 500) {
            let rows = try await sql.raw("""
                SELECT b.id, b.organization_id, b.session_id, b.subscription_id, b.credit_charged, b.status, m.user_id
                FROM bookings b JOIN memberships m ON m.id = b.membership_id
                WHERE b.session_id IN (\(binds: chunk)) AND b.status IN ('confirmed', 'waitlisted')
                """).all()
            guard !rows.isEmpty else { continue }
            struct Affected {
                let id, org, session, userId, status: String
                let subscription: String?
                let charged: Bool
            }
            let affected = try rows.map {
                Affected(id: try $0.string("id"), org: try $0.string("organization_id"), session: try $0.string("session_id"),
                         userId: try $0.string("user_id"), status: try $0.string("status"),
                         subscription: try $0.optionalString("subscription_id"), charged: try $0.bool("credit_charged"))
            }
            try await sql.raw("""
                UPDATE bookings SET status = 'cancelled', waitlist_position = NULL, cancelled_at = \(bind: now.epochSeconds),
                    cancelled_by_membership_id = \(bind: actorMembershipId), credit_charged = \(bind: false),
                    updated_at = \(bind: now.epochSeconds)
                WHERE session_id IN (\(binds: chunk)) AND status IN ('confirmed', 'waitlisted')
                """).run()

            let refunds = affected.filter { $0.charged && $0.status == "confirmed" && $0.subscription != nil }
            try await refund(sql, refunds.map { ($0.id, $0.org, $0.subscription!) }, reason: "session cancelled",
                             actorMembershipId: actorMembershipId, now: now)
            effect.refundedCredits += refunds.count
            effect.cancelledBookings += affected.count

            var payloadBase: [String: String] = [:]
            if let reason { payloadBase["reason"] = reason }
            try await Outbox.enqueue(sql, affected.map { booking in
                var payload = payloadBase
                payload["sessionId"] = booking.session
                payload["bookingId"] = booking.id
                return OutboxMessage(organizationId: booking.org, userId: booking.userId, channel: "email",
                                     template: "class_cancelled", payload: payload, dedupeKey: "class_cancelled:\(booking.id)")
            }, now: now)
        }
        return effect
    }

    /// Gives one credit back per booking to its subscription (limited plans only) with a ledger row
    /// each: a statement per 200 subscriptions for the credits and the ledger positions, and one per
    /// 1,000 ledger rows, however many subscriptions are involved.
    static func refund(_ sql: any SQLDatabase, _ bookings: [(bookingId: String, orgId: String, subscriptionId: String)],
                       reason: String, actorMembershipId: String?, now: Date) async throws {
        guard !bookings.isEmpty else { return }
        let perSubscription = Dictionary(grouping: bookings, by: \.subscriptionId)
        var nextSeq: [String: Int] = [:]
        for chunk in perSubscription.keys.sorted().chunked(into: 200) {
            let amounts: [SQLQueryString] = chunk.map { "WHEN \(bind: $0) THEN \(bind: perSubscription[$0]!.count)" }
            try await sql.raw("""
                UPDATE subscriptions SET credits_remaining = credits_remaining + (CASE id \(amounts.joined(separator: " ")) ELSE 0 END),
                    updated_at = \(bind: now.epochSeconds)
                WHERE id IN (\(binds: chunk)) AND credits_remaining IS NOT NULL
                """).run()
            for row in try await sql.raw("""
                SELECT subscription_id, COALESCE(MAX(seq), 0) AS base FROM credit_ledger
                WHERE subscription_id IN (\(binds: chunk)) GROUP BY subscription_id
                """).all() {
                nextSeq[try row.string("subscription_id")] = try row.int("base")
            }
        }
        var values: [SQLQueryString] = []
        for item in bookings {
            let seq = (nextSeq[item.subscriptionId] ?? 0) + 1
            nextSeq[item.subscriptionId] = seq
            values.append("""
                (\(bind: NewID.make()), \(bind: item.orgId), \(bind: item.subscriptionId), \(bind: item.bookingId), 'refund', 1,
                 \(bind: reason), \(bind: actorMembershipId), \(bind: now.epochSeconds), \(bind: seq))
                """)
        }
        for chunk in values.chunked(into: 1_000) {
            try await sql.raw("""
                INSERT INTO credit_ledger (id, organization_id, subscription_id, booking_id, kind, amount, reason, actor_membership_id,
                    created_at, seq)
                VALUES \(chunk.joined(separator: ", "))
                """).run()
        }
    }
}
