import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The kiosk's page for a tablet at the door, `GET /kiosk/:kiosk?exp=&sig=`: type the first letters
/// of your name (`&q=`), tap yourself (`&booking=`), enter your PIN (`POST`, a CSRF-checked form), and
/// see the result, which returns to the start by itself. Plain forms with big targets; a small script
/// adds a number pad. A bad, expired or revoked link shows a full-screen message and no studio data.
struct KioskPage {
    let services: AppServices
    var kiosks: KioskService { KioskService(services: services) }
    var responder: PageResponder { PageResponder(services: services) }

    func register(_ root: Routes) {
        root.get("kiosk/:kiosk", use: show)
        root.post("kiosk/:kiosk", use: submit)
    }

    struct MatchLine {
        let name: String
        let className: String
        let time: String
        let url: String
        let alreadyCheckedIn: Bool
    }

    struct SearchView {
        let query: String
        let matches: [MatchLine]
        let searched: Bool
        let noMatches: Bool
    }

    struct PinView {
        let bookingId: String
        let name: String
        let className: String
        let time: String
    }

    struct DoneView {
        let headline: String
        let text: String
    }

    struct View {
        let kioskName: String
        let organizationName: String
        /// The kiosk's own URL (path and signed query), the start screen.
        let startURL: String
        let exp: String
        let sig: String
        let search: SearchView?
        let pin: PinView?
        let done: DoneView?
        /// Seconds before the result screen goes back to the start.
        let returnSeconds: Int
    }

    struct ErrorView {
        let headline: String
        let message: String
    }

    /// Seconds the result stays on screen.
    static let returnSeconds = 8

    /// A query value re-encoded for the page's own links and fields.
    static func queryValue(_ value: String?) -> String {
        (value ?? "").addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_."))) ?? ""
    }

    func verified(_ request: Request, context: AppRequestContext) async throws -> Result<(Kiosk, Organization), DomainError> {
        do {
            return .success(try await KioskRoutes(services: services).verified(request, context: context))
        } catch let error as DomainError where error.status == 403 {
            return .failure(error)
        }
    }

    func linkRefused(_ error: DomainError, request: Request, context: AppRequestContext) throws -> Response {
        let headline =
            switch error.refusal {
            case .displayRevoked: "This kiosk has been switched off"
            case .displayURLExpired: "This kiosk's link has expired"
            default: "This kiosk's link is not valid"
            }
        var response = try responder.page(
            "kiosk_error", title: "Door kiosk", page: ErrorView(headline: headline, message: error.message), request: request,
            context: context, status: .forbidden, bodyClass: "kiosk", noReferrer: true)
        KioskRoutes.keepPrivate(&response)
        return response
    }

    func render(
        _ kiosk: Kiosk, org: Organization, request: Request, context: AppRequestContext, search: SearchView? = nil, pin: PinView? = nil,
        done: DoneView? = nil, status: HTTPResponse.Status = .ok, error: DomainError? = nil
    ) throws -> Response {
        let query = request.uri.queryParameters
        let exp = Self.queryValue(query.get("exp")), sig = Self.queryValue(query.get("sig"))
        let view = View(
            kioskName: kiosk.name, organizationName: org.name, startURL: "/kiosk/\(kiosk.id)?exp=\(exp)&sig=\(sig)", exp: exp, sig: sig,
            search: search ?? (pin == nil && done == nil ? SearchView(query: "", matches: [], searched: false, noMatches: false) : nil),
            pin: pin, done: done, returnSeconds: Self.returnSeconds)
        var response = try responder.page(
            "kiosk", title: kiosk.name, page: view, request: request, context: context, status: status, orgName: org.name,
            brand: org.primaryColor, bodyClass: "kiosk", flash: error.map { PageFrame.Flash(ok: false, message: $0.message) },
            noReferrer: true)
        KioskRoutes.keepPrivate(&response)
        return response
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (kiosk, org): (Kiosk, Organization)
        switch try await verified(request, context: context) {
        case .success(let found): (kiosk, org) = found
        case .failure(let error): return try linkRefused(error, request: request, context: context)
        }
        let query = request.uri.queryParameters
        if let bookingId = query.get("booking") {
            do {
                let booking = try await kiosks.booking(kiosk, org: org, bookingId: bookingId)
                return try render(kiosk, org: org, request: request, context: context, pin: pinView(booking, org: org))
            } catch let error as DomainError where error.kind == .notFound {
                return try render(kiosk, org: org, request: request, context: context, status: .notFound, error: error)
            }
        }
        guard let q = query.get("q") else { return try render(kiosk, org: org, request: request, context: context) }
        do {
            let base = "/kiosk/\(kiosk.id)?exp=\(Self.queryValue(query.get("exp")))&sig=\(Self.queryValue(query.get("sig")))"
            let matches = try await kiosks.search(kiosk, org: org, query: q).map {
                MatchLine(
                    name: $0.name, className: $0.className, time: $0.time, url: "\(base)&booking=\($0.bookingId)",
                    alreadyCheckedIn: $0.alreadyCheckedIn)
            }
            let search = SearchView(query: q, matches: matches, searched: true, noMatches: matches.isEmpty)
            return try render(kiosk, org: org, request: request, context: context, search: search)
        } catch let error as DomainError where (400..<500).contains(error.status) {
            let search = SearchView(query: String(q.prefix(KioskPin.maximumQueryLength)), matches: [], searched: false, noMatches: false)
            return try render(
                kiosk, org: org, request: request, context: context, search: search, status: HTTPResponse.Status(code: error.status),
                error: error)
        }
    }

    func pinView(_ booking: KioskBooking, org: Organization) -> PinView {
        let local = LocalTime(timezone: org.timezone, now: services.now)
        return PinView(
            bookingId: booking.bookingId, name: KioskNames.labels([booking.name])[0], className: booking.className,
            time: local.time(booking.startsAt))
    }

    struct Form: Decodable {
        let csrf: String?
        let booking: String?
        let pin: String?
    }

    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (kiosk, org): (Kiosk, Organization)
        switch try await verified(request, context: context) {
        case .success(let found): (kiosk, org) = found
        case .failure(let error): return try linkRefused(error, request: request, context: context)
        }
        let form = try await request.decodeForm(Form.self, context: context)
        do {
            try PageCSRF.check(request, field: form.csrf)
            let outcome = try await kiosks.checkIn(kiosk, org: org, bookingId: form.booking, pin: form.pin)
            let done = DoneView(
                headline: outcome.alreadyCheckedIn ? "You're already checked in, \(outcome.name)" : "Welcome, \(outcome.name)!",
                text: "You're checked in for \(outcome.className) at \(outcome.time). Enjoy the class.")
            return try render(kiosk, org: org, request: request, context: context, done: done)
        } catch let error as DomainError where (400..<500).contains(error.status) {
            let status = HTTPResponse.Status(code: error.status)
            if error.kind != .notFound, let booking = try? await kiosks.booking(kiosk, org: org, bookingId: form.booking) {
                return try render(
                    kiosk, org: org, request: request, context: context, pin: pinView(booking, org: org), status: status, error: error)
            }
            return try render(kiosk, org: org, request: request, context: context, status: status, error: error)
        }
    }
}
