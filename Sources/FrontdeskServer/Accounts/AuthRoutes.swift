import Foundation
import FrontdeskCore
import FrontdeskStore
import HTTPTypes
import Hummingbird

/// `POST /api/auth/login`, `POST /api/auth/logout`, `GET /api/me`.
struct AuthRoutes {
    let services: AppServices

    struct LoginRequest: Decodable {
        let email: String
        let password: String
    }

    struct LoginResponse: ResponseEncodable {
        let token: String
        let expiresAt: Date
        let csrfToken: String
        let user: User
    }

    struct MeResponse: ResponseEncodable {
        struct MembershipView: Encodable {
            let membershipId: String
            let organizationId: String
            let organizationName: String
            let role: Role
            let status: MembershipStatus
        }
        let user: User
        let memberships: [MembershipView]
    }

    func register(_ api: Routes) {
        api.post("auth/login", use: login)
        api.post("auth/logout", use: logout)
        api.get("me", use: me)
    }

    /// 15-minute windows for login throttling.
    static let window = 900

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(LoginRequest.self, context: context)
        let signedIn = try await signIn(email: body.email, password: body.password, request: request, context: context)
        var response = try LoginResponse(token: signedIn.token, expiresAt: signedIn.expiresAt, csrfToken: signedIn.csrf, user: signedIn.user)
            .response(from: request, context: context)
        setCookies(signedIn, on: &response)
        return response
    }

    /// A new login session for valid credentials, throttled per client address and per account.
    struct SignedIn {
        let user: User
        let token: String
        let csrf: String
        let expiresAt: Date
    }

    func signIn(email: String, password: String, request: Request, context: AppRequestContext) async throws -> SignedIn {
        let now = services.now
        let config = services.configuration
        let address = ClientAddress.of(request, context: context, trustForwardedFor: config.trustForwardedFor)
        let accountKey = "login:account:" + Validate.normalizedEmail(email)
        let addressKey = "login:address:" + address

        let addressHits = try await services.rateLimits.hit(addressKey, windowSeconds: Self.window, now: now)
        let accountFailures = try await services.rateLimits.count(accountKey, windowSeconds: Self.window, now: now)
        if addressHits > config.loginAttemptsPerAddress || accountFailures >= config.loginFailuresPerAccount {
            throw tooMany(now: now)
        }

        let credentials = try await services.accounts.credentials(email: email)
        guard try await services.passwords.verify(password, hash: credentials?.passwordHash), let user = credentials?.user else {
            try await services.rateLimits.hit(accountKey, windowSeconds: Self.window, now: now)
            throw DomainError(status: 401, code: "invalid_credentials", message: "The e-mail address or password is wrong.")
        }

        let token = SecretToken.generate()
        let csrf = SecretToken.generate(bytes: 16)
        let expiresAt = now.addingTimeInterval(TimeInterval(config.sessionTTLHours * 3600))
        try await services.accounts.createSession(
            userId: user.id, tokenHash: SecretToken.hash(token), expiresAt: expiresAt,
            userAgent: request.headers[.userAgent], clientAddress: address, now: now
        )
        return SignedIn(user: user, token: token, csrf: csrf, expiresAt: expiresAt)
    }

    /// The session cookie (HttpOnly) and the CSRF cookie pages and scripts echo back.
    func setCookies(_ signedIn: SignedIn, on response: inout Response) {
        let config = services.configuration
        response.headers[.cacheControl] = "no-store"
        let maxAge = config.sessionTTLHours * 3600
        response.setCookie(Cookie(name: AuthCookies.session, value: signedIn.token, maxAge: maxAge, path: "/",
                                  secure: config.secureCookies, httpOnly: true, sameSite: .lax))
        response.setCookie(Cookie(name: AuthCookies.csrf, value: signedIn.csrf, maxAge: maxAge, path: "/",
                                  secure: config.secureCookies, httpOnly: false, sameSite: .strict))
    }

    private func tooMany(now: Date) -> DomainError {
        let wait = RateLimitStore.retryAfter(now: now, windowSeconds: Self.window)
        return DomainError.rateLimited("Too many login attempts; try again in \(max(1, wait / 60)) minute(s).")
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireUser()
        if let hash = context.sessionTokenHash {
            try await services.accounts.deleteSession(tokenHash: hash)
        }
        var response = Response(status: .noContent)
        let secure = services.configuration.secureCookies
        response.setCookie(Cookie(name: AuthCookies.session, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax))
        response.setCookie(Cookie(name: AuthCookies.csrf, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: false, sameSite: .strict))
        return response
    }

    @Sendable func me(_ request: Request, context: AppRequestContext) async throws -> MeResponse {
        let user = try context.requireUser()
        let memberships = try await services.organizations.memberships(userId: user.id)
        return MeResponse(user: user, memberships: memberships.map {
            .init(membershipId: $0.membership.id, organizationId: $0.membership.organizationId,
                  organizationName: $0.organizationName, role: $0.membership.role, status: $0.membership.status)
        })
    }
}

/// The address a request came from, for throttling and session records.
enum ClientAddress {
    static func of(_ request: Request, context: AppRequestContext, trustForwardedFor: Bool) -> String {
        if trustForwardedFor, let forwarded = request.headers[.init("X-Forwarded-For")!],
           let first = forwarded.split(separator: ",").first {
            return first.trimmingCharacters(in: .whitespaces)
        }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }
}
