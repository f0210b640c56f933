import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// A session as the API shows it.
struct SessionView: Encodable, ResponseEncodable, Sendable {
    struct ClassTypeRef: Encodable, Sendable { let id, name, color: String }
    struct ProgramRef: Encodable, Sendable {
        let id, name: String
        let deliveryMode: DeliveryMode
    }
    struct LocationRef: Encodable, Sendable { let id, name: String }
    struct CoachRef: Encodable, Sendable { let membershipId, name: String }
    struct WorkoutRef: Encodable, Sendable { let id, title, body: String }

    let id: String
    let organizationId: String
    let status: SessionStatus
    let startsAt: Date
    let endsAt: Date
    /// The session's date in the org's zone, `YYYY-MM-DD`.
    let localDate: String
    let durationMin: Int
    let capacity: Int
    let cancelReason: String?
    let classType: ClassTypeRef
    let program: ProgramRef
    let location: LocationRef?
    let coach: CoachRef?
    let bookedCount: Int
    let waitlistCount: Int
    let spotsLeft: Int
    let myBooking: ScheduledSession.ViewerBooking?
    /// Members only (SPEC §4); staff get none.
    let bookingEligibility: BookingEligibility?
    let workoutSource: WorkoutSource?
    let workouts: [WorkoutRef]?

    /// Places left, never below zero (staff may book beyond capacity).
    static func spotsLeft(capacity: Int, booked: Int) -> Int { max(0, capacity - booked) }

    init(
        _ s: ScheduledSession, calendar: OrgCalendar, eligibility: BookingEligibility?,
        workouts: (WorkoutSource, [Workout])? = nil
    ) {
        id = s.session.id
        organizationId = s.session.organizationId
        status = s.session.status
        startsAt = s.session.startsAt
        endsAt = s.session.endsAt
        localDate = calendar.localDateString(s.session.startsAt)
        durationMin = s.session.durationMin
        capacity = s.session.capacity
        cancelReason = s.session.cancelReason
        classType = ClassTypeRef(id: s.session.classTypeId, name: s.classTypeName, color: s.color)
        program = ProgramRef(id: s.programId, name: s.programName, deliveryMode: s.deliveryMode)
        location = s.session.locationId.map { LocationRef(id: $0, name: s.locationName ?? "") }
        coach = s.session.coachMembershipId.map { CoachRef(membershipId: $0, name: s.coachName ?? "") }
        bookedCount = s.bookedCount
        waitlistCount = s.waitlistCount
        spotsLeft = Self.spotsLeft(capacity: s.session.capacity, booked: s.bookedCount)
        myBooking = s.viewerBooking
        bookingEligibility = eligibility
        workoutSource = workouts?.0
        self.workouts = workouts?.1.map { WorkoutRef(id: $0.id, title: $0.title, body: $0.body) }
    }
}

/// Builds session views for one viewer: eligibility for members, computed by `EligibilityRules`
/// (the same code the booking uses) from facts read once for the whole list.
struct SessionPresenter: Sendable {
    let services: AppServices
    let scope: OrgScope

    var calendar: OrgCalendar { OrgCalendar(timezone: scope.organization.timezone) }

    /// One session as the caller may see it (members: only what the schedule shows them), or 404.
    func view(_ id: String) async throws -> SessionView {
        guard
            let session = try await ScheduleStore(database: services.database).session(
                orgId: scope.orgId, id: id, viewerMembershipId: scope.membership.id)
        else {
            throw DomainError.notFound("Session")
        }
        if !scope.role.isStaff,
            !ScheduleRules.memberCanSee(
                status: session.session.status, deliveryMode: session.deliveryMode,
                hasActiveBooking: session.viewerBooking != nil)
        {
            throw DomainError.notFound("Session")
        }
        return try await views([session], workouts: try await resolvedWorkouts([session]))[0]
    }

    func views(_ sessions: [ScheduledSession], workouts: [String: (WorkoutSource, [Workout])]? = nil) async throws -> [SessionView] {
        let eligibility = try await eligibilities(sessions)
        let calendar = calendar
        return sessions.indices.map { index in
            let session = sessions[index]
            return SessionView(
                session, calendar: calendar, eligibility: eligibility.isEmpty ? nil : eligibility[index],
                workouts: workouts.map { $0[session.session.id] ?? (.none, []) })
        }
    }

