import Foundation
import FrontdeskCore
import FrontdeskQR
import FrontdeskStore
import Hummingbird

/// The studio's wall screens in the back office, `GET /admin/displays?org=`: each display with its
/// location, when it was created, whether it is active or revoked and whether its screen is online
/// (it polled its state or held its event stream within `DisplayService.onlineSeconds`); for an
/// active one its signed URL and a QR code of that URL, so a kiosk is set up by scanning it from a
/// phone; a form to create one for a location; rotate (a new URL, the old one stops working) and
/// revoke. Owners and admins only, as `…/api/orgs/:org/displays`, through `DisplayService`.
struct AdminDisplaysPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }
    var displays: DisplayService { DisplayService(services: services) }

    static let path = "/admin/displays"

    func register(_ root: Routes) {
        let pages = root.signedIn(services, fallback: Self.path, reason: "Log in to manage the studio's displays.")
        pages.get("admin/displays", use: show)
        pages.post("admin/displays", use: create)
        pages.post("admin/displays/:display/rotate", use: rotate)
        pages.post("admin/displays/:display/revoke", use: revoke)
    }

    struct DisplayLine {
        let id: String
        let name: String
        /// " of <name>" for screen readers, in the reader's language.
        let ofName: String
        let location: String
        /// "created Thursday 19 November".
        let created: String
        let revoked: Bool
        let revokedOn: String?
        let presence: String
        let presenceClass: String
        let url: String?
        let qr: String?
        let open: Bool
    }

    struct LocationChoice {
        let id: String
        let name: String
    }

    struct View {
        let shell: AdminShellView
        let orgId: String
        let active: [DisplayLine]
        let noActive: Bool
        let revoked: [DisplayLine]
        let hasRevoked: Bool
        let locations: [LocationChoice]
        let hasLocations: Bool
        let catalogLink: String
        let draftName: String
        /// What a display is and when it counts as online.
        let intro: String
    }

    /// The `done=` codes this page shows a message for (`displays.done.<code>` in the catalogues).
    static let doneCodes: Set<String> = ["created", "rotated", "revoked"]

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        return try await page(orgId: query.get("org"), show: query.get("show"), request: request, context: context, done: query.get("done"))
    }

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
        let locations = try await services.catalog.locations(orgId: scope.orgId)
        let names = Dictionary(locations.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        var active: [DisplayLine] = []
        var revoked: [DisplayLine] = []
        for display in try await displays.displays(scope) {
            let line = try await line(
                display, location: names[display.locationId], local: local, t: t, open: display.id == show?.lowercased())
            if display.revokedAt == nil { active.append(line) } else { revoked.append(line) }
        }
        let view = View(
            shell: admin.shell, orgId: scope.orgId, active: active, noActive: active.isEmpty, revoked: revoked,
            hasRevoked: !revoked.isEmpty, locations: locations.map { LocationChoice(id: $0.id, name: $0.name) },
            hasLocations: !locations.isEmpty, catalogLink: "\(AdminCatalogPage.path)?org=\(scope.orgId)", draftName: draftName,
            intro: t("displays.intro", ["minutes": t.number(Int(DisplayService.onlineSeconds / 60))]))
        return try AdminShell.page(
            responder, "admin_displays", title: t["admin.nav.displays"], page: view, scope: scope, request: request, context: context,
            status: status, flash: flash, t: t)
    }

    func line(_ display: Display, location: String?, local: LocalTime, t: Messages, open: Bool) async throws -> DisplayLine {
        let (presence, presenceClass): (String, String) =
            switch DisplayService.presence(display, now: local.now) {
            case .online: (t["displays.presence.online"], "online")
            case .offline(let seen): (t("displays.presence.offline", ["when": Self.when(seen, local: local, t: t)]), "offline")
            case .never: (t["displays.presence.never"], "never")
            }
        var url: String?
        var qr: String?
        if display.revokedAt == nil, let signed = try await displays.signedURL(display) {
            url = signed
            qr = try? QRCode.encode(signed, level: .medium).svg(
                moduleSize: nil, quietZone: 4, title: t("displays.qrTitle", ["name": display.name]))
        }
        return DisplayLine(
            id: display.id, name: display.name, ofName: t("displays.of", ["name": display.name]),
            location: location ?? t["displays.removedLocation"],
            created: t("displays.created", ["date": local.longDate(display.createdAt)]),
            revoked: display.revokedAt != nil, revokedOn: display.revokedAt.map { t("displays.revokedOn", ["date": local.longDate($0)]) },
            presence: presence,
            presenceClass: presenceClass, url: url, qr: qr, open: open)
    }

    /// "today at 14:02", else "Thu 26 Nov 07:00" (a past instant is never "Tomorrow").
    static func when(_ date: Date, local: LocalTime, t: Messages = .english) -> String {
        let text = local.dayAndTime(date)
        return text.count == 5 ? t("displays.presence.todayAt", ["time": text]) : text
    }

    // MARK: Posts

    struct Form: Decodable {
        let csrf: String?
        let org: String?
        let location: String?
        let name: String?
    }

    /// Checks the form's CSRF and the caller's role in its studio, runs `action` and answers the 303
    /// it returns; a refusal answers the page with the message (or the 404 page for an unknown id).
    func post(
        _ request: Request, _ context: AppRequestContext, _ action: (Form, OrgScope) async throws -> (done: String, show: String?)
    ) async throws -> Response {
        let form = try await request.decodeForm(Form.self, context: context)
        let orgId = form.org ?? ""
        return try await AdminShell.post(services, csrf: form.csrf, org: orgId, request: request, context: context) { scope in
            let (done, show) = try await action(form, scope)
            return AdminShell.done(Self.path, org: scope.orgId, done, extra: show.map { "&show=\($0)" } ?? "")
        } refused: { error in
            try await page(
                orgId: orgId, show: nil, request: request, context: context, status: error.httpStatus, flash: AdminShell.failure(error),
                draftName: form.name ?? "")
        }
    }

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
