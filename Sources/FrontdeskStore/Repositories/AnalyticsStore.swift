import Foundation
import FrontdeskCore
import SQLKit

/// Which classes attendance analytics look at, besides the window.
public struct AttendanceFilter: Sendable, Equatable {
    public var locationId: String?
    public var programId: String?
    public var classTypeId: String?
    public var coachMembershipId: String?

    public init(locationId: String? = nil, programId: String? = nil, classTypeId: String? = nil, coachMembershipId: String? = nil) {
        self.locationId = locationId
        self.programId = programId
        self.classTypeId = classTypeId
        self.coachMembershipId = coachMembershipId
    }
}

/// The attendance figures of a set of classes. Ratios are computed from the sums, so the daily rows
/// of a window add up to its summary.
public struct AttendanceTotals: Codable, Sendable, Equatable {
    /// Published classes (not cancelled, not deleted) that started in the window and have ended.
    public var sessions = 0
    /// Places those classes offered.
    public var capacity = 0
    /// Places taken: bookings that were confirmed at the end (attended, no-show, or not yet swept).
    public var booked = 0
    public var attended = 0
    public var noShows = 0

    public init() {}

    /// Attended per class.
    public var averageAttendance: Double { sessions == 0 ? 0 : Double(attended) / Double(sessions) }
    /// Places taken out of places offered, in percent.
    public var fillPercent: Double { capacity == 0 ? 0 : 100 * Double(booked) / Double(capacity) }
    /// No-shows out of places taken, in percent.
    public var noShowPercent: Double { booked == 0 ? 0 : 100 * Double(noShows) / Double(booked) }

    mutating func add(_ other: AttendanceTotals) {
        sessions += other.sessions
        capacity += other.capacity
        booked += other.booked
        attended += other.attended
        noShows += other.noShows
    }
}

/// One org-local day of the window.
public struct AttendanceDay: Sendable, Equatable {
    public var date: String
    public var totals: AttendanceTotals
}

/// One class type's figures, for "top classes by fill rate".
public struct ClassTypeAttendance: Sendable, Equatable {
    public var classTypeId: String
    public var name: String
    public var totals: AttendanceTotals
}