    /// The window of member facts `sessions` need: quotas count whole local days and weeks, overlap
    /// needs neighbours, so the full weeks from the first start to the last end; nil for no session.
    func factsWindow(_ sessions: [ScheduledSession]) -> (from: Date, to: Date)? {
        guard var first = sessions.first?.session.startsAt, var last = sessions.first?.session.endsAt else { return nil }
        for index in sessions.indices {
            first = min(first, sessions[index].session.startsAt)
            last = max(last, sessions[index].session.endsAt)
        }
        let calendar = calendar
        return (calendar.startOfWeek(first), calendar.startOfDay(calendar.startOfWeek(last), addingDays: 7))
    }

    /// `bookingEligibility` of each session, in the order of `sessions`, for members only (staff: none).
    func eligibilities(_ sessions: [ScheduledSession]) async throws -> [BookingEligibility] {
        guard scope.role == .member, let window = factsWindow(sessions) else { return [] }
        let now = services.now
        let facts = try await ScheduleStore(database: services.database)
            .memberFacts(orgId: scope.orgId, membershipId: scope.membership.id, from: window.from, to: window.to, now: now)
        return eligibilities(sessions, facts: facts, now: now)
    }

    /// `eligibilities` from facts already read (at least those of `factsWindow(sessions)`).
    func eligibilities(_ sessions: [ScheduledSession], facts: MemberFacts, now: Date) -> [BookingEligibility] {
        guard scope.role == .member else { return [] }
        return sessions.map { eligibility($0, bookedCount: $0.bookedCount, alreadyBooked: $0.viewerBooking != nil, facts: facts, now: now) }
    }

    /// `eligibilities` of the sessions of `schedule` one viewer is shown, with the counts and bookings of
    /// their read (`RenderedSchedule.shown`).
    func eligibilities(
        _ shown: [RenderedSchedule.Shown], of schedule: RenderedSchedule, facts: MemberFacts, now: Date
    ) -> [BookingEligibility] {
        guard scope.role == .member else { return [] }
        return shown.map {
            eligibility(
                schedule.sessions[$0.index], bookedCount: $0.counts.booked, alreadyBooked: $0.booking != nil, facts: facts, now: now)
        }
    }

    /// One session's eligibility for a member, with `bookedCount` places taken.
    func eligibility(_ s: ScheduledSession, bookedCount: Int, alreadyBooked: Bool, facts: MemberFacts, now: Date) -> BookingEligibility {
        let organization = scope.organization
        let snapshot = BookingSnapshot(
            now: now, timezone: organization.timezone, sessionId: s.session.id,
            sessionStartsAt: s.session.startsAt, sessionEndsAt: s.session.endsAt, sessionStatus: s.session.status,
            sessionDeleted: false, capacity: s.session.capacity, bookedCount: bookedCount,
            paymentProvider: organization.paymentProvider, bookingOpensDaysBefore: organization.bookingOpensDaysBefore,
            isStaff: false, alreadyBooked: alreadyBooked, subscriptions: facts.subscriptions,
            otherBookings: facts.bookings.filter { $0.sessionId != s.session.id }, planOffers: facts.planOffers)
        return EligibilityRules.evaluate(snapshot).eligibility
    }

    /// Resolved workouts per session (SPEC §4), two queries for the whole list.
    func resolvedWorkouts(_ sessions: [ScheduledSession]) async throws -> [String: (WorkoutSource, [Workout])] {
        guard !sessions.isEmpty else { return [:] }
        let store = WorkoutsStore(database: services.database)
        let own = try await store.sessionWorkoutIds(sessionIds: sessions.map(\.session.id))
        let dates = sessions.map { calendar.localDateString($0.session.startsAt) }
        let programming = try await store.programming(orgId: scope.orgId, fromDate: dates.min()!, toDate: dates.max()!)
        var resolved: [String: (WorkoutSource, [String])] = [:]
        for s in sessions {
            let date = calendar.localDateString(s.session.startsAt)
            let forDate = programming.filter { $0.localDate == date }
            resolved[s.session.id] = WorkoutResolution.resolve(
                sessionWorkoutIds: own[s.session.id] ?? [],
                programProgrammingIds: forDate.first { $0.programId == s.programId }?.workoutIds ?? [],
                orgProgrammingIds: forDate.first { $0.programId == nil }?.workoutIds ?? [])
        }
        let all = try await store.workouts(orgId: scope.orgId, ids: resolved.values.flatMap(\.1))
        let byId = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
        return resolved.mapValues { ($0.0, $0.1.compactMap { byId[$0] }) }
    }
}

extension Workout: ResponseEncodable {}
