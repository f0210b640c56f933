import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The public schedule's pages (no login): `GET /studios/:org/schedule` (a week, for anyone),
/// `GET /studios/:org/widget` (the same week for an iframe on the studio's own website, framed only by
/// the origins the studio lists) and `GET /studios/:org/widget.js` (the one-line embed script that
/// inserts that iframe). Every answer is the same for every visitor of one language and carries an ETag.
///
/// Language (docs/i18n.md, docs/public-schedule.md): readers are strangers, so the studio's default
/// decides, else the browser's `Accept-Language` (the answer then says `Vary: Accept-Language`), else
/// English. Each also takes `?lang=de|en`, which the studio's snippet may set (`widget.js?lang=de`)
/// and which wins over both; any other value is ignored.
struct PublicPages {
    let services: AppServices
    var schedule: PublicSchedule { PublicSchedule(services: services) }

    func register(_ root: Routes) {
        root.get("studios/:org/schedule", use: page)
        root.get("studios/:org/widget", use: widget)
        root.get("studios/:org/widget.js", use: script)
    }

    struct Card {
        let id: String
        let time: String
        let name: String
        let meta: String
        let state: String
        let stateLabel: String
        let bookable: Bool
        let bookHref: String
        let bookLabel: String
        let newTab: Bool
    }

    struct Day {
        let label: String
        let isToday: Bool
        let classes: [Card]
        let empty: Bool
    }

    struct WeekView {
        let studioName: String
        let intro: String
        let title: String
        let previous: String?
        let next: String
        let days: [Day]
        let fullHref: String
        let fullLabel: String
    }

    /// The language of a public answer and whether the browser decided it (then it varies by `Accept-Language`).
    struct Reader {
        let t: Messages
        let byBrowser: Bool
        /// The `?lang=` the widget was asked in, carried on into its links ("" when none).
        let query: String
    }

    /// `?lang=`, else the studio's default, else the browser, else English.
    static func reader(_ request: Request, studioDefault: String?) -> Reader {
        if let asked = Language(code: request.uri.queryParameters.get("lang")) {
            return Reader(t: Messages.of(asked), byBrowser: false, query: asked.rawValue)
        }
        if let studio = Language(code: studioDefault) { return Reader(t: Messages.of(studio), byBrowser: false, query: "") }
        return Reader(t: PageLanguage.browser(request), byBrowser: true, query: "")
    }

    /// The reader of a studio's public answer (one small read of the studio's default).
    func reader(_ request: Request, org: Organization) async throws -> Reader {
        let stored = try await LanguagesStore(database: services.database).settings(userId: nil, orgId: org.id)
        return Self.reader(request, studioDefault: stored.studio)
    }

