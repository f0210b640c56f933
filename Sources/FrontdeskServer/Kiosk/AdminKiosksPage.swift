import Foundation
import FrontdeskCore
import FrontdeskQR
import FrontdeskStore
import Hummingbird

/// The studio's door kiosks in the back office, `GET /admin/kiosks?org=` (owners and admins, under
/// Displays): each kiosk with its location, whether it is active, its signed URL and a QR code of it
/// (scan it from the tablet to set it up); create one for a location, rotate its link (the old one
/// stops working) and revoke it for good.
struct AdminKiosksPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }
    var kiosks: KioskService { KioskService(services: services) }

    static let path = "/admin/kiosks"

    func register(_ root: Routes) {
        let pages = root.signedIn(services, fallback: Self.path, reason: "Log in to manage the studio's door kiosks.")
        pages.get("admin/kiosks", use: show)
        pages.post("admin/kiosks", use: create)
        pages.post("admin/kiosks/:kiosk/rotate", use: rotate)
        pages.post("admin/kiosks/:kiosk/revoke", use: revoke)
    }

    struct KioskLine {
        let id: String
        let name: String
        /// " of <name>" for screen readers, in the reader's language.
        let ofName: String
        let location: String
        /// "created Thursday 19 November".
        let created: String
        let revokedOn: String?
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
        let active: [KioskLine]
        let noActive: Bool
        let revoked: [KioskLine]
        let hasRevoked: Bool
        let locations: [LocationChoice]
        let hasLocations: Bool
        let draftName: String
        let displaysLink: String
    }

    /// The `done=` codes this page shows a message for (`kiosks.done.<code>` in the catalogues).
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
            flash ?? done.flatMap { Self.doneCodes.contains($0) ? PageFrame.Flash(ok: true, message: t["kiosks.done.\($0)"]) : nil }
        let local = t.localTime(timezone: scope.organization.timezone, now: services.now)
        let locations = try await services.catalog.locations(orgId: scope.orgId)
        let names = Dictionary(locations.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        var active: [KioskLine] = []
        var revoked: [KioskLine] = []
        for kiosk in try await kiosks.kiosks(scope) {
            var url: String?
            var qr: String?
            if kiosk.revokedAt == nil, let signed = try await kiosks.signedURL(kiosk) {
                url = signed
                qr = try? QRCode.encode(signed, level: .medium).svg(
                    moduleSize: nil, quietZone: 4, title: t("displays.qrTitle", ["name": kiosk.name]))
            }
            let line = KioskLine(
                id: kiosk.id, name: kiosk.name, ofName: t("displays.of", ["name": kiosk.name]),
                location: names[kiosk.locationId] ?? t["displays.removedLocation"],
                created: t("displays.created", ["date": local.longDate(kiosk.createdAt)]),
                revokedOn: kiosk.revokedAt.map { t("displays.revokedOn", ["date": local.longDate($0)]) }, url: url, qr: qr,
                open: kiosk.id == show?.lowercased())
            if kiosk.revokedAt == nil { active.append(line) } else { revoked.append(line) }
        }
        let view = View(
            shell: admin.shell, orgId: scope.orgId, active: active, noActive: active.isEmpty, revoked: revoked,
            hasRevoked: !revoked.isEmpty, locations: locations.map { LocationChoice(id: $0.id, name: $0.name) },
            hasLocations: !locations.isEmpty, draftName: draftName, displaysLink: "/admin/displays?org=\(scope.orgId)")
        return try AdminShell.page(
            responder, "admin_kiosks", title: t["kiosks.title"], page: view, scope: scope, request: request, context: context,
            status: status, flash: flash, t: t)
    }

    struct Form: Decodable {
        let csrf: String?
        let org: String?
        let location: String?
        let name: String?
    }

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
            let kiosk = try await kiosks.create(scope, locationId: form.location ?? "", name: FormValue.text(form.name))
            return ("created", kiosk.id)
        }
    }

    @Sendable func rotate(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { _, scope in
            let kiosk = try await kiosks.rotate(scope, id: context.parameters.get("kiosk") ?? "")
            return ("rotated", kiosk.id)
        }
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { _, scope in
            _ = try await kiosks.revoke(scope, id: context.parameters.get("kiosk") ?? "")
            return ("revoked", nil)
        }
    }
}
