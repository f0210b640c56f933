import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

extension Closure: ResponseEncodable {}

/// Closures (issue 17): `GET /api/orgs/:org/closures` (staff; those not over yet),
/// `POST …/closures/preview` with `{locationId?, from, to}` answers the classes it would take down,
/// `POST …/closures` with the same and `{reason?, fingerprint, confirm: true}` adds it (its published
/// classes cancelled with refunds and e-mails, its drafts deleted, one audit batch), and
/// `DELETE …/closures/:closure` removes it (the series fill its dates again). Owners and admins change.
struct ClosureRoutes {
    let services: AppServices
    var store: ClosuresStore { ClosuresStore(database: services.database) }

    func register(org: ContextRoutes<OrgContext>) {
        org.get("closures", use: list)
        org.post("closures/preview", use: preview)
        org.post("closures", use: create)
        org.delete("closures/:closure", use: delete)
    }

    struct ClosureList: ResponseEncodable {
        let items: [Closure]
    }

    @Sendable func list(_ request: Request, context: OrgContext) async throws -> ClosureList {
        let scope = try context.scope(.staff)
        let today = OrgCalendar(timezone: scope.organization.timezone).localDateString(services.now)
        return ClosureList(items: try await store.list(orgId: scope.orgId, fromDate: today))
    }

    struct RangeBody: Decodable {
        let locationId: String?
        let from: String
        let to: String
        let reason: String?
        let fingerprint: String?
        let confirm: Bool?

        func range(_ scope: OrgScope, now: Date) throws -> ClosureRange {
            let calendar = OrgCalendar(timezone: scope.organization.timezone)
            return try ClosureRange(locationId: try locationId.map { try IDs.ref($0, "Location") }, firstDate: from, lastDate: to)
                .validated(calendar: calendar, today: calendar.localDateString(now))
        }
    }

    @Sendable func preview(_ request: Request, context: OrgContext) async throws -> BulkPreview {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(RangeBody.self, context: context)
        return try await store.preview(
            org: scope.organization, range: try body.range(scope, now: services.now), maximum: services.configuration.bulkMaxSessions,
            now: services.now)
    }

    struct CreatedClosure: ResponseEncodable {
        let closure: Closure
        let batch: BulkRoutes.BatchResult
    }

    @Sendable func create(_ request: Request, context: OrgContext) async throws -> Response {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(RangeBody.self, context: context)
        let range = try body.range(scope, now: services.now)
        let reason = try body.reason.flatMap { $0.isEmpty ? nil : try Validate.name($0, field: "reason", maxLength: 500) }
        let fingerprint = try BulkConfirmation.check(confirm: body.confirm, fingerprint: body.fingerprint, what: "close these dates")
        let outcome = try await store.create(
            org: scope.organization, range: range, reason: reason, fingerprint: fingerprint, actor: scope.actor,
            maximum: services.configuration.bulkMaxSessions, now: services.now)
        switch outcome {
        case .done(let closure, let batch):
            return try Created(body: CreatedClosure(closure: closure, batch: .init(batch, action: .cancel)))
                .response(from: request, context: context)
        case .changed(let preview):
            return try BulkConfirmation.changed(preview, request: request, context: context)
        }
    }

    struct Reopened: ResponseEncodable {
        let createdSessions: Int
    }

    @Sendable func delete(_ request: Request, context: OrgContext) async throws -> Reopened {
        let scope = try context.scope(.manager)
        let made = try await store.delete(
            org: scope.organization, id: try context.id("closure", "Closure"), actor: scope.actor,
            horizonWeeks: services.configuration.scheduleHorizonWeeks, now: services.now)
        return Reopened(createdSessions: made)
    }
}
