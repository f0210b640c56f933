import Foundation
import FrontdeskCore
import SQLKit

/// The stored language settings: a user's own choice and a studio's default (codes such as `de`, or
/// nil for "not chosen"). Which language a reader gets is the server's business (docs/i18n.md).
public struct LanguagesStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// The user's choice and the studio's default in one round trip; either id may be nil.
    public func settings(userId: String?, orgId: String?) async throws -> (user: String?, studio: String?) {
        guard userId != nil || orgId != nil else { return (nil, nil) }
        return try await database.read { sql in
            let row = try await sql.raw(
                """
                SELECT (SELECT language FROM users WHERE id = \(bind: userId ?? "")) AS user_language,
                       (SELECT default_language FROM organizations WHERE id = \(bind: orgId ?? "")) AS studio_language
                """
            ).first()
            return (try row?.optionalString("user_language"), try row?.optionalString("studio_language"))
        }
    }

    /// Sets (or, with nil, clears) the user's own language.
    public func setUserLanguage(userId: String, code: String?, now: Date) async throws {
        try await database.transaction { sql in
            try await sql.raw(
                "UPDATE users SET language = \(bind: code), updated_at = \(bind: now.epochSeconds) WHERE id = \(bind: userId)"
            ).run()
        }
    }

    /// Sets (or, with nil, clears) the studio's default language.
    public func setStudioDefault(orgId: String, code: String?, now: Date) async throws {
        try await database.transaction { sql in
            try await sql.raw(
                """
                UPDATE organizations SET default_language = \(bind: code), updated_at = \(bind: now.epochSeconds)
                WHERE id = \(bind: orgId)
                """
            ).run()
        }
    }
}
