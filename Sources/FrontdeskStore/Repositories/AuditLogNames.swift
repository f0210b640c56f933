import Foundation
import FrontdeskCore
import SQLKit

/// What the back office's audit page names a class by: its class type and start.
public struct AuditClassName: Sendable, Equatable {
    public var sessionId: String
    public var className: String
    public var startsAt: Date
}

/// Names for the classes audit rows refer to, read in one query per page (deleted classes too: the
/// log outlives them).
public enum AuditLogNames {
    /// The org's classes among `ids`, by id; ids of other orgs or of nothing are left out.
    public static func classes(_ database: any FrontdeskDatabase, orgId: String, ids: Set<String>) async throws -> [String: AuditClassName]
    {
        guard !ids.isEmpty else { return [:] }
        return try await database.read { sql in
            var names: [String: AuditClassName] = [:]
            for row in try await sql.raw(
                """
                SELECT s.id, s.starts_at, ct.name FROM class_sessions s JOIN class_types ct ON ct.id = s.class_type_id
                WHERE s.organization_id = \(bind: orgId) AND s.id IN (\(binds: ids.sorted()))
                """
            ).all() {
                let id = try row.string("id")
                names[id] = AuditClassName(sessionId: id, className: try row.string("name"), startsAt: try row.date("starts_at"))
            }
            return names
        }
    }
}
