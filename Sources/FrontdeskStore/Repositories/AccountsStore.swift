import Foundation
import FrontdeskCore
import SQLKit

/// A user together with the stored password hash, for login only.
public struct UserCredentials: Sendable {
    public let user: User
    public let passwordHash: String
}

/// Users and login sessions.
///
/// Every statement that ends login sessions goes through this store, which reports them twice: to
/// `onSessionsEnded` in this process once the transaction is over (committed or not: dropping a cache
/// entry too many only costs a look-up), and on PostgreSQL with a NOTIFY on `sessionsChannel` inside the
/// transaction itself, so the other instances hear it exactly when the change commits.
public struct AccountsStore: Sendable {
    let database: any FrontdeskDatabase
    let onSessionsEnded: @Sendable (EndedLoginSessions) -> Void

    /// The PostgreSQL channel that carries `EndedLoginSessions` (JSON) to every instance.
    public static let sessionsChannel = "frontdesk_sessions"

    public init(database: any FrontdeskDatabase, onSessionsEnded: @escaping @Sendable (EndedLoginSessions) -> Void = { _ in }) {
        self.database = database
        self.onSessionsEnded = onSessionsEnded
    }

    static let userColumns = "u.id, u.email, u.name, u.created_at"

    /// Creates a user; a taken e-mail (case-insensitively) answers 409 `email_taken`. The operator's
    /// `frontdesk user add` vouches for the address (`emailVerified`).
    public func createUser(email: String, name: String, passwordHash: String, emailVerified: Bool = true, now: Date) async throws -> User {
        try await database.transaction { sql in
            try await UserRows.insertUser(sql, email: email, name: name, passwordHash: passwordHash, emailVerified: emailVerified, now: now)
        }
    }

    /// The user with this e-mail (any case) and their password hash.
    public func credentials(email: String) async throws -> UserCredentials? {
        try await database.read { sql in
            guard
                let row = try await sql.raw(
                    """
                    SELECT u.id, u.email, u.name, u.created_at, u.password_hash FROM users u
                    WHERE u.email_normalized = \(bind: Validate.normalizedEmail(email))
                    """
                ).first()
            else { return nil }
            return UserCredentials(user: try UserRows.user(row), passwordHash: try row.string("password_hash"))
        }
    }

    /// Looks a user up by id.
    public func user(id: String) async throws -> User? {
        try await database.read { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users u WHERE u.id = \(bind: id)").first().map(UserRows.user)
        }
    }

