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
}
