import Foundation
import FrontdeskCore
import SQLKit

/// Who did what, written in the same transaction as the change it records.
public enum AuditRows {
    /// Appends one audit row. `payload` is encoded as JSON text; `subject` is the membership the action
    /// concerns (a booking's member, a credit adjustment's, a member whose role changed), so the log
    /// can be read per member.
    public static func record<Payload: Encodable>(
        _ sql: any SQLDatabase, orgId: String, actorUserId: String?, actorMembershipId: String?,
        action: String, batchId: String? = nil, entityType: String?, entityId: String?, subject: String? = nil,
        payload: Payload, now: Date
    ) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let json = String(decoding: try encoder.encode(payload), as: UTF8.self)
        try await sql.raw(
            """
            INSERT INTO audit_logs (id, organization_id, actor_user_id, actor_membership_id, action, batch_id,
                entity_type, entity_id, subject_membership_id, payload, created_at)
            VALUES (\(bind: NewID.make()), \(bind: orgId), \(bind: actorUserId), \(bind: actorMembershipId), \(bind: action),
                \(bind: batchId), \(bind: entityType), \(bind: entityId), \(bind: subject), \(bind: json), \(bind: now.epochSeconds))
            """
        ).run()
    }

    /// Records `action` by `actor` (nil: the system).
    static func record<Payload: Encodable>(
        _ sql: any SQLDatabase, orgId: String, actor: BookingActor?, action: String, entityType: String, entityId: String,
        subject: String? = nil, payload: Payload, now: Date
    ) async throws {
        try await record(
            sql, orgId: orgId, actorUserId: actor?.userId, actorMembershipId: actor?.membershipId, action: action,
            entityType: entityType, entityId: entityId, subject: subject, payload: payload, now: now)
    }
}

/// One value in an audit payload's before/after: text, a number, a flag or null.
public enum AuditValue: Codable, Sendable, Equatable {
    case text(String)
    case number(Int)
    case flag(Bool)
    case null

    public init(_ text: String?) { self = text.map(AuditValue.text) ?? .null }
    public init(_ number: Int) { self = .number(number) }
    public init(_ date: Date) { self = .text(ISO8601DateFormatter().string(from: date)) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .number(let number): try container.encode(number)
        case .flag(let flag): try container.encode(flag)
        case .null: try container.encodeNil()
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .flag(flag)
        } else if let number = try? container.decode(Int.self) {
            self = .number(number)
        } else {
            self = .text(try container.decode(String.self))
        }
    }
}

/// The payload of a single action: the changed fields before and after, and anything else worth
/// keeping (a reason, the class a booking belongs to, a forced conflict).
struct AuditChange: Encodable {
    var before: [String: AuditValue] = [:]
    var after: [String: AuditValue] = [:]
    var details: [String: AuditValue] = [:]

    mutating func field(_ name: String, _ old: AuditValue, _ new: AuditValue) {
        guard old != new else { return }
        before[name] = old
        after[name] = new
    }

    var isEmpty: Bool { after.isEmpty }

    func encode(to encoder: any Encoder) throws {
        // before/after (when a field changed) and the details, side by side at the top level.
        var container = encoder.container(keyedBy: AnyKey.self)
        if !after.isEmpty {
            try container.encode(before, forKey: AnyKey("before"))
            try container.encode(after, forKey: AnyKey("after"))
        }
        for (key, value) in details { try container.encode(value, forKey: AnyKey(key)) }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
