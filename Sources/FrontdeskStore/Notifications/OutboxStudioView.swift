import Foundation
import FrontdeskCore
import SQLKit

/// One studio notification as its owners see it in the back office: to whom, what, where it stands.
public struct StudioOutboxMessage: Sendable, Equatable {
    public var id: String
    public var channel: String
    public var template: String
    public var status: String
    public var attempts: Int
    public var availableAt: Date
    public var lastError: String?
    public var createdAt: Date
    /// The recipient's name when they have an account (nil for an invitation to a new address).
    public var recipientName: String?
    /// The account e-mail's address, else the user's own.
    public var recipientEmail: String?
}

/// The outbox of one studio (`notification_outbox.organization_id`), for the back office's
/// notifications page; retrying is `OutboxStore.retry(id:orgId:now:)`, the function the
/// `frontdesk outbox retry` command uses, scoped to the studio.
extension OutboxStore {
    /// Rows per template and status: `[template: [status: count]]`.
    public func counts(orgId: String) async throws -> [String: [String: Int]] {
        try await database.read { sql in
            var counts: [String: [String: Int]] = [:]
            for row in try await sql.raw(
                """
                SELECT template, status, COUNT(*) AS n FROM notification_outbox WHERE organization_id = \(bind: orgId)
                GROUP BY template, status
                """
            ).all() {
                counts[try row.string("template"), default: [:]][try row.string("status")] = try row.int("n")
            }
            return counts
        }
    }

    /// The studio's newest `limit` rows that are not sent (or only `status`), newest first.
    public func messages(orgId: String, status: String?, limit: Int) async throws -> [StudioOutboxMessage] {
        try await database.read { sql in
            let which: SQLQueryString = status.map { "o.status = \(bind: $0)" } ?? "o.status <> 'sent'"
            return try await sql.raw(
                """
                SELECT o.id, o.channel, o.template, o.status, o.attempts, o.available_at, o.last_error, o.created_at,
                    u.name AS user_name, COALESCE(o.recipient_email, u.email) AS email
                FROM notification_outbox o LEFT JOIN users u ON u.id = o.user_id
                WHERE o.organization_id = \(bind: orgId) AND \(which)
                ORDER BY o.created_at DESC, o.id DESC LIMIT \(literal: limit)
                """
            ).all().map(Self.message)
        }
    }

    /// The studio's row `id`, nil when it is another studio's or nobody's.
    public func message(orgId: String, id: String) async throws -> StudioOutboxMessage? {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT o.id, o.channel, o.template, o.status, o.attempts, o.available_at, o.last_error, o.created_at,
                    u.name AS user_name, COALESCE(o.recipient_email, u.email) AS email
                FROM notification_outbox o LEFT JOIN users u ON u.id = o.user_id
                WHERE o.organization_id = \(bind: orgId) AND o.id = \(bind: id)
                """
            ).first().map(Self.message)
        }
    }

    static func message(_ row: any SQLRow) throws -> StudioOutboxMessage {
        StudioOutboxMessage(
            id: try row.string("id"), channel: try row.string("channel"), template: try row.string("template"),
            status: try row.string("status"), attempts: try row.int("attempts"), availableAt: try row.date("available_at"),
            lastError: try row.optionalString("last_error"), createdAt: try row.date("created_at"),
            recipientName: try row.optionalString("user_name"), recipientEmail: try row.optionalString("email"))
    }
}
