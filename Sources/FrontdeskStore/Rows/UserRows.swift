import Foundation
import FrontdeskCore
import SQLKit

/// Row operations on users inside the caller's transaction.
enum UserRows {
    static func user(_ row: any SQLRow) throws -> User { try user(row, prefix: "") }

    static func user(_ row: any SQLRow, prefix: String) throws -> User {
        User(
            id: try row.string(prefix + "id"), email: try row.string(prefix + "email"), name: try row.string(prefix + "name"),
            createdAt: try row.date(prefix + "created_at"))
    }

    static func insertUser(
        _ sql: any SQLDatabase, email: String, name: String, passwordHash: String, emailVerified: Bool = true,
        now: Date
    ) async throws -> User {
        let user = User(id: NewID.make(), email: email, name: name, createdAt: now)
        let existing = try await sql.raw("SELECT id FROM users WHERE email_normalized = \(bind: Validate.normalizedEmail(email))").first()
        if existing != nil { throw DomainError(.emailTaken, "A user with this e-mail address already exists.") }
        try await sql.raw(
            """
            INSERT INTO users (id, email, email_normalized, name, password_hash, created_at, updated_at, email_verified_at)
            VALUES (\(bind: user.id), \(bind: email), \(bind: Validate.normalizedEmail(email)), \(bind: name),
                    \(bind: passwordHash), \(bind: now.epochSeconds), \(bind: now.epochSeconds),
                    \(bind: emailVerified ? now.epochSeconds : nil))
            """
        ).run()
        return user
    }

    /// Records that the user proved their address; studios they own stop holding their mail.
    static func markEmailVerified(_ sql: any SQLDatabase, userId: String, now: Date) async throws {
        try await sql.raw(
            """
            UPDATE users SET email_verified_at = \(bind: now.epochSeconds) WHERE id = \(bind: userId) AND email_verified_at IS NULL
            """
        ).run()
        try await sql.raw(
            """
            UPDATE organizations SET mail_held = \(bind: false)
            WHERE mail_held = \(bind: true) AND id IN (SELECT organization_id FROM memberships WHERE user_id = \(bind: userId) AND role = 'owner')
            """
        ).run()
    }

    static func setPassword(_ sql: any SQLDatabase, userId: String, passwordHash: String, keeping: String?, now: Date) async throws {
        try await sql.raw(
            """
            UPDATE users SET password_hash = \(bind: passwordHash), updated_at = \(bind: now.epochSeconds) WHERE id = \(bind: userId)
            """
        ).run()
        try await sql.raw(
            """
            DELETE FROM auth_sessions WHERE user_id = \(bind: userId) AND token_hash <> \(bind: keeping ?? "")
            """
        ).run()
    }
}
