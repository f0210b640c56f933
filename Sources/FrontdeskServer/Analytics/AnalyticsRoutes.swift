import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// Attendance analytics (SPEC §9), owner/admin only: `GET /api/orgs/:org/analytics/attendance/summary`
/// and `…/daily` (JSON, or CSV with `?format=csv`), `?days=1…366` (default 30) and optional
/// `locationId`, `programId`, `classTypeId`, `coachId`. Definitions: README, "Attendance analytics".
struct AnalyticsRoutes {
    let services: AppServices
    var store: AnalyticsStore { AnalyticsStore(database: services.database) }

    func register(org: ContextRoutes<OrgContext>) {
        org.get("analytics/attendance/summary", use: summary)
        org.get("analytics/attendance/daily", use: daily)
    }

    /// The figures as the API shows them: counts and the three ratios (one decimal).
    struct Figures: Encodable, Sendable {
        let sessions: Int
        let capacity: Int
        let booked: Int
        let attended: Int
        let noShows: Int
        let averageAttendance: Double
        let fillPercent: Double
        let noShowPercent: Double

        init(_ totals: AttendanceTotals) {
            sessions = totals.sessions
            capacity = totals.capacity
            booked = totals.booked
            attended = totals.attended
            noShows = totals.noShows
            averageAttendance = Self.rounded(totals.averageAttendance)
            fillPercent = Self.rounded(totals.fillPercent)
            noShowPercent = Self.rounded(totals.noShowPercent)
        }

        static func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }
    }

    /// A parsed analytics request.
    struct Query: Sendable {
        let scope: OrgScope
        let days: Int
        let filter: AttendanceFilter
        let csv: Bool
    }

    func query(_ request: Request, context: OrgContext) async throws -> Query {
        let scope = try context.scope(.manager)
        let parameters = request.uri.queryParameters
        let days =
            try parameters.get("days").map { value in
                guard let number = Int(value), (1...366).contains(number) else {
                    throw DomainError(.invalidQuery, "days must be an integer from 1 to 366.")
                }
                return number
            } ?? 30
        func id(_ name: String, _ what: String) throws -> String? {
            try parameters.get(name).map { value in
                guard NewID.isWellFormed(value) else { throw DomainError.notFound(what) }
                return value.lowercased()
            }
        }
        let filter = AttendanceFilter(
            locationId: try id("locationId", "Location"), programId: try id("programId", "Program"),
            classTypeId: try id("classTypeId", "Class type"), coachMembershipId: try id("coachId", "Coach"))
        try await store.checkReferences(orgId: scope.orgId, filter: filter)
        let format = parameters.get("format") ?? "json"
        guard ["json", "csv"].contains(format) else { throw DomainError(.invalidQuery, "format must be json or csv.") }
        return Query(scope: scope, days: days, filter: filter, csv: format == "csv")
    }

    struct Summary: ResponseEncodable {
        let days: Int
        let from: String
        let to: String
        let timezone: String
        let summary: Figures
    }

    @Sendable func summary(_ request: Request, context: OrgContext) async throws -> Summary {
        let query = try await query(request, context: context)
        let organization = query.scope.organization
        let window = AnalyticsStore.window(days: query.days, now: services.now, calendar: OrgCalendar(timezone: organization.timezone))
        let totals = try await store.summary(org: organization, days: query.days, filter: query.filter, now: services.now)
        return Summary(
            days: query.days, from: window.first?.date ?? "", to: window.last?.date ?? "", timezone: organization.timezone,
            summary: Figures(totals))
    }

    struct DayFigures: Encodable {
        let date: String
        let figures: Figures

        enum CodingKeys: CodingKey { case date }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(date, forKey: .date)
            try figures.encode(to: encoder)
        }
    }

    struct Daily: ResponseEncodable {
        let days: Int
        let from: String
        let to: String
        let timezone: String
        let items: [DayFigures]
    }

    @Sendable func daily(_ request: Request, context: OrgContext) async throws -> Response {
        let query = try await query(request, context: context)
        let organization = query.scope.organization
        let days = try await store.daily(org: organization, days: query.days, filter: query.filter, now: services.now)
        if query.csv {
            return Self.csvResponse(days, name: "attendance-\(days.first?.date ?? "")-\(days.last?.date ?? "").csv")
        }
        return try Daily(
            days: query.days, from: days.first?.date ?? "", to: days.last?.date ?? "", timezone: organization.timezone,
            items: days.map { DayFigures(date: $0.date, figures: Figures($0.totals)) }
        )
        .response(from: request, context: context)
    }

    /// The daily series as CSV (one header line, one line per day).
    static func csv(_ days: [AttendanceDay]) -> String {
        var lines = ["date,sessions,capacity,booked,attended,no_shows,average_attendance,fill_percent,no_show_percent"]
        for day in days {
            let figures = Figures(day.totals)
            lines.append(
                [
                    day.date, "\(figures.sessions)", "\(figures.capacity)", "\(figures.booked)", "\(figures.attended)",
                    "\(figures.noShows)", "\(figures.averageAttendance)", "\(figures.fillPercent)", "\(figures.noShowPercent)",
                ]
                .joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func csvResponse(_ days: [AttendanceDay], name: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\"", .cacheControl: "no-store",
            ], body: .init(byteBuffer: ByteBuffer(string: csv(days))))
    }
}
