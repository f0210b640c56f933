import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

extension Invitation: ResponseEncodable {}

/// The accounts API beyond login (SPEC §12): password reset and change, e-mail verification,
/// invitations (staff list, invite, re-send, revoke; the invited person accepts), the studio's
/// sign-up switch and its join request.
struct AccountRoutes {
    let services: AppServices
    var service: AccountService { AccountService(services: services) }

    func register(api: Routes, org: ContextRoutes<OrgContext>) {
        api.post("auth/password-reset", use: requestReset)
        api.post("auth/password-reset/confirm", use: confirmReset)
        api.post("auth/password", use: changePassword)
        api.post("auth/verify-email", use: requestVerification)
        api.post("auth/verify-email/confirm", use: confirmVerification)
        api.post("invitations/accept", use: accept)
        api.post("join/:org", use: join)
        org.get("invitations", use: list)
        org.post("invitations", use: invite)
        org.post("invitations/:invitation/resend", use: resend)
        org.post("invitations/:invitation/revoke", use: revoke)
        org.get("signup", use: signup)
        org.put("signup", use: setSignup)
    }

    func address(_ request: Request, _ context: AppRequestContext) -> String {
        ClientAddress.of(request, context: context, trustForwardedFor: services.configuration.trustForwardedFor)
    }

    struct Accepted: ResponseEncodable {
        let status: String
        let message: String
    }

    /// 202 with the same words whatever happened, so the answer tells nothing about the address.
    func accepted(_ message: String, _ request: Request, _ context: AppRequestContext) throws -> Response {
        var response = try Accepted(status: "accepted", message: message).response(from: request, context: context)
        response.status = .accepted
        return response
    }

    // MARK: Password

    struct EmailBody: Decodable { let email: String }
    struct ResetBody: Decodable {
        let token: String
        let password: String
    }
    struct ChangeBody: Decodable {
        let currentPassword: String
        let newPassword: String
    }
    struct TokenBody: Decodable { let token: String }

    @Sendable func requestReset(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(EmailBody.self, context: context)
        try await service.requestPasswordReset(email: body.email, address: address(request, context))
        return try accepted(
            "If this address has an account, a link to set a new password is on its way (valid 30 minutes).", request, context)
    }

    @Sendable func confirmReset(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(ResetBody.self, context: context)
        try await service.resetPassword(token: body.token, newPassword: body.password)
        return Response(status: .noContent)
    }

    @Sendable func changePassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let body = try await request.decodeJSON(ChangeBody.self, context: context)
        try await service.changePassword(
            user: user, keepingSession: context.sessionTokenHash, current: body.currentPassword, new: body.newPassword)
        return Response(status: .noContent)
    }

    @Sendable func requestVerification(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        try await service.requestVerification(user: user, address: address(request, context))
        return try accepted("A link to verify your e-mail address is on its way.", request, context)
    }

    @Sendable func confirmVerification(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(TokenBody.self, context: context)
        try await service.verifyEmail(token: body.token)
        return Response(status: .noContent)
    }

    // MARK: Invitations

    struct InvitationList: ResponseEncodable { let invitations: [Invitation] }
    struct InviteBody: Decodable {
        let email: String
        let role: Role?
        let name: String?
    }
    struct AcceptBody: Decodable {
        let token: String
        let name: String?
        let password: String?
    }
    struct AcceptResponse: ResponseEncodable {
        let membershipId: String
        let organizationId: String
        let role: Role
    }

    @Sendable func list(_ request: Request, context: OrgContext) async throws -> InvitationList {
        let scope = try context.scope(.staff)
        return InvitationList(
            invitations: try await InvitationsStore(database: services.database).pending(orgId: scope.orgId, now: services.now))
    }

    @Sendable func invite(_ request: Request, context: OrgContext) async throws -> Created<Invitation> {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(InviteBody.self, context: context)
        let name = try body.name.map { try Validate.name($0) }
        return Created(body: try await service.invite(scope, email: body.email, role: body.role ?? .member, greetingName: name))
    }

    @Sendable func resend(_ request: Request, context: OrgContext) async throws -> Invitation {
        let scope = try context.scope(.manager)
        return try await service.resendInvitation(scope, id: try context.id("invitation", "Invitation"))
    }

    @Sendable func revoke(_ request: Request, context: OrgContext) async throws -> Invitation {
        let scope = try context.scope(.manager)
        return try await service.revokeInvitation(scope, id: try context.id("invitation", "Invitation"))
    }

    /// Accepts as the signed-in user (Bearer or cookie), or creates the person's account with their own
    /// name and password.
    @Sendable func accept(_ request: Request, context: AppRequestContext) async throws -> Created<AcceptResponse> {
        let body = try await request.decodeJSON(AcceptBody.self, context: context)
        let (_, membership) = try await service.acceptInvitation(
            token: body.token, signedIn: context.signedInUser,
            name: body.name, password: body.password)
        return Created(body: AcceptResponse(membershipId: membership.id, organizationId: membership.organizationId, role: membership.role))
    }

    // MARK: Sign-up

    struct SignupSetting: ResponseEncodable {
        let enabled: Bool
        let joinURL: String?
    }
    struct SignupBody: Decodable { let enabled: Bool }
    struct JoinBody: Decodable {
        let name: String
        let email: String
        let password: String
    }

    @Sendable func signup(_ request: Request, context: OrgContext) async throws -> SignupSetting {
        let scope = try context.scope(.staff)
        let enabled = try await services.organizations.selfSignup(orgId: scope.orgId)
        return SignupSetting(enabled: enabled, joinURL: enabled ? "\(services.configuration.publicBaseURL)/join/\(scope.orgId)" : nil)
    }

    @Sendable func setSignup(_ request: Request, context: OrgContext) async throws -> SignupSetting {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(SignupBody.self, context: context)
        try await services.organizations.setSelfSignup(orgId: scope.orgId, enabled: body.enabled, now: services.now)
        return SignupSetting(
            enabled: body.enabled, joinURL: body.enabled ? "\(services.configuration.publicBaseURL)/join/\(scope.orgId)" : nil)
    }

    @Sendable func join(_ request: Request, context: AppRequestContext) async throws -> Response {
        let orgId = try context.id("org", "Studio")
        let body = try await request.decodeJSON(JoinBody.self, context: context)
        try await service.join(
            orgId: orgId, name: body.name, email: body.email, password: body.password, address: address(request, context))
        return try accepted("Check your e-mail: the link in it completes your sign-up.", request, context)
    }
}
