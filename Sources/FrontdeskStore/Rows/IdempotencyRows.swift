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
        guard try row.string("scope") == scope else {
            throw DomainError(.idempotencyKeyReused, "This Idempotency-Key was used for a different request.")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        var result = try decoder.decode(BookingResult.self, from: Data(try row.string("response_body").utf8))
        result.replayed = true
        return result
    }

    static func store(_ sql: any SQLDatabase, userId: String, key: String?, scope: String, result: BookingResult, now: Date) async throws {
        guard let key else { return }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let body = String(decoding: try encoder.encode(result), as: UTF8.self)
        try await sql.raw(
            """
            INSERT INTO idempotency_keys (user_id, idempotency_key, scope, response_status, response_body, created_at)
            VALUES (\(bind: userId), \(bind: key), \(bind: scope), 200, \(bind: body), \(bind: now.epochSeconds))
            """
        ).run()
    }
}
