import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// `GET /book/:session`, where the public schedule's "book" leads: a signed-out visitor gets the login
/// form and comes back here; a member of the class's studio sees the class and one button that books it
/// through the member schedule's own form (`POST /schedule/book`, CSRF-checked). A signed-in person who
/// is not a member learns only what the public schedule already shows, and only for a studio that
/// publishes it; anything else is the same 404 as an unknown class. Written in the reader's language:
/// their own choice, else the studio's default, else the browser's.
struct PublicBookPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }

    func register(_ root: Routes) {
        root.signedIn(services, fallback: "/schedule", reason: .book).get("book/:session", use: show)
    }

    struct View {
        let headline: String
        let sessionId: String
        let orgId: String
        let week: String
        let when: String
        let name: String
        let meta: String
        let state: String
        let stateLabel: String
        let canBook: Bool
        let bookLabel: String
        let scheduleHref: String
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let id = (context.parameters.get("session") ?? "").lowercased()
        guard NewID.isWellFormed(id), let orgId = try await services.sessions.organizationId(sessionId: id) else {
            return try await notFound(request, context: context)
        }
        let access = try await services.organizations.membershipAndOrganization(orgId: orgId, userId: user.id)
        guard let (membership, org) = access, membership.status == .active else {
            return try await stranger(orgId: orgId, sessionId: id, request: request, context: context)
        }
        let store = ScheduleStore(database: services.database)
        guard let s = try await store.session(orgId: orgId, id: id, viewerMembershipId: membership.id),
            membership.role.isStaff || (s.session.status == .published && s.deliveryMode == .schedule) || s.viewerBooking != nil
        else { return try await notFound(request, context: context) }
        let t = try await PageLanguage.messages(services, request, context, orgId: orgId)
        let calendar = OrgCalendar(timezone: org.timezone)
        let local = t.localTime(timezone: org.timezone, now: services.now)
        let week = calendar.localDateString(calendar.startOfDay(s.session.startsAt))
        let publicClass = PublicSchedule(services: services).publicClass(s, org: org)
        let booked = s.viewerBooking.map { $0.status == "confirmed" || $0.status == "waitlisted" || $0.status == "attended" } ?? false
        let state: (String, String)
        if let booking = s.viewerBooking, booked {
            state =
                booking.status == "waitlisted"
                ? ("waitlisted", t("public.book.state.waitlisted", ["position": t.number(booking.waitlistPosition ?? 0)]))
                : ("booked", t["public.book.state.booked"])
        } else if s.session.status != .published {
            state = ("cancelled", t["public.book.state.cancelled"])
        } else if publicClass.started {
            state = ("started", t["public.book.state.started"])
        } else if !publicClass.bookable {
            state = ("closed", t["public.book.state.closed"])
        } else if publicClass.full {
            state = ("full", t["public.book.state.full"])
        } else {
            state = ("open", t.plural("public.state.open", count: publicClass.spotsLeft))
        }
        let view = View(
            headline: booked ? t["public.book.booked"] : t["public.book.headline"], sessionId: id, orgId: orgId, week: week,
            when: local.longDate(s.session.startsAt) + ", " + local.range(s.session.startsAt, s.session.endsAt), name: s.classTypeName,
            meta: [s.coachName, s.locationName].compactMap { $0 }.joined(separator: " · "), state: state.0, stateLabel: state.1,
            canBook: !booked && s.session.status == .published && publicClass.bookable,
            bookLabel: publicClass.full ? t["public.book.joinLabel"] : t["public.book.bookLabel"],
            scheduleHref: "/schedule?org=\(orgId)&week=\(week)")
        return try responder.page(
            "public_book", title: t["public.book.title"], page: view, request: request, context: context, orgName: org.name,
            brand: org.primaryColor, bodyClass: "member", messages: t)
    }

    /// A signed-in person without an active membership: told how to join if the class is on a public
    /// schedule, else the 404 of an unknown class.
    func stranger(orgId: String, sessionId: String, request: Request, context: AppRequestContext) async throws -> Response {
        guard let (org, _) = try await PublicScheduleStore(database: services.database).publicStudio(orgId: orgId),
            let s = try await ScheduleStore(database: services.database).session(orgId: orgId, id: sessionId, viewerMembershipId: ""),
            s.session.status == .published, s.deliveryMode == .schedule
        else { return try await notFound(request, context: context) }
        let t = try await PageLanguage.messages(services, request, context, orgId: orgId)
        return try responder.page(
            "message", title: t["public.book.title"],
            page: PageMessage(headline: t("public.book.stranger.headline", ["studio": org.name]), text: t["public.book.stranger.text"]),
            request: request, context: context, status: .forbidden, orgName: org.name, brand: org.primaryColor, bodyClass: "member",
            messages: t)
    }

    /// The 404 of an unknown class, in the reader's own language or the browser's (no studio is shown).
    func notFound(_ request: Request, context: AppRequestContext) async throws -> Response {
        let t = try await PageLanguage.messages(services, request, context)
        return try responder.page(
            "message", title: t["public.book.notFound.title"],
            page: PageMessage(headline: t["public.book.notFound.headline"], text: t["public.book.notFound.text"]),
            request: request, context: context, status: .notFound, messages: t)
    }
}
