import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The wall screen: `GET /display/:id?exp=&sig=` (the full page, first state rendered on the
/// server) and `GET /display/:id/events?exp=&sig=` (server-sent events). The JSON state the page
/// refreshes from is `DisplayRoutes.state`. A bad, expired or revoked link gets a full-screen
/// message and no data.
struct DisplayPage {
    let services: AppServices
    var routes: DisplayRoutes { DisplayRoutes(services: services) }
    var responder: PageResponder { PageResponder(services: services) }

    func register(_ root: Routes) {
        root.get("display/:display", use: show)
        root.get("display/:display/events", use: events)
    }

    struct View {
        let stateURL: String
        let eventsURL: String
        let serverNow: Int64
        let timezone: String
        /// The browser locale the script formats times with ("en-GB", "de-DE").
        let locale: String
        let organizationName: String
        let clock: String
        let current: Current?
        let idle: Idle?
    }

    struct Current {
        let className: String
        let time: String
        let coachName: String?
        let locationName: String
        let svg: String
        let expiresAt: Int64
        let validUntil: Int64
        let secondsUntilRotation: Int
        let checkedInCount: Int
        let capacity: Int
        let names: [String]
    }

    struct Idle {
        let nextLine: String
    }

    struct ErrorView {
        let headline: String
        let message: String
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let now = services.now
        let display: Display
        let org: Organization
        do {
            (display, org) = try await routes.verifiedDisplay(request, context: context, now: now)
        } catch let error as DomainError where error.status == 403 {
            // No studio is known from a refused link: the browser's language.
            let t = PageLanguage.browser(request)
            let view: ErrorView =
                switch error.refusal {
                case .displayRevoked:
                    ErrorView(headline: t["display.error.display_revoked.headline"], message: t["display.error.display_revoked.message"])
                case .displayURLExpired:
                    ErrorView(
                        headline: t["display.error.display_url_expired.headline"], message: t["display.error.display_url_expired.message"])
                case .invalidDisplayURL:
                    ErrorView(
                        headline: t["display.error.invalid_display_url.headline"], message: t["display.error.invalid_display_url.message"])
                default: ErrorView(headline: t["display.error.invalid_display_url.headline"], message: error.message)
                }
            return try responder.page(
                "display_error", title: t["display.error.title"], page: view, request: request, context: context, status: .forbidden,
                bodyClass: "display", noReferrer: true, messages: t)
        }
        await routes.displays.seen(display)
        let state = try await routes.screenState(display: display, org: org, now: now)
        let t = try await ScreenLanguage.messages(services, request, orgId: org.id)
        let local = t.localTime(timezone: org.timezone, now: now)
        let query = "?exp=\(Self.queryValue(request, "exp"))&sig=\(Self.queryValue(request, "sig"))"
        var current: Current?
        if let session = state.session, let qr = state.qr, let svg = qr.svg {
            current = Current(
                className: session.className, time: local.range(session.startsAt, session.endsAt), coachName: session.coachName,
                locationName: session.locationName, svg: svg.text, expiresAt: qr.expiresAt.epochMilliseconds,
                validUntil: qr.validUntil.epochMilliseconds, secondsUntilRotation: qr.secondsUntilRotation,
                checkedInCount: state.checkedInCount, capacity: session.capacity, names: state.checkedIn)
        }
        let view = View(
            stateURL: "/display/\(display.id)/state\(query)", eventsURL: "/display/\(display.id)/events\(query)",
            serverNow: now.epochMilliseconds, timezone: org.timezone, locale: ScreenLanguage.scriptLocale(t.language),
            organizationName: org.name,
            clock: local.time(now), current: current,
            idle: current == nil ? Idle(nextLine: Self.nextLine(state.next, local: local, t: t)) : nil
        )
        return try responder.page(
            "display", title: display.name, page: view, request: request, context: context,
            orgName: org.name, brand: org.primaryColor, bodyClass: "display", noReferrer: true, messages: t)
    }

    /// "Next: Vinyasa Flow at 18:00 with Ana Pérez", or that nothing more is scheduled.
    static func nextLine(_ next: DisplayRoutes.ScreenSession?, local: LocalTime, t: Messages = .english) -> String {
        guard let next else { return t["display.noMoreClasses"] }
        let values = ["className": next.className, "time": local.dayAndTime(next.startsAt)]
        guard let coach = next.coachName else { return t("display.next", values) }
        return t("display.nextWithCoach", values.merging(["coach": coach]) { $1 })
    }

    /// A query value re-encoded for the page's own links (the signature is URL-safe already; this
    /// keeps anything else from breaking out of the attribute or the URL).
    static func queryValue(_ request: Request, _ name: String) -> String {
        let value = request.uri.queryParameters.get(name) ?? ""
        return value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_."))) ?? ""
    }

    /// The display's live events, while its link holds: the stream ends when the display is rotated or
    /// revoked (see `ServerSentEvents`). At most `maxStreamsPerDisplay` per display, else 429.
    @Sendable func events(_ request: Request, context: AppRequestContext) async throws -> Response {
        // Subscribed before the link is checked: a rotation announced right after the check still ends the stream.
        let events = services.checkinEvents.subscribe()
        let (display, _) = try await routes.verifiedDisplay(request, context: context, now: services.now)
        let slot = try ServerSentEvents.slot(request, context: context, services: services, displayId: display.id)
        // Held streams count as seen: on opening, and at each keep-alive's re-check of the link.
        let displays = routes.displays
        await displays.seen(display)
        return ServerSentEvents.response(
            events: events, organizationId: display.organizationId, slot: slot,
            watch: .link(of: display, store: routes.store, logger: services.logger) { await displays.seen($0) }, closedBy: request)
    }
}

/// The language of a studio's screens, the wall display and the door kiosk (docs/i18n.md): nobody
/// reads them signed in (a browser that also holds someone's login still shows the studio's screen),
/// so the studio's default, else the browser's `Accept-Language`, else English.
enum ScreenLanguage {
    static func messages(_ services: AppServices, _ request: Request, orgId: String) async throws -> Messages {
        let stored = try await LanguagesStore(database: services.database).settings(userId: nil, orgId: orgId)
        return Messages.of(
            Language.resolve(userChoice: nil, studioDefault: Language(code: stored.studio), acceptLanguage: PageLanguage.accepted(request)))
    }

    /// The BCP 47 tag a screen's script formats dates with, matching `Language.locale`.
    static func scriptLocale(_ language: Language) -> String {
        switch language {
        case .en: "en-GB"
        case .de: "de-DE"
        }
    }
}
