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
        let pages = root.signedIn(services, fallback: Self.path, reason: .kioskPin)
        pages.get("me/kiosk-pin", use: show)
        pages.post("me/kiosk-pin", use: save)
    }

    struct View {
        let hasPin: Bool
    }

    /// The page's language: the person's own choice, else the browser's (one PIN serves every studio,
    /// so no studio's default applies).
    func messages(_ request: Request, context: AppRequestContext) async throws -> Messages {
        try await PageLanguage.messages(services, request, context)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let t = try await messages(request, context: context)
        let flash: PageFrame.Flash? =
            request.uri.queryParameters.get("done") == "set" ? PageFrame.Flash(ok: true, message: t["kiosk.pinPage.saved"]) : nil
        return try await page(request, context: context, t: t, flash: flash)
    }

    func page(
        _ request: Request, context: AppRequestContext, t: Messages, status: HTTPResponse.Status = .ok, flash: PageFrame.Flash? = nil
    ) async throws -> Response {
        let user = try context.requireUser()
        let hasPin = try await KioskPinsStore(database: services.database).hasPin(userId: user.id)
        return try responder.page(
            "kiosk_pin", title: t["kiosk.pinPage.title"], page: View(hasPin: hasPin), request: request, context: context, status: status,
            bodyClass: "member", flash: flash, messages: t)
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
        let t = try await messages(request, context: context)
        do {
            try await KioskService(services: services).setPin(userId: user.id, pin: form.pin, repeated: form.pinRepeat, t: t)
        } catch let error as DomainError where error.kind == .invalid {
            return try await page(
                request, context: context, t: t, status: .badRequest, flash: PageFrame.Flash(ok: false, message: error.message))
        }
        return PageResponder.redirect(to: "\(Self.path)?done=set")
    }
}
