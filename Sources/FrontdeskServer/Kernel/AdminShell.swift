import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The back office's sections, in the order of its navigation, with the lowest role each needs —
/// the same role the API asks for the section's changes (owners and admins for everything but the
/// timetable, the member list, the catalog and the coach's tablet, which staff use too).
enum AdminSection: String, CaseIterable, Sendable {
    case timetable, members, plans, catalog, settings, displays, notifications, audit, batches, dashboard, coach

    /// The section's name in the navigation (`admin.nav.<section>` in the catalogues).
    func label(_ t: Messages) -> String { t["admin.nav.\(rawValue)"] }

    /// The English name (page titles of code that has no reader's language at hand).
    var label: String { label(.english) }

    var path: String {
        switch self {
        case .batches: "/admin/batches"
        case .dashboard: "/admin/analytics"
        case .coach: "/coach"
        default: "/admin/\(rawValue)"
        }
    }

    var permission: Permission {
        switch self {
        case .timetable, .members, .catalog, .coach: .staff
        default: .manager
        }
    }
}

/// What the admin shell (`admin_shell.mustache`) shows around every back-office page: the
/// navigation the caller's role may use and, for someone on the staff of several studios, the
/// studio picker.
struct AdminShellView {
    struct Item {
        let id: String
        let label: String
        let href: String
        let current: Bool
    }

    let nav: [Item]
    let orgs: [Choice]
    let hasOrgChoice: Bool
    let orgId: String
    let path: String
    let role: String

    init(scope: OrgScope, orgs: [Choice], section: AdminSection, t: Messages = .english) {
        nav = AdminSection.allCases.filter { $0.permission.allows(scope.role) }.map {
            Item(id: $0.rawValue, label: $0.label(t), href: "\($0.path)?org=\(scope.orgId)", current: $0 == section)
        }
        self.orgs = orgs
        hasOrgChoice = orgs.count > 1
        orgId = scope.orgId
        path = section.path
        role = scope.role.rawValue
    }
}

/// The studio a back-office page shows and the shell around it.
struct AdminScope {
    let scope: OrgScope
    let shell: AdminShellView
    /// The reader's language (their choice, the studio's default, the browser's).
    let t: Messages
}

enum AdminShell {
    /// The asked-for studio if the caller's active role there may use `section`, else the first such
    /// studio; nil when there is none (the page then answers `refusal`).
    static func resolve(
        _ services: AppServices, context: AppRequestContext, orgId: String?, section: AdminSection, request: Request? = nil
    ) async throws -> AdminScope? {
        let user = try context.requireUser()
        let allowed = try await services.organizations.memberships(userId: user.id)
            .filter { $0.membership.status == .active && section.permission.allows($0.membership.role) }
        guard let chosen = allowed.first(where: { $0.membership.organizationId == orgId?.lowercased() }) ?? allowed.first else {
            return nil
        }
        let scope = try await OrgAccess(services: services).scope(
            context, orgId: chosen.membership.organizationId, requiring: section.permission)
        let orgs = allowed.map {
            Choice(id: $0.membership.organizationId, name: $0.organizationName, selected: $0.membership.organizationId == scope.orgId)
        }
        var t = Messages.english
        if let request { t = try await PageLanguage.messages(services, request, context, orgId: scope.orgId) }
        return AdminScope(scope: scope, shell: AdminShellView(scope: scope, orgs: orgs, section: section, t: t), t: t)
    }

    /// The shell of a page that resolved its studio through `ManagerScope` (bulk changes, dashboard).
    static func view(_ manager: ManagerScope, section: AdminSection, t: Messages = .english) -> AdminShellView {
        AdminShellView(scope: manager.scope, orgs: manager.orgs, section: section, t: t)
    }

    /// 403 for someone whose role in no studio may use `section`.
    static func refusal(
        _ responder: PageResponder, section: AdminSection, request: Request, context: AppRequestContext
    ) throws -> Response {
        let t = PageLanguage.browser(request)
        let text = section.permission == .manager ? t["admin.refusal.managers"] : t["admin.refusal.staff"]
        return try responder.page(
            "message", title: section.label(t), page: PageMessage(headline: t["admin.refusal.headline"], text: text),
            request: request, context: context, status: .forbidden, messages: t)
    }

    /// 404 for an id that is not the studio's (or not anyone's): the same page either way.
    static func notFound(_ responder: PageResponder, message: String, request: Request, context: AppRequestContext) throws -> Response {
        let t = PageLanguage.browser(request)
        return try responder.page(
            "message", title: t["admin.notFound.title"],
            page: PageMessage(headline: t["admin.notFound.title"], text: t("admin.notFound.text", ["message": message])),
            request: request, context: context, status: .notFound, messages: t)
    }

    /// A back-office page inside the shell, in the studio's colours.
    static func page(
        _ responder: PageResponder, _ template: String, title: String, page: Any, scope: OrgScope, request: Request,
        context: AppRequestContext, status: HTTPResponse.Status = .ok, flash: PageFrame.Flash? = nil, t: Messages? = nil
    ) throws -> Response {
        try responder.page(
            template, title: title, page: page, request: request, context: context, status: status,
            orgName: scope.organization.name, brand: scope.organization.primaryColor, bodyClass: "admin", flash: flash, messages: t)
    }

    /// The success message for a `done=` code a page redirected with (only known codes are shown).
    static func flash(_ done: String?, _ messages: [String: String]) -> PageFrame.Flash? {
        guard let done, let message = messages[done] else { return nil }
        return PageFrame.Flash(ok: true, message: message)
    }

    /// The refusal as the page's error message.
    static func failure(_ error: DomainError) -> PageFrame.Flash {
        PageFrame.Flash(ok: false, message: error.message)
    }

    /// The frame of a back-office page's post: checks the form's CSRF token and the caller's role
    /// (`permission`) in the form's studio, then answers what `action` returns; a refusal answers the
    /// 404 page for an unknown id, else `refused` (the page again, with the message).
    static func post(
        _ services: AppServices, csrf: String?, org: String, request: Request, context: AppRequestContext,
        requiring permission: Permission = .manager, _ action: (OrgScope) async throws -> Response,
        refused: (DomainError) async throws -> Response
    ) async throws -> Response {
        try PageCSRF.check(request, field: csrf)
        do {
            let scope = try await OrgAccess(services: services).scope(context, orgId: org, requiring: permission)
            return try await action(scope)
        } catch let error as DomainError where error.kind == .notFound {
            return try notFound(PageResponder(services: services), message: error.message, request: request, context: context)
        } catch let error as DomainError {
            return try await refused(error)
        }
    }

    /// The 303 back to a page after a successful post, with the message code.
    static func done(_ path: String, org: String, _ code: String, extra: String = "") -> Response {
        PageResponder.redirect(to: "\(path)?org=\(org)\(extra)&done=\(code)")
    }
}