/// Attendance analytics (SPEC §9): aggregate SQL over the window's classes on indexed columns
/// (`class_sessions (organization_id, starts_at)`, `bookings (session_id, status, …)`); org-local days
/// are computed in Swift (correct across DST, whatever the host's zone) and joined as a VALUES table.
public struct AnalyticsStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// The org-local days `[today - days + 1, today]` with their instant bounds.
    public static func window(days: Int, now: Date, calendar: OrgCalendar) -> [(date: String, from: Date, to: Date)] {
        let today = calendar.startOfDay(now)
        return (0..<days).reversed().map { back in
            let from = calendar.startOfDay(today, addingDays: -back)
            return (calendar.localDateString(from), from, calendar.startOfDay(from, addingDays: 1))
        }
    }

    /// The instants the window covers: from the first day's local midnight to the end of today.
    static func span(days: Int, now: Date, org: Organization) -> (from: Date, to: Date) {
        let calendar = OrgCalendar(timezone: org.timezone)
        let today = calendar.startOfDay(now)
        return (calendar.startOfDay(today, addingDays: -(max(1, days) - 1)), calendar.startOfDay(today, addingDays: 1))
    }

    /// Per org-local day of the last `days` days (today included), oldest first; days without classes are zeros.
    public func daily(org: Organization, days: Int, filter: AttendanceFilter, now: Date) async throws -> [AttendanceDay] {
        let calendar = OrgCalendar(timezone: org.timezone)
        let window = Self.window(days: days, now: now, calendar: calendar)
        guard let first = window.first, let last = window.last else { return [] }
        let localDay = Self.localDayNumber("s.starts_at", from: first.from, to: last.to, zone: calendar.timeZone)
        let byDay = try await aggregate(org: org, from: first.from, to: last.to, filter: filter, now: now, key: localDay)
        return window.map { day in
            AttendanceDay(
                date: day.date,
                totals: byDay[String(Self.dayNumber(localMidnight: day.from, zone: calendar.timeZone))] ?? AttendanceTotals())
        }
    }

    /// The window as one row: the sum of `daily`.
    public func summary(org: Organization, days: Int, filter: AttendanceFilter, now: Date) async throws -> AttendanceTotals {
        let span = Self.span(days: days, now: now, org: org)
        return try await aggregate(org: org, from: span.from, to: span.to, filter: filter, now: now, key: nil)["all"] ?? AttendanceTotals()
    }

    /// The window's class types by fill rate, best first.
    public func classTypes(
        org: Organization, days: Int, filter: AttendanceFilter, now: Date, limit: Int
    ) async throws -> [ClassTypeAttendance] {
        let span = Self.span(days: days, now: now, org: org)
        let byType = try await aggregate(org: org, from: span.from, to: span.to, filter: filter, now: now, key: "s.class_type_id")
        let names = try await database.read { sql in
            try await sql.raw("SELECT id, name FROM class_types WHERE organization_id = \(bind: org.id)").all()
                .reduce(into: [String: String]()) { $0[try $1.string("id")] = try $1.string("name") }
        }
        let types = byType.map { ClassTypeAttendance(classTypeId: $0.key, name: names[$0.key] ?? "", totals: $0.value) }
        return Array(types.sorted { ($0.totals.fillPercent, $1.name) > ($1.totals.fillPercent, $0.name) }.prefix(limit))
    }

    /// The counted classes' figures grouped by `key` (an expression over `s`): one aggregate over the
    /// classes for counts and capacity, one over their bookings for the outcomes — no per-class
    /// grouping, so the cost is one pass over the window's booking index entries.
    func aggregate(
        org: Organization, from: Date, to: Date, filter: AttendanceFilter, now: Date,
        key: SQLQueryString?
    ) async throws -> [String: AttendanceTotals] {
        let classes = Self.classConditions(org: org, from: from, to: to, filter: filter, now: now)
        // No key: one row for the whole window (PostgreSQL refuses to group by a constant).
        let select: SQLQueryString = key.map { "CAST(\($0) AS TEXT)" } ?? "'all'"
        let grouping: SQLQueryString = key.map { "GROUP BY \($0)" } ?? ""
        return try await database.read { sql in
            var result: [String: AttendanceTotals] = [:]
            for row in try await sql.raw(
                """
                SELECT \(select) AS k, COUNT(*) AS sessions, CAST(COALESCE(SUM(s.capacity), 0) AS BIGINT) AS capacity
                FROM class_sessions s WHERE \(classes) \(grouping)
                """
            ).all() {
                var totals = AttendanceTotals()
                totals.sessions = try row.int("sessions")
                totals.capacity = try row.int("capacity")
                result[try row.string("k")] = totals
            }
            for row in try await sql.raw(
                """
                SELECT \(select) AS k, COUNT(*) AS booked,
                    CAST(COALESCE(SUM(CASE WHEN b.status = 'attended' THEN 1 ELSE 0 END), 0) AS BIGINT) AS attended,
                    CAST(COALESCE(SUM(CASE WHEN b.status = 'no_show' THEN 1 ELSE 0 END), 0) AS BIGINT) AS no_shows
                FROM class_sessions s JOIN bookings b ON b.session_id = s.id AND b.status IN ('confirmed', 'attended', 'no_show')
                WHERE \(classes) \(grouping)
                """
            ).all() {
                let k = try row.string("k")
                var totals = result[k] ?? AttendanceTotals()
                totals.booked = try row.int("booked")
                totals.attended = try row.int("attended")
                totals.noShows = try row.int("no_shows")
                result[k] = totals
            }
            return result
        }
    }

    /// The org-local day of an instant column as a number (local seconds ÷ 86,400), one cheap
    /// expression per row: the zone's UTC offset is constant between DST changes, so a `CASE` over the
    /// window's few changes gives the local time on both engines.
    static func localDayNumber(_ column: String, from: Date, to: Date, zone: TimeZone) -> SQLQueryString {
        var cases: [SQLQueryString] = []
        var cursor = from
        while let change = zone.nextDaylightSavingTimeTransition(after: cursor), change < to {
            cases.append(
                "WHEN \(unsafeRaw: column) < \(literal: Int(change.epochSeconds)) THEN \(literal: zone.secondsFromGMT(for: cursor))")
            cursor = change
        }
        let offset: SQLQueryString =
            cases.isEmpty
            ? "\(literal: zone.secondsFromGMT(for: from))"
            : "CASE \(cases.joined(separator: " ")) ELSE \(literal: zone.secondsFromGMT(for: cursor)) END"
        return "((\(unsafeRaw: column) + \(offset)) / 86400)"
    }

    /// The number `localDayNumber` gives the day starting at `localMidnight`.
    static func dayNumber(localMidnight: Date, zone: TimeZone) -> Int {
        (Int(localMidnight.epochSeconds) + zone.secondsFromGMT(for: localMidnight)) / 86_400
    }

    /// Which classes count: the org's published, not deleted classes that started in `[from, to)` and
    /// have ended by `now`, narrowed by the filter.
    static func classConditions(org: Organization, from: Date, to: Date, filter: AttendanceFilter, now: Date) -> SQLQueryString {
        var conditions: [SQLQueryString] = [
            "s.organization_id = \(bind: org.id)", "s.starts_at >= \(bind: from.epochSeconds)", "s.starts_at < \(bind: to.epochSeconds)",
            "s.ends_at <= \(bind: now.epochSeconds)", "s.status = 'published'", "s.deleted_at IS NULL",
        ]
        if let id = filter.locationId { conditions.append("s.location_id = \(bind: id)") }
        if let id = filter.classTypeId { conditions.append("s.class_type_id = \(bind: id)") }
        if let id = filter.coachMembershipId { conditions.append("s.coach_membership_id = \(bind: id)") }
        if let id = filter.programId {
            conditions.append("s.class_type_id IN (SELECT ct.id FROM class_types ct WHERE ct.program_id = \(bind: id))")
        }
        return conditions.joined(separator: " AND ")
    }
}

