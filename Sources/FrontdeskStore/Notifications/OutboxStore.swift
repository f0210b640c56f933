import Foundation
import FrontdeskCore
import SQLKit

/// One notification claimed for delivery.
public struct OutboxItem: Sendable, Equatable {
    public var id: String
    public var organizationId: String?
    public var userId: String?
    /// The address of an account e-mail (invitation, reset, sign-in link); nil: the user's own.
    public var recipientEmail: String?
    public var channel: String
    public var template: String
    public var payload: [String: String]
    public var dedupeKey: String
    /// Delivery attempts including this one.
    public var attempts: Int
    public var createdAt: Date

    public init(
        id: String, organizationId: String?, userId: String?, recipientEmail: String? = nil, channel: String, template: String,
        payload: [String: String], dedupeKey: String, attempts: Int, createdAt: Date
    ) {
        self.id = id
        self.organizationId = organizationId
        self.userId = userId
        self.recipientEmail = recipientEmail
        self.channel = channel
        self.template = template
        self.payload = payload
        self.dedupeKey = dedupeKey
        self.attempts = attempts
        self.createdAt = createdAt
    }
}

/// One row as operators see it (`frontdesk outbox list`).
public struct OutboxRow: Codable, Sendable, Equatable {
    public var id: String
    public var channel: String
    public var template: String
    public var status: String
    public var attempts: Int
    public var availableAt: Date
    public var lastError: String?
    public var createdAt: Date
}

/// The delivery side of the outbox (SPEC §7): workers claim due rows with a lease, then mark each
/// sent, failed (retried later with back-off) or dead. A lease that runs out — the worker died — makes
/// the row claimable again, so nothing is lost; on PostgreSQL `FOR UPDATE SKIP LOCKED` keeps two
/// instances from claiming one row.
public struct OutboxStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// Claims up to `limit` due rows for `worker` until `now + leaseSeconds`; each claim counts an attempt.
    public func claim(worker: String, limit: Int, leaseSeconds: Int, now: Date) async throws -> [OutboxItem] {
        let at = now.epochSeconds
        return try await database.writeStatement(scope: .housekeeping) { sql in
            let skipLocked: SQLQueryString = PortableSQL.isPostgres(sql) ? "FOR UPDATE SKIP LOCKED" : ""
            return try await sql.raw(
                """
                UPDATE notification_outbox SET status = 'sending', locked_by = \(bind: worker),
                    locked_until = \(bind: at + Int64(leaseSeconds)), attempts = attempts + 1
                WHERE id IN (
                    SELECT id FROM notification_outbox
                    WHERE (status IN ('pending', 'failed') AND available_at <= \(bind: at))
                       OR (status = 'sending' AND locked_until < \(bind: at))
                    ORDER BY available_at, id
                    LIMIT \(literal: limit)
                    \(skipLocked))
                RETURNING id, organization_id, user_id, recipient_email, channel, template, payload, dedupe_key, attempts, created_at
                """
            ).all().map(Self.item)
        }
    }

    static func item(_ row: any SQLRow) throws -> OutboxItem {
        let text = try row.string("payload")
        let payload = (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
        return OutboxItem(
            id: try row.string("id"), organizationId: try row.optionalString("organization_id"), userId: try row.optionalString("user_id"),
            recipientEmail: try row.optionalString("recipient_email"), channel: try row.string("channel"),
            template: try row.string("template"), payload: payload,
            dedupeKey: try row.string("dedupe_key"), attempts: try row.int("attempts"), createdAt: try row.date("created_at"))
    }

    /// Marks claimed rows delivered (only those `worker` still holds), in one statement.
    public func markSent(_ ids: [String], worker: String, now: Date) async throws {
        guard !ids.isEmpty else { return }
        try await database.writeStatement(scope: .housekeeping) { sql in
            try await sql.raw(
                """
                UPDATE notification_outbox SET status = 'sent', sent_at = \(bind: now.epochSeconds), locked_by = NULL, locked_until = NULL,
                    last_error = NULL,
                    payload = CASE WHEN recipient_email IS NOT NULL THEN '{}' ELSE payload END
                WHERE id \(PortableSQL.isIn(sql, ids)) AND status = 'sending' AND locked_by = \(bind: worker)
                """
            ).run()
        }
    }

    /// Records a failed attempt: `dead` when it cannot succeed or the attempts are used up, else
    /// `failed`, due again at `retryAt`.
    public func markFailed(_ id: String, worker: String, error: String, dead: Bool, retryAt: Date) async throws {
        try await database.writeStatement { sql in
            try await sql.raw(
                """
                UPDATE notification_outbox SET status = \(bind: dead ? "dead" : "failed"), available_at = \(bind: retryAt.epochSeconds),
                    last_error = \(bind: String(error.prefix(1_000))), locked_by = NULL, locked_until = NULL
                WHERE id = \(bind: id) AND status = 'sending' AND locked_by = \(bind: worker)
                """
            ).run()
        }
    }

    /// Gives back what `worker` claimed but did not finish (graceful shutdown): due at once, the
    /// unfinished attempt not counted.
    public func release(worker: String) async throws {
        try await database.writeStatement { sql in
            try await sql.raw(
                """
                UPDATE notification_outbox SET status = 'pending', attempts = attempts - 1, locked_by = NULL, locked_until = NULL
                WHERE status = 'sending' AND locked_by = \(bind: worker)
                """
            ).run()
        }
    }

    /// Rows per status (pending, sending, sent, failed, dead).
    public func counts() async throws -> [String: Int] {
        try await database.read { sql in
            var counts: [String: Int] = [:]
            for row in try await sql.raw("SELECT status, COUNT(*) AS n FROM notification_outbox GROUP BY status").all() {
                counts[try row.string("status")] = try row.int("n")
            }
            return counts
        }
    }

    /// The newest rows, optionally of one status.
    public func list(status: String?, limit: Int) async throws -> [OutboxRow] {
        try await database.read { sql in
            let filter: SQLQueryString = status.map { "WHERE status = \(bind: $0)" } ?? ""
            return try await sql.raw(
                """
                SELECT id, channel, template, status, attempts, available_at, last_error, created_at FROM notification_outbox
                \(filter) ORDER BY created_at DESC, id DESC LIMIT \(literal: limit)
                """
            ).all().map { row in
                OutboxRow(
                    id: try row.string("id"), channel: try row.string("channel"), template: try row.string("template"),
                    status: try row.string("status"), attempts: try row.int("attempts"), availableAt: try row.date("available_at"),
                    lastError: try row.optionalString("last_error"), createdAt: try row.date("created_at"))
            }
        }
    }

    /// Makes failed or dead rows (one, or every dead one) due again with fresh attempts; returns how many.
    /// With `orgId`, only that studio's rows (the back office); without, any (the operator's CLI).
    public func retry(id: String?, orgId: String? = nil, now: Date) async throws -> Int {
        try await database.writeStatement { sql in
            var which: SQLQueryString = id.map { "id = \(bind: $0) AND status IN ('failed', 'dead')" } ?? "status = 'dead'"
            if let orgId { which = which + " AND organization_id = \(bind: orgId)" }
            return try await sql.raw(
                """
                UPDATE notification_outbox SET status = 'pending', attempts = 0, available_at = \(bind: now.epochSeconds), last_error = NULL
                WHERE \(which) RETURNING id
                """
            ).all().count
        }
    }
}
