import Foundation
import FrontdeskCore
import HTTPTypes
import Hummingbird

/// Names of the cookies the pages use.
enum AuthCookies {
    static let session = "fd_session"
    static let csrf = "fd_csrf"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
}

/// Resolves the caller from `Authorization: Bearer <token>` or the session cookie, and protects
/// cookie-authenticated state changes against CSRF (double-submit: the `fd_csrf` cookie must be
/// echoed in `X-CSRF-Token`). Bearer requests carry no ambient credentials and need no CSRF token.
/// HTML form posts of the pages (outside `/api/`) cannot send headers: they carry the same token as
/// the form field `csrf`, which every page POST handler checks with `PageCSRF.check`.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let services: AppServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let bearer = Self.bearerToken(request)
        let cookie = request.cookies[AuthCookies.session]?.value
        if let token = bearer ?? cookie, !token.isEmpty {
            let hash = SecretToken.hash(token)
            if let user = try await services.accounts.userForSession(tokenHash: hash, now: services.now) {
                context.authentication = .user(user, tokenHash: hash, viaCookie: bearer == nil)
                if bearer == nil, !Self.isSafe(request.method), request.uri.path.hasPrefix("/api/") {
                    let expected = request.cookies[AuthCookies.csrf]?.value
                    let given = request.headers[AuthCookies.csrfHeader]
                    guard let expected, let given, !expected.isEmpty,
                          ConstantTime.equals(Array(expected.utf8), Array(given.utf8))
                    else {
                        throw DomainError(status: 403, code: "csrf_failed",
                                          message: "Cookie-authenticated changes need the X-CSRF-Token header matching the fd_csrf cookie.")
                    }
                }
            } else {
                context.authentication = .invalid
            }
        }
        return try await next(request, context)
    }

    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }

    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }
}