    /// Records a login session under the hash of its token.
    public func createSession(
        userId: String, tokenHash: String, expiresAt: Date, userAgent: String?, clientAddress: String?, now: Date
    ) async throws {
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO auth_sessions (id, user_id, token_hash, created_at, expires_at, last_used_at, user_agent, client_address)
                VALUES (\(bind: NewID.make()), \(bind: userId), \(bind: tokenHash), \(bind: now.epochSeconds),
                        \(bind: expiresAt.epochSeconds), \(bind: now.epochSeconds), \(bind: userAgent.map { String($0.prefix(300)) }),
                        \(bind: clientAddress))
                """
            ).run()
            // Expired sessions are dead weight; clear this user's on each login.
            try await sql.raw("DELETE FROM auth_sessions WHERE user_id = \(bind: userId) AND expires_at <= \(bind: now.epochSeconds)").run()
        }
    }

    /// Ends a login session; returns whether one existed.
    @discardableResult
    public func deleteSession(tokenHash: String) async throws -> Bool {
        let ended = EndedLoginSessions(tokenHash: tokenHash)
        return try await ending(ended) { sql in
            let rows = try await sql.raw("DELETE FROM auth_sessions WHERE token_hash = \(bind: tokenHash) RETURNING id").all()
            if !rows.isEmpty { try await announce(ended, sql) }
            return !rows.isEmpty
        }
    }

    /// `body` in a transaction that ends the sessions `ended` names; this process hears of it
    /// afterwards, whatever the outcome.
    private func ending<T: Sendable>(_ ended: EndedLoginSessions, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        defer { onSessionsEnded(ended) }
        return try await database.transaction(body)
    }

    /// On PostgreSQL, tells every instance (delivered when the caller's transaction commits, not before,
    /// and not at all if it rolls back).
    private func announce(_ ended: EndedLoginSessions, _ sql: any SQLDatabase) async throws {
        guard database.backend == .postgres else { return }
        let payload = String(decoding: try JSONEncoder().encode(ended), as: UTF8.self)
        try await sql.raw("SELECT pg_notify(\(bind: Self.sessionsChannel), \(bind: payload))").run()
    }

    /// Whether the user's address is proven.
    public func isEmailVerified(userId: String) async throws -> Bool {
        try await database.read { sql in
            try await sql.raw("SELECT email_verified_at FROM users WHERE id = \(bind: userId)").first()?.optionalDate("email_verified_at")
                != nil
        }
    }

    /// The user with this address, if any (for account e-mails; never shown to anyone but its owner).
    public func user(email: String) async throws -> User? {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT \(unsafeRaw: Self.userColumns) FROM users u WHERE u.email_normalized = \(bind: Validate.normalizedEmail(email))
                """
            ).first().map(UserRows.user)
        }
    }

    /// The password hash of a user (for a password change, which needs the current one).
    public func passwordHash(userId: String) async throws -> String? {
        try await database.read { sql in
            try await sql.raw("SELECT password_hash FROM users WHERE id = \(bind: userId)").first()?.string("password_hash")
        }
    }

    /// Sets a new password and ends every login session of the user except `keeping` (a token hash).
    public func setPassword(userId: String, passwordHash: String, keeping: String?, now: Date) async throws {
        let ended = EndedLoginSessions(userId: userId, keeping: keeping)
        try await ending(ended) { sql in
            try await UserRows.setPassword(sql, userId: userId, passwordHash: passwordHash, keeping: keeping, now: now)
            try await announce(ended, sql)
        }
    }

    /// Uses a password-reset link: the new password, every login session ended, the address proven
    /// (the link reached it). Nil when the link is unknown, used or expired.
    public func resetPassword(token: String, passwordHash: String, now: Date) async throws -> String? {
        let userId = try await database.transaction { sql -> String? in
            guard let link = try await AccountTokenRows.consume(sql, token, purpose: .passwordReset, now: now),
                let userId = link.userId
            else { return nil }
            try await UserRows.setPassword(sql, userId: userId, passwordHash: passwordHash, keeping: nil, now: now)
            try await UserRows.markEmailVerified(sql, userId: userId, now: now)
            try await announce(EndedLoginSessions(userId: userId), sql)
            return userId
        }
        // The user is known only inside the transaction; a failed one changed nothing to drop.
        if let userId { onSessionsEnded(EndedLoginSessions(userId: userId)) }
        return userId
    }

    /// Uses an e-mail verification link; returns the user whose address it proved.
    public func verifyEmail(token: String, now: Date) async throws -> String? {
        try await database.transaction { sql in
            guard let link = try await AccountTokenRows.consume(sql, token, purpose: .verifyEmail, now: now), let userId = link.userId,
                let row = try await sql.raw("SELECT email_normalized FROM users WHERE id = \(bind: userId)").first(),
                try row.string("email_normalized") == link.emailNormalized
            else { return nil }
            try await UserRows.markEmailVerified(sql, userId: userId, now: now)
            return userId
        }
    }

    /// Writes an account link and its e-mail in one transaction; returns nothing the caller could leak.
    public func sendLink(
        purpose: AccountTokenPurpose, userId: String?, email: String, organizationId: String? = nil, browserHash: String? = nil,
        payload: [String: String] = [:], lifetime: TimeInterval, linkBase: String, template: String, mailPayload: [String: String] = [:],
        now: Date
    ) async throws {
        try await database.transaction { sql in
            let token = try await AccountTokenRows.issue(
                sql, purpose: purpose, userId: userId, email: email, organizationId: organizationId,
                browserHash: browserHash, payload: payload, lifetime: lifetime, now: now)
            var fields = mailPayload
            fields["link"] = linkBase + token
            try await OutboxRows.enqueue(
                sql,
                [
                    OutboxMessage(
                        organizationId: nil, userId: userId, recipientEmail: email, channel: "email", template: template, payload: fields,
                        dedupeKey: "\(purpose.rawValue):\(SecretToken.hash(token))")
                ], now: now)
        }
    }

    /// Ends every login session of the user.
    public func endSessions(userId: String) async throws {
        let ended = EndedLoginSessions(userId: userId)
        try await ending(ended) { sql in
            try await sql.raw("DELETE FROM auth_sessions WHERE user_id = \(bind: userId)").run()
            try await announce(ended, sql)
        }
    }

    /// Uses a sign-in link in the browser that asked for it; returns the user and what the link carried.
    public func useSigninLink(token: String, browserHash: String, now: Date) async throws -> (userId: String, payload: [String: String])? {
        try await database.transaction { sql in
            guard let link = try await AccountTokenRows.consume(sql, token, purpose: .signinLink, browserHash: browserHash, now: now),
                let userId = link.userId
            else { return nil }
            try await UserRows.markEmailVerified(sql, userId: userId, now: now)
            return (userId, link.payload)
        }
    }

    /// Completes a sign-up from a studio's join page once its address is proven: the account (unless
    /// the address already has one, which keeps its password) and a member's place in the studio.
    public func completeJoin(token: String, now: Date) async throws -> (userId: String, organizationId: String, newAccount: Bool)? {
        try await database.transaction { sql in
            guard let link = try await AccountTokenRows.consume(sql, token, purpose: AccountTokenPurpose.join, now: now),
                let orgId = link.organizationId, let name = link.payload["name"], let hash = link.payload["passwordHash"],
                let email = link.payload["email"]
            else { return nil }
            var created = false
            let userId: String
            if let row = try await sql.raw("SELECT id FROM users WHERE email_normalized = \(bind: link.emailNormalized)").first() {
                userId = try row.string("id")
            } else {
                userId = try await UserRows.insertUser(sql, email: email, name: name, passwordHash: hash, emailVerified: true, now: now).id
                created = true
            }
            try await UserRows.markEmailVerified(sql, userId: userId, now: now)
            let member = try await sql.raw(
                """
                SELECT id FROM memberships WHERE organization_id = \(bind: orgId) AND user_id = \(bind: userId)
                """
            ).first()
            if member == nil {
                _ = try await MembershipRows.insertMembership(sql, orgId: orgId, userId: userId, role: .member, now: now)
            }
            return (userId, orgId, created)
        }
    }
}

/// An unexpired login session as the database holds it.
public struct LoginSession: Sendable, Equatable {
    public let user: User
    public let expiresAt: Date

    public init(user: User, expiresAt: Date) {
        self.user = user
        self.expiresAt = expiresAt
    }
}

/// Login sessions that ended: one by its token hash, or every one of a user except `keeping` (a token
/// hash). What `AccountsStore` reports to this process and, as JSON, to the other instances.
public struct EndedLoginSessions: Codable, Sendable, Equatable {
    public var tokenHash: String?
    public var userId: String?
    public var keeping: String?

    public init(tokenHash: String) { self.tokenHash = tokenHash }

    public init(userId: String, keeping: String? = nil) {
        self.userId = userId
        self.keeping = keeping
    }
}
