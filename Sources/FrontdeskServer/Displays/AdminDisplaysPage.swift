import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The studio's wall screens in the back office, `GET /admin/displays?org=`: each display with its
/// location, when it was created, whether it is active or revoked and whether its screen is online
/// (it polled its state or held its event stream within `DisplayService.onlineSeconds`); for an
/// active one its signed URL and a QR code of that URL, so a kiosk is set up by scanning it from a
/// phone; a form to create one for a location; rotate (a new URL, the old one stops working) and
/// revoke. Owners and admins only, as `…/api/orgs/:org/displays`, through `DisplayService`.
struct AdminDisplaysPage: AdminDeviceListPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }
    var displays: DisplayService { DisplayService(services: services) }

    static let path = "/admin/displays"

    func register(_ root: Routes) {
        let pages = root.signedIn(services, fallback: Self.path, reason: .displays)
        pages.get("admin/displays", use: show)
        pages.post("admin/displays", use: create)
        pages.post("admin/displays/:display/rotate", use: rotate)
        pages.post("admin/displays/:display/revoke", use: revoke)
    }

    struct View {
        let shell: AdminShellView
        let orgId: String
        let active: [AdminDeviceLine]
        let noActive: Bool
        let revoked: [AdminDeviceLine]
        let hasRevoked: Bool
        let locations: [AdminDeviceLines.LocationChoice]
        let hasLocations: Bool
        let catalogLink: String
        let draftName: String
        /// What a display is and when it counts as online.
        let intro: String
    }

    /// The `done=` codes this page shows a message for (`displays.done.<code>` in the catalogues).
    static let doneCodes: Set<String> = ["created", "rotated", "revoked"]

    func page(
        orgId: String?, show: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok,
        flash: PageFrame.Flash? = nil, draftName: String = "", done: String? = nil
    ) async throws -> Response {
        guard let admin = try await AdminShell.resolve(services, context: context, orgId: orgId, section: .displays, request: request)
        else {
            return try AdminShell.refusal(responder, section: .displays, request: request, context: context)
        }
        let scope = admin.scope
        let t = admin.t
        let flash =
            flash ?? done.flatMap { Self.doneCodes.contains($0) ? PageFrame.Flash(ok: true, message: t["displays.done.\($0)"]) : nil }
        let now = services.now
        let local = t.localTime(timezone: scope.organization.timezone, now: now)
        let (lines, locations) = try await AdminDeviceLines.load(services, scope, t: t, local: local, show: show)
        var all: [AdminDeviceLine] = []
        for display in try await displays.displays(scope) {
            let signedURL = try await display.revokedAt == nil ? displays.signedURL(display) : nil
            all.append(
                lines.line(
                    id: display.id, name: display.name, locationId: display.locationId, createdAt: display.createdAt,
                    revokedAt: display.revokedAt, signedURL: signedURL,
                    presence: Self.presence(display, local: local, t: t)))
        }
        let (active, revoked) = AdminDeviceLines.split(all)
        let view = View(
            shell: admin.shell, orgId: scope.orgId, active: active, noActive: active.isEmpty, revoked: revoked,
            hasRevoked: !revoked.isEmpty, locations: locations,
            hasLocations: !locations.isEmpty, catalogLink: "\(AdminCatalogPage.path)?org=\(scope.orgId)", draftName: draftName,
            intro: t("displays.intro", ["minutes": t.number(Int(DisplayService.onlineSeconds / 60))]))
        return try AdminShell.page(
            responder, "admin_displays", title: t["admin.nav.displays"], page: view, scope: scope, request: request, context: context,
            status: status, flash: flash, t: t)
    }

    /// The screen's badge: online, offline since when, or never seen.
    static func presence(_ display: Display, local: LocalTime, t: Messages) -> (text: String, badge: String) {
        switch DisplayService.presence(display, now: local.now) {
        case .online: (t["displays.presence.online"], "online")
        case .offline(let seen): (t("displays.presence.offline", ["when": when(seen, local: local, t: t)]), "offline")
        case .never: (t["displays.presence.never"], "never")
        }
    }

    /// "today at 14:02", else "Thu 26 Nov 07:00" (a past instant is never "Tomorrow").
    static func when(_ date: Date, local: LocalTime, t: Messages = .english) -> String {
        let text = local.dayAndTime(date)
        return text.count == 5 ? t("displays.presence.todayAt", ["time": text]) : text
    }

    // MARK: Posts

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { form, scope in
            let display = try await displays.create(scope, locationId: form.location ?? "", name: FormValue.text(form.name))
            return ("created", display.id)
        }
    }

    @Sendable func rotate(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { _, scope in
            let display = try await displays.rotate(scope, id: context.parameters.get("display") ?? "")
            return ("rotated", display.id)
        }
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { _, scope in
            _ = try await displays.revoke(scope, id: context.parameters.get("display") ?? "")
            return ("revoked", nil)
        }
    }
}
