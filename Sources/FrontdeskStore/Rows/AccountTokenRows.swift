import Foundation
import FrontdeskCore
import SQLKit

/// Single-use account links inside the caller's transaction (see `AccountTokensStore`).
enum AccountTokenRows {
    /// Writes a new link inside the caller's transaction and returns the raw token (for the e-mail only).
    public static func issue(
        _ sql: any SQLDatabase, purpose: AccountTokenPurpose, userId: String?, email: String, organizationId: String? = nil,
        browserHash: String? = nil, payload: [String: String] = [:], lifetime: TimeInterval, now: Date
    ) async throws -> String {
        let token = SecretToken.generate()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await sql.raw(
            """
            INSERT INTO account_tokens (token_hash, purpose, user_id, email_normalized, organization_id, browser_hash, payload,
                created_at, expires_at)
            VALUES (\(bind: SecretToken.hash(token)), \(bind: purpose.rawValue), \(bind: userId), \(bind: Validate.normalizedEmail(email)),
                    \(bind: organizationId), \(bind: browserHash), \(bind: String(decoding: try encoder.encode(payload), as: UTF8.self)),
                    \(bind: now.epochSeconds), \(bind: now.addingTimeInterval(lifetime).epochSeconds))
            """
        ).run()
        // Old links are dead weight; clear the expired ones now and then.
        if Int.random(in: 0..<50) == 0 {
            try await sql.raw("DELETE FROM account_tokens WHERE expires_at < \(bind: now.epochSeconds - 86_400)").run()
        }
        return token
    }

    /// Uses the link inside the caller's transaction: nil when it is unknown, used, expired or for
    /// another purpose. Exactly one caller gets it.
    /// A link bound to a browser (`browserHash`) is only used by that browser; another one leaves it unused.
    public static func consume(
        _ sql: any SQLDatabase, _ token: String, purpose: AccountTokenPurpose, browserHash: String? = nil,
        now: Date
    ) async throws -> AccountToken? {
        guard plausible(token) else { return nil }
        let browser: SQLQueryString = browserHash.map { "AND browser_hash = \(bind: $0)" } ?? ""
        return try await sql.raw(
            """
            UPDATE account_tokens SET used_at = \(bind: now.epochSeconds)
            WHERE token_hash = \(bind: SecretToken.hash(token)) AND purpose = \(bind: purpose.rawValue)
              AND used_at IS NULL AND expires_at > \(bind: now.epochSeconds) \(browser)
            RETURNING *
            """
        ).first().map(decode)
    }

    /// Tokens are 43 URL-safe characters; anything else is not looked up at all.
    static func plausible(_ token: String) -> Bool {
        (20...128).contains(token.utf8.count) && token.utf8.allSatisfy { $0 < 128 }
    }

    static func decode(_ row: any SQLRow) throws -> AccountToken {
        let payload = (try? JSONDecoder().decode([String: String].self, from: Data(try row.string("payload").utf8))) ?? [:]
        return AccountToken(
            purpose: AccountTokenPurpose(rawValue: try row.string("purpose")) ?? .verifyEmail,
            userId: try row.optionalString("user_id"), emailNormalized: try row.string("email_normalized"),
            organizationId: try row.optionalString("organization_id"), browserHash: try row.optionalString("browser_hash"),
            payload: payload, expiresAt: try row.date("expires_at"))
    }
}
