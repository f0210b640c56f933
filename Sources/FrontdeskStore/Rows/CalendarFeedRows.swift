import Foundation
import FrontdeskCore
import SQLKit

/// A calendar feed as stored: whose, which scope, and the hash of its secret (never the secret).
public struct CalendarFeed: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The user's bookings in every studio.
        case bookings
        /// The classes one staff membership teaches.
        case teaching
    }

    public let id: String
    public let userId: String
    public let kind: Kind
    public let membershipId: String?
    public let secretHash: String
    public let createdAt: Date
    public let rotatedAt: Date

    /// One feed per user and scope key.
    public static func scopeKey(kind: Kind, membershipId: String?) -> String {
        kind == .teaching ? "teaching:\(membershipId ?? "")" : "bookings"
    }
}

/// What a calendar last saw of an event: its fingerprint, SEQUENCE, and when that version began.
public struct CalendarEventVersion: Sendable, Equatable {
    public let fingerprint: String
    public let sequence: Int
    public let changedAt: Date
}

/// Row operations on `calendar_feeds` and `calendar_event_versions`.
enum CalendarFeedRows {
    static let columns: SQLQueryString = "id, user_id, kind, membership_id, secret_hash, created_at, rotated_at"

    static func decode(_ row: any SQLRow) throws -> CalendarFeed {
        CalendarFeed(
            id: try row.string("id"), userId: try row.string("user_id"),
            kind: CalendarFeed.Kind(rawValue: try row.string("kind")) ?? .bookings,
            membershipId: try row.optionalString("membership_id"), secretHash: try row.string("secret_hash"),
            createdAt: try row.date("created_at"), rotatedAt: try row.date("rotated_at"))
    }

    static func feed(_ sql: any SQLDatabase, id: String) async throws -> CalendarFeed? {
        try await sql.raw("SELECT \(columns) FROM calendar_feeds WHERE id = \(bind: id)").first().map(decode)
    }

    static func feed(_ sql: any SQLDatabase, userId: String, scopeKey: String) async throws -> CalendarFeed? {
        try await sql.raw("SELECT \(columns) FROM calendar_feeds WHERE user_id = \(bind: userId) AND scope_key = \(bind: scopeKey)")
            .first().map(decode)
    }

    /// Inserts the feed, or gives the existing one of that scope the new secret hash.
    static func upsert(
        _ sql: any SQLDatabase, userId: String, kind: CalendarFeed.Kind, membershipId: String?, secretHash: String, now: Date
    ) async throws -> CalendarFeed {
        let scope = CalendarFeed.scopeKey(kind: kind, membershipId: membershipId)
        try await sql.raw(
            """
            INSERT INTO calendar_feeds (id, user_id, kind, membership_id, scope_key, secret_hash, created_at, rotated_at)
            VALUES (\(bind: NewID.make()), \(bind: userId), \(bind: kind.rawValue), \(bind: membershipId), \(bind: scope),
                \(bind: secretHash), \(bind: now.epochSeconds), \(bind: now.epochSeconds))
            ON CONFLICT (user_id, scope_key) DO UPDATE SET secret_hash = excluded.secret_hash, rotated_at = excluded.rotated_at
            """
        ).run()
        guard let feed = try await feed(sql, userId: userId, scopeKey: scope) else { throw CalendarFeedMissing() }
        return feed
    }

    static func delete(_ sql: any SQLDatabase, userId: String, scopeKey: String) async throws {
        try await sql.raw("DELETE FROM calendar_feeds WHERE user_id = \(bind: userId) AND scope_key = \(bind: scopeKey)").run()
    }

    /// The stored version of each of `uids` that has one.
    static func versions(_ sql: any SQLDatabase, uids: [String]) async throws -> [String: CalendarEventVersion] {
        var found: [String: CalendarEventVersion] = [:]
        for start in stride(from: 0, to: uids.count, by: 200) {
            let chunk = Array(uids[start..<min(start + 200, uids.count)])
            for row in try await sql.raw(
                "SELECT uid, fingerprint, sequence, changed_at FROM calendar_event_versions WHERE uid \(PortableSQL.isIn(sql, chunk))"
            )
            .all() {
                found[try row.string("uid")] = CalendarEventVersion(
                    fingerprint: try row.string("fingerprint"), sequence: try row.int("sequence"), changedAt: try row.date("changed_at"))
            }
        }
        return found
    }

    /// Records each `fingerprint` for its `uid`, in one statement: a new UID starts at 0; a changed
    /// fingerprint raises the sequence by one (the guard makes a concurrent reader's identical update a
    /// no-op). A UID given twice keeps its last fingerprint (one statement may not change a row twice).
    static func record(_ sql: any SQLDatabase, _ items: [(uid: String, fingerprint: String)], now: Date) async throws {
        var last: [String: String] = [:]
        for item in items { last[item.uid] = item.fingerprint }
        guard !last.isEmpty else { return }
        let rows = last.sorted { $0.key < $1.key }.map { uid, fingerprint in
            "(\(bind: uid), \(bind: fingerprint), 0, \(bind: now.epochSeconds))" as SQLQueryString
        }
        try await sql.raw(
            """
            INSERT INTO calendar_event_versions (uid, fingerprint, sequence, changed_at)
            VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (uid) DO UPDATE SET fingerprint = excluded.fingerprint,
                sequence = calendar_event_versions.sequence + 1, changed_at = excluded.changed_at
            WHERE calendar_event_versions.fingerprint <> excluded.fingerprint
            """
        ).run()
    }

    /// Forgets the versions last changed before `before` (see `CalendarFeedsStore.versionRetention`).
    static func prune(_ sql: any SQLDatabase, before: Date) async throws {
        try await sql.raw("DELETE FROM calendar_event_versions WHERE changed_at < \(bind: before.epochSeconds)").run()
    }
}

/// The feed row vanished between its write and its read (a concurrent delete).
struct CalendarFeedMissing: Error {}
