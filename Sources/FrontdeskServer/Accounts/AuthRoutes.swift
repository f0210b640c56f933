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

    func register(_ api: Routes, user: ContextRoutes<UserContext>) {
        api.post("auth/login", use: login)
        user.post("auth/logout", use: logout)
        user.get("me", use: me)
    }

    var service: AccountService { AccountService(services: services) }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        try LoginOrigin.check(request, publicBaseURL: services.configuration.publicBaseURL)
        let body = try await request.decodeJSON(LoginRequest.self, context: context)
        let signedIn = try await signIn(email: body.email, password: body.password, request: request, context: context)
        var response = try LoginResponse(
            token: signedIn.token, expiresAt: signedIn.expiresAt, csrfToken: signedIn.csrf, user: signedIn.user
        )
        .response(from: request, context: context)
        setCookies(signedIn, on: &response)
        return response
    }

    typealias SignedIn = AccountService.SignedIn

    func signIn(email: String, password: String, request: Request, context: AppRequestContext) async throws -> SignedIn {
        try await service.signIn(
            email: email, password: password, address: address(request, context), userAgent: request.headers[.userAgent])
    }

    func address(_ request: Request, _ context: AppRequestContext) -> String {
        ClientAddress.of(request, context: context, trustForwardedFor: services.configuration.trustForwardedFor)
    }

    func setCookies(_ signedIn: SignedIn, on response: inout Response) {
        AuthCookies.set(signedIn, on: &response, configuration: services.configuration)
    }

    @Sendable func logout(_ request: Request, context: UserContext) async throws -> Response {
        try await services.accounts.deleteSession(tokenHash: context.sessionTokenHash)
        var response = Response(status: .noContent)
        AuthCookies.clear(on: &response, configuration: services.configuration)
        return response
    }

    @Sendable func me(_ request: Request, context: UserContext) async throws -> MeResponse {
        let user = context.user
        let memberships = try await services.organizations.memberships(userId: user.id)
        return MeResponse(
            user: user,
            memberships: memberships.map {
                .init(
                    membershipId: $0.membership.id, organizationId: $0.membership.organizationId,
                    organizationName: $0.organizationName, role: $0.membership.role, status: $0.membership.status)
            })
    }
}

/// The address a request came from, for throttling and session records.
enum ClientAddress {
    /// Behind your own proxy (`trustForwardedFor`) the client is the hop that proxy appended: the
    /// rightmost `X-Forwarded-For` entry. Entries to its left are whatever the client sent, so never trusted.
    static func of(_ request: Request, context: AppRequestContext, trustForwardedFor: Bool) -> String {
        if trustForwardedFor {
            let hops = request.headers[values: .init("X-Forwarded-For")!].flatMap { $0.split(separator: ",") }
            if let last = hops.last?.trimmingCharacters(in: .whitespaces), !last.isEmpty, last.utf8.count <= 64 {
                return last
            }
        }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }
}

/// Login CSRF: a login posted from another site's page (a browser sends its `Origin`) is refused, so
/// nobody can sign a visitor into the attacker's account. Requests without `Origin` (apps, curl) pass.
enum LoginOrigin {
    static func check(_ request: Request, publicBaseURL: String) throws {
        guard let origin = request.headers[.origin] else { return }
        let own = publicBaseURL.lowercased()
        let host = request.head.authority?.lowercased()
        let given = origin.lowercased()
        if given == own { return }
        if let host, given == "http://" + host || given == "https://" + host { return }
        throw DomainError(.crossSiteLogin, "Log in from this site's own pages.")
    }
}
