import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird
import Synchronization

/// What a stranger may see of a studio that publishes its schedule (docs/public-schedule.md): the
/// published classes of schedule-mode programs (the member schedule's rule for someone holding no
/// booking), each with its time, class type, program, room, coach's name and places left. Never
/// members, e-mail addresses, drafts, cancelled classes or other programs' classes. A studio that does
/// not publish its schedule answers exactly as an unknown one.
struct PublicSchedule {
    let services: AppServices

    /// The longest range one request may ask for, in days.
    static let maxDays = 31
    /// How far ahead a range may start, in days from today.
    static let maxDaysAhead = 365
    /// Requests per client address per minute, over every public route of this process.
    static let requestsPerMinute = 120

    /// One class as strangers see it.
    struct PublicClass: Encodable, Sendable {
        let id: String
        let name: String
        let program: String
        let color: String
        let startsAt: String
        let endsAt: String
        let durationMin: Int
        let location: String?
        let coach: String?
        let capacity: Int
        let spotsLeft: Int
        let full: Bool
        let started: Bool
        /// Whether a member could book it now (not started, inside the booking window).
        let bookable: Bool
        /// Where "book" leads: sign-in, then the booking of this class.
        let bookUrl: String
    }

    /// The studio and its classes in `[from, to)`.
    struct Range: Sendable {
        let org: Organization
        let settings: PublicScheduleSettings
        let from: Date
        let to: Date
        let sessions: [ScheduledSession]
    }

    /// The studio behind `orgId` if it publishes its schedule; otherwise 404, the same for an unknown id,
    /// a malformed one and a studio that keeps its schedule to members.
    func studio(_ orgId: String?) async throws -> (Organization, PublicScheduleSettings) {
        guard let orgId = orgId?.lowercased(), NewID.isWellFormed(orgId),
            let found = try await PublicScheduleStore(database: services.database).publicStudio(orgId: orgId)
        else { throw DomainError.notFound("Studio") }
        return found
    }

    /// Counts the request against the client address's budget; 429 past it.
    func admit(_ request: Request, context: AppRequestContext) throws {
        let address = ClientAddress.of(request, context: context, trustForwardedFor: services.configuration.trustForwardedFor)
        if services.publicLimiter.hit(address, now: services.now) > Self.requestsPerMinute {
            throw DomainError.rateLimited("Too many requests for the public schedule; try again in a minute.")
        }
    }

    /// The published schedule-mode classes of the studio starting in `[from, to)`.
    func range(org: Organization, settings: PublicScheduleSettings, from: Date, to: Date) async throws -> Range {
        // No viewer: the members' view with nobody's bookings is exactly the published schedule-mode classes.
        let sessions = try await ScheduleStore(database: services.database).sessions(
            orgId: org.id, from: from, to: to, viewerMembershipId: "", membersView: true
        ).filter { $0.session.status == .published && $0.deliveryMode == .schedule }
        return Range(org: org, settings: settings, from: from, to: to, sessions: sessions)
    }

    /// The first day a page shows: the asked-for local date, kept between today and `maxDaysAhead`.
    func firstDay(_ week: String?, calendar: OrgCalendar) -> Date {
        let today = calendar.startOfDay(services.now)
        guard let asked = week.flatMap({ calendar.startOfDay(localDate: $0) }), asked > today else { return today }
        return min(asked, calendar.startOfDay(today, addingDays: Self.maxDaysAhead))
    }

    /// The class as strangers see it.
    func publicClass(_ s: ScheduledSession, org: Organization) -> PublicClass {
        let now = services.now
        let spots = max(0, s.session.capacity - s.bookedCount)
        let started = s.session.startsAt <= now
        var bookable = !started
        if bookable, let days = org.bookingOpensDaysBefore {
            bookable = now >= OrgCalendar(timezone: org.timezone).sameLocalTime(s.session.startsAt, addingDays: -days)
        }
        return PublicClass(
            id: s.session.id, name: s.classTypeName, program: s.programName, color: PageResponder.brand(s.color),
            startsAt: Self.instant(s.session.startsAt, timezone: org.timezone),
            endsAt: Self.instant(s.session.endsAt, timezone: org.timezone), durationMin: s.session.durationMin,
            location: s.locationName, coach: s.coachName, capacity: s.session.capacity, spotsLeft: spots, full: spots == 0,
            started: started, bookable: bookable, bookUrl: services.configuration.publicBaseURL + Self.bookPath(s.session.id))
    }

    /// The local path that signs a visitor in and books `sessionId` (`PublicBookPage`).
    static func bookPath(_ sessionId: String) -> String { "/book/\(sessionId)" }

    /// ISO-8601 with the studio's offset (`2026-11-20T18:00:00+01:00`); one formatter per zone, used under a lock.
    static func instant(_ date: Date, timezone: String) -> String {
        formatters.withLock { cache in
            if let formatter = cache[timezone] { return formatter.string(from: date) }
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = TimeZone(identifier: timezone) ?? TimeZone(identifier: "UTC")!
            cache[timezone] = formatter
            return formatter.string(from: date)
        }
    }

    private static let formatters = Mutex<[String: ISO8601DateFormatter]>([:])
}
