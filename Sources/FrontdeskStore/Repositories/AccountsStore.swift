import Foundation
import FrontdeskCore
import SQLKit

/// A user together with the stored password hash, for login only.
public struct UserCredentials: Sendable {
    public let user: User
    public let passwordHash: String
}

/// Users and login sessions.
public struct AccountsStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    static let userColumns = "u.id, u.email, u.name, u.created_at"

    static func user(_ row: any SQLRow) throws -> User {
        User(id: try row.string("id"), email: try row.string("email"), name: try row.string("name"), createdAt: try row.date("created_at"))
    }

    /// Creates a user; a taken e-mail (case-insensitively) answers 409 `email_taken`.
    public func createUser(email: String, name: String, passwordHash: String, now: Date) async throws -> User {
        try await database.transaction { sql in try await Self.insertUser(sql, email: email, name: name, passwordHash: passwordHash, now: now) }
    }

    static func insertUser(_ sql: any SQLDatabase, email: String, name: String, passwordHash: String, now: Date) async throws -> User {
        let user = User(id: NewID.make(), email: email, name: name, createdAt: now)
        let existing = try await sql.raw("SELECT id FROM users WHERE email_normalized = \(bind: Validate.normalizedEmail(email))").first()
        if existing != nil { throw DomainError.conflict("email_taken", "A user with this e-mail address already exists.") }
        try await sql.raw("""
            INSERT INTO users (id, email, email_normalized, name, password_hash, created_at, updated_at)
            VALUES (\(bind: user.id), \(bind: email), \(bind: Validate.normalizedEmail(email)), \(bind: name),
                    \(bind: passwordHash), \(bind: now.epochSeconds), \(bind: now.epochSeconds))
            """).run()
        return user
    }

    /// The user with this e-mail (any case) and their password hash.
    public func credentials(email: String) async throws -> UserCredentials? {
        try await database.read { sql in
            guard let row = try await sql.raw("""
                SELECT u.id, u.email, u.name, u.created_at, u.password_hash FROM users u
                WHERE u.email_normalized = \(bind: Validate.normalizedEmail(email))
                """).first()
            else { return nil }
            return UserCredentials(user: try Self.user(row), passwordHash: try row.string("password_hash"))
        }
    }

    /// Looks a user up by id.
    public func user(id: String) async throws -> User? {
        try await database.read { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users u WHERE u.id = \(bind: id)").first().map(Self.user)
        }
    }

    /// Records a login session under the hash of its token.
    public func createSession(userId: String, tokenHash: String, expiresAt: Date, userAgent: String?, clientAddress: String?, now: Date) async throws {
        try await database.transaction { sql in
            try await sql.raw("""
                INSERT INTO auth_sessions (id, user_id, token_hash, created_at, expires_at, last_used_at, user_agent, client_address)
                VALUES (\(bind: NewID.make()), \(bind: userId), \(bind: tokenHash), \(bind: now.epochSeconds),
                        \(bind: expiresAt.epochSeconds), \(bind: now.epochSeconds), \(bind: userAgent.map { String($0.prefix(300)) }),
                        \(bind: clientAddress))
                """).run()
            // Expired sessions are dead weight; clear this user's on each login.
            try await sql.raw("DELETE FROM auth_sessions WHERE user_id = \(bind: userId) AND expires_at <= \(bind: now.epochSeconds)").run()
        }
    }

    /// The user owning an unexpired session with this token hash.
    public func userForSession(tokenHash: String, now: Date) async throws -> User? {
        try await database.run(UserForSession(tokenHash: tokenHash, at: now.epochSeconds), write: false).first.map(Self.user)
    }

    /// Every authenticated request's look-up, so a prepared `HotStatement`.
    private struct UserForSession: HotStatement {
        static let sql = """
            SELECT u.id, u.email, u.name, u.created_at FROM auth_sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = $1 AND s.expires_at > $2
            """
        let tokenHash: String
        let at: Int64
        var values: [HotValue] { [.text(tokenHash), .integer(at)] }
    }

    /// Ends a login session; returns whether one existed.
    @discardableResult
    public func deleteSession(tokenHash: String) async throws -> Bool {
        try await database.transaction { sql in
            let rows = try await sql.raw("DELETE FROM auth_sessions WHERE token_hash = \(bind: tokenHash) RETURNING id").all()
            return !rows.isEmpty
        }
    }
}
