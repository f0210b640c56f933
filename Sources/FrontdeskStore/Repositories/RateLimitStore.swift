import Foundation
import SQLKit

/// Fixed-window counters kept in the database, so every server instance sees the same counts.
public struct RateLimitStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// The start of the window containing `now`.
    static func windowStart(_ now: Date, windowSeconds: Int) -> Int64 {
        let seconds = now.epochSeconds
        return seconds - seconds % Int64(windowSeconds)
    }

    /// Hits recorded for `key` in the current window.
    public func count(_ key: String, windowSeconds: Int, now: Date) async throws -> Int {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT hits FROM rate_limit_buckets
                WHERE bucket_key = \(bind: key) AND window_start = \(bind: Self.windowStart(now, windowSeconds: windowSeconds))
                """
            ).first()?.int("hits") ?? 0
        }
    }

    /// Records one hit for `key` and returns the window's new total.
    @discardableResult
    public func hit(_ key: String, windowSeconds: Int, now: Date) async throws -> Int {
        let start = Self.windowStart(now, windowSeconds: windowSeconds)
        // The key's lock queues concurrent hits on one counter instead of letting them fail serialization.
        let hits = try await database.transaction(TransactionOptions(lockKeys: ["rate:\(key)"])) { sql in
            let row = try await sql.raw(
                """
                INSERT INTO rate_limit_buckets (bucket_key, window_start, hits) VALUES (\(bind: key), \(bind: start), 1)
                ON CONFLICT (bucket_key, window_start) DO UPDATE SET hits = rate_limit_buckets.hits + 1
                RETURNING hits
                """
            ).first()
            return try row?.int("hits") ?? 1
        }
        if Int.random(in: 0..<500) == 0 {
            // Old windows are dead weight; clearing them is best effort and must not fail the request.
            try? await database.transaction { sql in
                try await sql.raw("DELETE FROM rate_limit_buckets WHERE window_start < \(bind: start - 86_400)").run()
            }
        }
        return hits
    }

    /// Forgets `key`'s hits in the current window (a successful login clears its failures).
    public func clear(_ key: String, windowSeconds: Int, now: Date) async throws {
        let start = Self.windowStart(now, windowSeconds: windowSeconds)
        try await database.transaction(TransactionOptions(lockKeys: ["rate:\(key)"])) { sql in
            try await sql.raw("DELETE FROM rate_limit_buckets WHERE bucket_key = \(bind: key) AND window_start = \(bind: start)").run()
        }
    }

    /// Seconds until the window containing `now` ends.
    public static func retryAfter(now: Date, windowSeconds: Int) -> Int {
        Int(windowStart(now, windowSeconds: windowSeconds) + Int64(windowSeconds) - now.epochSeconds)
    }
}
