import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The studio's door kiosks in the back office, `GET /admin/kiosks?org=` (owners and admins, under
/// Displays): each kiosk with its location, whether it is active, its signed URL and a QR code of it
/// (scan it from the tablet to set it up); create one for a location, rotate its link (the old one
/// stops working) and revoke it for good.
struct AdminKiosksPage: AdminDeviceListPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }
    var kiosks: KioskService { KioskService(services: services) }

    static let path = "/admin/kiosks"

    func register(_ root: Routes) {
        let pages = root.signedIn(services, fallback: Self.path, reason: .kiosks)
        pages.get("admin/kiosks", use: show)
        pages.post("admin/kiosks", use: create)
        pages.post("admin/kiosks/:kiosk/rotate", use: rotate)
        pages.post("admin/kiosks/:kiosk/revoke", use: revoke)
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
        let draftName: String
        let displaysLink: String
    }

    /// The `done=` codes this page shows a message for (`kiosks.done.<code>` in the catalogues).
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
            flash ?? done.flatMap { Self.doneCodes.contains($0) ? PageFrame.Flash(ok: true, message: t["kiosks.done.\($0)"]) : nil }
        let local = t.localTime(timezone: scope.organization.timezone, now: services.now)
        let (lines, locations) = try await AdminDeviceLines.load(services, scope, t: t, local: local, show: show)
        var all: [AdminDeviceLine] = []
        for kiosk in try await kiosks.kiosks(scope) {
            let signedURL = try await kiosk.revokedAt == nil ? kiosks.signedURL(kiosk) : nil
            all.append(
                lines.line(
                    id: kiosk.id, name: kiosk.name, locationId: kiosk.locationId, createdAt: kiosk.createdAt, revokedAt: kiosk.revokedAt,
                    signedURL: signedURL))
        }
        let (active, revoked) = AdminDeviceLines.split(all)
        let view = View(
            shell: admin.shell, orgId: scope.orgId, active: active, noActive: active.isEmpty, revoked: revoked,
            hasRevoked: !revoked.isEmpty, locations: locations,
            hasLocations: !locations.isEmpty, draftName: draftName, displaysLink: "/admin/displays?org=\(scope.orgId)")
        return try AdminShell.page(
            responder, "admin_kiosks", title: t["kiosks.title"], page: view, scope: scope, request: request, context: context,
            status: status, flash: flash, t: t)
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
