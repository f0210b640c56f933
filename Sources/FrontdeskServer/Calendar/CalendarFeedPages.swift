import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The calendar-feed section of My bookings and of the coach page, and its form posts:
/// `POST /me/bookings/calendar-feed` and `POST /coach/calendar-feed` with `action=new` (make the link, or a
/// new one: the old URL stops working) or `action=off` (no link at all). Cookie login and the CSRF
/// form token, like every other form there. Only the secret's hash is stored, so the URL is shown
/// once, on the page that answers the post (never cached, never sent on as a Referer). Its words are
/// the `calendar` area of the catalogues, in the language of the page around it.
struct CalendarFeedPages {
    let services: AppServices
    var store: CalendarFeedsStore { CalendarFeedsStore(database: services.database) }

    func register(_ root: Routes) {
        root.signedIn(services, fallback: "/me/bookings", reason: .bookings)
            .post("me/bookings/calendar-feed", use: memberPost)
        root.signedIn(services, fallback: "/coach", reason: .coach)
            .post("coach/calendar-feed", use: coachPost)
    }

    /// What the templates show.
    struct Section {
        let active: Bool
        let since: String?
        /// "Your calendar link is on (made …)" in the page's language.
        let activeText: String?
        /// The feed's URL, only in the answer to the post that made it.
        let url: String?
        /// The same URL for calendar apps (`webcal://`).
        let webcalURL: String?
        let action: String
        let orgId: String?
        let locationId: String?
    }

    /// The member's section: whether their bookings feed is on, in the page's language `t`.
    func memberSection(userId: String, issued: (CalendarFeed, String)? = nil, t: Messages = .english) async throws -> Section {
        var feed = issued?.0
        if feed == nil { feed = try await store.feed(userId: userId, kind: .bookings, membershipId: nil) }
        return section(feed, secret: issued?.1, timezone: "UTC", action: "/me/bookings/calendar-feed", orgId: nil, locationId: nil, t: t)
    }

    /// A staff membership's section: whether the feed of the classes it teaches is on, in the page's language `t`.
    func coachSection(
        _ scope: OrgScope, locationId: String, issued: (CalendarFeed, String)? = nil, t: Messages = .english
    ) async throws -> Section {
        var feed = issued?.0
        if feed == nil { feed = try await store.feed(userId: scope.user.id, kind: .teaching, membershipId: scope.membership.id) }
        return section(
            feed, secret: issued?.1, timezone: scope.organization.timezone, action: "/coach/calendar-feed", orgId: scope.orgId,
            locationId: locationId, t: t)
    }

    func section(
        _ feed: CalendarFeed?, secret: String?, timezone: String, action: String, orgId: String?, locationId: String?, t: Messages
    ) -> Section {
        let url = feed.flatMap { feed in
            secret.map { CalendarFeedRoutes.url(base: services.configuration.publicBaseURL, feed: feed, secret: $0) }
        }
        let webcal = url.map { "webcal://" + ($0.components(separatedBy: "://").dropFirst().first ?? $0) }
        let since = feed.map { t.localTime(timezone: timezone, now: services.now).longDate($0.rotatedAt) }
        return Section(
            active: feed != nil, since: since, activeText: since.map { t("calendar.on", ["since": $0]) }, url: url,
            webcalURL: webcal, action: action, orgId: orgId, locationId: locationId)
    }

    struct Form: Decodable {
        let csrf: String?
        let action: String?
        let org: String?
        let location: String?
    }

    enum Action: String {
        case new, off
    }

    static func action(_ form: Form) throws -> Action {
        guard let action = form.action.flatMap(Action.init(rawValue:)) else {
            throw DomainError.invalidField("action", "must be new or off.")
        }
        return action
    }

    /// A new secret for the feed of `kind`: the row keeps only its hash.
    func issue(userId: String, kind: CalendarFeed.Kind, membershipId: String?) async throws -> (CalendarFeed, String) {
        let secret = SecretToken.generate()
        let feed = try await store.issue(
            userId: userId, kind: kind, membershipId: membershipId, secretHash: SecretToken.hash(secret), now: services.now)
        return (feed, secret)
    }

    // MARK: POST /me/bookings/calendar-feed

    @Sendable func memberPost(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.decodeForm(Form.self, context: context)
        try PageCSRF.check(request, field: form.csrf)
        let user = try context.requireUser()
        switch try Self.action(form) {
        case .off:
            try await store.remove(userId: user.id, kind: .bookings, membershipId: nil)
            return PageResponder.redirect(to: "/me/bookings?done=calendar_off")
        case .new:
            let issued = try await issue(userId: user.id, kind: .bookings, membershipId: nil)
            // My bookings' language: the member's own choice, else the browser (no studio default).
            let t = try await PageLanguage.messages(services, request, context)
            let section = try await memberSection(userId: user.id, issued: issued, t: t)
            return try await MemberPages(services: services).bookingsPage(
                request, context: context, calendarFeed: section, flash: PageFrame.Flash(ok: true, message: t["calendar.ready"]))
        }
    }

    // MARK: POST /coach/calendar-feed

    @Sendable func coachPost(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.decodeForm(Form.self, context: context)
        try PageCSRF.check(request, field: form.csrf)
        let scope = try await OrgAccess(services: services).scope(context, orgId: form.org ?? "", requiring: .staff)
        let action = try Self.action(form)
        let location = LocalPath.queryValue(form.location)
        switch action {
        case .off:
            try await store.remove(userId: scope.user.id, kind: .teaching, membershipId: scope.membership.id)
            return PageResponder.redirect(to: "/coach?org=\(scope.orgId)&location=\(location)&done=calendar_off")
        case .new:
            let issued = try await issue(userId: scope.user.id, kind: .teaching, membershipId: scope.membership.id)
            let t = try await PageLanguage.messages(services, request, context, orgId: scope.orgId)
            let page = CoachPage(services: services)
            guard let selection = try await page.select(context, orgId: scope.orgId, locationId: form.location) else {
                throw DomainError.forbidden()
            }
            var view = try await page.view(selection, sessionId: nil, search: nil, request: request, t: t)
            view.calendarFeed = try await coachSection(scope, locationId: selection.location?.id ?? "", issued: issued, t: t)
            return try PageResponder(services: services).page(
                "coach", title: t["coach.title"], page: view, request: request, context: context,
                orgName: scope.organization.name, brand: scope.organization.primaryColor, bodyClass: "coach",
                flash: PageFrame.Flash(ok: true, message: t["calendar.ready"]), noReferrer: true, messages: t)
        }
    }
}
