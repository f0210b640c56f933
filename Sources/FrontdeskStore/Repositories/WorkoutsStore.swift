import Foundation
import FrontdeskCore
import SQLKit

/// A workout an org programs: a title and a free-text body.
public struct Workout: Codable, Sendable, Equatable {
    public var id: String
    public var organizationId: String
    public var title: String
    public var body: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, organizationId: String, title: String, body: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.organizationId = organizationId
        self.title = title
        self.body = body
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One day's programming: the workouts for a local date, org-wide (`programId == nil`) or for one program.
public struct DailyProgramming: Codable, Sendable, Equatable {
    public var localDate: String
    public var programId: String?
    public var workoutIds: [String]

    public init(localDate: String, programId: String?, workoutIds: [String]) {
        self.localDate = localDate
        self.programId = programId
        self.workoutIds = workoutIds
    }
}

/// Workouts, the ordered workouts of a session, and daily programming.
public struct WorkoutsStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    static func workout(_ row: any SQLRow) throws -> Workout {
        Workout(
            id: try row.string("id"), organizationId: try row.string("organization_id"), title: try row.string("title"),
            body: try row.string("body"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }

    public func workouts(orgId: String) async throws -> [Workout] {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM workouts WHERE organization_id = \(bind: orgId) AND deleted_at IS NULL ORDER BY title, id")
                .all().map(Self.workout)
        }
    }

