import Foundation
import FrontdeskCore
import SQLKit

/// Credit movements: the subscription's balance and a ledger row for each change, in the caller's
/// transaction. The balance column cannot go below zero (a CHECK constraint), and the ledger always
/// satisfies: balance = granted + sum(ledger amounts).
enum CreditLedger {
    /// Takes one credit from a limited subscription; none left answers 402 `no_credits`.
    static func take(_ sql: any SQLDatabase, subscriptionId: String, now: Date) async throws {
        let rows = try await sql.raw(
            """
            UPDATE subscriptions SET credits_remaining = credits_remaining - 1, updated_at = \(bind: now.epochSeconds)
            WHERE id = \(bind: subscriptionId) AND credits_remaining >= 1 RETURNING id
            """
        ).all()
        if rows.isEmpty { throw DomainError(.noCredits, "No class credits left on your plan.") }
    }

    /// Appends one ledger row (callers have updated the subscription's balance in the same
    /// transaction, which serialises writers of one subscription, so `seq` cannot collide).
    static func ledger(
        _ sql: any SQLDatabase, orgId: String, subscriptionId: String, bookingId: String?, kind: String,
        amount: Int, reason: String?, actorMembershipId: String?, now: Date
    ) async throws {
        try await sql.raw(
            """
            INSERT INTO credit_ledger (id, organization_id, subscription_id, booking_id, kind, amount, reason, actor_membership_id,
                created_at, seq)
            VALUES (\(bind: NewID.make()), \(bind: orgId), \(bind: subscriptionId), \(bind: bookingId), \(bind: kind), \(bind: amount),
                    \(bind: reason), \(bind: actorMembershipId), \(bind: now.epochSeconds),
                    (SELECT COALESCE(MAX(seq), 0) + 1 FROM credit_ledger WHERE subscription_id = \(bind: subscriptionId)))
            """
        ).run()
    }

    /// Charges one credit for each booking (a lane's batch), in one statement for the balances and one
    /// for the ledger rows. A subscription charged twice in one call goes one booking at a time, so
    /// its ledger sequence numbers stay distinct.
    static func charge(_ sql: any SQLDatabase, _ charges: [(booking: Booking, actorMembershipId: String)]) async throws {
        let subscriptions = charges.compactMap(\.booking.subscriptionId)
        guard !subscriptions.isEmpty else { return }
        guard Set(subscriptions).count == subscriptions.count, subscriptions.count == charges.count else {
            for (booking, actor) in charges {
                guard let subscriptionId = booking.subscriptionId else { continue }
                try await take(sql, subscriptionId: subscriptionId, now: booking.createdAt)
                try await ledger(
                    sql, orgId: booking.organizationId, subscriptionId: subscriptionId, bookingId: booking.id, kind: "charge",
                    amount: -1, reason: "booking", actorMembershipId: actor, now: booking.createdAt)
            }
            return
        }
        let now = charges.map(\.booking.createdAt).max()!
        let taken = try await sql.raw(
            """
            UPDATE subscriptions SET credits_remaining = credits_remaining - 1, updated_at = \(bind: now.epochSeconds)
            WHERE id \(PortableSQL.isIn(sql, subscriptions)) AND credits_remaining >= 1 RETURNING id
            """
        ).all()
        // The rules saw the balances under the members' locks; a shortfall here is a broken invariant.
        guard taken.count == subscriptions.count else { throw BrokenInvariant("a credit balance fell short of a decided charge") }
        let values: [SQLQueryString] = charges.map { booking, actor in
            """
            (\(bind: NewID.make()), \(bind: booking.organizationId), \(bind: booking.subscriptionId), \(bind: booking.id),
             \(bind: actor), \(bind: booking.createdAt.epochSeconds))
            """
        }
        try await sql.raw(
            """
            INSERT INTO credit_ledger (id, organization_id, subscription_id, booking_id, kind, amount, reason, actor_membership_id,
                created_at, seq)
            SELECT v.column1, v.column2, v.column3, v.column4, 'charge', -1, 'booking', v.column5, v.column6,
                (SELECT COALESCE(MAX(l.seq), 0) + 1 FROM credit_ledger l WHERE l.subscription_id = v.column3)
            FROM (VALUES \(values.joined(separator: ", "))) AS v
            """
        ).run()
    }
}