    /// `Vary: Accept-Language` when the browser chose the language, so shared caches keep one copy per language.
    static func vary(_ headers: inout HTTPFields, _ reader: Reader) {
        if reader.byBrowser { headers[.vary] = "Accept-Language" }
    }

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await render(request, context: context, widget: false)
    }

    @Sendable func widget(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await render(request, context: context, widget: true)
    }

    func render(_ request: Request, context: AppRequestContext, widget: Bool) async throws -> Response {
        let org: Organization
        let settings: PublicScheduleSettings
        do {
            try schedule.admit(request, context: context)
            (org, settings) = try await schedule.studio(context.parameters.get("org"))
        } catch let error as DomainError {
            return try refusal(error, request: request)
        }
        let reader = try await reader(request, org: org)
        let t = reader.t
        let calendar = OrgCalendar(timezone: org.timezone)
        let start = schedule.firstDay(request.uri.queryParameters.get("week"), calendar: calendar)
        let end = calendar.startOfDay(start, addingDays: 7)
        let range = try await schedule.range(org: org, settings: settings, from: start, to: end)
        let view = weekView(range, calendar: calendar, widget: widget, reader: reader)
        let brand = PageResponder.brand(org.primaryColor)
        let frame = PageFrame(
            title: t["public.title"], brandColor: brand, nonce: "", orgName: org.name, userName: nil,
            csrf: "", bodyClass: widget ? "member public widget" : "member public", flash: nil, page: view,
            lang: t.language.rawValue, t: t.tree.root)
        let html = try services.pages.render(frame, template: widget ? "public_widget" : "public_schedule")
        var headers = PublicCaching.pageHeaders(
            brandStyle: ":root{--brand:\(brand)}", frameAncestors: widget ? settings.embedOrigins : nil)
        Self.vary(&headers, reader)
        return PublicCaching.response(
            request, body: html, contentType: "text/html; charset=utf-8", maxAge: PublicCaching.scheduleMaxAge, headers: headers,
            variant: widget ? settings.embedOrigins.joined(separator: " ") : "")
    }

    func weekView(_ range: PublicSchedule.Range, calendar: OrgCalendar, widget: Bool, reader: Reader) -> WeekView {
        let now = services.now
        let t = reader.t
        let local = t.localTime(timezone: range.org.timezone, now: now)
        // The page keeps the `?lang=` it was asked in on its own links.
        let lang = reader.query.isEmpty ? "" : "lang=\(reader.query)&"
        let base = "/studios/\(range.org.id)/\(widget ? "widget" : "schedule")?\(lang)"
        var days: [Day] = []
        for offset in 0..<7 {
            let dayStart = calendar.startOfDay(range.from, addingDays: offset)
            let dayEnd = calendar.startOfDay(range.from, addingDays: offset + 1)
            let cards = range.sessions.filter { $0.session.startsAt >= dayStart && $0.session.startsAt < dayEnd }.map {
                card(schedule.publicClass($0, org: range.org), session: $0, local: local, widget: widget, t: t)
            }
            days.append(
                Day(label: local.shortDay(dayStart), isToday: dayStart <= now && now < dayEnd, classes: cards, empty: cards.isEmpty))
        }
        let today = calendar.startOfDay(now)
        let earlier = max(today, calendar.startOfDay(range.from, addingDays: -7))
        let lastStart = calendar.startOfDay(today, addingDays: PublicSchedule.maxDaysAhead)
        let fullQuery = reader.query.isEmpty ? "" : "?lang=\(reader.query)"
        return WeekView(
            studioName: range.org.name, intro: t("public.intro", ["studio": range.org.name]),
            title: "\(local.shortDay(range.from)) – \(local.shortDay(calendar.startOfDay(range.from, addingDays: 6)))",
            previous: range.from > today ? "\(base)week=\(calendar.localDateString(earlier))" : nil,
            next: "\(base)week=\(calendar.localDateString(min(range.to, lastStart)))", days: days,
            fullHref: "\(services.configuration.publicBaseURL)/studios/\(range.org.id)/schedule\(fullQuery)",
            fullLabel: t("public.fullSchedule", ["studio": range.org.name]))
    }

    func card(_ c: PublicSchedule.PublicClass, session s: ScheduledSession, local: LocalTime, widget: Bool, t: Messages) -> Card {
        let state: (String, String)
        if c.started {
            state = ("started", t["public.state.started"])
        } else if c.full {
            state = ("full", t["public.state.full"])
        } else {
            state = ("open", t.plural("public.state.open", count: c.spotsLeft))
        }
        return Card(
            id: c.id, time: local.range(s.session.startsAt, s.session.endsAt), name: c.name,
            meta: [c.coach, c.location].compactMap { $0 }.joined(separator: " · "), state: state.0, stateLabel: state.1,
            bookable: c.bookable, bookHref: widget ? c.bookUrl : PublicSchedule.bookPath(c.id),
            bookLabel: c.full ? t["public.joinWaitlist"] : t["public.bookButton"], newTab: widget)
    }

    /// `GET /studios/:org/widget.js`: inserts the widget's iframe right after the `<script>` element that
    /// loaded it, and lets the frame tell its height (only from the frame's own window and origin).
    @Sendable func script(_ request: Request, context: AppRequestContext) async throws -> Response {
        try schedule.admit(request, context: context)
        let (org, _) = try await schedule.studio(context.parameters.get("org"))
        let reader = try await reader(request, org: org)
        let lang = reader.query.isEmpty ? "" : "?lang=\(reader.query)"
        let base = services.configuration.publicBaseURL
        let origin =
            URL(string: base).flatMap { url in
                url.host.map { host in "\(url.scheme ?? "https")://\(host)" + (url.port.map { ":\($0)" } ?? "") }
            } ?? base
        let js = """
            (function () {
              "use strict";
              var script = document.currentScript;
              if (!script || !script.parentNode) return;
              var frame = document.createElement("iframe");
              frame.src = \(Self.jsString(base + "/studios/" + org.id + "/widget" + lang));
              frame.title = \(Self.jsString(reader.t("public.frameTitle", ["studio": org.name])));
              frame.setAttribute("data-frontdesk-widget", "");
              frame.style.cssText = "display:block;width:100%;min-height:420px;border:0";
              script.parentNode.insertBefore(frame, script.nextSibling);
              window.addEventListener("message", function (event) {
                if (event.source !== frame.contentWindow || event.origin !== \(Self.jsString(origin))) return;
                var height = Number(event.data && event.data.height);
                if (height > 0) frame.style.height = Math.min(Math.max(height, 200), 6000) + "px";
              });
            })();

            """
        var headers: HTTPFields = [:]
        headers[.init("Cross-Origin-Resource-Policy")!] = "cross-origin"
        Self.vary(&headers, reader)
        return PublicCaching.response(
            request, body: js, contentType: "text/javascript; charset=utf-8", maxAge: PublicCaching.scriptMaxAge, headers: headers)
    }

    /// A JavaScript string literal of `text`, safe inside a script (no `</script>`, no line separators).
    static func jsString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "<", ">", "&", "'", "\u{2028}", "\u{2029}": out += String(format: "\\u%04x", scalar.value)
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A refusal as a small page that is never cached: 404 for an unknown or private studio, 429 past the budget.
    /// No studio is known, so `?lang=`, else the browser, decides the language.
    func refusal(_ error: DomainError, request: Request) throws -> Response {
        let t = Self.reader(request, studioDefault: nil).t
        let message =
            error.kind == .notFound
            ? PageMessage(headline: t["public.notFound.headline"], text: t["public.notFound.text"])
            : PageMessage(headline: t["public.rateLimited.headline"], text: t["public.rateLimited.text"])
        let frame = PageFrame(
            title: t["public.title"], brandColor: PageResponder.defaultBrand, nonce: "", orgName: nil, userName: nil, csrf: "",
            bodyClass: "member", flash: nil, page: message, lang: t.language.rawValue, t: t.tree.root)
        let html = try services.pages.render(frame, template: "message")
        var headers = PublicCaching.pageHeaders(brandStyle: ":root{--brand:\(PageResponder.defaultBrand)}", frameAncestors: nil)
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        if error.kind == .rateLimited { headers[.retryAfter] = "60" }
        return Response(
            status: HTTPResponse.Status(code: error.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
