import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The studio an owner/admin page shows — the asked-for one, else the first the user manages — and
/// the picker of all the studios they manage; nil when they manage none.
struct ManagerScope {
    let scope: OrgScope
    let orgs: [Choice]

    static func resolve(_ services: AppServices, context: AppRequestContext, orgId: String?) async throws -> ManagerScope? {
        let user = try context.requireUser()
        let managed = try await services.organizations.memberships(userId: user.id)
            .filter { $0.membership.status == .active && $0.membership.role.isManager }
        guard let chosen = managed.first(where: { $0.membership.organizationId == orgId?.lowercased() }) ?? managed.first else {
            return nil
        }
        let scope = try await OrgAccess(services: services).scope(context, orgId: chosen.membership.organizationId, requiring: .manager)
        let orgs = managed.map {
            Choice(id: $0.membership.organizationId, name: $0.organizationName, selected: $0.membership.organizationId == scope.orgId)
        }
        return ManagerScope(scope: scope, orgs: orgs)
    }

    /// The page for someone who manages no studio.
    static func refusal(_ responder: PageResponder, title: String, request: Request, context: AppRequestContext) throws -> Response {
        let t = PageLanguage.browser(request)
        return try responder.page(
            "message", title: title, page: PageMessage(headline: t["admin.refusal.headline"], text: t["admin.refusal.managers"]),
            request: request, context: context, status: .forbidden, messages: t)
    }
}
