import Foundation
import FrontdeskCore
import SQLKit

/// One booking or class as a calendar shows it, with what the feed builder needs to word it.
public struct CalendarEntry: Sendable, Equatable {
    /// `booking-<id>` or `class-<id>`: the key of the event's UID.
    public let key: String
    public let sessionId: String
    /// The booking's status (nil for a coach's class).
    public let bookingStatus: BookingStatus?
    public let waitlistPosition: Int?
    public let sessionStatus: SessionStatus
    public let startsAt: Date
    public let endsAt: Date
    public let timezone: String
    public let organizationName: String
    public let className: String
    public let locationName: String?
    public let locationAddress: String?
    public let coachName: String?
    public let cancelReason: String?
}

/// Calendar feeds (issue 19): the secret feed URLs' rows, the bookings and classes they carry, and
/// the events' sequence numbers.
public struct CalendarFeedsStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// Events a feed carries at most (the nearest to the window's start first).
    public static let maxEvents = 500

    public func feed(id: String) async throws -> CalendarFeed? {
        try await database.read { sql in try await CalendarFeedRows.feed(sql, id: id) }
    }

    public func feed(userId: String, kind: CalendarFeed.Kind, membershipId: String?) async throws -> CalendarFeed? {
        try await database.read { sql in
            try await CalendarFeedRows.feed(sql, userId: userId, scopeKey: CalendarFeed.scopeKey(kind: kind, membershipId: membershipId))
        }
    }

    /// Creates the feed or gives it a new secret (the old URL stops working); returns the row.
    public func issue(
        userId: String, kind: CalendarFeed.Kind, membershipId: String?, secretHash: String, now: Date
    ) async throws
        -> CalendarFeed
    {
        try await database.transaction { sql in
            try await CalendarFeedRows.upsert(sql, userId: userId, kind: kind, membershipId: membershipId, secretHash: secretHash, now: now)
        }
    }

    /// Turns the feed off: its URL answers 404 from now on.
    public func remove(userId: String, kind: CalendarFeed.Kind, membershipId: String?) async throws {
        try await database.transaction { sql in
            try await CalendarFeedRows.delete(sql, userId: userId, scopeKey: CalendarFeed.scopeKey(kind: kind, membershipId: membershipId))
        }
    }

    /// Whether the membership is an active staff membership of `userId` (a teaching feed needs one).
    public func isActiveStaff(membershipId: String, userId: String) async throws -> Bool {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT 1 AS one FROM memberships
                WHERE id = \(bind: membershipId) AND user_id = \(bind: userId) AND status = 'active'
                    AND role IN ('owner', 'admin', 'coach')
                """
            ).first() != nil
        }
    }

    /// A class's columns of an entry. The optional location and coach are sub-selects by key, not
    /// outer joins: PostgreSQL then plans a join of four tables, not seven — a custom plan of the
    /// outbox's batch of bookings took ~3 ms, now ~0.9 ms (`EXPLAIN (SUMMARY)`, docs/benchmarks.md) —
    /// and each sub-select reads at most one row by its primary key, as the outer join did.
    static let entryColumns: SQLQueryString = """
        s.id AS session_id, s.status AS session_status, s.starts_at, s.ends_at, s.cancel_reason, o.timezone,
        o.name AS org_name, ct.name AS class_name,
        (SELECT l.name FROM locations l WHERE l.id = s.location_id) AS location_name,
        (SELECT l.address FROM locations l WHERE l.id = s.location_id) AS location_address,
        (SELECT cu.name FROM memberships cm JOIN users cu ON cu.id = cm.user_id WHERE cm.id = s.coach_membership_id) AS coach_name
        """

    static let entryJoins: SQLQueryString = """
        JOIN organizations o ON o.id = s.organization_id
        JOIN class_types ct ON ct.id = s.class_type_id
        """

    /// The user's bookings in every studio whose class starts in `from`..<`to` (not deleted);
    /// cancelled ones (or those of cancelled classes) only when the change is younger than
    /// `cancelledSince`, so a calendar has time to see them cancelled before they leave the feed.
    public func bookingEntries(userId: String, from: Date, to: Date, cancelledSince: Date) async throws -> [CalendarEntry] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT b.id AS booking_id, b.status AS booking_status, b.waitlist_position, \(Self.entryColumns)
                FROM bookings b
                JOIN memberships m ON m.id = b.membership_id
                JOIN class_sessions s ON s.id = b.session_id
                \(Self.entryJoins)
                WHERE m.user_id = \(bind: userId) AND s.deleted_at IS NULL
                    AND s.starts_at >= \(bind: from.epochSeconds) AND s.starts_at < \(bind: to.epochSeconds)
                    AND ((b.status <> 'cancelled' AND s.status <> 'cancelled')
                        OR b.updated_at >= \(bind: cancelledSince.epochSeconds) OR s.updated_at >= \(bind: cancelledSince.epochSeconds))
                ORDER BY s.starts_at, b.id
                LIMIT \(bind: Self.maxEvents)
                """
            ).all().map { row in
                try Self.entry(row, key: "booking-\(try row.string("booking_id"))", booking: row)
            }
        }
    }

    /// Bookings as entries, by booking id (the attachments of a batch of e-mails, in one statement);
    /// a booking that is gone, or whose class is, is absent.
    public func bookingEntries(bookingIds: [String]) async throws -> [String: CalendarEntry] {
        guard !bookingIds.isEmpty else { return [:] }
        return try await database.read { sql in
            var entries: [String: CalendarEntry] = [:]
            for row in try await sql.raw(
                """
                SELECT b.id AS booking_id, b.status AS booking_status, b.waitlist_position, \(Self.entryColumns)
                FROM bookings b
                JOIN class_sessions s ON s.id = b.session_id
                \(Self.entryJoins)
                WHERE b.id \(PortableSQL.isIn(sql, Array(Set(bookingIds)).sorted())) AND s.deleted_at IS NULL
                """
            ).all() {
                let id = try row.string("booking_id")
                entries[id] = try Self.entry(row, key: "booking-\(id)", booking: row)
            }
            return entries
        }
    }

    /// The published (or cancelled, while the change is younger than `cancelledSince`) classes the
    /// membership teaches, starting in `from`..<`to`.
    public func teachingEntries(membershipId: String, from: Date, to: Date, cancelledSince: Date) async throws -> [CalendarEntry] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT \(Self.entryColumns)
                FROM class_sessions s
                \(Self.entryJoins)
                WHERE s.coach_membership_id = \(bind: membershipId) AND s.deleted_at IS NULL
                    AND s.starts_at >= \(bind: from.epochSeconds) AND s.starts_at < \(bind: to.epochSeconds)
                    AND (s.status = 'published' OR (s.status = 'cancelled' AND s.updated_at >= \(bind: cancelledSince.epochSeconds)))
                ORDER BY s.starts_at, s.id
                LIMIT \(bind: Self.maxEvents)
                """
            ).all().map { row in try Self.entry(row, key: "class-\(try row.string("session_id"))", booking: nil) }
        }
    }

    static func entry(_ row: any SQLRow, key: String, booking: (any SQLRow)?) throws -> CalendarEntry {
        CalendarEntry(
            key: key, sessionId: try row.string("session_id"),
            bookingStatus: try booking.flatMap { BookingStatus(rawValue: try $0.string("booking_status")) },
            waitlistPosition: try booking?.optionalInt("waitlist_position"),
            sessionStatus: SessionStatus(rawValue: try row.string("session_status")) ?? .published,
            startsAt: try row.date("starts_at"), endsAt: try row.date("ends_at"), timezone: try row.string("timezone"),
            organizationName: try row.string("org_name"), className: try row.string("class_name"),
            locationName: try row.optionalString("location_name"), locationAddress: try row.optionalString("location_address"),
            coachName: try row.optionalString("coach_name"), cancelReason: try row.optionalString("cancel_reason"))
    }

    /// The version (SEQUENCE, since when) of each event: fingerprints are compared with the stored ones, new UIDs start
    /// at 0 and changed ones go up by one. Writes only when something is new or changed.
    public func versions(_ fingerprints: [(uid: String, fingerprint: String)], now: Date) async throws -> [String: CalendarEventVersion] {
        let uids = fingerprints.map(\.uid)
        var stored = try await database.read { sql in try await CalendarFeedRows.versions(sql, uids: uids) }
        let stale = fingerprints.filter { stored[$0.uid]?.fingerprint != $0.fingerprint }
        if !stale.isEmpty {
            // Bookkeeping no cached read shows (`WriteScope.housekeeping`): a version moves only after the
            // write that changed its class, which forgot every cached read of that class itself.
            stored = try await database.transaction(TransactionOptions(scope: .housekeeping)) { sql in
                try await CalendarFeedRows.record(sql, stale, now: now)
                // Now and then, with a write anyway, the versions no feed can show any more go.
                if Int.random(in: 0..<50) == 0 { try await CalendarFeedRows.prune(sql, before: now - Self.versionRetention) }
                return try await CalendarFeedRows.versions(sql, uids: uids)
            }
        }
        return stored
    }

    /// How long a version outlives its last change. A version is made when its event first shows in
    /// a feed (from 180 days before the class) or in a booking e-mail (when booked: a studio's booking
    /// window is at most 365 days), and a feed shows a class until 30 days after it; 400 days after
    /// the last change the class ended more than a month ago, so no feed or e-mail names the UID
    /// again. (A class booked more than 370 days ahead, possible only without a booking window,
    /// would start again at SEQUENCE 0 when it enters the feeds.) Without this the table keeps a row
    /// per booking and class forever.
    public static let versionRetention: TimeInterval = 400 * 86_400

    /// Forgets the versions last changed more than `versionRetention` before `now` (run now and then
    /// by `versions`; here for tests and the operator).
    public func pruneVersions(now: Date) async throws {
        try await database.transaction { sql in try await CalendarFeedRows.prune(sql, before: now - Self.versionRetention) }
    }
}
