import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The owner's attendance dashboard, `GET /admin/analytics?org=&days=`: the window's KPIs, a daily
/// attended / no-show chart (server-rendered SVG), the class types by fill rate, and the daily series
/// as CSV (the API's `?format=csv`).
struct DashboardPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }

    func register(_ root: Routes) {
        root.signedIn(services, fallback: "/admin/analytics", reason: .analytics).get("admin/analytics", use: show)
    }

    struct KPI {
        let label: String
        let value: String
        let hint: String
    }

    struct ClassLine {
        let name: String
        let sessions: String
        let fill: String
        let noShow: String
        let average: String
    }

    struct Period {
        let days: Int
        let label: String
        let selected: Bool
    }

    struct View {
        let shell: AdminShellView
        let orgId: String
        let orgs: [Choice]
        let hasOrgChoice: Bool
        let periods: [Period]
        let range: String
        let kpis: [KPI]
        let chart: String
        let classes: [ClassLine]
        let noClasses: Bool
        let csvURL: String
    }

    static let periods = [
        (7, "dashboard.period.week"), (30, "dashboard.period.month"), (90, "dashboard.period.quarter"), (366, "dashboard.period.year"),
    ]

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let manager = try await ManagerScope.resolve(services, context: context, orgId: query.get("org")) else {
            return try ManagerScope.refusal(
                responder, title: PageLanguage.browser(request)["dashboard.title"], request: request, context: context)
        }
        let t = try await PageLanguage.messages(services, request, context, orgId: manager.scope.orgId)
        let days = query.get("days").flatMap(Int.init).flatMap { value in Self.periods.first { $0.0 == value }?.0 } ?? 30
        let scope = manager.scope
        let store = AnalyticsStore(database: services.database)
        let now = services.now
        let daily = try await store.daily(org: scope.organization, days: days, filter: AttendanceFilter(), now: now)
        let totals = AttendanceTotals(summing: daily)
        let classes = try await store.classTypes(org: scope.organization, days: days, filter: AttendanceFilter(), now: now, limit: 8)
        let percent = { (value: Double) in t("dashboard.percent", ["value": t.fixed(value)]) }
        let count = { (value: Int) in t.number(value) }
        let kpis = [
            KPI(
                label: t["dashboard.kpi.held"], value: count(totals.sessions),
                hint: t("dashboard.kpi.offered", ["count": count(totals.capacity)])),
            KPI(
                label: t["dashboard.kpi.average"], value: t.fixed(totals.averageAttendance),
                hint: t("dashboard.kpi.checkins", ["count": count(totals.attended)])),
            KPI(
                label: t["dashboard.kpi.fill"], value: percent(totals.fillPercent),
                hint: t("dashboard.kpi.taken", ["count": count(totals.booked)])),
            KPI(
                label: t["dashboard.kpi.noShows"], value: percent(totals.noShowPercent),
                hint: t("dashboard.kpi.ofTaken", ["count": count(totals.noShows)])),
        ]
        let view = View(
            shell: AdminShell.view(manager, section: .dashboard, t: t), orgId: scope.orgId, orgs: manager.orgs,
            hasOrgChoice: manager.orgs.count > 1,
            periods: Self.periods.map { Period(days: $0.0, label: t[$0.1], selected: $0.0 == days) },
            range: t("dashboard.range", ["from": daily.first?.date ?? "", "to": daily.last?.date ?? ""]), kpis: kpis,
            chart: AttendanceChart.svg(daily, brand: PageResponder.brand(scope.organization.primaryColor)),
            classes: classes.map { line in
                ClassLine(
                    name: line.name, sessions: count(line.totals.sessions), fill: percent(line.totals.fillPercent),
                    noShow: percent(line.totals.noShowPercent), average: t.fixed(line.totals.averageAttendance))
            },
            noClasses: classes.isEmpty,
            csvURL: "/api/orgs/\(scope.orgId)/analytics/attendance/daily?days=\(days)&format=csv")
        return try responder.page(
            "dashboard", title: t["dashboard.title"], page: view, request: request, context: context,
            orgName: scope.organization.name, brand: scope.organization.primaryColor, bodyClass: "admin", messages: t)
    }
}

/// The daily attended / no-show bars as an inline SVG (no script, no external assets).
enum AttendanceChart {
    static let width = 720.0, height = 220.0, left = 36.0, bottom = 24.0, top = 8.0

    static func svg(_ days: [AttendanceDay], brand: String) -> String {
        let peak = max(1, days.map { $0.totals.attended + $0.totals.noShows }.max() ?? 1)
        let plotWidth = width - left - 4, plotHeight = height - bottom - top
        let step = plotWidth / Double(max(1, days.count))
        let bar = max(1, step * 0.8)
        func y(_ value: Int) -> Double { top + plotHeight - plotHeight * Double(value) / Double(peak) }
        var parts = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" class=\"chart\" "
                + "aria-label=\"Attended and no-shows per day\">",
            "<line x1=\"\(left)\" y1=\"\(y(0))\" x2=\"\(width - 4)\" y2=\"\(y(0))\" stroke=\"#9a9a9a\" stroke-width=\"1\"/>",
            "<text x=\"\(left - 6)\" y=\"\(y(peak) + 4)\" text-anchor=\"end\" font-size=\"11\" fill=\"#5c5c5c\">\(peak)</text>",
            "<text x=\"\(left - 6)\" y=\"\(y(0))\" text-anchor=\"end\" font-size=\"11\" fill=\"#5c5c5c\">0</text>",
        ]
        let labelEvery = max(1, days.count / 8)
        for (index, day) in days.enumerated() {
            let x = left + Double(index) * step + (step - bar) / 2
            let attended = day.totals.attended, noShows = day.totals.noShows
            let title = "<title>\(day.date): \(attended) attended, \(noShows) no-shows</title>"
            if attended > 0 {
                parts.append(
                    String(
                        format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\">%@</rect>",
                        x, y(attended), bar, y(0) - y(attended), brand, title))
            }
            if noShows > 0 {
                parts.append(
                    String(
                        format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#d97706\">%@</rect>",
                        x, y(attended + noShows), bar, y(attended) - y(attended + noShows), title))
            }
            if index % labelEvery == 0 {
                parts.append(
                    String(
                        format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" fill=\"#5c5c5c\">%@</text>",
                        x + bar / 2, height - 8, String(day.date.suffix(5))))
            }
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }
}
