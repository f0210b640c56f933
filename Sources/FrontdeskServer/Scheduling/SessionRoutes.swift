import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// Sessions: the schedule, today, one session, and the lifecycle (SPEC §2, §4).
///
/// Roles: any active member reads what they may see; staff create; owners and admins edit any class,
/// coaches drafts only (checked in the store's transaction); owner/admin publish, unpublish, cancel
/// and delete (coaches get 403).
struct SessionRoutes {
    let services: AppServices
    var store: SessionsStore { services.sessions }
    var schedule: ScheduleStore { ScheduleStore(database: services.database) }

    func register(org: ContextRoutes<OrgContext>, session: ContextRoutes<SessionContext>) {
        org.get("sessions", use: list)
        org.post("sessions", use: create)
        org.get("sessions/today", use: today)
        session.get(use: show)
        session.patch(use: update)
        session.delete(use: delete)
        session.post("publish", use: publish)
        session.post("unpublish", use: unpublish)
        session.post("cancel", use: cancel)
    }

    /// The caller's scope in the org of the session named by `:session` (unknown or deleted → 404).
    // MARK: Reads

    /// The schedule's answer as `JSONEncoder` writes it; `RenderedSessionList` writes the same bytes.
    struct SessionList: Encodable, Sendable {
        let from: Date
        let to: Date
        let timezone: String
        let items: [SessionView]
    }

    /// The schedule of a range (default: the org-local week from today). Each session's JSON comes
    /// from `RenderedSchedule`, shared by every viewer of the range; the counts and the viewer's
    /// bookings come with their facts (one statement, `ScheduleStore.memberWeek`), and a member's
    /// eligibility is decided at the time of the request.
    @Sendable func list(_ request: Request, context: OrgContext) async throws -> RenderedSessionList {
        let scope = try context.scope(.member)
        let calendar = OrgCalendar(timezone: scope.organization.timezone)
        let query = request.uri.queryParameters
        let from =
            try query.get("from").map { try TimeParameter.instant($0, field: "from", calendar: calendar, endOfDay: false) }
            ?? calendar.startOfDay(services.now)
        let to =
            try query.get("to").map { try TimeParameter.instant($0, field: "to", calendar: calendar, endOfDay: true) }
            ?? calendar.startOfDay(from, addingDays: 7)
        try ScheduleRules.validateRange(from: from, to: to)
        let rendered = try await RenderedSchedule.read(
            schedule, database: services.database, orgId: scope.orgId, from: from, to: to, timezone: scope.organization.timezone)
        let presenter = SessionPresenter(services: services, scope: scope)
        guard let window = presenter.factsWindow(rendered.sessions) else {
            return RenderedSessionList(
                from: from, to: to, timezone: scope.organization.timezone, schedule: rendered, shown: [], eligibility: [])
        }
        let now = services.now
        let week = try await schedule.memberWeek(
            orgId: scope.orgId, membershipId: scope.membership.id, from: window.from, to: window.to, listFrom: from, listTo: to)
        let shown = rendered.shown(week.live, membersView: !scope.role.isStaff)
        let eligibility = presenter.eligibilities(shown, of: rendered, facts: week.facts(at: now), now: now)
        return RenderedSessionList(
            from: from, to: to, timezone: scope.organization.timezone, schedule: rendered, shown: shown, eligibility: eligibility)
    }

    struct TodayList: Encodable, Sendable {
        let date: String
        let timezone: String
        let items: [SessionView]
    }

    /// The org-local day's sessions with resolved workouts (the seed's `findTodayWithWorkouts`).
    @Sendable func today(_ request: Request, context: OrgContext) async throws -> TodayList {
        let scope = try context.scope(.member)
        let calendar = OrgCalendar(timezone: scope.organization.timezone)
        let now = services.now
        let start = calendar.startOfDay(now)
        let sessions = try await schedule.sessions(
            orgId: scope.orgId, from: start, to: calendar.startOfDay(now, addingDays: 1),
            viewerMembershipId: scope.membership.id, membersView: !scope.role.isStaff)
        let presenter = SessionPresenter(services: services, scope: scope)
        let views = try await presenter.views(sessions, workouts: try await presenter.resolvedWorkouts(sessions))
        return TodayList(date: calendar.localDateString(now), timezone: scope.organization.timezone, items: views)
    }

