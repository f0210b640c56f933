import Foundation
import FrontdeskCore
import SQLKit

/// A JSON value as stored in an audit row's payload, handed back as it is.
public indirect enum AuditJSON: Codable, Sendable, Equatable {
    case object([String: AuditJSON])
    case array([AuditJSON])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let array = try? container.decode([AuditJSON].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: AuditJSON].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .object(let object): try container.encode(object)
        case .array(let array): try container.encode(array)
        case .string(let text): try container.encode(text)
        case .number(let number):
            if number == number.rounded(), abs(number) < 1e15 { try container.encode(Int64(number)) } else { try container.encode(number) }
        case .bool(let flag): try container.encode(flag)
        case .null: try container.encodeNil()
        }
    }
}

/// One row of the audit log: who did what to which object, about which member, with its payload
/// (before/after of the changed fields, or a batch's summary).
public struct AuditEntry: Codable, Sendable, Equatable {
    public var id: String
    public var action: String
    public var createdAt: Date
    public var actorMembershipId: String?
    public var actorName: String?
    public var entityType: String?
    public var entityId: String?
    public var subjectMembershipId: String?
    public var subjectName: String?
    public var batchId: String?
    public var payload: AuditJSON
}

/// What to list: everything of the studio, one class's entries (the class itself and its bookings),
/// one member's, and/or one action (`session.cancel`) or family of actions (`attendance`).
public struct AuditFilter: Sendable, Equatable {
    public var sessionId: String?
    public var membershipId: String?
    public var action: String?

    public init(sessionId: String? = nil, membershipId: String? = nil, action: String? = nil) {
        self.sessionId = sessionId
        self.membershipId = membershipId
        self.action = action
    }
}

/// The studio's audit log (issue 17): single actions and batches, newest first, keyset-paged.
public enum AuditLog {
    /// The org's entries matching `filter`, `limit` at a time after `cursor`. A session or member
    /// that is not the org's answers 404.
    public static func list(
        _ database: any FrontdeskDatabase, orgId: String, filter: AuditFilter, limit: Int, after cursor: KeysetCursor?
    ) async throws -> (entries: [AuditEntry], next: KeysetCursor?) {
        try await database.read { sql in
            var query: SQLQueryString = """
                SELECT a.id, a.action, a.created_at, a.actor_membership_id, a.entity_type, a.entity_id, a.subject_membership_id,
                    a.batch_id, a.payload, u.name AS actor_name, su.name AS subject_name
                FROM audit_logs a
                LEFT JOIN memberships am ON am.id = a.actor_membership_id
                LEFT JOIN users u ON u.id = COALESCE(a.actor_user_id, am.user_id)
                LEFT JOIN memberships sm ON sm.id = a.subject_membership_id
                LEFT JOIN users su ON su.id = sm.user_id
                WHERE a.organization_id = \(bind: orgId)
                """
            if let sessionId = filter.sessionId {
                let known = try await sql.raw(
                    "SELECT id FROM class_sessions WHERE id = \(bind: sessionId) AND organization_id = \(bind: orgId)"
                ).first()
                guard known != nil else { throw DomainError.notFound("Session") }
                query =
                    query
                        + """
                         AND ((a.entity_type = 'session' AND a.entity_id = \(bind: sessionId))
                          OR (a.entity_type = 'booking' AND a.entity_id IN (SELECT b.id FROM bookings b WHERE b.session_id = \(bind: sessionId)))
                          OR (a.entity_type = 'batch' AND a.payload LIKE \(bind: "%\"\(sessionId)\"%")))
                        """
            }
            if let membershipId = filter.membershipId {
                let known = try await sql.raw(
                    "SELECT id FROM memberships WHERE id = \(bind: membershipId) AND organization_id = \(bind: orgId)"
                ).first()
                guard known != nil else { throw DomainError.notFound("Member") }
                query = query + " AND a.subject_membership_id = \(bind: membershipId)"
            }
            if let action = filter.action {
                query =
                    action.contains(".")
                    ? query + " AND a.action = \(bind: action)"
                    : query + " AND a.action LIKE \(bind: action + ".%")"
            }
            if let cursor {
                query =
                    query + " AND (a.created_at < \(bind: cursor.at) OR (a.created_at = \(bind: cursor.at) AND a.id < \(bind: cursor.id)))"
            }
            let rows = try await sql.raw(query + " ORDER BY a.created_at DESC, a.id DESC LIMIT \(literal: limit + 1)").all()
            let entries = try rows.prefix(limit).map(entry)
            let next = rows.count > limit ? entries.last.map { KeysetCursor(at: $0.createdAt.epochSeconds, id: $0.id) } : nil
            return (entries, next)
        }
    }

    static func entry(_ row: any SQLRow) throws -> AuditEntry {
        let text = try row.string("payload")
        let payload = (try? JSONDecoder().decode(AuditJSON.self, from: Data(text.utf8))) ?? .string(text)
        return AuditEntry(
            id: try row.string("id"), action: try row.string("action"), createdAt: try row.date("created_at"),
            actorMembershipId: try row.optionalString("actor_membership_id"), actorName: try row.optionalString("actor_name"),
            entityType: try row.optionalString("entity_type"), entityId: try row.optionalString("entity_id"),
            subjectMembershipId: try row.optionalString("subject_membership_id"), subjectName: try row.optionalString("subject_name"),
            batchId: try row.optionalString("batch_id"), payload: payload)
    }
}
