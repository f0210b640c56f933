import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// `GET /book/:session`, where the public schedule's "book" leads: a signed-out visitor gets the login
/// form and comes back here; a member of the class's studio sees the class and one button that books it
/// through the member schedule's own form (`POST /schedule/book`, CSRF-checked). A signed-in person who
/// is not a member learns only what the public schedule already shows, and only for a studio that
/// publishes it; anything else is the same 404 as an unknown class.
struct PublicBookPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }

    func register(_ root: Routes) {
        root.signedIn(services, fallback: "/schedule", reason: "Log in to book this class.").get("book/:session", use: show)
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
            return try notFound(request, context: context)
        }
        let access = try await services.organizations.membershipAndOrganization(orgId: orgId, userId: user.id)
        guard let (membership, org) = access, membership.status == .active else {
            return try await stranger(orgId: orgId, sessionId: id, request: request, context: context)
        }
        let store = ScheduleStore(database: services.database)
        guard let s = try await store.session(orgId: orgId, id: id, viewerMembershipId: membership.id),
            membership.role.isStaff || (s.session.status == .published && s.deliveryMode == .schedule) || s.viewerBooking != nil
        else { return try notFound(request, context: context) }
        let calendar = OrgCalendar(timezone: org.timezone)
        let local = LocalTime(timezone: org.timezone, now: services.now)
        let week = calendar.localDateString(calendar.startOfDay(s.session.startsAt))
        let publicClass = PublicSchedule(services: services).publicClass(s, org: org)
        let booked = s.viewerBooking.map { $0.status == "confirmed" || $0.status == "waitlisted" || $0.status == "attended" } ?? false
        let state: (String, String)
        if let booking = s.viewerBooking, booked {
            state =
                booking.status == "waitlisted"
                ? ("waitlisted", "You're on the waitlist (#\(booking.waitlistPosition ?? 0))") : ("booked", "You're booked")
        } else if s.session.status != .published {
            state = ("cancelled", "Not open for booking")
        } else if publicClass.started {
            state = ("started", "This class has started")
        } else if !publicClass.bookable {
            state = ("closed", "Booking is not open yet")
        } else if publicClass.full {
            state = ("full", "Full · you can join the waitlist")
        } else {
            state = ("open", publicClass.spotsLeft == 1 ? "1 place left" : "\(publicClass.spotsLeft) places left")
        }
        let view = View(
            headline: booked ? "Your class" : "Book this class", sessionId: id, orgId: orgId, week: week,
            when: local.longDate(s.session.startsAt) + ", " + local.range(s.session.startsAt, s.session.endsAt), name: s.classTypeName,
            meta: [s.coachName, s.locationName].compactMap { $0 }.joined(separator: " · "), state: state.0, stateLabel: state.1,
            canBook: !booked && s.session.status == .published && publicClass.bookable,
            bookLabel: publicClass.full ? "Join the waitlist" : "Book my place", scheduleHref: "/schedule?org=\(orgId)&week=\(week)")
        return try responder.page(
            "public_book", title: "Book", page: view, request: request, context: context, orgName: org.name, brand: org.primaryColor,
            bodyClass: "member")
    }

    /// A signed-in person without an active membership: told how to join if the class is on a public
    /// schedule, else the 404 of an unknown class.
    func stranger(orgId: String, sessionId: String, request: Request, context: AppRequestContext) async throws -> Response {
        guard let (org, _) = try await PublicScheduleStore(database: services.database).publicStudio(orgId: orgId),
            let s = try await ScheduleStore(database: services.database).session(orgId: orgId, id: sessionId, viewerMembershipId: ""),
            s.session.status == .published, s.deliveryMode == .schedule
        else { return try notFound(request, context: context) }
        return try responder.page(
            "message", title: "Book",
            page: PageMessage(
                headline: "You're not a member of \(org.name) yet",
                text: "Ask the studio to add you, or join through the studio's sign-up page if it has one, then open this link again."),
            request: request, context: context, status: .forbidden, orgName: org.name, brand: org.primaryColor, bodyClass: "member")
    }

    func notFound(_ request: Request, context: AppRequestContext) throws -> Response {
        try responder.page(
            "message", title: "Not found",
            page: PageMessage(headline: "No such class", text: "This class does not exist or is no longer on the schedule."),
            request: request, context: context, status: .notFound)
    }
}
