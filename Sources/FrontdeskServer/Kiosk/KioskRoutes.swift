import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The door kiosk's JSON, behind its signed URL (no login: the link is the credential), for a kiosk
/// app or script: `GET /kiosk/:kiosk/members?exp=&sig=&q=` (who may check in, by the first letters of
/// their name) and `POST /kiosk/:kiosk/checkin?exp=&sig=` with `{"bookingId", "pin"}`. The pages
/// (`KioskPage`), the back office (`AdminKiosksPage`) and the PIN form (`KioskPinPage`) are
/// registered from here too.
struct KioskRoutes {
    let services: AppServices
    var kiosks: KioskService { KioskService(services: services) }

    func register(_ root: Routes) {
        root.get("kiosk/:kiosk/members", use: members)
        root.post("kiosk/:kiosk/checkin", use: checkIn)
        KioskPage(services: services).register(root)
        AdminKiosksPage(services: services).register(root)
        KioskPinPage(services: services).register(root)
    }

    /// The kiosk named by the request's path and signed query, verified (refusals worded in `t`:
    /// English for the JSON, the reader's language for the page).
    func verified(_ request: Request, context: AppRequestContext, t: Messages = .english) async throws -> (Kiosk, Organization) {
        let query = request.uri.queryParameters
        return try await kiosks.verified(id: context.parameters.get("kiosk"), exp: query.get("exp"), sig: query.get("sig"), t: t)
    }

    /// No caching, and the signed URL never leaves through `Referer`.
    static func keepPrivate(_ response: inout Response) {
        response.headers[.cacheControl] = "no-store"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
    }

    @Sendable func members(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (kiosk, org) = try await verified(request, context: context)
        let items = try await kiosks.search(kiosk, org: org, query: request.uri.queryParameters.get("q"))
        var response = try ItemList(items: items).response(from: request, context: context)
        Self.keepPrivate(&response)
        return response
    }

    struct CheckinBody: Decodable {
        let bookingId: String
        let pin: String
    }

    @Sendable func checkIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (kiosk, org) = try await verified(request, context: context)
        let body = try await request.decodeJSON(CheckinBody.self, context: context)
        let outcome = try await kiosks.checkIn(kiosk, org: org, bookingId: body.bookingId, pin: body.pin)
        var response = try outcome.response(from: request, context: context)
        Self.keepPrivate(&response)
        return response
    }
}
