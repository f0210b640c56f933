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
        /// That nobody matches the query, in the reader's language.
        let noMatchesText: String

        init(query: String, matches: [MatchLine], searched: Bool, t: Messages) {
            self.query = query
            self.matches = matches
            self.searched = searched
            self.noMatches = searched && matches.isEmpty
            self.noMatchesText = t("kiosk.noMatches", ["query": query])
        }
    }

    struct PinView {
        let bookingId: String
        let name: String
        let className: String
        let time: String
        /// "Hi Maya L."
        let greeting: String
        /// "Vinyasa · 18:00. Enter your 4-digit PIN."
        let lead: String
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

    /// The kiosk and its studio, and the language the kiosk speaks: a studio screen, read by whoever
    /// stands at the door, so the studio's default, else the browser's (`ScreenLanguage`). A refused
    /// link names no studio: its page is in the browser's language.
    func verified(_ request: Request, context: AppRequestContext) async throws -> Result<(Kiosk, Organization, Messages), DomainError> {
        let (kiosk, org): (Kiosk, Organization)
        do {
            (kiosk, org) = try await KioskRoutes(services: services).verified(request, context: context, t: PageLanguage.browser(request))
        } catch let error as DomainError where error.status == 403 {
            return .failure(error)
        }
        return .success((kiosk, org, try await ScreenLanguage.messages(services, request, orgId: org.id)))
    }

    func linkRefused(_ error: DomainError, request: Request, context: AppRequestContext) throws -> Response {
        let t = PageLanguage.browser(request)
        let headline =
            switch error.refusal {
            case .displayRevoked: t["kiosk.error.revoked"]
            case .displayURLExpired: t["kiosk.error.expired"]
            default: t["kiosk.error.invalid"]
            }
        var response = try responder.page(
            "kiosk_error", title: t["kiosk.error.title"], page: ErrorView(headline: headline, message: error.message), request: request,
            context: context, status: .forbidden, bodyClass: "kiosk", noReferrer: true, messages: t)
        KioskRoutes.keepPrivate(&response)
        return response
    }

    /// What the kiosk says about a refusal. The kiosk's own refusals are worded in the reader's language
    /// by `KioskService`; the check-in path's and the form's are worded here. Anything else keeps its
    /// (English) message, as refusals do elsewhere (docs/i18n.md).
    static func refusalText(_ error: DomainError, org: Organization, t: Messages) -> String {
        switch error.refusal {
        case .csrfFailed: t["kiosk.refusal.csrfFailed"]
        case .checkinNotOpen: t("kiosk.refusal.checkinNotOpen", ["minutes": t.number(org.checkinOpensMinutesBefore)])
        case .checkinClosed: t["kiosk.refusal.checkinClosed"]
        case .sessionCancelled: t["kiosk.refusal.sessionCancelled"]
        default: error.message
        }
    }

    func render(
        _ kiosk: Kiosk, org: Organization, t: Messages, request: Request, context: AppRequestContext, search: SearchView? = nil,
        pin: PinView? = nil, done: DoneView? = nil, status: HTTPResponse.Status = .ok, error: DomainError? = nil
    ) throws -> Response {
        let query = request.uri.queryParameters
        let exp = Self.queryValue(query.get("exp")), sig = Self.queryValue(query.get("sig"))
        let view = View(
            kioskName: kiosk.name, organizationName: org.name, startURL: "/kiosk/\(kiosk.id)?exp=\(exp)&sig=\(sig)", exp: exp, sig: sig,
            search: search ?? (pin == nil && done == nil ? SearchView(query: "", matches: [], searched: false, t: t) : nil),
            pin: pin, done: done, returnSeconds: Self.returnSeconds)
        var response = try responder.page(
            "kiosk", title: kiosk.name, page: view, request: request, context: context, status: status, orgName: org.name,
            brand: org.primaryColor, bodyClass: "kiosk",
            flash: error.map { PageFrame.Flash(ok: false, message: Self.refusalText($0, org: org, t: t)) }, noReferrer: true, messages: t)
        KioskRoutes.keepPrivate(&response)
        return response
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (kiosk, org, t): (Kiosk, Organization, Messages)
        switch try await verified(request, context: context) {
        case .success(let found): (kiosk, org, t) = found
        case .failure(let error): return try linkRefused(error, request: request, context: context)
        }
        let query = request.uri.queryParameters
        if let bookingId = query.get("booking") {
            do {
                let booking = try await kiosks.booking(kiosk, org: org, bookingId: bookingId, t: t)
                return try render(kiosk, org: org, t: t, request: request, context: context, pin: pinView(booking, org: org, t: t))
            } catch let error as DomainError where error.kind == .notFound {
                return try render(kiosk, org: org, t: t, request: request, context: context, status: .notFound, error: error)
            }
        }
        guard let q = query.get("q") else { return try render(kiosk, org: org, t: t, request: request, context: context) }
        do {
            let base = "/kiosk/\(kiosk.id)?exp=\(Self.queryValue(query.get("exp")))&sig=\(Self.queryValue(query.get("sig")))"
            let matches = try await kiosks.search(kiosk, org: org, query: q, t: t).map {
                MatchLine(
                    name: $0.name, className: $0.className, time: $0.time, url: "\(base)&booking=\($0.bookingId)",
                    alreadyCheckedIn: $0.alreadyCheckedIn)
            }
            let search = SearchView(query: q, matches: matches, searched: true, t: t)
            return try render(kiosk, org: org, t: t, request: request, context: context, search: search)
        } catch let error as DomainError where (400..<500).contains(error.status) {
            let search = SearchView(query: String(q.prefix(KioskPin.maximumQueryLength)), matches: [], searched: false, t: t)
            return try render(
                kiosk, org: org, t: t, request: request, context: context, search: search, status: HTTPResponse.Status(code: error.status),
                error: error)
        }
    }

    func pinView(_ booking: KioskBooking, org: Organization, t: Messages) -> PinView {
        let local = t.localTime(timezone: org.timezone, now: services.now)
        let name = KioskNames.labels([booking.name])[0]
        let time = local.time(booking.startsAt)
        return PinView(
            bookingId: booking.bookingId, name: name, className: booking.className, time: time,
            greeting: t("kiosk.pin.greeting", ["name": name]),
            lead: t("kiosk.pin.lead", ["className": booking.className, "time": time]))
    }

    struct Form: Decodable {
        let csrf: String?
        let booking: String?
        let pin: String?
    }

    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (kiosk, org, t): (Kiosk, Organization, Messages)
        switch try await verified(request, context: context) {
        case .success(let found): (kiosk, org, t) = found
        case .failure(let error): return try linkRefused(error, request: request, context: context)
        }
        let form = try await request.decodeForm(Form.self, context: context)
        do {
            try PageCSRF.check(request, field: form.csrf)
            let outcome = try await kiosks.checkIn(kiosk, org: org, bookingId: form.booking, pin: form.pin, t: t)
            let done = DoneView(
                headline: outcome.alreadyCheckedIn
                    ? t("kiosk.done.already", ["name": outcome.name]) : t("kiosk.done.welcome", ["name": outcome.name]),
                text: t("kiosk.done.text", ["className": outcome.className, "time": outcome.time]))
            return try render(kiosk, org: org, t: t, request: request, context: context, done: done)
        } catch let error as DomainError where (400..<500).contains(error.status) {
            let status = HTTPResponse.Status(code: error.status)
            if error.kind != .notFound, let booking = try? await kiosks.booking(kiosk, org: org, bookingId: form.booking) {
                return try render(
                    kiosk, org: org, t: t, request: request, context: context, pin: pinView(booking, org: org, t: t), status: status,
                    error: error)
            }
            return try render(kiosk, org: org, t: t, request: request, context: context, status: status, error: error)
        }
    }
}
