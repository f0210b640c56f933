import Foundation
import FrontdeskCore
import SQLKit

/// What a single-use account link is for.
public enum AccountTokenPurpose: String, Sendable, CaseIterable {
    /// "Forgot password?": sets a new password (30 minutes).
    case passwordReset = "password_reset"
    /// A sign-in link by e-mail from the scan landing (short-lived, bound to the browser that asked).
    case signinLink = "signin_link"
    /// Proves a signed-in user's address.
    case verifyEmail = "verify_email"
    /// A sign-up on a studio's join page, waiting for its address to be proven.
    case join
}

/// A stored account link (its token only as a hash).
public struct AccountToken: Sendable, Equatable {
    public var purpose: AccountTokenPurpose
    public var userId: String?
    public var emailNormalized: String
    public var organizationId: String?
    /// The hash of the nonce cookie of the browser that asked, for links bound to a browser.
    public var browserHash: String?
    public var payload: [String: String]
    public var expiresAt: Date
}

/// Single-use, expiring account links. Only the SHA-256 of a token is stored; using one marks it used
/// in the same statement that checks it, so two clicks (or two racing requests) cannot both succeed.
public struct AccountTokensStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// The unused, unexpired link for `token`, without using it (to show the form it leads to).
    public func peek(_ token: String, purpose: AccountTokenPurpose, now: Date) async throws -> AccountToken? {
        guard AccountTokenRows.plausible(token) else { return nil }
        return try await database.read { sql in
            try await sql.raw(
                """
                SELECT * FROM account_tokens WHERE token_hash = \(bind: SecretToken.hash(token)) AND purpose = \(bind: purpose.rawValue)
                  AND used_at IS NULL AND expires_at > \(bind: now.epochSeconds)
                """
            ).first().map(AccountTokenRows.decode)
        }
    }

    /// How many links of `purpose` were made for this address since `since` (for throttling).
    public func count(purpose: AccountTokenPurpose, email: String, since: Date) async throws -> Int {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT COUNT(*) AS n FROM account_tokens WHERE purpose = \(bind: purpose.rawValue)
                  AND email_normalized = \(bind: Validate.normalizedEmail(email)) AND created_at >= \(bind: since.epochSeconds)
                """
            ).first()?.int("n") ?? 0
        }
    }

    /// Whether `token` is worth looking up at all.
    public static func plausibleToken(_ token: String) -> Bool { AccountTokenRows.plausible(token) }

}
