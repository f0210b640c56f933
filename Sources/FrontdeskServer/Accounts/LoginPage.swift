import Foundation
import FrontdeskCore
import Hummingbird

/// `GET/POST /login` and `POST /logout`: the HTML sign-in behind every page, working without
/// JavaScript. After logging in the member goes back to `next` (local paths only).
struct LoginPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }

    func register(_ root: Routes) {
        root.get("login", use: show)
        root.post("login", use: submit)
        root.post("logout", use: logout)
    }

    struct View {
        let next: String
        let email: String
        let reason: String?
        let error: String?
        /// A signed-out member on the scan landing may ask for a sign-in link instead (SPEC §12).
        let offerLink: Bool
    }

    /// The login form, also shown in place of any page that needs a signed-in user.
    func form(
        _ request: Request, context: AppRequestContext, next: String, reason: LoginReason? = nil, error: String? = nil,
        email: String = "", status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let next = LocalPath.sanitized(next)
        let t = PageLanguage.browser(request)
        let view = View(next: next, email: email, reason: reason.map { t[$0.key] }, error: error, offerLink: next.hasPrefix("/checkin?"))
        return try responder.page(
            "login", title: t["login.title"], page: view, request: request, context: context, status: status, messages: t)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try form(request, context: context, next: request.uri.queryParameters.get("next") ?? "/schedule")
    }

    struct LoginForm: Decodable {
        let csrf: String?
        let next: String?
        let email: String?
        let password: String?
    }

    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeForm(LoginForm.self, context: context)
        let next = LocalPath.sanitized(body.next)
        do {
            try PageCSRF.check(request, field: body.csrf)
        } catch {
            return try form(
                request, context: context, next: next, error: PageLanguage.browser(request)["login.expired"],
                email: body.email ?? "", status: .forbidden)
        }
        do {
            let address = ClientAddress.of(request, context: context, trustForwardedFor: services.configuration.trustForwardedFor)
            let signedIn = try await AccountService(services: services).signIn(
                email: body.email ?? "", password: body.password ?? "", address: address, userAgent: request.headers[.userAgent])
            var response = PageResponder.redirect(to: next)
            AuthCookies.set(signedIn, on: &response, configuration: services.configuration)
            return response
        } catch let error as DomainError {
            return try form(
                request, context: context, next: next, error: error.message, email: body.email ?? "",
                status: HTTPResponse.Status(code: error.status))
        }
    }

    struct LogoutForm: Decodable { let csrf: String? }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeForm(LogoutForm.self, context: context)
        try PageCSRF.check(request, field: body.csrf)
        if let hash = context.sessionTokenHash {
            try await services.accounts.deleteSession(tokenHash: hash)
        }
        var response = PageResponder.redirect(to: "/login")
        let secure = services.configuration.secureCookies
        response.setCookie(
            Cookie(name: AuthCookies.session, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax))
        return response
    }
}

/// In front of every page that needs a signed-in user: a signed-out visitor gets the login form (and
/// comes back to the page afterwards — a GET to itself, a form post to `fallback`), so no page handler
/// has to remember the check.
struct PageLoginMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let services: AppServices
    let fallback: String
    let reason: LoginReason?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if context.signedInUser != nil { return try await next(request, context) }
        let back = request.method == .get ? request.uri.description : fallback
        return try LoginPage(services: services).form(request, context: context, next: back, reason: request.method == .get ? reason : nil)
    }
}

extension ContextRoutes<AppRequestContext> {
    /// Page routes for signed-in users only (see `PageLoginMiddleware`).
    func signedIn(_ services: AppServices, fallback: String, reason: LoginReason? = nil) -> ContextRoutes<AppRequestContext> {
        ContextRoutes(
            group: group.group("").add(middleware: PageLoginMiddleware(services: services, fallback: fallback, reason: reason)),
            prefix: prefix, registry: registry)
    }
}
