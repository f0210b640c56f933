import Foundation
import FrontdeskCore
import SQLKit

/// `Idempotency-Key` handling for booking and cancel: the first result is stored in the same
/// transaction as the change; a replay returns it and changes nothing.
enum IdempotencyRows {
    static func replay(_ sql: any SQLDatabase, userId: String, key: String?, scope: String) async throws -> BookingResult? {
        guard let key else { return nil }
        guard
            let row = try await sql.raw(
                """
                SELECT scope, response_body FROM idempotency_keys WHERE user_id = \(bind: userId) AND idempotency_key = \(bind: key)
                """
            ).first()
        else { return nil }
        return try Stored(scope: try row.string("scope"), body: try row.string("response_body")).replay(scope: scope)
    }

    static func store(_ sql: any SQLDatabase, userId: String, key: String?, scope: String, result: BookingResult, now: Date) async throws {
        guard let key else { return }
        try await store(sql, [(Slot(userId: userId, key: key), try Stored(scope: scope, result: result), now)])
    }

    /// One user's key.
    struct Slot: Hashable, Sendable {
        var userId: String
        var key: String
    }

    /// A stored first result and the request it answered.
    struct Stored: Sendable {
        var scope: String
        var body: String

        init(scope: String, body: String) {
            self.scope = scope
            self.body = body
        }

        init(scope: String, result: BookingResult) throws {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .secondsSince1970
            self.init(scope: scope, body: String(decoding: try encoder.encode(result), as: UTF8.self))
        }

        /// The stored result replayed for a request of `scope`; another request's key is refused.
        func replay(scope requested: String) throws -> BookingResult {
            guard scope == requested else {
                throw DomainError(.idempotencyKeyReused, "This Idempotency-Key was used for a different request.")
            }
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .secondsSince1970
            var result = try decoder.decode(BookingResult.self, from: Data(body.utf8))
            result.replayed = true
            return result
        }
    }

    /// The stored results under any of `keys` (a batch's), by user and key.
    static func stored(_ sql: any SQLDatabase, keys: [String]) async throws -> [Slot: Stored] {
        var found: [Slot: Stored] = [:]
        for row in try await sql.raw(
            """
            SELECT user_id, idempotency_key, scope, response_body FROM idempotency_keys
            WHERE idempotency_key \(PortableSQL.isIn(sql, keys))
            """
        ).all() {
            found[Slot(userId: try row.string("user_id"), key: try row.string("idempotency_key"))] = Stored(
                scope: try row.string("scope"), body: try row.string("response_body"))
        }
        return found
    }

    /// Stores a batch's first results in one statement.
    static func store(_ sql: any SQLDatabase, _ entries: [(slot: Slot, stored: Stored, now: Date)]) async throws {
        for statement in inserts(entries, postgres: PortableSQL.isPostgres(sql)) { try await sql.raw(statement).run() }
    }

    /// `store`'s statement (none for no entries); on PostgreSQL one array per column, one text for
    /// every batch size (as `BookingRows.inserts`).
    static func inserts(_ entries: [(slot: Slot, stored: Stored, now: Date)], postgres: Bool) -> [SQLQueryString] {
        guard !entries.isEmpty else { return [] }
        let columns: SQLQueryString =
            "INSERT INTO idempotency_keys (user_id, idempotency_key, scope, response_status, response_body, created_at)"
        if postgres {
            return [
                """
                \(columns) SELECT u, k, s, 200, b, t FROM unnest(\(bind: entries.map(\.slot.userId))::text[],
                    \(bind: entries.map(\.slot.key))::text[], \(bind: entries.map(\.stored.scope))::text[],
                    \(bind: entries.map(\.stored.body))::text[], \(bind: entries.map(\.now.epochSeconds))::bigint[]) AS r(u, k, s, b, t)
                """
            ]
        }
        let values: [SQLQueryString] = entries.map { slot, stored, now in
            "(\(bind: slot.userId), \(bind: slot.key), \(bind: stored.scope), 200, \(bind: stored.body), \(bind: now.epochSeconds))"
        }
        return ["\(columns) VALUES \(values.joined(separator: ", "))"]
    }
}
