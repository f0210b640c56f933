import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The small member site for people without the app: `GET /schedule` (a week, book and cancel) and
/// `GET /me/bookings` (upcoming and past). Plain forms; each post comes back with a message.
struct MemberPages {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }
    var bookings: BookingsStore { BookingsStore(database: services.database) }

    func register(_ root: Routes) {
        let schedule = root.signedIn(services, fallback: "/schedule", reason: .schedule)
        schedule.get("schedule", use: self.schedule)
        schedule.post("schedule/book", use: book)
        schedule.post("schedule/cancel", use: cancel)
        root.signedIn(services, fallback: "/me/bookings", reason: .bookings).get("me/bookings", use: myBookings)
    }

    struct Day {
        let label: String
        let isToday: Bool
        let classes: [ClassCard]
        let empty: Bool
    }

    struct ClassCard {
        let sessionId: String
        let bookingId: String?
        let time: String
        let name: String
        let meta: String
        let state: String
        let stateLabel: String
        let canBook: Bool
        let canCancel: Bool
        let bookLabel: String
    }

    struct ScheduleView {
        let orgId: String
        let orgs: [Choice]
        let week: String
        let title: String
        let previous: String
        let next: String
        let days: [Day]
        let hasOrgChoice: Bool
    }

    // MARK: GET /schedule

    @Sendable func schedule(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let member = try await memberScope(context, orgId: query.get("org")) else {
            let t = try await PageLanguage.messages(services, request, context)
            return try responder.page(
                "message", title: t["schedule.title"],
                page: PageMessage(headline: t["schedule.noStudio.headline"], text: t["schedule.noStudio.text"]), request: request,
                context: context, messages: t)
        }
        let t = try await PageLanguage.messages(services, request, context, orgId: member.scope.orgId)
        let flash = query.get("done").flatMap { Self.doneMessage($0, t) }.map { PageFrame.Flash(ok: true, message: $0) }
        return try await schedulePage(member, week: query.get("week"), request: request, context: context, flash: flash)
    }

    /// The message for a `done=` code in the reader's language (codes without a catalogue entry fall
    /// back to the English messages below).
    static func doneMessage(_ code: String, _ t: Messages) -> String? {
        guard let english = doneMessage(code) else { return nil }
        let key = "member.done.\(code)"
        return t.strings[key] ?? english
    }

    static func doneMessage(_ code: String) -> String? {
        switch code {
        case "booked": "Booked — see you there."
        case "waitlisted": "The class is full: you're on the waitlist and will be told if a place frees up."
        case "cancelled": "Booking cancelled."
        case "late_cancelled": "Booking cancelled (late: the credit is not refunded)."
        case "calendar_off": "Calendar link turned off: the old link no longer works."
        default: nil
        }
    }

    /// The studio a member page shows (the asked-for one, else the first) and all the member's
    /// active memberships (the studio picker).
    struct Member {
        let scope: OrgScope
        let memberships: [MemberSummary]
    }

    func memberScope(_ context: AppRequestContext, orgId: String?) async throws -> Member? {
        let user = try context.requireUser()
        let memberships = try await services.organizations.memberships(userId: user.id).filter { $0.membership.status == .active }
        guard let chosen = memberships.first(where: { $0.membership.organizationId == orgId?.lowercased() }) ?? memberships.first else {
            return nil
        }
        let scope = try await OrgAccess(services: services).scope(context, orgId: chosen.membership.organizationId, requiring: .member)
        return Member(scope: scope, memberships: memberships)
    }

    func schedulePage(
        _ member: Member, week: String?, request: Request, context: AppRequestContext,
        status: HTTPResponse.Status = .ok, flash: PageFrame.Flash? = nil
    ) async throws -> Response {
        let scope = member.scope
        let now = services.now
        let calendar = OrgCalendar(timezone: scope.organization.timezone)
        let t = try await PageLanguage.messages(services, request, context, orgId: scope.orgId)
        let local = t.localTime(timezone: scope.organization.timezone, now: now)
        let anchor = week.flatMap { calendar.startOfDay(localDate: $0) } ?? now
        let start = calendar.startOfDay(anchor)
        let end = calendar.startOfDay(start, addingDays: 7)
        let sessions = try await ScheduleStore(database: services.database).sessions(
            orgId: scope.orgId, from: start, to: end, viewerMembershipId: scope.membership.id, membersView: !scope.role.isStaff)
        var days: [Day] = []
        for offset in 0..<7 {
            let dayStart = calendar.startOfDay(start, addingDays: offset)
            let dayEnd = calendar.startOfDay(start, addingDays: offset + 1)
            let cards = sessions.filter { $0.session.startsAt >= dayStart && $0.session.startsAt < dayEnd && $0.session.status != .draft }
                .map { card($0, local: local, now: now, t: t) }
            days.append(
                Day(label: local.shortDay(dayStart), isToday: dayStart <= now && now < dayEnd, classes: cards, empty: cards.isEmpty))
        }
        let orgs = member.memberships.map {
            Choice(id: $0.membership.organizationId, name: $0.organizationName, selected: $0.membership.organizationId == scope.orgId)
        }
        let view = ScheduleView(
            orgId: scope.orgId, orgs: orgs, week: calendar.localDateString(start),
            title: "\(local.shortDay(start)) – \(local.shortDay(calendar.startOfDay(start, addingDays: 6)))",
            previous: "/schedule?org=\(scope.orgId)&week=\(calendar.localDateString(calendar.startOfDay(start, addingDays: -7)))",
            next: "/schedule?org=\(scope.orgId)&week=\(calendar.localDateString(end))", days: days,
            hasOrgChoice: orgs.count > 1)
        return try responder.page(
            "schedule", title: t["schedule.title"], page: view, request: request, context: context, status: status,
            orgName: scope.organization.name, brand: scope.organization.primaryColor, bodyClass: "member", flash: flash, messages: t)
    }

    func card(_ s: ScheduledSession, local: LocalTime, now: Date, t: Messages) -> ClassCard {
        let booking = s.viewerBooking
        let spots = max(0, s.session.capacity - s.bookedCount)
        let state: (String, String)
        switch (s.session.status, booking?.status) {
        case (.cancelled, _): state = ("cancelled", t["schedule.state.cancelled"])
        case (_, "confirmed"): state = ("booked", t["schedule.state.booked"])
        case (_, "attended"): state = ("booked", t["schedule.state.attended"])
        case (_, "waitlisted"):
            state = ("waitlisted", t("schedule.state.waitlisted", ["position": t.number(booking?.waitlistPosition ?? 0)]))
        case _ where spots == 0: state = ("full", t.plural("schedule.state.full", count: s.waitlistCount))
        default: state = ("open", t.plural("schedule.state.open", count: spots))
        }
        let started = s.session.startsAt <= now
        let active = booking.map { $0.status == "confirmed" || $0.status == "waitlisted" } ?? false
        let meta = [s.coachName, s.locationName].compactMap { $0 }.joined(separator: " · ")
        return ClassCard(
            sessionId: s.session.id, bookingId: active ? booking?.id : nil, time: local.range(s.session.startsAt, s.session.endsAt),
            name: s.classTypeName, meta: meta, state: state.0, stateLabel: state.1,
            canBook: !started && !active && booking?.status != "attended" && s.session.status == .published,
            canCancel: !started && active, bookLabel: spots == 0 ? t["schedule.joinWaitlist"] : t["schedule.book"])
    }

    // MARK: Posts

    struct BookingForm: Decodable {
        let csrf: String?
        let org: String?
        let week: String?
        let session: String?
        let booking: String?
        /// "bookings" when posted from My bookings, to go back there.
        let from: String?
    }

    @Sendable func book(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context: context) { form, scope in
            guard let sessionId = form.session, NewID.isWellFormed(sessionId),
                try await services.sessions.organizationId(sessionId: sessionId.lowercased()) == scope.orgId
            else { throw DomainError.notFound("Session") }
            let result = try await BookingService(services: services).book(scope, sessionId: sessionId.lowercased())
            return result.booking.status == .waitlisted ? "waitlisted" : "booked"
        }
    }

    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context: context) { form, scope in
            guard let bookingId = form.booking, NewID.isWellFormed(bookingId),
                let booking = try await bookings.booking(id: bookingId.lowercased()),
                booking.organizationId == scope.orgId, booking.membershipId == scope.membership.id
            else { throw DomainError.notFound("Booking") }
            let result = try await BookingService(services: services).cancel(scope, booking: .init(booking))
            return result.booking.lateCancel ? "late_cancelled" : "cancelled"
        }
    }

    func act(
        _ request: Request, context: AppRequestContext, _ body: (BookingForm, OrgScope) async throws -> String
    ) async throws -> Response {
        let form = try await request.decodeForm(BookingForm.self, context: context)
        try PageCSRF.check(request, field: form.csrf)
        guard let member = try await memberScope(context, orgId: form.org) else { throw DomainError.notFound("Organization") }
        let scope = member.scope
        let week = LocalPath.queryValue(form.week)
        do {
            let done = try await body(form, scope)
            if form.from == "bookings" { return PageResponder.redirect(to: "/me/bookings?done=\(done)") }
            return PageResponder.redirect(to: "/schedule?org=\(scope.orgId)&week=\(week)&done=\(done)")
        } catch let error as DomainError where (400..<500).contains(error.status) && error.status != 403 {
            return try await schedulePage(
                member, week: week, request: request, context: context, status: HTTPResponse.Status(code: error.status),
                flash: PageFrame.Flash(ok: false, message: error.message))
        }
    }

    // MARK: GET /me/bookings

    struct BookingLine {
        let bookingId: String
        let orgId: String
        let when: String
        let name: String
        let place: String?
        let status: String
        let statusLabel: String
        let canCancel: Bool
    }

    struct BookingsView {
        let upcoming: [BookingLine]
        let past: [BookingLine]
        let noUpcoming: Bool
        let noPast: Bool
        /// The calendar-feed section (see `CalendarFeedPages`).
        let calendarFeed: CalendarFeedPages.Section?
    }

    @Sendable func myBookings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let t = try await PageLanguage.messages(services, request, context)
        let flash = request.uri.queryParameters.get("done").flatMap { Self.doneMessage($0, t) }.map {
            PageFrame.Flash(ok: true, message: $0)
        }
        return try await bookingsPage(request, context: context, calendarFeed: nil, flash: flash)
    }

    /// My bookings; `calendarFeed` is the feed section when a post just made the link (shown once).
    func bookingsPage(
        _ request: Request, context: AppRequestContext, calendarFeed: CalendarFeedPages.Section?, flash: PageFrame.Flash?
    ) async throws -> Response {
        let user = try context.requireUser()
        let now = services.now
        // My bookings spans studios: the member's own choice, else the browser (no studio default).
        let t = try await PageLanguage.messages(services, request, context)
        let store = MyBookingsStore(database: services.database)
        let upcoming = try await store.list(userId: user.id, group: .upcoming, from: nil, to: nil, limit: 50, after: nil, now: now).rows
        let past = try await store.list(userId: user.id, group: .past, from: nil, to: nil, limit: 20, after: nil, now: now).rows
        let zones = try await timezones(for: upcoming + past)
        func line(_ row: MyBookingRow) -> BookingLine {
            let local = t.localTime(timezone: zones[row.booking.organizationId] ?? "UTC", now: now)
            return BookingLine(
                bookingId: row.booking.id, orgId: row.booking.organizationId,
                when: "\(local.dayAndTime(row.startsAt)) – \(local.time(row.endsAt))", name: row.classTypeName,
                place: [row.organizationName, row.locationName].compactMap { $0 }.joined(separator: " · "),
                status: row.booking.status.rawValue, statusLabel: CoachPage.statusLabel(row.booking.status, t),
                canCancel: row.startsAt > now && (row.booking.status == .confirmed || row.booking.status == .waitlisted))
        }
        var feed = calendarFeed
        if feed == nil { feed = try await CalendarFeedPages(services: services).memberSection(userId: user.id, t: t) }
        let view = BookingsView(
            upcoming: upcoming.map(line), past: past.map(line), noUpcoming: upcoming.isEmpty, noPast: past.isEmpty, calendarFeed: feed)
        return try responder.page(
            "my_bookings", title: t["layout.myBookings"], page: view, request: request, context: context,
            bodyClass: "member", flash: flash, noReferrer: feed?.url != nil, messages: t)
    }

    func timezones(for rows: [MyBookingRow]) async throws -> [String: String] {
        var zones: [String: String] = [:]
        for orgId in Set(rows.map(\.booking.organizationId)) {
            zones[orgId] = try await services.organizations.organization(id: orgId)?.timezone
        }
        return zones
    }
}
