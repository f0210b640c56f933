import Foundation
import FrontdeskCore
import FrontdeskStore
import HTTPTypes
import Hummingbird

/// Which language a page is written in (docs/i18n.md): the signed-in person's own choice, else the
/// studio's default when the page belongs to a studio, else the browser's `Accept-Language`, else English.
enum PageLanguage {
    /// The browser's preference among the languages Frontdesk speaks.
    static func accepted(_ request: Request) -> Language? {
        Language.preferred(acceptLanguage: request.headers[.acceptLanguage])
    }

    /// The language from the browser alone (no database): pages that have not resolved the reader's
    /// settings, and pages for strangers (login, reset, display).
    static func browser(_ request: Request) -> Messages { Messages.of(accepted(request) ?? Language.fallback) }

    /// The full precedence, with one small read of the person's choice and the studio's default.
    static func messages(
        _ services: AppServices, _ request: Request, _ context: AppRequestContext, orgId: String? = nil
    ) async throws -> Messages {
        let userId = context.signedInUser?.id
        guard userId != nil || orgId != nil else { return browser(request) }
        let stored = try await LanguagesStore(database: services.database).settings(userId: userId, orgId: orgId)
        return Messages.of(
            Language.resolve(
                userChoice: Language(code: stored.user), studioDefault: Language(code: stored.studio), acceptLanguage: accepted(request)))
    }

    /// The language of a notification to a person: their choice, else the studio's default, else English
    /// (there is no browser to ask).
    static func notification(userChoice: String?, studioDefault: String?) -> Messages {
        Messages.of(
            Language.resolve(userChoice: Language(code: userChoice), studioDefault: Language(code: studioDefault), acceptLanguage: nil))
    }
}