extension AttendanceTotals {
    /// The sum of `days`' totals.
    public init(summing days: [AttendanceDay]) {
        self.init()
        for day in days { add(day.totals) }
    }
}

extension AnalyticsStore {
    /// A location, program, class type or coach named by the filter must be the org's (404 otherwise).
    public func checkReferences(orgId: String, filter: AttendanceFilter) async throws {
        try await database.read { sql in
            try await OrgReferences.check(
                sql, orgId: orgId,
                [
                    ("locations", filter.locationId, "Location"), ("programs", filter.programId, "Program"),
                    ("class_types", filter.classTypeId, "Class type"), ("memberships", filter.coachMembershipId, "Coach"),
                ])
        }
    }
}

/// Ids a request names inside one org.
enum OrgReferences {
    /// Each given id must be a row of its table in the org: 404 naming `what` otherwise.
    static func check(_ sql: any SQLDatabase, orgId: String, _ references: [(table: String, id: String?, what: String)]) async throws {
        for reference in references {
            guard let id = reference.id else { continue }
            let found = try await sql.raw(
                """
                SELECT 1 AS one FROM \(ident: reference.table) WHERE id = \(bind: id) AND organization_id = \(bind: orgId)
                """
            ).first()
            guard found != nil else { throw DomainError.notFound(reference.what) }
        }
    }
}

extension AnalyticsStore {
    /// The plan of the summary's booking aggregate as the engine reports it (PostgreSQL:
    /// `EXPLAIN (ANALYZE, BUFFERS)`; SQLite: `EXPLAIN QUERY PLAN`), for benchmarks.
    public func explainSummary(org: Organization, days: Int, now: Date) async throws -> [String] {
        let span = Self.span(days: days, now: now, org: org)
        return try await database.read { sql in
            let postgres = PortableSQL.isPostgres(sql)
            let query: SQLQueryString = """
                \(unsafeRaw: postgres ? "EXPLAIN (ANALYZE, BUFFERS)" : "EXPLAIN QUERY PLAN")
                SELECT COUNT(*) AS booked, SUM(CASE WHEN b.status = 'attended' THEN 1 ELSE 0 END) AS attended
                FROM class_sessions s JOIN bookings b ON b.session_id = s.id AND b.status IN ('confirmed', 'attended', 'no_show')
                WHERE \(Self.classConditions(org: org, from: span.from, to: span.to, filter: AttendanceFilter(), now: now))
                """
            return try await sql.raw(query).all().map { row in
                postgres ? try row.decode(column: "QUERY PLAN", as: String.self) : try row.decode(column: "detail", as: String.self)
            }
        }
    }
}