    @Sendable func show(_ request: Request, context: SessionContext) async throws -> SessionView {
        let (scope, id) = (try context.scope(.member), context.sessionId)
        return try await view(scope, id)
    }

    /// One session as `scope` may see it, with resolved workouts; invisible to a member → 404.
    func view(_ scope: OrgScope, _ id: String) async throws -> SessionView {
        try await SessionPresenter(services: services, scope: scope).view(id)
    }

    // MARK: Changes

    struct CreateBody: Decodable {
        let classTypeId: String
        let startsAt: Date
        let locationId: String?
        let coachMembershipId: String?
        let durationMin: Int?
        let capacity: Int?
        /// Schedule it even when its coach or location is busy then (audited).
        let force: Bool?
    }

    @Sendable func create(_ request: Request, context: OrgContext) async throws -> Created<SessionView> {
        let scope = try context.scope(.staff)
        let body = try await request.decodeJSON(CreateBody.self, context: context)
        let session = try await store.create(
            orgId: scope.orgId, classTypeId: try IDs.ref(body.classTypeId, "Class type"),
            locationId: try body.locationId.map { try IDs.ref($0, "Location") },
            coachMembershipId: try body.coachMembershipId.map { try IDs.ref($0, "Coach") },
            startsAt: try ScheduleRules.validateStart(body.startsAt),
            durationMin: try body.durationMin.map { try Validate.int($0, in: CatalogLimits.durationMin, field: "durationMin") },
            capacity: try body.capacity.map { try Validate.int($0, in: CatalogLimits.capacity, field: "capacity") },
            createdBy: scope.membership.id, force: body.force ?? false, actor: scope.actor, now: services.now)
        classChanged(scope)
        return Created(body: try await view(scope, session.id))
    }

    /// An id from a body that must name an object of the org; malformed ids are unknown ids (404).

    struct UpdateBody: Decodable {
        var classTypeId: PatchField<String> = .absent
        var locationId: PatchField<String> = .absent
        var coachMembershipId: PatchField<String> = .absent
        var startsAt: PatchField<Date> = .absent
        var durationMin: PatchField<Int> = .absent
        var capacity: PatchField<Int> = .absent
        var force: PatchField<Bool> = .absent

        enum CodingKeys: String, CodingKey { case classTypeId, locationId, coachMembershipId, startsAt, durationMin, capacity, force }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            classTypeId = try c.patch(String.self, forKey: .classTypeId)
            locationId = try c.patch(String.self, forKey: .locationId)
            coachMembershipId = try c.patch(String.self, forKey: .coachMembershipId)
            startsAt = try c.patch(Date.self, forKey: .startsAt)
            durationMin = try c.patch(Int.self, forKey: .durationMin)
            capacity = try c.patch(Int.self, forKey: .capacity)
            force = try c.patch(Bool.self, forKey: .force)
        }

