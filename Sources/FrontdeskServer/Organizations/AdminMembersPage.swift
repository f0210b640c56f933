import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The back office's member list, `GET /admin/members?org=&q=&page=`: search by name or e-mail, a
/// page of 25 at a time, pending invitations. Owners and admins also invite (the invitation flow of
/// `POST /api/orgs/:org/invitations`, through `AccountService`), re-send and revoke invitations,
/// change roles, suspend and reactivate; coaches see the list (as the API lets them) without the
/// forms. Every post answers 303 back to the list with a message, or the list again with the refusal.
struct AdminMembersPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }

    static let pageSize = 25
    static let path = "/admin/members"

    func register(_ root: Routes) {
        let pages = root.signedIn(services, fallback: Self.path, reason: .members)
        pages.get("admin/members", use: show)
        pages.post("admin/members/invite", use: invite)
        pages.post("admin/members/invitations/resend", use: resend)
        pages.post("admin/members/invitations/revoke", use: revoke)
        pages.post("admin/members/role", use: changeRole)
        pages.post("admin/members/suspend", use: suspend)
        pages.post("admin/members/reactivate", use: reactivate)
    }

    struct Row {
        let membershipId: String
        let name: String
        let email: String
        let role: String
        let roleLabel: String
        let suspended: Bool
        let roles: [RoleChoice]
        let link: String
        let isSelf: Bool
    }

    struct RoleChoice {
        let value: String
        let label: String
        let selected: Bool
    }

    struct PendingInvitation {
        let id: String
        let email: String
        let role: String
        let sent: String
        let expired: Bool
    }

    struct Draft {
        var email = ""
        var name = ""
        var role = "member"
    }

    struct View {
        let shell: AdminShellView
        let orgId: String
        let query: String
        let rows: [Row]
        let empty: Bool
        let summary: String
        let previous: String?
        let next: String?
        let canManage: Bool
        let invitations: [PendingInvitation]
        let hasInvitations: Bool
        let inviteRoles: [RoleChoice]
        let draft: Draft
    }

    static let messages = [
        "invited": "Invitation sent.", "resent": "Invitation sent again with a new link.", "revoked": "Invitation revoked.",
        "role": "Role changed.", "suspended": "Membership suspended.", "reactivated": "Membership reactivated.",
    ]

    static func roleChoices(for caller: Role, selected: String, _ t: Messages = .english) -> [RoleChoice] {
        // Only an owner can grant the owner role (the API refuses it too; the choice is not offered).
        let roles: [Role] = caller == .owner ? [.member, .coach, .admin, .owner] : [.member, .coach, .admin]
        return roles.map { RoleChoice(value: $0.rawValue, label: roleLabel($0, t), selected: $0.rawValue == selected) }
    }

    /// "Member", "Coach", "Admin", "Owner" in the reader's language.
    static func roleLabel(_ role: Role, _ t: Messages) -> String { t["members.role.\(role.rawValue)"] }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        return try await page(
            orgId: query.get("org"), search: query.get("q") ?? "", pageNumber: query.get("page").flatMap { Int($0) } ?? 1,
            request: request, context: context, done: query.get("done"))
    }

    func page(
        orgId: String?, search rawSearch: String, pageNumber: Int, request: Request, context: AppRequestContext,
        status: HTTPResponse.Status = .ok, flash: PageFrame.Flash? = nil, draft: Draft = Draft(), done: String? = nil
    ) async throws -> Response {
        guard let admin = try await AdminShell.resolve(services, context: context, orgId: orgId, section: .members, request: request)
        else {
            return try AdminShell.refusal(responder, section: .members, request: request, context: context)
        }
        let scope = admin.scope
        let t = admin.t
        let flash = flash ?? done.flatMap { Self.messages[$0] == nil ? nil : PageFrame.Flash(ok: true, message: t["members.done.\($0)"]) }
        let search = String(rawSearch.trimmingCharacters(in: .whitespaces).prefix(100))
        let pageNumber = max(1, min(pageNumber, 100_000))
        let (members, total) = try await MemberDirectoryStore(database: services.database)
            .page(orgId: scope.orgId, text: search, limit: Self.pageSize, offset: (pageNumber - 1) * Self.pageSize)
        let canManage = scope.role.isManager
        let rows = members.map { member in
            Row(
                membershipId: member.membership.id, name: member.user.name, email: member.user.email,
                role: member.membership.role.rawValue, roleLabel: Self.roleLabel(member.membership.role, t),
                suspended: member.membership.status == .suspended,
                roles: Self.roleChoices(for: scope.role, selected: member.membership.role.rawValue, t),
                link: "\(Self.path)/\(member.membership.id)?org=\(scope.orgId)", isSelf: member.membership.id == scope.membership.id)
        }
        let invitations = try await InvitationsStore(database: services.database).pending(orgId: scope.orgId, now: services.now)
        let local = t.localTime(timezone: scope.organization.timezone, now: services.now)
        let encoded = search.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        func link(_ number: Int) -> String { "\(Self.path)?org=\(scope.orgId)&q=\(encoded)&page=\(number)" }
        let first = total == 0 ? 0 : (pageNumber - 1) * Self.pageSize + 1
        let last = (pageNumber - 1) * Self.pageSize + rows.count
        let view = View(
            shell: admin.shell, orgId: scope.orgId, query: search, rows: rows, empty: rows.isEmpty,
            summary: total == 0
                ? t["members.noneMatch"]
                : t("members.range", ["first": t.number(first), "last": t.number(last), "total": t.number(total)]),
            previous: pageNumber > 1 ? link(pageNumber - 1) : nil, next: last < total ? link(pageNumber + 1) : nil,
            canManage: canManage,
            invitations: invitations.map {
                PendingInvitation(
                    id: $0.id, email: $0.email, role: Self.roleLabel($0.role, t),
                    sent: t.plural("members.sent", count: $0.sends) + ", "
                        + ($0.expired ? t["members.linkExpired"] : t("members.linkValid", ["until": local.dayAndTime($0.expiresAt)])),
                    expired: $0.expired)
            },
            hasInvitations: !invitations.isEmpty, inviteRoles: Self.roleChoices(for: scope.role, selected: draft.role, t),
            draft: draft)
        return try AdminShell.page(
            responder, "admin_members", title: t["admin.nav.members"], page: view, scope: scope, request: request, context: context,
            status: status, flash: flash, t: t)
    }

    // MARK: Posts

    struct Form: Decodable {
        let csrf: String?
        let org: String?
        let email: String?
        let name: String?
        let role: String?
        let invitation: String?
        let membership: String?
        let back: String?
    }

    /// Runs a manager's change for the posted studio: 303 to `back` (the list, or the member's page)
    /// with the message, the list with the refusal, or the not-found page for another studio's ids.
    func post(
        _ request: Request, _ context: AppRequestContext, draft: @escaping (Form) -> Draft = { _ in Draft() },
        _ action: (Form, OrgScope) async throws -> String
    ) async throws -> Response {
        let form = try await request.decodeForm(Form.self, context: context)
        let orgId = form.org ?? ""
        return try await AdminShell.post(services, csrf: form.csrf, org: orgId, request: request, context: context) { scope in
            let code = try await action(form, scope)
            if form.back == "member", let membership = form.membership, NewID.isWellFormed(membership) {
                return AdminShell.done("\(Self.path)/\(membership.lowercased())", org: scope.orgId, code)
            }
            return AdminShell.done(Self.path, org: scope.orgId, code)
        } refused: { error in
            if form.back == "member", let membership = form.membership, NewID.isWellFormed(membership) {
                return try await AdminMemberPage(services: services).page(
                    orgId: orgId, membershipId: membership.lowercased(), cursor: nil, request: request, context: context,
                    status: error.httpStatus, flash: AdminShell.failure(error))
            }
            return try await page(
                orgId: orgId, search: "", pageNumber: 1, request: request, context: context, status: error.httpStatus,
                flash: AdminShell.failure(error), draft: draft(form))
        }
    }

    static func role(_ value: String?) throws -> Role {
        guard let value, let role = Role(rawValue: value) else {
            throw DomainError.invalidField("role", "must be member, coach, admin or owner.")
        }
        return role
    }

    @Sendable func invite(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(
            request, context, draft: { Draft(email: $0.email ?? "", name: $0.name ?? "", role: $0.role ?? "member") }
        ) { form, scope in
            // As POST /api/orgs/:org/invitations: the name only greets them; the service checks the rest.
            let name = try FormValue.text(form.name).map { try Validate.name($0) }
            _ = try await AccountService(services: services).invite(
                scope, email: FormValue.text(form.email) ?? "", role: try Self.role(form.role ?? "member"), greetingName: name)
            return "invited"
        }
    }

    @Sendable func resend(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { form, scope in
            _ = try await AccountService(services: services).resendInvitation(scope, id: try FormValue.id(form.invitation, "Invitation"))
            return "resent"
        }
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { form, scope in
            _ = try await AccountService(services: services).revokeInvitation(scope, id: try FormValue.id(form.invitation, "Invitation"))
            return "revoked"
        }
    }

    @Sendable func changeRole(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { form, scope in
            try await change(scope, membership: form.membership, role: try Self.role(form.role), status: nil)
            return "role"
        }
    }

    @Sendable func suspend(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { form, scope in
            try await change(scope, membership: form.membership, role: nil, status: .suspended)
            return "suspended"
        }
    }

    @Sendable func reactivate(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { form, scope in
            try await change(scope, membership: form.membership, role: nil, status: .active)
            return "reactivated"
        }
    }

    /// The rules of `PATCH /api/orgs/:org/members/:id` (MemberRoutes.change): only an owner changes an
    /// owner or grants the owner role; the store keeps the last active owner (409 `last_owner`).
    func change(_ scope: OrgScope, membership rawId: String?, role: Role?, status: MembershipStatus?) async throws {
        let id = try FormValue.id(rawId, "Member")
        _ = try await services.organizations.updateMember(
            orgId: scope.orgId, membershipId: id, role: role, status: status, actor: scope.actor, now: services.now)
    }
}
