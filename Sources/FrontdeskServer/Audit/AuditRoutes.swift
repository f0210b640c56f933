import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

extension AuditBatch: ResponseEncodable {}

/// The audit trail of batches (SPEC §8), owner/admin only: `GET /api/orgs/:org/audit/batches`
/// (newest first, `limit` and `cursor`), `GET …/:batch`, and `POST …/:batch/undo`.
struct AuditRoutes {
    let services: AppServices

    func register(org: ContextRoutes<OrgContext>) {
        org.get("audit/batches", use: list)
        org.get("audit/batches/:batch", use: show)
        org.post("audit/batches/:batch/undo", use: undo)
    }

    struct BatchList: ResponseEncodable {
        let items: [AuditBatch]
        let nextCursor: String?
    }

    @Sendable func list(_ request: Request, context: OrgContext) async throws -> BatchList {
        let scope = try context.scope(.manager)
        let query = request.uri.queryParameters
        let (batches, next) = try await AuditBatches.list(
            services.database, orgId: scope.orgId, limit: try ListQuery.limit(query),
            after: try ListQuery.cursor(query))
        return BatchList(items: batches, nextCursor: next?.encoded)
    }

    @Sendable func show(_ request: Request, context: OrgContext) async throws -> AuditBatch {
        let scope = try context.scope(.manager)
        let id = try context.id("batch", "Batch")
        guard let batch = try await AuditBatches.batch(services.database, orgId: scope.orgId, batchId: id) else {
            throw DomainError.notFound("Batch")
        }
        return batch
    }

    @Sendable func undo(_ request: Request, context: OrgContext) async throws -> AuditBatch {
        let scope = try context.scope(.manager)
        let id = try context.id("batch", "Batch")
        return try await BulkSessionsStore(database: services.database)
            .undo(org: scope.organization, batchId: id, actor: scope.actor, now: services.now)
    }
}
