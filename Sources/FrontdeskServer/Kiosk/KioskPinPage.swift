import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The signed-in person's kiosk PIN, `GET|POST /me/kiosk-pin` (the form also sits on My bookings):
/// four digits, typed twice, not a trivial one; CSRF-checked. One PIN serves every studio the person
/// belongs to, and setting it clears wrong attempts and a lock.
struct KioskPinPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }

    static let path = "/me/kiosk-pin"

    func register(_ root: Routes) {
        let pages = root.signedIn(services, fallback: Self.path, reason: "Log in to set your kiosk PIN.")
        pages.get("me/kiosk-pin", use: show)
        pages.post("me/kiosk-pin", use: save)
    }

    struct View {
        let hasPin: Bool
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let flash: PageFrame.Flash? =
            request.uri.queryParameters.get("done") == "set"
            ? PageFrame.Flash(ok: true, message: "Your kiosk PIN is set. Use it at the studio's door kiosk.") : nil
        return try await page(request, context: context, flash: flash)
    }

    func page(
        _ request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok, flash: PageFrame.Flash? = nil
    ) async throws -> Response {
        let user = try context.requireUser()
        let hasPin = try await KioskPinsStore(database: services.database).hasPin(userId: user.id)
        return try responder.page(
            "kiosk_pin", title: "Kiosk PIN", page: View(hasPin: hasPin), request: request, context: context, status: status,
            bodyClass: "member", flash: flash)
    }

    struct Form: Decodable {
        let csrf: String?
        let pin: String?
        let pinRepeat: String?
    }

    @Sendable func save(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let form = try await request.decodeForm(Form.self, context: context)
        try PageCSRF.check(request, field: form.csrf)
        do {
            try await KioskService(services: services).setPin(userId: user.id, pin: form.pin, repeated: form.pinRepeat)
        } catch let error as DomainError where error.kind == .invalid {
            return try await page(request, context: context, status: .badRequest, flash: PageFrame.Flash(ok: false, message: error.message))
        }
        return PageResponder.redirect(to: "\(Self.path)?done=set")
    }
}
