import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// Org workouts (staff), a session's ordered workouts, inline creation, and daily programming.
struct WorkoutRoutes {
    let services: AppServices
    var store: WorkoutsStore { WorkoutsStore(database: services.database) }

    func register(org: ContextRoutes<OrgContext>, session: ContextRoutes<SessionContext>) {
        org.get("workouts", use: list)
        org.post("workouts", use: create)
        org.get("workouts/:id", use: show)
        org.patch("workouts/:id", use: update)
        org.delete("workouts/:id", use: delete)
        org.get("daily-programming", use: listProgramming)
        org.put("daily-programming/:date", use: setProgramming)
        session.put("workouts", use: setSessionWorkouts)
        session.post("workouts/inline", use: inline)
    }

    struct WorkoutBody: Decodable {
        let title: String?
        let body: String?

        func apply(to workout: Workout) throws -> Workout {
            var workout = workout
            if let title { workout.title = try Validate.name(title, field: "title") }
            if let body {
                guard body.count <= 20_000 else { throw DomainError.invalidField("body", "must be at most 20000 characters.") }
                workout.body = body
            }
            return workout
        }
    }

    @Sendable func list(_ request: Request, context: OrgContext) async throws -> ItemList<Workout> {
        let scope = try context.scope(.staff)
        return ItemList(items: try await store.workouts(orgId: scope.orgId))
    }

    @Sendable func show(_ request: Request, context: OrgContext) async throws -> Workout {
        let scope = try context.scope(.staff)
        return try await workout(scope, context)
    }

    private func workout(_ scope: OrgScope, _ context: some FrontdeskContext) async throws -> Workout {
        guard let workout = try await store.workout(orgId: scope.orgId, id: try context.id("id", "Workout")) else {
            throw DomainError.notFound("Workout")
        }
        return workout
    }

    private func newWorkout(_ body: WorkoutBody, orgId: String) throws -> Workout {
        guard body.title != nil else { throw DomainError(.missingField, "title is required.") }
        let now = services.now
        return try body.apply(to: Workout(id: NewID.make(), organizationId: orgId, title: "-", body: "", createdAt: now, updatedAt: now))
    }

    @Sendable func create(_ request: Request, context: OrgContext) async throws -> Created<Workout> {
        let scope = try context.scope(.staff)
        let workout = try newWorkout(try await request.decodeJSON(WorkoutBody.self, context: context), orgId: scope.orgId)
        try await store.create(workout, createdBy: scope.membership.id)
        return Created(body: workout)
    }

    @Sendable func update(_ request: Request, context: OrgContext) async throws -> Workout {
        let scope = try context.scope(.staff)
        let body = try await request.decodeJSON(WorkoutBody.self, context: context)
        var workout = try body.apply(to: try await workout(scope, context))
        workout.updatedAt = services.now
        try await store.update(workout)
        return workout
    }

    @Sendable func delete(_ request: Request, context: OrgContext) async throws -> HTTPResponse.Status {
        let scope = try context.scope(.staff)
        try await store.delete(orgId: scope.orgId, id: try context.id("id", "Workout"), now: services.now)
        return .noContent
    }

    struct WorkoutIdsBody: Decodable {
        let workoutIds: [String]
        let programId: String?
    }

    static func workoutIds(_ ids: [String]) throws -> [String] {
        guard ids.count <= 50 else { throw DomainError.invalidField("workoutIds", "at most 50 workouts.") }
        guard Set(ids).count == ids.count else { throw DomainError.invalidField("workoutIds", "must not repeat a workout.") }
        return try ids.map { try IDs.ref($0, "Workout") }
    }

    @Sendable func setSessionWorkouts(_ request: Request, context: SessionContext) async throws -> SessionView {
        let (scope, id) = (try context.scope(.staff), context.sessionId)
        let body = try await request.decodeJSON(WorkoutIdsBody.self, context: context)
        try await store.setSessionWorkouts(orgId: scope.orgId, sessionId: id, workoutIds: try Self.workoutIds(body.workoutIds))
        return try await SessionPresenter(services: services, scope: scope).view(id)
    }

    struct InlineResponse: ResponseEncodable {
        let workout: Workout
        let session: SessionView
    }

    @Sendable func inline(_ request: Request, context: SessionContext) async throws -> Created<InlineResponse> {
        let (scope, id) = (try context.scope(.staff), context.sessionId)
        let workout = try newWorkout(try await request.decodeJSON(WorkoutBody.self, context: context), orgId: scope.orgId)
        try await store.createInline(workout, sessionId: id, createdBy: scope.membership.id)
        return Created(
            body: InlineResponse(workout: workout, session: try await SessionPresenter(services: services, scope: scope).view(id)))
    }

    struct ProgrammingList: ResponseEncodable { let items: [DailyProgramming] }

    /// `?from=YYYY-MM-DD&to=YYYY-MM-DD` (inclusive, at most 62 days; default: the coming week).
    @Sendable func listProgramming(_ request: Request, context: OrgContext) async throws -> ProgrammingList {
        let scope = try context.scope(.staff)
        let calendar = OrgCalendar(timezone: scope.organization.timezone)
        let query = request.uri.queryParameters
        let from = try query.get("from").map { try Self.localDate($0, field: "from", calendar) } ?? calendar.startOfDay(services.now)
        let to = try query.get("to").map { try Self.localDate($0, field: "to", calendar) } ?? calendar.startOfDay(from, addingDays: 6)
        try ScheduleRules.validateRange(from: from, to: calendar.startOfDay(to, addingDays: 1))
        return ProgrammingList(
            items: try await store.programming(
                orgId: scope.orgId, fromDate: calendar.localDateString(from), toDate: calendar.localDateString(to)))
    }

    static func localDate(_ value: String, field: String, _ calendar: OrgCalendar) throws -> Date {
        guard let day = calendar.startOfDay(localDate: value) else {
            throw DomainError(.invalidDate, "\(field) must be a date written YYYY-MM-DD.")
        }
        return day
    }

    /// Replaces one date's programming: body `{"programId": null | id, "workoutIds": [...]}`.
    @Sendable func setProgramming(_ request: Request, context: OrgContext) async throws -> DailyProgramming {
        let scope = try context.scope(.staff)
        let calendar = OrgCalendar(timezone: scope.organization.timezone)
        let date = context.parameters.get("date") ?? ""
        _ = try Self.localDate(date, field: "date", calendar)
        let body = try await request.decodeJSON(WorkoutIdsBody.self, context: context)
        let ids = try Self.workoutIds(body.workoutIds)
        let programId = try body.programId.map { try IDs.ref($0, "Program") }
        try await store.setProgramming(orgId: scope.orgId, programId: programId, localDate: date, workoutIds: ids, now: services.now)
        return DailyProgramming(localDate: date, programId: programId, workoutIds: ids)
    }
}

extension DailyProgramming: ResponseEncodable {}
