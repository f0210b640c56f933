import ArgumentParser
import Foundation
import FrontdeskCore
import FrontdeskStore
import Logging
import SQLKit

/// Times the attendance analytics queries on a large org (see `frontdesk demo --years`).
struct Analytics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Times attendance summary and daily (days=366) on the largest org; prints the query plan.",
        discussion: "Generate the data first: frontdesk demo --database-url U --years 2 --locations 10"
    )

    @Option(help: "The database (SQLite path or postgres:// URL).") var databaseURL: String = "data/frontdesk.sqlite"
    @Option(help: "The org to measure (default: the one with most classes).") var org: String?
    @Option(help: "Window in days.") var days: Int = 366
    @Option(help: "Timed runs of each query.") var iterations: Int = 20

    func run() async throws {
        try await withBenchDatabase(databaseURL, measure)
    }

    func measure(_ database: any FrontdeskDatabase) async throws {
        let organization = try await database.read { sql -> Organization? in
            let id: String? =
                if let org { org } else {
                    try await sql.raw("SELECT organization_id FROM class_sessions GROUP BY organization_id ORDER BY COUNT(*) DESC LIMIT 1")
                        .first()?.decode(column: "organization_id", as: String.self)
                }
            guard let id, let row = try await sql.raw("SELECT name, timezone FROM organizations WHERE id = \(bind: id)").first() else {
                return nil
            }
            return Organization(
                id: id, name: try row.decode(column: "name", as: String.self),
                timezone: try row.decode(column: "timezone", as: String.self),
                createdAt: Date(), updatedAt: Date())
        }
        guard let organization else { throw ValidationError("no org with classes in this database") }
        let counts = try await database.read { sql in
            try await sql.raw(
                """
                SELECT (SELECT COUNT(*) FROM class_sessions WHERE organization_id = \(bind: organization.id)) AS sessions,
                       (SELECT COUNT(*) FROM bookings WHERE organization_id = \(bind: organization.id)) AS bookings
                """
            ).first()
        }
        let store = AnalyticsStore(database: database)
        let now = Date()
        print(
            "attendance analytics, database \(database.backend), org \(organization.name): "
                + "\(try counts?.decode(column: "sessions", as: Int.self) ?? 0) classes, \(try counts?.decode(column: "bookings", as: Int.self) ?? 0) bookings, days=\(days)"
        )
        var summary = AttendanceTotals()
        let summaryTimes = try await time {
            summary = try await store.summary(org: organization, days: days, filter: AttendanceFilter(), now: now)
        }
        var daily: [AttendanceDay] = []
        let dailyTimes = try await time {
            daily = try await store.daily(org: organization, days: days, filter: AttendanceFilter(), now: now)
        }
        print(
            "  summary  median \(format(summaryTimes, 0.5)) ms   p95 \(format(summaryTimes, 0.95)) ms   "
                + "(\(summary.sessions) classes, \(summary.attended) attended, fill \(String(format: "%.1f", summary.fillPercent)) %)")
        print("  daily    median \(format(dailyTimes, 0.5)) ms   p95 \(format(dailyTimes, 0.95)) ms   (\(daily.count) days)")
        guard AttendanceTotals(summing: daily) == summary else {
            print("INCONSISTENT: the daily rows do not add up to the summary")
            throw ExitCode.failure
        }
        print("  the daily rows add up to the summary")
        print("query plan (summary):")
        for line in try await store.explainSummary(org: organization, days: days, now: now) { print("  \(line)") }
    }

    func time(_ body: () async throws -> Void) async throws -> [Double] {
        try await body()  // warm-up
        var times: [Double] = []
        for _ in 0..<iterations {
            let started = ContinuousClock.now
            try await body()
            let elapsed = ContinuousClock.now - started
            times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        return times.sorted()
    }

    func format(_ sorted: [Double], _ p: Double) -> String {
        String(format: "%.1f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))])
    }
}
