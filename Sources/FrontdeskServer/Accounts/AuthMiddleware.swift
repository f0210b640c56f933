import Foundation
import FrontdeskCore
import FrontdeskStore
import HTTPTypes
import Hummingbird

/// Names of the cookies the pages use.
enum AuthCookies {
    static let session = "fd_session"
    static let csrf = "fd_csrf"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
    /// The scanning browser's nonce (HttpOnly): proofs of scan and sign-in links are bound to it.
    static let browser = "fd_browser"

    /// The session cookie (HttpOnly) and the CSRF cookie pages and scripts echo back.
    static func set(_ signedIn: AccountService.SignedIn, on response: inout Response, configuration: ServerConfiguration) {
        response.headers[.cacheControl] = "no-store"
        let maxAge = configuration.sessionTTLHours * 3600
        response.setCookie(
            Cookie(
                name: session, value: signedIn.token, maxAge: maxAge, path: "/",
                secure: configuration.secureCookies, httpOnly: true, sameSite: .lax))
        response.setCookie(
            Cookie(
                name: csrf, value: signedIn.csrf, maxAge: maxAge, path: "/",
                secure: configuration.secureCookies, httpOnly: false, sameSite: .strict))
    }

    /// Removes the login cookies.
    static func clear(on response: inout Response, configuration: ServerConfiguration) {
        let secure = configuration.secureCookies
        response.setCookie(Cookie(name: session, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax))
        response.setCookie(Cookie(name: csrf, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: false, sameSite: .strict))
    }
}

/// Resolves the caller from `Authorization: Bearer <token>` or the session cookie (through the
/// in-memory `LoginSessionCache`, the database only on a miss), and protects every
/// cookie-authenticated state change against CSRF (double-submit: the `fd_csrf` cookie echoed in
/// `X-CSRF-Token`, or as the `csrf` field of an HTML form), whatever the path. Bearer requests carry
/// no ambient credentials and need no CSRF token. Page handlers still check the field themselves
/// (`PageCSRF.check`), which also covers signed-out form posts.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let services: AppServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        let bearer = Self.bearerToken(request)
        let cookie = request.cookies[AuthCookies.session]?.value
        if let token = bearer ?? cookie, !token.isEmpty {
            let hash = SecretToken.hash(token)
            let now = services.now
            // A login not cached is read with the look-ups of other requests arriving meanwhile
            // (`LoginLookups`), and on a path naming a class or a studio with the caller's standing in
            // it, which `SessionScopeMiddleware` or `OrgScopeMiddleware` would read next (a member's
            // first check-in, their first look at the week): handed on here for a class, filed in the
            // read cache for both.
            let sessionId = context.parameters.get("session").flatMap { NewID.isWellFormed($0) ? $0.lowercased() : nil }
            let orgId = context.parameters.get("org").flatMap { NewID.isWellFormed($0) ? $0.lowercased() : nil }
            var sessionAccess: SessionAccessRead?
            let user = try await services.loginSessions.user(tokenHash: hash, now: now) {
                let lookup = LoginLookup(tokenHash: hash, sessionId: sessionId, orgId: sessionId == nil ? orgId : nil, now: now)
                let found = try await services.loginLookups.find(lookup)
                if let sessionId, let found {
                    sessionAccess = SessionAccessRead(sessionId: sessionId, userId: found.login.user.id, found: found.access)
                }
                return found?.login
            }
            context.sessionAccess = sessionAccess
            if let user {
                context.authentication = .user(user, tokenHash: hash, viaCookie: bearer == nil)
                if bearer == nil, !Self.isSafe(request.method) {
                    request = try await Self.checkCSRF(request)
                }
            } else {
                context.authentication = .invalid
            }
        }
        return try await next(request, context)
    }

    /// Every unsafe cookie-authenticated request, whatever its path's spelling: the `X-CSRF-Token`
    /// header (scripts), or for an HTML form post the `csrf` field (read here, and the body handed on
    /// intact), must match the `fd_csrf` cookie. Anything else is refused before a handler runs.
    static func checkCSRF(_ request: Request) async throws -> Request {
        var request = request
        let expected = request.cookies[AuthCookies.csrf]?.value ?? ""
        var given = request.headers[AuthCookies.csrfHeader]
        if given == nil, request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            let buffer: ByteBuffer
            do { buffer = try await request.collectBody(upTo: 65_536) } catch {
                throw DomainError(.payloadTooLarge, "The form is too large.")
            }
            given = Self.formField("csrf", in: String(buffer: buffer))
        }
        guard let given, !expected.isEmpty, ConstantTime.equals(Array(expected.utf8), Array(given.utf8)) else {
            throw DomainError(
                .csrfFailed,
                "Cookie-authenticated changes need the X-CSRF-Token header (or a form's csrf field) matching the fd_csrf cookie.")
        }
        return request
    }

    /// The first value of `name` in an `application/x-www-form-urlencoded` body.
    static func formField(_ name: String, in body: String) -> String? {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == Substring(name) else { continue }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }

    static func bearerToken(_ request: Request) -> String? { bearerToken(header: request.headers[.authorization]) }

    /// The token of `Bearer <token>` (the scheme in any case, blanks around the token dropped).
    static func bearerToken(header value: String?) -> String? {
        // Plain byte work on the header's contiguous UTF-8: Foundation's `trimmingCharacters(in:)` was 5 %
        // of a member's week, generic collection slicing 1 % (`perf`).
        guard var value else { return nil }
        return value.withUTF8 { header -> String? in
            guard header.count > 7, header[6] == UInt8(ascii: " "),
                header.prefix(6).elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 })
            else { return nil }
            func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            var start = 7
            var end = header.count
            while start < end, isBlank(header[start]) { start += 1 }
            while end > start, isBlank(header[end - 1]) { end -= 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: header[start..<end]), as: UTF8.self)
        }
    }

    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }
}
