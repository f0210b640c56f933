import Foundation
import FrontdeskCore
import SQLKit

/// One notification to queue.
public struct OutboxMessage: Sendable {
    public var organizationId: String?
    /// The recipient; nil for an account e-mail to an address with no user yet (`recipientEmail`).
    public var userId: String?
    /// Where an e-mail goes when it is not (only) the user's own address.
    public var recipientEmail: String?
    public var channel: String
    public var template: String
    public var payload: [String: String]
    /// Unique per logical notification, so a retried transaction or a repeat queues it once.
    public var dedupeKey: String

    public init(
        organizationId: String?, userId: String?, recipientEmail: String? = nil, channel: String, template: String,
        payload: [String: String], dedupeKey: String
    ) {
        self.organizationId = organizationId
        self.userId = userId
        self.recipientEmail = recipientEmail
        self.channel = channel
        self.template = template
        self.payload = payload
        self.dedupeKey = dedupeKey
    }
}

/// The notification outbox (SPEC §7): rows written in the same transaction as the change that
/// causes them; a worker delivers them after commit.
public enum OutboxRows {
    /// The condition under which a class notification on `channel` to `user` (SQL expressions) is
    /// queued at all: the user has not opted out of that channel, and a push has a device to go to.
    static func wanted(user: String, channel: String) -> SQLQueryString {
        """
        NOT EXISTS (SELECT 1 FROM notification_preferences p WHERE p.user_id = \(unsafeRaw: user) AND p.channel = \(unsafeRaw: channel)
                    AND p.category = 'class' AND p.enabled = \(bind: false))
        AND (\(unsafeRaw: channel) <> 'push' OR EXISTS (SELECT 1 FROM push_tokens t WHERE t.user_id = \(unsafeRaw: user)))
        """
    }

    /// A studio whose mail is held (created through the API by an owner whose address is not yet
    /// verified) sends nothing: no class mail, no invitations. Account mail has no org and always goes.
    static func mailAllowed(org: String) -> SQLQueryString {
        "NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = \(unsafeRaw: org) AND o.mail_held = \(bind: true))"
    }

    /// Queues messages inside the caller's transaction, skipping channels the user opted out of for
    /// class notifications (account e-mails, which carry `recipientEmail`, always go: a reset link is no
    /// class e-mail), push messages for users without a registered device, and messages already
    /// queued under the same dedupe key. Inside `OutboxRows.batched`, the messages are held and written
    /// with the others of its body at its end.
    public static func enqueue(_ sql: any SQLDatabase, _ messages: [OutboxMessage], now: Date) async throws {
        guard !messages.isEmpty else { return }
        if let held = heldMessages {
            held.add(messages, now: now)
            return
        }
        try await insert(sql, messages, now: now)
        try await wake(sql)
    }

    /// The INSERT of `enqueue`, without the wake.
    static func insert(_ sql: any SQLDatabase, _ messages: [OutboxMessage], now: Date) async throws {
        for statement in try inserts(messages, now: now, postgres: PortableSQL.isPostgres(sql)) { try await sql.raw(statement).run() }
    }

    /// `insert`'s statements: the opt-out check happens inside the INSERT, so queuing costs a single
    /// round trip. The messages are the rows `v(column1 … column8)`: on PostgreSQL one array per column
    /// (`unnest`), one statement whose text is the same for every batch size, prepared and planned once
    /// per connection (as `BookingRows.inserts`); on SQLite `VALUES` (its columns are column1…columnN
    /// on both engines), 1,000 messages a statement.
    static func inserts(_ messages: [OutboxMessage], now: Date, postgres: Bool) throws -> [SQLQueryString] {
        guard !messages.isEmpty else { return [] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let payloads = try messages.map { String(decoding: try encoder.encode($0.payload), as: UTF8.self) }
        func statement(_ rows: SQLQueryString) -> SQLQueryString {
            """
            INSERT INTO notification_outbox (id, organization_id, user_id, channel, template, payload, dedupe_key,
                recipient_email, status, attempts, available_at, created_at)
            SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, 'pending', 0,
                \(bind: now.epochSeconds), \(bind: now.epochSeconds)
            FROM \(rows)
            WHERE (v.column8 IS NOT NULL OR (\(wanted(user: "v.column3", channel: "v.column4")))) AND \(mailAllowed(org: "v.column2"))
            ON CONFLICT (dedupe_key) DO NOTHING
            """
        }
        if postgres {
            let rows: SQLQueryString = """
                unnest(\(bind: messages.map { _ in NewID.make() })::text[], \(bind: PostgresNullableArray(messages.map(\.organizationId)))::text[],
                    \(bind: PostgresNullableArray(messages.map(\.userId)))::text[], \(bind: messages.map(\.channel))::text[],
                    \(bind: messages.map(\.template))::text[], \(bind: payloads)::text[], \(bind: messages.map(\.dedupeKey))::text[],
                    \(bind: PostgresNullableArray(messages.map(\.recipientEmail)))::text[])
                """
            return [statement("\(rows) AS v(column1, column2, column3, column4, column5, column6, column7, column8)" as SQLQueryString)]
        }
        return Array(zip(messages, payloads)).chunked(into: 1_000).map { chunk in
            let values: [SQLQueryString] = chunk.map { message, payload in
                """
                (\(bind: NewID.make()), \(bind: message.organizationId), \(bind: message.userId), \(bind: message.channel),
                 \(bind: message.template), \(bind: payload), \(bind: message.dedupeKey), \(bind: message.recipientEmail))
                """
            }
            return statement("(VALUES \(values.joined(separator: ", "))) AS v")
        }
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(into size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
