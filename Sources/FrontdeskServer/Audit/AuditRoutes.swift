import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

extension AuditBatch: ResponseEncodable {}
extension AuditEntry: ResponseEncodable {}

/// The audit trail (SPEC §8), owner/admin only: the whole log `GET /api/orgs/:org/audit` (single
/// actions and batches; per class with `sessionId`, per member with `membershipId`, per action with
/// `action`), the batches `GET /api/orgs/:org/audit/batches` (newest first, `limit` and `cursor`),
/// `GET …/:batch`, and `POST …/:batch/undo`.
struct AuditRoutes {
    let services: AppServices

    func register(org: ContextRoutes<OrgContext>) {
        org.get("audit", use: log)
        org.get("audit/batches", use: list)
        org.get("audit/batches/:batch", use: show)
        org.post("audit/batches/:batch/undo", use: undo)
    }

    struct EntryList: ResponseEncodable {
        let items: [AuditEntry]
        let nextCursor: String?
    }

    @Sendable func log(_ request: Request, context: OrgContext) async throws -> EntryList {
        let scope = try context.scope(.manager)
        let query = request.uri.queryParameters
        let action = try query.get("action").map { value in
            guard (1...100).contains(value.count), value.allSatisfy({ $0.isASCII && ($0.isLowercase || $0 == "." || $0 == "_") }) else {
                throw DomainError(.invalidQuery, "action must be an action such as session.cancel, or a family such as attendance.")
            }
            return value
        }
        let filter = AuditFilter(
            sessionId: try query.get("sessionId").map { try IDs.ref($0, "Session") },
            membershipId: try query.get("membershipId").map { try IDs.ref($0, "Member") }, action: action)
        let (entries, next) = try await AuditLog.list(
            services.database, orgId: scope.orgId, filter: filter, limit: try ListQuery.limit(query), after: try ListQuery.cursor(query))
        return EntryList(items: entries, nextCursor: next?.encoded)
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
