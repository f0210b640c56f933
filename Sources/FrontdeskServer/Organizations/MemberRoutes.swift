import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// Members of an organization: list (staff), invite, change role or status, suspend, reactivate (owner/admin).
///
/// Decisions: coaches may list members (they need names for walk-ins); only an owner may grant,
/// change or remove the owner role; the org always keeps one active owner.
struct MemberRoutes {
    let services: AppServices

    func register(_ org: ContextRoutes<OrgContext>) {
        org.get("members", use: list)
        org.post("members", use: add)
        org.get("members/:membership", use: show)
        org.patch("members/:membership", use: update)
        org.post("members/:membership/suspend", use: suspend)
        org.post("members/:membership/reactivate", use: reactivate)
    }

    struct MemberView: Encodable, ResponseEncodable {
        let membershipId: String
        let userId: String
        let name: String
        let email: String
        let role: Role
        let status: MembershipStatus
        let joinedAt: Date

        init(_ summary: MemberSummary) {
            membershipId = summary.membership.id
            userId = summary.user.id
            name = summary.user.name
            email = summary.user.email
            role = summary.membership.role
            status = summary.membership.status
            joinedAt = summary.membership.createdAt
        }
    }

    struct MemberList: ResponseEncodable {
        let members: [MemberView]
    }

    /// Adding a person is an invitation (SPEC §12): `name` only greets them in the e-mail; a
    /// `password` is refused, since nobody chooses another person's password.
    struct AddBody: Decodable {
        let email: String
        let name: String?
        let role: Role?
        let password: String?
    }

    struct AddResponse: ResponseEncodable {
        let invitation: Invitation
    }

    struct UpdateBody: Decodable {
        let role: Role?
        let status: MembershipStatus?
    }

    @Sendable func list(_ request: Request, context: OrgContext) async throws -> MemberList {
        let scope = try context.scope(.staff)
        return MemberList(members: try await services.organizations.members(orgId: scope.orgId).map(MemberView.init))
    }

    @Sendable func show(_ request: Request, context: OrgContext) async throws -> MemberView {
        let scope = try context.scope(.staff)
        let id = try context.id("membership", "Member")
        guard let member = try await services.organizations.member(orgId: scope.orgId, membershipId: id) else {
            throw DomainError.notFound("Member")
        }
        return MemberView(member)
    }

    @Sendable func add(_ request: Request, context: OrgContext) async throws -> Created<AddResponse> {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(AddBody.self, context: context)
        guard body.password == nil else {
            throw DomainError(
                .passwordNotAllowed, "Adding a person sends them an invitation; they choose their own password. Leave out password.")
        }
        let name = try body.name.map { try Validate.name($0) }
        let invitation = try await AccountService(services: services).invite(
            scope, email: body.email, role: body.role ?? .member,
            greetingName: name)
        return Created(body: AddResponse(invitation: invitation))
    }

    @Sendable func update(_ request: Request, context: OrgContext) async throws -> MemberView {
        let body = try await request.decodeJSON(UpdateBody.self, context: context)
        return try await change(context, role: body.role, status: body.status)
    }

    @Sendable func suspend(_ request: Request, context: OrgContext) async throws -> MemberView {
        try await change(context, role: nil, status: .suspended)
    }

    @Sendable func reactivate(_ request: Request, context: OrgContext) async throws -> MemberView {
        try await change(context, role: nil, status: .active)
    }

    private func change(_ context: OrgContext, role: Role?, status: MembershipStatus?) async throws -> MemberView {
        let scope = try context.scope(.manager)
        let id = try context.id("membership", "Member")
        let updated = try await services.organizations.updateMember(
            orgId: scope.orgId, membershipId: id, role: role, status: status, actor: scope.actor, now: services.now)
        return MemberView(updated)
    }
}
