import Foundation
import FrontdeskCore
import SQLKit

/// Credit movements: the subscription's balance and a ledger row for each change, in the caller's
/// transaction. The balance column cannot go below zero (a CHECK constraint), and the ledger always
/// satisfies: balance = granted + sum(ledger amounts).
enum Credits {
    /// Takes one credit from a limited subscription; none left answers 402 `no_credits`.
    static func take(_ sql: any SQLDatabase, subscriptionId: String, now: Date) async throws {
        let rows = try await sql.raw(
            """
            UPDATE subscriptions SET credits_remaining = credits_remaining - 1, updated_at = \(bind: now.epochSeconds)
            WHERE id = \(bind: subscriptionId) AND credits_remaining >= 1 RETURNING id
            """
        ).all()
        if rows.isEmpty { throw DomainError(.paymentRequired, code: "no_credits", message: "No class credits left on your plan.") }
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

/// `Idempotency-Key` handling for booking and cancel: the first result is stored in the same
/// transaction as the change; a replay returns it and changes nothing.
enum Idempotency {
    static func replay(_ sql: any SQLDatabase, userId: String, key: String?, scope: String) async throws -> BookingResult? {
        guard let key else { return nil }
        guard
            let row = try await sql.raw(
                """
                SELECT scope, response_body FROM idempotency_keys WHERE user_id = \(bind: userId) AND idempotency_key = \(bind: key)
                """
            ).first()
        else { return nil }
        guard try row.string("scope") == scope else {
            throw DomainError(
                .unprocessable, code: "idempotency_key_reused", message: "This Idempotency-Key was used for a different request.")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        var result = try decoder.decode(BookingResult.self, from: Data(try row.string("response_body").utf8))
        result.replayed = true
        return result
    }

    static func store(_ sql: any SQLDatabase, userId: String, key: String?, scope: String, result: BookingResult, now: Date) async throws {
        guard let key else { return }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let body = String(decoding: try encoder.encode(result), as: UTF8.self)
        try await sql.raw(
            """
            INSERT INTO idempotency_keys (user_id, idempotency_key, scope, response_status, response_body, created_at)
            VALUES (\(bind: userId), \(bind: key), \(bind: scope), 200, \(bind: body), \(bind: now.epochSeconds))
            """
        ).run()
    }
}
