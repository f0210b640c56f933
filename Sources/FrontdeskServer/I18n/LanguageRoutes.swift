import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The signed-in person's own language as JSON, for apps: `GET /api/me/language` and
/// `PUT /api/me/language` with `{"language": "de" | "en" | null}` (null clears the choice, so the
/// studio's default and then the browser decide again; docs/i18n.md). The same stored setting as the
/// `/me/language` page (`LanguagesStore`). Anything but a code Frontdesk speaks or null is 400 and
/// changes nothing; without a login 401; a cookie-authenticated PUT needs the CSRF header.
struct LanguageRoutes {
    let services: AppServices
    var store: LanguagesStore { LanguagesStore(database: services.database) }

    func register(user api: ContextRoutes<UserContext>) {
        api.get("me/language", use: show)
        api.put("me/language", use: save)
    }

    /// The stored choice; `language` is always present, null when none is chosen.
    struct Choice: ResponseEncodable, Equatable {
        let language: String?

        enum CodingKeys: String, CodingKey { case language }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(language, forKey: .language)
        }
    }

    /// `language` must be present: a code, or null to clear. A missing key is 400 `missing_field`.
    struct Body: Decodable {
        let language: String?

        enum CodingKeys: String, CodingKey { case language }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            guard container.contains(.language) else {
                throw DomainError(.missingField, "language is required: \(LanguageRoutes.allowed), or null for no choice.")
            }
            language = try container.decode(String?.self, forKey: .language)
        }
    }

    /// "\"en\", \"de\"": the codes this server speaks, for messages.
    static var allowed: String { Language.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") }

    /// A stored code the server no longer speaks reads as no choice (as the pages treat it).
    @Sendable func show(_ request: Request, context: UserContext) async throws -> Choice {
        let stored = try await store.settings(userId: context.user.id, orgId: nil).user
        return Choice(language: Language(code: stored)?.rawValue)
    }

    /// Only exact lower-case codes: an API client should send what it reads back.
    @Sendable func save(_ request: Request, context: UserContext) async throws -> Choice {
        let body = try await request.decodeJSON(Body.self, context: context)
        var code: String?
        if let raw = body.language {
            guard let language = Language(rawValue: raw) else {
                throw DomainError.invalidField("language", "must be one of \(Self.allowed), or null for no choice.")
            }
            code = language.rawValue
        }
        try await store.setUserLanguage(userId: context.user.id, code: code, now: services.now)
        return Choice(language: code)
    }
}
