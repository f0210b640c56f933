import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

extension ClassSeries: ResponseEncodable {}

/// The weekly timetable (issue 17): series that keep their classes made `scheduleHorizonWeeks` ahead.
///
/// `GET/POST /api/orgs/:org/series`, `GET/PATCH …/series/:series` (PATCH edits this and following
/// classes from `from`), `POST …/series/:series/end/preview` and `…/end` (ending goes through the bulk
/// path: preview, then confirm with the fingerprint). Staff read; owners and admins change.
struct SeriesRoutes {
    let services: AppServices
    var store: SeriesStore { SeriesStore(database: services.database) }

    func register(org: ContextRoutes<OrgContext>) {
        org.get("series", use: list)
        org.post("series", use: create)
        org.get("series/:series", use: show)
        org.patch("series/:series", use: update)
        org.post("series/:series/end/preview", use: endPreview)
        org.post("series/:series/end", use: end)
    }

    struct SeriesList: ResponseEncodable {
        let items: [ClassSeries]
    }

    @Sendable func list(_ request: Request, context: OrgContext) async throws -> SeriesList {
        let scope = try context.scope(.staff)
        return SeriesList(items: try await store.list(orgId: scope.orgId))
    }

    func seriesId(_ context: OrgContext) throws -> String { try context.id("series", "Series") }

    @Sendable func show(_ request: Request, context: OrgContext) async throws -> ClassSeries {
        let scope = try context.scope(.staff)
        guard let series = try await store.series(orgId: scope.orgId, id: try seriesId(context)) else {
            throw DomainError.notFound("Series")
        }
        return series
    }

    struct CreateBody: Decodable {
        let classTypeId: String
        let locationId: String?
        let coachMembershipId: String?
        let capacity: Int?
        let durationMin: Int?
        let weekdays: [Int]
        let startTime: String
        let firstDate: String
        let lastDate: String?
        let publish: Bool?
        let force: Bool?
    }

    struct CreatedSeries: ResponseEncodable {
        let series: ClassSeries
        let createdSessions: Int
    }

    @Sendable func create(_ request: Request, context: OrgContext) async throws -> Created<CreatedSeries> {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(CreateBody.self, context: context)
        let calendar = OrgCalendar(timezone: scope.organization.timezone)
        let pattern = try SeriesPattern(
            weekdays: body.weekdays, startTime: body.startTime, firstDate: body.firstDate, lastDate: body.lastDate
        ).validated(calendar: calendar)
        let draft = SeriesDraft(
            classTypeId: try IDs.ref(body.classTypeId, "Class type"), locationId: try body.locationId.map { try IDs.ref($0, "Location") },
            coachMembershipId: try body.coachMembershipId.map { try IDs.ref($0, "Coach") },
            capacity: try body.capacity.map { try Validate.int($0, in: CatalogLimits.capacity, field: "capacity") },
            durationMin: try body.durationMin.map { try Validate.int($0, in: CatalogLimits.durationMin, field: "durationMin") },
            pattern: pattern, publish: body.publish ?? false, force: body.force ?? false)
        let (series, made) = try await store.create(
            org: scope.organization, draft: draft, actor: scope.actor,
            horizonWeeks: services.configuration.scheduleHorizonWeeks, now: services.now)
        return Created(body: CreatedSeries(series: series, createdSessions: made))
    }

    struct UpdateBody: Decodable {
        var from: String
        var classTypeId: PatchField<String> = .absent
        var locationId: PatchField<String> = .absent
        var coachMembershipId: PatchField<String> = .absent
        var capacity: PatchField<Int> = .absent
        var durationMin: PatchField<Int> = .absent
        var weekdays: PatchField<[Int]> = .absent
        var startTime: PatchField<String> = .absent
        var lastDate: PatchField<String> = .absent
        var publish: PatchField<Bool> = .absent
        var force: PatchField<Bool> = .absent

