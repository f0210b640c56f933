import Foundation
import FrontdeskCore
import HTTPTypes
import Hummingbird
import Logging
import Mustache

/// The server-rendered pages' templates (`Templates/*.mustache`, bundled with the module), loaded once.
public struct PageTemplates: Sendable {
    let library: MustacheLibrary

    /// Loads every template of the bundled `Templates` folder; a template that does not parse stops
    /// the server at start rather than on a request.
    public static func bundled() throws -> PageTemplates {
        guard let folder = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw ConfigurationError("the page templates are missing from the build")
        }
        var templates: [String: MustacheTemplate] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            templates[String(name.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
        }
        return PageTemplates(library: MustacheLibrary(templates: templates))
    }

    /// The bundled templates, or none (every page then fails loudly in the log and the page tests)
    /// when the build lost them.
    static func bundledOrEmpty(logger: Logger) -> PageTemplates {
        do {
            return try bundled()
        } catch {
            logger.critical("page templates could not be loaded: \(error)")
            return PageTemplates(library: MustacheLibrary())
        }
    }

    /// `template` rendered with `object` (read through `MustacheView`, reflected once); a missing
    /// template is a programming error caught by the page tests.
    func render(_ object: Any, template: String) throws -> String {
        guard let html = library.render(MustacheView.wrap(object), withTemplate: template) else {
            throw ConfigurationError("no page template named \(template)")
        }
        return html
    }
}

/// What every page's layout needs, plus the page's own values under `page`.
struct PageFrame {
    let title: String
    /// The org's brand colour, already checked to be `#RRGGBB`.
    let brandColor: String
    let nonce: String
    let orgName: String?
    let userName: String?
    /// The double-submit token for forms (the `fd_csrf` cookie's value).
    let csrf: String
    let bodyClass: String
    let flash: Flash?
    let page: Any
    /// The page's language code (`<html lang>`) and its catalogue, as `{{t.area.key}}` (docs/i18n.md).
    /// (Defaults, so a page built without `PageResponder` still renders, in English.)
    var lang = Language.fallback.rawValue
    var t: [String: Any] = Messages.english.tree.root

    struct Flash {
        let ok: Bool
        let message: String
    }
}

/// Builds HTML responses with the headers every page carries.
struct PageResponder {
    let services: AppServices

    /// The default brand colour when an org has none usable.
    static let defaultBrand = "#2f6f5e"

    static func brand(_ colour: String?) -> String {
        guard let colour, colour.utf8.count == 7, colour.hasPrefix("#"),
            colour.dropFirst().allSatisfy({ $0.isHexDigit })
        else { return defaultBrand }
        return colour.lowercased()
    }

    /// A page: `template` inside the layout, with CSP, framing, referrer and caching headers. A form
    /// page also (re)sets the CSRF cookie it embeds.
    func page(
        _ template: String, title: String, page: Any, request: Request, context: AppRequestContext,
        status: HTTPResponse.Status = .ok, orgName: String? = nil, brand: String? = nil, bodyClass: String = "",
        flash: PageFrame.Flash? = nil, noReferrer: Bool = false, messages: Messages? = nil
    ) throws -> Response {
        let messages = messages ?? PageLanguage.browser(request)
        let nonce = SecretToken.generate(bytes: 16)
        let (csrf, isNew) = PageCSRF.token(request)
        var userName: String?
        if case .user(let user, _, _) = context.authentication { userName = user.name }
        let frame = PageFrame(
            title: title, brandColor: Self.brand(brand), nonce: nonce, orgName: orgName, userName: userName,
            csrf: csrf, bodyClass: bodyClass, flash: flash, page: page, lang: messages.language.rawValue, t: messages.tree.root)
        let html = try services.pages.render(frame, template: template)
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
        Self.secure(&response.headers, nonce: nonce, noReferrer: noReferrer)
        if isNew { PageCSRF.setCookie(csrf, on: &response, secure: services.configuration.secureCookies) }
        return response
    }

