import Foundation
import FrontdeskCore
import SQLKit

/// One executed batch: its single audit row, who ran it, and whether it was undone.
public struct AuditBatch: Codable, Sendable, Equatable {
    public var batchId: String
    public var action: String
    public var actorMembershipId: String?
    public var actorName: String?
    public var createdAt: Date
    public var payload: BulkBatchPayload
    /// The batch that undid this one, if any.
    public var undoneBy: String?
}

/// Audit batches (SPEC §8): each bulk operation writes exactly one audit row with a `batchId` and
/// its full payload; these read them back.
public enum AuditBatches {
    public static let undoAction = "sessions.bulk_undo"

    /// Writes the batch's one audit row inside the caller's transaction.
    static func record(
        _ sql: any SQLDatabase, orgId: String, actor: BookingActor, action: String,
        payload: BulkBatchPayload, now: Date
    ) async throws -> AuditBatch {
        let batchId = NewID.make()
        try await AuditRows.record(
            sql, orgId: orgId, actorUserId: actor.userId, actorMembershipId: actor.membershipId,
            action: action, batchId: batchId, entityType: "batch", entityId: payload.undoes ?? batchId,
            payload: payload, now: now)
        return AuditBatch(
            batchId: batchId, action: action, actorMembershipId: actor.membershipId, actorName: nil,
            createdAt: now, payload: payload, undoneBy: nil)
    }

    static let columns: SQLQueryString = """
        a.batch_id, a.action, a.actor_membership_id, a.payload, a.created_at, a.id, u.name AS actor_name,
        (SELECT MIN(r.batch_id) FROM audit_logs r WHERE r.organization_id = a.organization_id AND r.action = \(bind: undoAction)
            AND r.entity_type = 'batch' AND r.entity_id = a.batch_id) AS undone_by
        FROM audit_logs a LEFT JOIN users u ON u.id = a.actor_user_id
        """

    static func batch(_ row: any SQLRow) throws -> AuditBatch {
        let text = try row.string("payload")
        guard let payload = try? JSONDecoder().decode(BulkBatchPayload.self, from: Data(text.utf8)) else {
            throw DomainError(.corruptAuditRow, "An audit row's payload could not be read.")
        }
        return AuditBatch(
            batchId: try row.string("batch_id"), action: try row.string("action"),
            actorMembershipId: try row.optionalString("actor_membership_id"), actorName: try row.optionalString("actor_name"),
            createdAt: try row.date("created_at"), payload: payload, undoneBy: try row.optionalString("undone_by"))
    }

    static func batch(_ sql: any SQLDatabase, orgId: String, batchId: String) async throws -> AuditBatch? {
        try await sql.raw(
            """
            SELECT \(columns) WHERE a.organization_id = \(bind: orgId) AND a.batch_id = \(bind: batchId)
            """
        ).first().map(Self.batch)
    }

    /// One batch of the org, or nil.
    public static func batch(_ database: any FrontdeskDatabase, orgId: String, batchId: String) async throws -> AuditBatch? {
        try await database.read { try await batch($0, orgId: orgId, batchId: batchId) }
    }

    /// The org's batches, newest first, `limit` at a time after `cursor`.
    public static func list(
        _ database: any FrontdeskDatabase, orgId: String, limit: Int,
        after cursor: KeysetCursor?
    ) async throws -> (batches: [AuditBatch], next: KeysetCursor?) {
        try await database.read { sql in
            var query: SQLQueryString = "SELECT \(columns) WHERE a.organization_id = \(bind: orgId) AND a.batch_id IS NOT NULL"
            if let cursor {
                query =
                    query + " AND (a.created_at < \(bind: cursor.at) OR (a.created_at = \(bind: cursor.at) AND a.id < \(bind: cursor.id)))"
            }
            let rows = try await sql.raw(query + " ORDER BY a.created_at DESC, a.id DESC LIMIT \(literal: limit + 1)").all()
            let batches = try rows.prefix(limit).map(Self.batch)
            let next = rows.count > limit ? try rows[limit - 1].string("id") : nil
            return (batches, next.map { KeysetCursor(at: batches[limit - 1].createdAt.epochSeconds, id: $0) })
        }
    }
}