        func changes() throws -> SessionChanges {
            for (field, isNull) in [
                ("classTypeId", classTypeId.isNull), ("startsAt", startsAt.isNull),
                ("durationMin", durationMin.isNull), ("capacity", capacity.isNull),
            ] where isNull {
                throw DomainError.invalidField(field, "must not be null.")
            }
            func optionalRef(_ field: PatchField<String>, _ what: String) throws -> String?? {
                switch field {
                case .absent: return nil
                case .null: return .some(nil)
                case .value(let id): return .some(try IDs.ref(id, what))
                }
            }
            return SessionChanges(
                classTypeId: try classTypeId.given.map { try IDs.ref($0, "Class type") },
                locationId: try optionalRef(locationId, "Location"),
                coachMembershipId: try optionalRef(coachMembershipId, "Coach"),
                startsAt: try startsAt.given.map { try ScheduleRules.validateStart($0) },
                durationMin: try durationMin.given.map { try Validate.int($0, in: CatalogLimits.durationMin, field: "durationMin") },
                capacity: try capacity.given.map { try Validate.int($0, in: CatalogLimits.capacity, field: "capacity") },
                force: force.given ?? false)
        }
    }

    @Sendable func update(_ request: Request, context: SessionContext) async throws -> SessionView {
        let (scope, id) = (try context.scope(.staff), context.sessionId)
        let body = try await request.decodeJSON(UpdateBody.self, context: context)
        _ = try await store.update(orgId: scope.orgId, id: id, changes: try body.changes(), actor: scope.actor, now: services.now)
        classChanged(scope)
        return try await view(scope, id)
    }

    @Sendable func publish(_ request: Request, context: SessionContext) async throws -> SessionView {
        let (scope, id) = (try context.scope(.manager), context.sessionId)
        _ = try await store.publish(orgId: scope.orgId, id: id, actor: scope.actor, now: services.now)
        classChanged(scope)
        return try await view(scope, id)
    }

    @Sendable func unpublish(_ request: Request, context: SessionContext) async throws -> SessionView {
        let (scope, id) = (try context.scope(.manager), context.sessionId)
        _ = try await store.unpublish(orgId: scope.orgId, id: id, actor: scope.actor, now: services.now)
        classChanged(scope)
        return try await view(scope, id)
    }

    struct CancelBody: Decodable { let reason: String? }

    struct CancelResponse: ResponseEncodable {
        let session: SessionView
        let cancelledBookings: Int
        let refundedCredits: Int
    }

    @Sendable func cancel(_ request: Request, context: SessionContext) async throws -> CancelResponse {
        let (scope, id) = (try context.scope(.manager), context.sessionId)
        let body = try await request.decodeJSONIfPresent(CancelBody.self, context: context, fallback: CancelBody(reason: nil))
        let reason = try body.reason.flatMap { $0.isEmpty ? nil : try Validate.name($0, field: "reason", maxLength: 500) }
        let (_, effect) = try await store.cancel(
            orgId: scope.orgId, id: id, reason: reason, actorMembershipId: scope.membership.id, actor: scope.actor, now: services.now)
        classChanged(scope)
        return CancelResponse(
            session: try await view(scope, id), cancelledBookings: effect.cancelledBookings, refundedCredits: effect.refundedCredits)
    }

    @Sendable func delete(_ request: Request, context: SessionContext) async throws -> HTTPResponse.Status {
        let (scope, id) = (try context.scope(.manager), context.sessionId)
        _ = try await store.delete(
            orgId: scope.orgId, id: id, actorMembershipId: scope.membership.id, actor: scope.actor, now: services.now)
        classChanged(scope)
        return .noContent
    }

    /// A class of the studio changed: its wall displays read their state afresh at the next poll
    /// (on this instance; the others within `DisplayStateCache.ttlSeconds`).
    func classChanged(_ scope: OrgScope) {
        services.displayStates.invalidate(organizationId: scope.orgId)
    }
}

/// Instants in query strings: ISO-8601 with offset, or an org-local date `YYYY-MM-DD` (a `to` date
/// includes that whole day).
enum TimeParameter {
    static func instant(_ value: String, field: String, calendar: OrgCalendar, endOfDay: Bool) throws -> Date {
        if value.count == 10, let day = calendar.startOfDay(localDate: value) {
            return endOfDay ? calendar.startOfDay(day, addingDays: 1) : day
        }
        if let date = ISO8601.parse(value) { return date }
        throw DomainError(.invalidQuery, "\(field) must be an ISO-8601 instant with offset or a date YYYY-MM-DD.")
    }
}
