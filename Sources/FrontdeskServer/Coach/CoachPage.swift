import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The coach's tablet, `GET /coach`: today's classes at one location and, for the chosen class, the
/// roster with one-tap check-in, undo and no-show, a walk-in search, and capacity and waitlist counts.
/// Server-rendered forms that work without JavaScript (each posts and comes back); `coach.js` adds
/// live updates from `GET /coach/events` by reloading the roster fragment `GET /coach/roster`.
/// Cookie login; every post carries the CSRF form token.
struct CoachPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }
    var store: CheckinStore { CheckinStore(database: services.database) }

    func register(_ root: Routes) {
        root.get("coach/roster", use: rosterFragment)
        root.get("coach/events", use: events)
        let tablet = root.signedIn(services, fallback: "/coach", reason: .coach)
        tablet.get("coach", use: show)
        tablet.get("coach/display", use: openDisplay)
        tablet.post("coach/checkin", use: checkIn)
        tablet.post("coach/undo", use: undo)
        tablet.post("coach/no-show", use: noShow)
    }

    // MARK: Views

    struct SessionTile {
        let id: String
        let name: String
        let time: String
        let coachName: String?
        let booked: Int
        let capacity: Int
        let waitlist: Int
        let selected: Bool
        let cancelled: Bool
        let link: String
    }

    struct RosterRow {
        let bookingId: String
        let name: String
        let status: String
        let statusLabel: String
        let detail: String?
        let canCheckIn: Bool
        let canUndo: Bool
        let canNoShow: Bool
    }

    struct Roster {
        let sessionId: String
        let orgId: String
        let locationId: String
        let className: String
        let time: String
        let booked: Int
        let attended: Int
        let capacity: Int
        let waitlist: Int
        let rows: [RosterRow]
        let isEmpty: Bool
        let fragmentURL: String
        let query: String
        let searchResults: [SearchResult]
        let searched: Bool
        let full: Bool
    }

    struct SearchResult {
        let membershipId: String
        let name: String
        let email: String
    }

    struct View {
        let orgs: [Choice]
        let locations: [Choice]
        let orgId: String
        let locationId: String
        let date: String
        let sessions: [SessionTile]
        let noSessions: Bool
        let roster: Roster?
        let eventsURL: String
        let displayURL: String
        let hasOrgChoice: Bool
        /// The feed of the classes this staff member teaches (see `CalendarFeedPages`).
        var calendarFeed: CalendarFeedPages.Section?
    }

    struct Selection {
        let scope: OrgScope
        let locations: [Location]
        let location: Location?
        /// The user's active staff memberships (the studio picker).
        let staff: [MemberSummary]
    }

    // MARK: GET /coach

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let selection = try await select(context, orgId: query.get("org"), locationId: query.get("location")) else {
            let t = try await PageLanguage.messages(services, request, context)
            return try responder.page(
                "message", title: t["coach.title"],
                page: PageMessage(headline: t["coach.refusal.headline"], text: t["coach.refusal.text"]),
                request: request, context: context, status: .forbidden, messages: t)
        }
        let t = try await PageLanguage.messages(services, request, context, orgId: selection.scope.orgId)
        let view = try await view(selection, sessionId: query.get("session"), search: query.get("q"), request: request, t: t)
        let flash = query.get("done").flatMap { Self.doneMessage($0, t) }.map { PageFrame.Flash(ok: true, message: $0) }
        return try responder.page(
            "coach", title: t["coach.title"], page: view, request: request, context: context,
            orgName: selection.scope.organization.name, brand: selection.scope.organization.primaryColor,
            bodyClass: "coach", flash: flash, messages: t)
    }

    /// The message for a `done=` code in the reader's language (a code without a catalogue entry
    /// keeps its English message).
    static func doneMessage(_ code: String, _ t: Messages) -> String? {
        guard let english = doneMessage(code) else { return nil }
        return t.strings["coach.done.\(code)"] ?? english
    }

    static func doneMessage(_ code: String) -> String? {
        switch code {
        case "checked_in": "Checked in."
        case "walk_in": "Walk-in booked and checked in."
        case "undone": "Check-in undone."
        case "no_show": "Marked as no-show."
        case "calendar_off": "Calendar link turned off: the old link no longer works."
        default: nil
        }
    }

    /// The staff membership and location the tablet shows: the asked-for ones, else the first.
    func select(_ context: AppRequestContext, orgId: String?, locationId: String?) async throws -> Selection? {
        let user = try context.requireUser()
        let staff = try await services.organizations.memberships(userId: user.id)
            .filter { $0.membership.role.isStaff && $0.membership.status == .active }
        guard let chosen = staff.first(where: { $0.membership.organizationId == orgId?.lowercased() }) ?? staff.first else { return nil }
        let scope = try await OrgAccess(services: services).scope(context, orgId: chosen.membership.organizationId, requiring: .staff)
        let locations = try await services.catalog.locations(orgId: scope.orgId)
        let location = locations.first { $0.id == locationId?.lowercased() } ?? locations.first
        return Selection(scope: scope, locations: locations, location: location, staff: staff)
    }

    func view(
        _ selection: Selection, sessionId: String?, search: String?, request: Request, t: Messages = .english
    ) async throws -> View {
        let scope = selection.scope
        let orgs = selection.staff.map {
            Choice(id: $0.membership.organizationId, name: $0.organizationName, selected: $0.membership.organizationId == scope.orgId)
        }
        let locationId = selection.location?.id ?? ""
        let now = services.now
        let local = t.localTime(timezone: scope.organization.timezone, now: now)
        let today = try await todaysSessions(scope, locationId: locationId)
        let chosen =
            today.first { $0.session.id == sessionId?.lowercased() }
            ?? today.first { $0.session.endsAt > now && $0.session.status != .cancelled } ?? today.last
        let tiles = today.map { s in
            SessionTile(
                id: s.session.id, name: s.classTypeName, time: local.range(s.session.startsAt, s.session.endsAt), coachName: s.coachName,
                booked: s.bookedCount, capacity: s.session.capacity, waitlist: s.waitlistCount,
                selected: s.session.id == chosen?.session.id, cancelled: s.session.status == .cancelled,
                link: "/coach?org=\(scope.orgId)&location=\(locationId)&session=\(s.session.id)")
        }
        var roster: Roster?
        if let chosen {
            roster = try await self.roster(scope, session: chosen, locationId: locationId, search: search, request: request, t: t)
        }
        return View(
            orgs: orgs, locations: selection.locations.map { Choice(id: $0.id, name: $0.name, selected: $0.id == locationId) },
            orgId: scope.orgId, locationId: locationId, date: local.longDate(now), sessions: tiles, noSessions: tiles.isEmpty,
            roster: roster, eventsURL: "/coach/events?org=\(scope.orgId)",
            displayURL: "/coach/display?org=\(scope.orgId)&location=\(locationId)", hasOrgChoice: orgs.count > 1,
            calendarFeed: try await CalendarFeedPages(services: services).coachSection(scope, locationId: locationId, t: t))
    }

    /// Today's (org-local) sessions at the location, drafts left out — plus, around midnight, a class
    /// still running from yesterday or one of tomorrow's whose check-in is already open, so a coach at
    /// 23:50 sees the 00:15 class they are about to check in.
    func todaysSessions(_ scope: OrgScope, locationId: String) async throws -> [ScheduledSession] {
        let calendar = OrgCalendar(timezone: scope.organization.timezone)
        let now = services.now
        let dayStart = calendar.startOfDay(now)
        let dayEnd = calendar.startOfDay(dayStart, addingDays: 1)
        let opensBefore = TimeInterval(max(0, scope.organization.checkinOpensMinutesBefore) * 60)
        let from = min(dayStart, now.addingTimeInterval(-TimeInterval(CatalogLimits.durationMin.upperBound * 60)))
        let to = max(dayEnd, now.addingTimeInterval(opensBefore + 1))
        return try await ScheduleStore(database: services.database)
            .sessions(orgId: scope.orgId, from: from, to: to, viewerMembershipId: scope.membership.id, membersView: false)
            .filter { scheduled in
                let session = scheduled.session
                let today = session.startsAt >= dayStart && session.startsAt < dayEnd
                let openNow = session.startsAt.addingTimeInterval(-opensBefore) <= now && now < session.endsAt
                return session.locationId == locationId && session.status != .draft && (today || openNow)
            }
    }

    func roster(
        _ scope: OrgScope, session: ScheduledSession, locationId: String, search: String?, request: Request, t: Messages
    ) async throws -> Roster {
        let local = t.localTime(timezone: scope.organization.timezone, now: services.now)
        let entries = try await store.roster(orgId: scope.orgId, sessionId: session.session.id)
        let rows = entries.filter { $0.booking.status != .cancelled }.map { entry in
            let booking = entry.booking
            var detail: String?
            if let at = booking.checkedInAt {
                detail = "\(local.time(at)) · \(Self.methodLabel(booking.checkinMethod, t))"
            } else if let position = booking.waitlistPosition {
                detail = t("schedule.state.waitlisted", ["position": t.number(position)])
            }
            return RosterRow(
                bookingId: booking.id, name: entry.name, status: booking.status.rawValue,
                statusLabel: Self.statusLabel(booking.status, t),
                detail: detail, canCheckIn: booking.status == .confirmed || booking.status == .noShow || booking.status == .waitlisted,
                canUndo: booking.status == .attended, canNoShow: booking.status == .confirmed)
        }
        let attended = entries.filter { $0.booking.status == .attended }.count
        let booked = entries.filter { $0.booking.status == .attended || $0.booking.status == .confirmed }.count
        let waitlist = entries.filter { $0.booking.status == .waitlisted }.count
        let text = (search ?? "").trimmingCharacters(in: .whitespaces)
        var results: [SearchResult] = []
        if text.count >= 2 {
            let onRoster = Set(
                entries.filter { $0.booking.status != .cancelled && $0.booking.status != .waitlisted }.map(\.booking.membershipId))
            results = try await services.organizations.searchMembers(orgId: scope.orgId, text: String(text.prefix(100)))
                .filter { !onRoster.contains($0.membership.id) }
                .map { SearchResult(membershipId: $0.membership.id, name: $0.user.name, email: $0.user.email) }
        }
        return Roster(
            sessionId: session.session.id, orgId: scope.orgId, locationId: locationId, className: session.classTypeName,
            time: local.range(session.session.startsAt, session.session.endsAt), booked: booked, attended: attended,
            capacity: session.session.capacity, waitlist: waitlist, rows: rows, isEmpty: rows.isEmpty,
            fragmentURL: "/coach/roster?org=\(scope.orgId)&location=\(locationId)&session=\(session.session.id)",
            query: text, searchResults: results, searched: text.count >= 2,
            full: booked >= session.session.capacity)
    }

    /// The status in the reader's language (`coach.status.<status>`).
    static func statusLabel(_ status: BookingStatus, _ t: Messages) -> String { t["coach.status.\(status.rawValue)"] }

    static func methodLabel(_ method: String?, _ t: Messages) -> String {
        method == "qr" || method == "gps" ? methodLabel(method) : t["coach.byStaff"]
    }

    static func statusLabel(_ status: BookingStatus) -> String {
        switch status {
        case .attended: "Checked in"
        case .confirmed: "Booked"
        case .waitlisted: "Waitlist"
        case .noShow: "No-show"
        case .cancelled: "Cancelled"
        }
    }

    static func methodLabel(_ method: String?) -> String {
        switch method {
        case "qr": "QR"
        case "gps": "GPS"
        default: "by staff"
        }
    }

    // MARK: GET /coach/roster (fragment)

    @Sendable func rosterFragment(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard context.signedInUser != nil else { throw DomainError.unauthorized() }
        guard let selection = try await select(context, orgId: query.get("org"), locationId: query.get("location")) else {
            throw DomainError.forbidden()
        }
        let today = try await todaysSessions(selection.scope, locationId: selection.location?.id ?? "")
        guard let session = today.first(where: { $0.session.id == query.get("session")?.lowercased() }) else {
            throw DomainError.notFound("Session")
        }
        let t = try await PageLanguage.messages(services, request, context, orgId: selection.scope.orgId)
        let roster = try await roster(
            selection.scope, session: session, locationId: selection.location?.id ?? "",
            search: query.get("q"), request: request, t: t)
        return try responder.fragment("coach_roster", page: roster, request: request, messages: t)
    }

    // MARK: GET /coach/events, /coach/display

    @Sendable func events(_ request: Request, context: AppRequestContext) async throws -> Response {
        let scope = try await OrgAccess(services: services).scope(
            context, orgId: request.uri.queryParameters.get("org") ?? "", requiring: .staff)
        return try ServerSentEvents.open(request, context: context, services: services, organizationId: scope.orgId)
    }

    /// Opens the location's check-in screen on the tablet itself (a fresh signed link to its first
    /// active display).
    @Sendable func openDisplay(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let scope = try await OrgAccess(services: services).scope(context, orgId: query.get("org") ?? "", requiring: .staff)
        let locationId = query.get("location")?.lowercased() ?? ""
        let displays = try await DisplaysStore(database: services.database).displays(orgId: scope.orgId)
        guard let display = displays.first(where: { $0.locationId == locationId && $0.revokedAt == nil }),
            let url = try await services.signedDisplayURL(display)
        else {
            let t = try await PageLanguage.messages(services, request, context, orgId: scope.orgId)
            return try responder.page(
                "message", title: t["coach.noScreen.title"],
                page: PageMessage(headline: t["coach.noScreen.headline"], text: t["coach.noScreen.text"]),
                request: request, context: context, status: .notFound, orgName: scope.organization.name,
                brand: scope.organization.primaryColor, messages: t)
        }
        // Relative, so the tablet stays on the host it is using.
        let path =
            url.hasPrefix(services.configuration.publicBaseURL) ? String(url.dropFirst(services.configuration.publicBaseURL.count)) : url
        return PageResponder.redirect(to: path)
    }

    // MARK: Posts

    struct ActionForm: Decodable {
        let csrf: String?
        let org: String?
        let location: String?
        let session: String?
        let bookingId: String?
        let membershipId: String?
        let override: String?
    }

    @Sendable func checkIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context: context) { form, scope, sessionId in
            let bookingId = form.bookingId.flatMap { $0.isEmpty ? nil : $0 }
            let result = try await StaffCheckin(services: services).checkIn(
                scope, sessionId: sessionId, bookingId: bookingId, membershipId: bookingId == nil ? form.membershipId : nil,
                overrideCapacity: form.override == "1")
            return result.walkIn ? "walk_in" : "checked_in"
        }
    }

    @Sendable func undo(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await attendance(request, context: context, to: .confirmed, done: "undone")
    }

    @Sendable func noShow(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await attendance(request, context: context, to: .noShow, done: "no_show")
    }

    func attendance(_ request: Request, context: AppRequestContext, to target: BookingStatus, done: String) async throws -> Response {
        try await act(request, context: context) { form, scope, sessionId in
            guard let bookingId = form.bookingId, NewID.isWellFormed(bookingId) else { throw DomainError.notFound("Booking") }
            guard let booking = try await BookingsStore(database: services.database).booking(id: bookingId.lowercased()) else {
                throw DomainError.notFound("Booking")
            }
            _ = try await StaffCheckin(services: services).setAttendance(scope, booking: booking, sessionId: sessionId, to: target)
            return done
        }
    }

    /// A staff form post: CSRF, staff scope, the session in the org; then back to the tablet (303),
    /// or the tablet again with the refusal in plain words.
    func act(
        _ request: Request, context: AppRequestContext,
        _ body: (ActionForm, OrgScope, String) async throws -> String
    ) async throws -> Response {
        let form = try await request.decodeForm(ActionForm.self, context: context)
        try PageCSRF.check(request, field: form.csrf)
        let scope = try await OrgAccess(services: services).scope(context, orgId: form.org ?? "", requiring: .staff)
        guard let sessionId = form.session, NewID.isWellFormed(sessionId),
            try await services.sessions.organizationId(sessionId: sessionId.lowercased()) == scope.orgId
        else { throw DomainError.notFound("Session") }
        let back = "/coach?org=\(scope.orgId)&location=\(LocalPath.queryValue(form.location))&session=\(sessionId.lowercased())"
        do {
            let done = try await body(form, scope, sessionId.lowercased())
            return PageResponder.redirect(to: back + "&done=\(done)")
        } catch let error as DomainError where error.status == 409 || error.status == 404 {
            guard let selection = try await select(context, orgId: scope.orgId, locationId: form.location) else { throw error }
            let t = try await PageLanguage.messages(services, request, context, orgId: scope.orgId)
            let view = try await view(selection, sessionId: sessionId, search: nil, request: request, t: t)
            return try responder.page(
                "coach", title: t["coach.title"], page: view, request: request, context: context,
                status: HTTPResponse.Status(code: error.status), orgName: scope.organization.name,
                brand: scope.organization.primaryColor, bodyClass: "coach",
                flash: PageFrame.Flash(ok: false, message: error.message), messages: t)
        }
    }
}