    public func workout(orgId: String, id: String) async throws -> Workout? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM workouts WHERE organization_id = \(bind: orgId) AND id = \(bind: id) AND deleted_at IS NULL")
                .first().map(Self.workout)
        }
    }

    /// Live workouts by id, in no particular order (ids of other orgs are simply absent).
    public func workouts(orgId: String, ids: [String]) async throws -> [Workout] {
        guard !ids.isEmpty else { return [] }
        return try await database.read { sql in
            var result: [Workout] = []
            for chunk in Array(Set(ids)).chunked(into: 500) {
                result += try await sql.raw(
                    """
                    SELECT * FROM workouts WHERE organization_id = \(bind: orgId) AND deleted_at IS NULL AND id IN (\(binds: chunk))
                    """
                ).all().map(Self.workout)
            }
            return result
        }
    }

    static func insert(_ sql: any SQLDatabase, _ workout: Workout, createdBy: String?) async throws {
        try await sql.raw(
            """
            INSERT INTO workouts (id, organization_id, title, body, created_by_membership_id, created_at, updated_at)
            VALUES (\(bind: workout.id), \(bind: workout.organizationId), \(bind: workout.title), \(bind: workout.body),
                    \(bind: createdBy), \(bind: workout.createdAt.epochSeconds), \(bind: workout.updatedAt.epochSeconds))
            """
        ).run()
    }

    public func create(_ workout: Workout, createdBy: String?) async throws {
        try await database.transaction { sql in try await Self.insert(sql, workout, createdBy: createdBy) }
    }

    public func update(_ workout: Workout) async throws {
        try await database.transaction { sql in
            try await sql.raw(
                """
                UPDATE workouts SET title = \(bind: workout.title), body = \(bind: workout.body), updated_at = \(bind: workout.updatedAt.epochSeconds)
                WHERE id = \(bind: workout.id) AND organization_id = \(bind: workout.organizationId) AND deleted_at IS NULL
                """
            ).run()
        }
    }

    /// Soft-deletes a workout; sessions and programming that used it stop showing it.
    public func delete(orgId: String, id: String, now: Date) async throws {
        try await database.transaction { sql in
            let rows = try await sql.raw(
                """
                UPDATE workouts SET deleted_at = \(bind: now.epochSeconds) WHERE id = \(bind: id) AND organization_id = \(bind: orgId)
                  AND deleted_at IS NULL RETURNING id
                """
            ).all()
            if rows.isEmpty { throw DomainError.notFound("Workout") }
        }
    }

    static func requireWorkouts(_ sql: any SQLDatabase, orgId: String, ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        let unique = Array(Set(ids))
        let found =
            try await sql.raw(
                """
                SELECT COUNT(*) AS n FROM workouts WHERE organization_id = \(bind: orgId) AND deleted_at IS NULL AND id IN (\(binds: unique))
                """
            ).first()?.int("n") ?? 0
        if found != unique.count { throw DomainError.notFound("Workout") }
    }

    /// Replaces a session's workouts with `workoutIds`, in order. Unknown or foreign ids answer 404 and change nothing.
    public func setSessionWorkouts(orgId: String, sessionId: String, workoutIds: [String]) async throws {
        try await database.transaction(TransactionOptions(lockKeys: ["session:\(sessionId)"])) { sql in
            _ = try await SessionRows.requireLive(sql, orgId: orgId, id: sessionId)
            try await Self.requireWorkouts(sql, orgId: orgId, ids: workoutIds)
            try await sql.raw("DELETE FROM session_workouts WHERE session_id = \(bind: sessionId)").run()
            for (position, workoutId) in workoutIds.enumerated() {
                try await sql.raw(
                    """
                    INSERT INTO session_workouts (session_id, workout_id, position) VALUES (\(bind: sessionId), \(bind: workoutId), \(bind: position))
                    """
                ).run()
            }
        }
    }

    /// Creates a workout and appends it to the session's list in one transaction: both or neither.
    public func createInline(_ workout: Workout, sessionId: String, createdBy: String?) async throws {
        try await database.transaction(TransactionOptions(lockKeys: ["session:\(sessionId)"])) { sql in
            _ = try await SessionRows.requireLive(sql, orgId: workout.organizationId, id: sessionId)
            try await Self.insert(sql, workout, createdBy: createdBy)
            let next =
                try await sql.raw(
                    """
                    SELECT COALESCE(MAX(position), -1) + 1 AS next FROM session_workouts WHERE session_id = \(bind: sessionId)
                    """
                ).first()?.int("next") ?? 0
            try await sql.raw(
                """
                INSERT INTO session_workouts (session_id, workout_id, position) VALUES (\(bind: sessionId), \(bind: workout.id), \(bind: next))
                """
            ).run()
        }
    }

    /// Live workout ids of each session, in order.
    public func sessionWorkoutIds(sessionIds: [String]) async throws -> [String: [String]] {
        guard !sessionIds.isEmpty else { return [:] }
        return try await database.read { sql in
            var result: [String: [String]] = [:]
            for chunk in sessionIds.chunked(into: 500) {
                let rows = try await sql.raw(
                    """
                    SELECT sw.session_id, sw.workout_id FROM session_workouts sw JOIN workouts w ON w.id = sw.workout_id
                    WHERE sw.session_id IN (\(binds: chunk)) AND w.deleted_at IS NULL ORDER BY sw.session_id, sw.position
                    """
                ).all()
                for row in rows { result[try row.string("session_id"), default: []].append(try row.string("workout_id")) }
            }
            return result
        }
    }

    /// Replaces the programming of one local date (org-wide when `programId` is nil). A program of
    /// another org, or foreign workouts, answer 404 and change nothing.
    public func setProgramming(orgId: String, programId: String?, localDate: String, workoutIds: [String], now: Date) async throws {
        try await database.transaction(TransactionOptions(lockKeys: ["programming:\(orgId):\(localDate)"])) { sql in
            if let programId, try await CatalogRows.program(sql, orgId: orgId, id: programId) == nil {
                throw DomainError.notFound("Program")
            }
            try await Self.requireWorkouts(sql, orgId: orgId, ids: workoutIds)
            let programFilter: SQLQueryString = programId.map { "program_id = \(bind: $0)" } ?? "program_id IS NULL"
            try await sql.raw(
                """
                DELETE FROM daily_programming WHERE organization_id = \(bind: orgId) AND local_date = \(bind: localDate) AND \(programFilter)
                """
            ).run()
            for (position, workoutId) in workoutIds.enumerated() {
                try await sql.raw(
                    """
                    INSERT INTO daily_programming (id, organization_id, program_id, local_date, workout_id, position, created_at)
                    VALUES (\(bind: NewID.make()), \(bind: orgId), \(bind: programId), \(bind: localDate), \(bind: workoutId),
                            \(bind: position), \(bind: now.epochSeconds))
                    """
                ).run()
            }
        }
    }

    /// Programming entries (live workouts only) for local dates in `[fromDate, toDate]` (`YYYY-MM-DD`).
    public func programming(orgId: String, fromDate: String, toDate: String) async throws -> [DailyProgramming] {
        try await database.read { sql in
            let rows = try await sql.raw(
                """
                SELECT dp.local_date, dp.program_id, dp.workout_id FROM daily_programming dp JOIN workouts w ON w.id = dp.workout_id
                WHERE dp.organization_id = \(bind: orgId) AND dp.local_date >= \(bind: fromDate) AND dp.local_date <= \(bind: toDate)
                  AND w.deleted_at IS NULL
                ORDER BY dp.local_date, dp.program_id, dp.position
                """
            ).all()
            var entries: [DailyProgramming] = []
            for row in rows {
                let date = try row.string("local_date")
                let program = try row.optionalString("program_id")
                let workout = try row.string("workout_id")
                if let last = entries.last, last.localDate == date, last.programId == program {
                    entries[entries.count - 1].workoutIds.append(workout)
                } else {
                    entries.append(DailyProgramming(localDate: date, programId: program, workoutIds: [workout]))
                }
            }
            return entries
        }
    }
}