        enum CodingKeys: String, CodingKey {
            case from, classTypeId, locationId, coachMembershipId, capacity, durationMin, weekdays, startTime, lastDate, publish, force
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            from = try c.decode(String.self, forKey: .from)
            classTypeId = try c.patch(String.self, forKey: .classTypeId)
            locationId = try c.patch(String.self, forKey: .locationId)
            coachMembershipId = try c.patch(String.self, forKey: .coachMembershipId)
            capacity = try c.patch(Int.self, forKey: .capacity)
            durationMin = try c.patch(Int.self, forKey: .durationMin)
            weekdays = try c.patch([Int].self, forKey: .weekdays)
            startTime = try c.patch(String.self, forKey: .startTime)
            lastDate = try c.patch(String.self, forKey: .lastDate)
            publish = try c.patch(Bool.self, forKey: .publish)
            force = try c.patch(Bool.self, forKey: .force)
        }

        func changes() throws -> SeriesChanges {
            for (field, isNull) in [
                ("classTypeId", classTypeId.isNull), ("capacity", capacity.isNull), ("durationMin", durationMin.isNull),
                ("weekdays", weekdays.isNull), ("startTime", startTime.isNull), ("publish", publish.isNull),
            ] where isNull {
                throw DomainError.invalidField(field, "must not be null.")
            }
            func optionalRef(_ field: PatchField<String>, _ what: String) throws -> String?? {
                switch field {
                case .absent: nil
                case .null: .some(nil)
                case .value(let id): .some(try IDs.ref(id, what))
                }
            }
            let last: String?? =
                switch lastDate {
                case .absent: nil
                case .null: .some(nil)
                case .value(let date): .some(date)
                }
            return SeriesChanges(
                classTypeId: try classTypeId.given.map { try IDs.ref($0, "Class type") },
                locationId: try optionalRef(locationId, "Location"),
                coachMembershipId: try optionalRef(coachMembershipId, "Coach"),
                capacity: try capacity.given.map { try Validate.int($0, in: CatalogLimits.capacity, field: "capacity") },
                durationMin: try durationMin.given.map { try Validate.int($0, in: CatalogLimits.durationMin, field: "durationMin") },
                weekdays: weekdays.given, startTime: startTime.given, lastDate: last, publish: publish.given,
                force: force.given ?? false)
        }
    }

    struct EditResult: ResponseEncodable {
        let series: ClassSeries
        let endedSeries: ClassSeries?
        let changedSessions: Int
        let removedSessions: Int
        let createdSessions: Int
        let notifiedBookings: Int
    }

    @Sendable func update(_ request: Request, context: OrgContext) async throws -> EditResult {
        let scope = try context.scope(.manager)
        let id = try seriesId(context)
        let body = try await request.decodeJSON(UpdateBody.self, context: context)
        let edit = try await store.edit(
            org: scope.organization, id: id, from: body.from, changes: try body.changes(), actor: scope.actor,
            horizonWeeks: services.configuration.scheduleHorizonWeeks, now: services.now)
        return EditResult(
            series: edit.series, endedSeries: edit.endedPart, changedSessions: edit.changedSessionIds.count,
            removedSessions: edit.removedSessionIds.count, createdSessions: edit.createdSessions, notifiedBookings: edit.notifiedBookings)
    }

    struct EndPreviewBody: Decodable {
        let from: String
    }

    @Sendable func endPreview(_ request: Request, context: OrgContext) async throws -> BulkPreview {
        let scope = try context.scope(.manager)
        let id = try seriesId(context)
        let body = try await request.decodeJSON(EndPreviewBody.self, context: context)
        return try await store.endPreview(
            org: scope.organization, id: id, from: body.from, maximum: services.configuration.bulkMaxSessions, now: services.now)
    }

    struct EndBody: Decodable {
        let from: String
        let fingerprint: String?
        let confirm: Bool?
    }

    @Sendable func end(_ request: Request, context: OrgContext) async throws -> Response {
        let scope = try context.scope(.manager)
        let id = try seriesId(context)
        let body = try await request.decodeJSON(EndBody.self, context: context)
        let fingerprint = try BulkConfirmation.check(confirm: body.confirm, fingerprint: body.fingerprint, what: "end the series")
        let outcome = try await store.end(
            org: scope.organization, id: id, from: body.from, fingerprint: fingerprint, actor: scope.actor,
            maximum: services.configuration.bulkMaxSessions, now: services.now)
        return try BulkConfirmation.respond(outcome, action: .delete, request: request, context: context)
    }
}
