import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// `GET /api/public/orgs/:org/schedule?from=YYYY-MM-DD&days=N`: the public schedule as JSON, for a
/// studio's website or app (no login; any origin may read it, without credentials). `from` is a local
/// date from today up to a year ahead (default today), `days` 1–31 (default 7).
struct PublicScheduleRoutes {
    let services: AppServices
    var schedule: PublicSchedule { PublicSchedule(services: services) }

    func register(_ api: Routes) {
        api.get("public/orgs/:org/schedule", use: list)
    }

    struct Studio: Encodable {
        let id: String
        let name: String
        let timezone: String
        let scheduleUrl: String
    }

    struct Answer: Encodable {
        let studio: Studio
        let from: String
        let to: String
        let classes: [PublicSchedule.PublicClass]
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        try schedule.admit(request, context: context)
        let (org, settings) = try await schedule.studio(context.parameters.get("org"))
        let calendar = OrgCalendar(timezone: org.timezone)
        let query = request.uri.queryParameters
        let today = calendar.startOfDay(services.now)
        var from = today
        if let text = query.get("from") {
            guard let day = calendar.startOfDay(localDate: text) else {
                throw DomainError(.invalidDate, "from: must be a date YYYY-MM-DD.")
            }
            guard day >= today, day <= calendar.startOfDay(today, addingDays: PublicSchedule.maxDaysAhead) else {
                throw DomainError.invalidField(
                    "from", "must be between today (\(calendar.localDateString(today))) and \(PublicSchedule.maxDaysAhead) days ahead.")
            }
            from = day
        }
        var days = 7
        if let text = query.get("days") {
            guard text.utf8.count <= 4, let number = Int(text), (1...PublicSchedule.maxDays).contains(number) else {
                throw DomainError.invalidField("days", "must be a whole number 1–\(PublicSchedule.maxDays).")
            }
            days = number
        }
        let to = calendar.startOfDay(from, addingDays: days)
        let range = try await schedule.range(org: org, settings: settings, from: from, to: to)
        let answer = Answer(
            studio: Studio(
                id: org.id, name: org.name, timezone: org.timezone,
                scheduleUrl: "\(services.configuration.publicBaseURL)/studios/\(org.id)/schedule"),
            from: calendar.localDateString(from), to: calendar.localDateString(to),
            classes: range.sessions.map { schedule.publicClass($0, org: org) })
        let body = String(decoding: try Self.encoder.encode(answer), as: UTF8.self)
        var headers: HTTPFields = [:]
        headers[.accessControlAllowOrigin] = "*"
        return PublicCaching.response(
            request, body: body, contentType: "application/json; charset=utf-8", maxAge: PublicCaching.scheduleMaxAge,
            headers: headers)
    }
}
