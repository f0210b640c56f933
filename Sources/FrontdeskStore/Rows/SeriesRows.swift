import Foundation
import FrontdeskCore
import SQLKit

/// Row operations on weekly series and the classes they make, inside the caller's transaction.
enum SeriesRows {
    static func series(_ row: any SQLRow) throws -> ClassSeries {
        let weekdays = try row.string("weekdays").split(separator: ",").compactMap { Int($0) }
        return ClassSeries(
            id: try row.string("id"), organizationId: try row.string("organization_id"),
            classTypeId: try row.string("class_type_id"), locationId: try row.optionalString("location_id"),
            coachMembershipId: try row.optionalString("coach_membership_id"), capacity: try row.int("capacity"),
            durationMin: try row.int("duration_min"),
            pattern: SeriesPattern(
                weekdays: weekdays, startTime: try row.string("start_time"), firstDate: try row.string("first_date"),
                lastDate: try row.optionalString("last_date")),
            publish: try row.bool("publish"), generatedThrough: try row.optionalString("generated_through"),
            splitFromSeriesId: try row.optionalString("split_from_series_id"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }

    static func insert(_ sql: any SQLDatabase, _ series: ClassSeries, createdBy: String?) async throws {
        try await sql.raw(
            """
            INSERT INTO class_series (id, organization_id, class_type_id, location_id, coach_membership_id, capacity, duration_min,
                weekdays, start_time, first_date, last_date, publish, generated_through, split_from_series_id,
                created_by_membership_id, created_at, updated_at)
            VALUES (\(bind: series.id), \(bind: series.organizationId), \(bind: series.classTypeId), \(bind: series.locationId),
                \(bind: series.coachMembershipId), \(bind: series.capacity), \(bind: series.durationMin),
                \(bind: weekdays(series.weekdays)), \(bind: series.startTime), \(bind: series.firstDate), \(bind: series.lastDate),
                \(bind: series.publish), \(bind: series.generatedThrough), \(bind: series.splitFromSeriesId), \(bind: createdBy),
                \(bind: series.createdAt.epochSeconds), \(bind: series.updatedAt.epochSeconds))
            """
        ).run()
    }

    /// Writes every editable field of `series` back.
    static func update(_ sql: any SQLDatabase, _ series: ClassSeries) async throws {
        try await sql.raw(
            """
            UPDATE class_series SET class_type_id = \(bind: series.classTypeId), location_id = \(bind: series.locationId),
                coach_membership_id = \(bind: series.coachMembershipId), capacity = \(bind: series.capacity),
                duration_min = \(bind: series.durationMin), weekdays = \(bind: weekdays(series.weekdays)),
                start_time = \(bind: series.startTime), first_date = \(bind: series.firstDate), last_date = \(bind: series.lastDate),
                publish = \(bind: series.publish), generated_through = \(bind: series.generatedThrough),
                updated_at = \(bind: series.updatedAt.epochSeconds)
            WHERE id = \(bind: series.id)
            """
        ).run()
    }

    static func weekdays(_ days: [Int]) -> String { days.map(String.init).joined(separator: ",") }

    static func live(_ sql: any SQLDatabase, orgId: String, id: String) async throws -> ClassSeries? {
        try await sql.raw(
            "SELECT * FROM class_series WHERE id = \(bind: id) AND organization_id = \(bind: orgId) AND deleted_at IS NULL"
        ).first().map(series)
    }

    static func requireLive(_ sql: any SQLDatabase, orgId: String, id: String) async throws -> ClassSeries {
        guard let series = try await live(sql, orgId: orgId, id: id) else { throw DomainError.notFound("Series") }
        return series
    }

    /// The studio's closures that end on or after `from` (local date).
    static func closures(_ sql: any SQLDatabase, orgId: String, from: String) async throws -> [ClosureRange] {
        try await sql.raw(
            """
            SELECT location_id, first_date, last_date FROM closures
            WHERE organization_id = \(bind: orgId) AND deleted_at IS NULL AND last_date >= \(bind: from)
            """
        ).all().map {
            ClosureRange(
                locationId: try $0.optionalString("location_id"), firstDate: try $0.string("first_date"),
                lastDate: try $0.string("last_date"))
        }
    }

    /// Makes the classes of `series` that are missing up to local date `through`: from the day after
    /// it was last generated (or its first date), never a class that has started by `now`, none in a
    /// closure. A date that has a class of the series already — also a deleted, cancelled or
    /// separately edited one — is left alone (the unique key on series and date), so running this
    /// on several instances at once makes each class once. Returns how many classes it made.
    @discardableResult
    static func materialise(
        _ sql: any SQLDatabase, series: inout ClassSeries, calendar: OrgCalendar, through: String, now: Date
    ) async throws -> Int {
        if let done = series.generatedThrough, done >= through { return 0 }
        let today = calendar.localDateString(now)
        let after = series.generatedThrough.flatMap { calendar.startOfDay(localDate: $0) }
            .map { calendar.localDateString(calendar.startOfDay($0, addingDays: 1)) }
        let from = max(today, after ?? series.firstDate)
        let closures = try await closures(sql, orgId: series.organizationId, from: from)
        let occurrences = series.pattern.occurrences(calendar: calendar, from: from, through: through)
            .filter { occurrence in
                occurrence.startsAt > now && !closures.contains { $0.covers(date: occurrence.localDate, locationId: series.locationId) }
            }
        var made = 0
        for chunk in occurrences.chunked(into: 200) {
            let status = series.publish ? SessionStatus.published : .draft
            let rows: [SQLQueryString] = chunk.map { occurrence in
                let end = occurrence.startsAt.addingTimeInterval(TimeInterval(series.durationMin * 60))
                return """
                    (\(bind: NewID.make()), \(bind: series.organizationId), \(bind: series.classTypeId), \(bind: series.locationId),
                     \(bind: series.coachMembershipId), \(bind: occurrence.startsAt.epochSeconds), \(bind: series.durationMin),
                     \(bind: end.epochSeconds), \(bind: series.capacity), \(bind: status.rawValue), \(bind: series.id),
                     \(bind: occurrence.localDate), \(bind: now.epochSeconds), \(bind: now.epochSeconds))
                    """
            }
            made += try await sql.raw(
                """
                INSERT INTO class_sessions (id, organization_id, class_type_id, location_id, coach_membership_id, starts_at,
                    duration_min, ends_at, capacity, status, series_id, series_date, created_at, updated_at)
                VALUES \(rows.joined(separator: ", "))
                ON CONFLICT (series_id, series_date) DO NOTHING
                RETURNING id
                """
            ).all().count
        }
        series.generatedThrough = through
        try await sql.raw(
            "UPDATE class_series SET generated_through = \(bind: series.generatedThrough) WHERE id = \(bind: series.id)"
        ).run()
        return made
    }

    /// Checks the live classes of a series that have not started for coach and room double-booking,
    /// as a single class's create and edit do (409 `coach_busy`/`room_busy`, or audited with `force`).
    static func checkClashes(_ sql: any SQLDatabase, seriesId: String, force: Bool, actor: BookingActor, now: Date) async throws {
        let sessions = try await sql.raw(
            """
            SELECT * FROM class_sessions WHERE series_id = \(bind: seriesId) AND deleted_at IS NULL AND status <> 'cancelled'
              AND starts_at > \(bind: now.epochSeconds) ORDER BY starts_at
            """
        ).all().map(SessionRows.session)
        for session in sessions {
            try await SessionClashRows.check(sql, session, force: force, actor: actor, now: now)
        }
    }

    /// The last local date the timetable reaches `weeks` weeks after `now`.
    static func horizon(calendar: OrgCalendar, now: Date, weeks: Int) -> String {
        calendar.localDateString(calendar.startOfDay(now, addingDays: weeks * 7))
    }
}
