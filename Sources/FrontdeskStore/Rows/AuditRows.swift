import Foundation
import FrontdeskCore
import SQLKit

/// Who did what, written in the same transaction as the change it records.
public enum AuditRows {
    /// Appends one audit row. `payload` is encoded as JSON text.
    public static func record<Payload: Encodable>(
        _ sql: any SQLDatabase, orgId: String, actorUserId: String?, actorMembershipId: String?,
        action: String, batchId: String? = nil, entityType: String?, entityId: String?, payload: Payload, now: Date
    ) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let json = String(decoding: try encoder.encode(payload), as: UTF8.self)
        try await sql.raw(
            """
            INSERT INTO audit_logs (id, organization_id, actor_user_id, actor_membership_id, action, batch_id,
                entity_type, entity_id, payload, created_at)
            VALUES (\(bind: NewID.make()), \(bind: orgId), \(bind: actorUserId), \(bind: actorMembershipId), \(bind: action),
                \(bind: batchId), \(bind: entityType), \(bind: entityId), \(bind: json), \(bind: now.epochSeconds))
            """
        ).run()
    }
}