    /// An HTML fragment (for in-page refreshes), with the same headers as a page.
    func fragment(_ template: String, page: Any, request: Request, messages: Messages? = nil) throws -> Response {
        let (csrf, _) = PageCSRF.token(request)
        let t = (messages ?? PageLanguage.browser(request)).tree.root
        let html = try services.pages.render(FragmentFrame(csrf: csrf, page: page, t: t), template: template)
        var response = Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
        Self.secure(&response.headers, nonce: nil, noReferrer: false)
        return response
    }

    struct FragmentFrame {
        let csrf: String
        let page: Any
        let t: [String: Any]
    }

    /// A 303 to a local path (after a form post, or to the login page).
    static func redirect(to location: String) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// Headers for HTML: only this origin's scripts, styles (plus the page's nonce'd brand colour),
    /// images and connections; never framed; nothing cached (pages carry names and tokens).
    static func secure(_ headers: inout HTTPFields, nonce: String?, noReferrer: Bool) {
        let style = nonce.map { "style-src 'self' 'nonce-\($0)'" } ?? "style-src 'self'"
        headers[.contentSecurityPolicy] =
            "default-src 'self'; script-src 'self'; \(style); img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        headers[.xFrameOptions] = "DENY"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.init("Referrer-Policy")!] = noReferrer ? "no-referrer" : "same-origin"
        headers[.cacheControl] = "no-store"
    }
}

extension HTTPField.Name {
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}

/// CSRF protection for the pages' HTML forms: the same double-submit token as the API's header
/// check, sent as the form field `csrf`. A visitor without the cookie gets one with the first page.
enum PageCSRF {
    static func token(_ request: Request) -> (String, isNew: Bool) {
        if let existing = request.cookies[AuthCookies.csrf]?.value, existing.utf8.count >= 16, existing.utf8.count <= 64 {
            return (existing, false)
        }
        return (SecretToken.generate(bytes: 16), true)
    }

    static func setCookie(_ value: String, on response: inout Response, secure: Bool) {
        response.setCookie(Cookie(name: AuthCookies.csrf, value: value, path: "/", secure: secure, httpOnly: false, sameSite: .strict))
    }

    /// Refuses a form post whose `csrf` field does not match the cookie.
    static func check(_ request: Request, field: String?) throws {
        guard let expected = request.cookies[AuthCookies.csrf]?.value, let field, !expected.isEmpty,
            ConstantTime.equals(Array(expected.utf8), Array(field.utf8))
        else {
            throw DomainError(.csrfFailed, "This form has expired; reload the page and try again.")
        }
    }
}

extension Request {
    /// An `application/x-www-form-urlencoded` body decoded into `T`; bad bodies answer 400.
    func decodeForm<T: Decodable>(_ type: T.Type, context: AppRequestContext) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: 65_536)
        } catch {
            throw DomainError(.payloadTooLarge, "The form is too large.")
        }
        do {
            return try URLEncodedFormDecoder().decode(T.self, from: String(buffer: buffer))
        } catch {
            throw DomainError(.invalidForm, "The form could not be read; reload the page and try again.")
        }
    }

}

extension AppRequestContext {
    /// The caller's user when logged in (pages answer with a login form otherwise, not a 401).
    var signedInUser: User? {
        if case .user(let user, _, _) = authentication { return user }
        return nil
    }
}

/// Only paths on this server are followed after a login, so the form cannot bounce a member elsewhere.
enum LocalPath {
    static func sanitized(_ next: String?, fallback: String = "/schedule") -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"), next.utf8.count <= 2048,
            !next.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\\" })
        else { return fallback }
        return next
    }

    /// An id-like query value (letters, digits, "-") for building local links; anything else is dropped.
    static func queryValue(_ value: String?) -> String {
        guard let value, value.utf8.count <= 64, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            return ""
        }
        return value.lowercased()
    }
}
