import Foundation
import FrontdeskCore
import SQLKit

/// A wall screen at a location. Bumping `keyVersion` or revoking kills every URL signed before.
public struct Display: Codable, Sendable, Equatable {
    public var id: String
    public var organizationId: String
    public var locationId: String
    public var name: String
    public var keyVersion: Int
    public var revokedAt: Date?
    public var createdAt: Date
    /// When the screen last fetched its state or held its event stream (nil: never), written at most
    /// once per `DisplaysStore.seenInterval`.
    public var lastSeenAt: Date? = nil
}

/// What a display screen shows: the current or next class at its location inside the check-in window.
public struct DisplaySession: Sendable {
    public var session: ClassSession
    public var className: String
    public var color: String
    public var coachName: String?
    public var locationName: String
    /// "Maya L." for each attended booking, in check-in order.
    public var checkedIn: [String]
    /// When the names were last read in full (`CheckedInRosters`): what announces nothing shows within
    /// the rosters' `maxAge` of it.
    public var namesReadAt: Date? = nil
}

/// Displays and the read model of their screen.
public struct DisplaysStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    static func display(_ row: any SQLRow) throws -> Display {
        Display(
            id: try row.string("id"), organizationId: try row.string("organization_id"), locationId: try row.string("location_id"),
            name: try row.string("name"), keyVersion: try row.int("key_version"), revokedAt: try row.optionalDate("revoked_at"),
            createdAt: try row.date("created_at"), lastSeenAt: try row.optionalDate("last_seen_at"))
    }

    /// How stale `last_seen_at` may get before a poll or a held stream writes it again: a screen
    /// polling every 2 s writes once a minute, not thirty times.
    public static let seenInterval: Int64 = 60

    /// Whether `display`, as just read, should record that it was seen at `now`.
    public static func needsSeen(_ display: Display, now: Date) -> Bool {
        guard let seen = display.lastSeenAt?.epochSeconds else { return true }
        return now.epochSeconds - seen >= seenInterval
    }

    /// Records that the display was seen at `now`, unless a poll on this or another instance already
    /// did within `seenInterval` (the guard makes racing writers a no-op). Callers skip it when the row
    /// they read is fresh (`needsSeen`), so a poll normally costs no write at all.
    public func markSeen(id: String, now: Date) async throws {
        let at = now.epochSeconds
        try await database.writeStatement(scope: .housekeeping) { sql in
            try await sql.raw(
                """
                UPDATE displays SET last_seen_at = \(bind: at)
                WHERE id = \(bind: id) AND (last_seen_at IS NULL OR last_seen_at <= \(bind: at - Self.seenInterval))
                """
            ).run()
        }
    }

    /// The `displays` rows, as a door kiosk's (`SignedDeviceRows`).
    var rows: SignedDeviceRows<Display> {
        SignedDeviceRows(database: database, table: "displays", entity: "Display", decode: Self.display)
    }

    /// A display at a live location of the org (another org's location → 404).
    public func create(orgId: String, locationId: String, name: String, createdBy: String?, now: Date) async throws -> Display {
        let id = try await rows.create(orgId: orgId, locationId: locationId, name: name, createdBy: createdBy, now: now)
        return Display(
            id: id, organizationId: orgId, locationId: locationId, name: name, keyVersion: 1, revokedAt: nil, createdAt: now)
    }

    /// Any display by id (for URL verification), whatever its org.
    public func display(id: String) async throws -> Display? { try await rows.device(id: id) }

    public func displays(orgId: String) async throws -> [Display] { try await rows.devices(orgId: orgId) }

    /// Bumps the key version (every earlier URL dies) or revokes the display for good.
    public func rotate(orgId: String, id: String, now: Date) async throws -> Display {
        try await rows.rotate(orgId: orgId, id: id, now: now)
    }

    public func revoke(orgId: String, id: String, now: Date) async throws -> Display {
        try await rows.revoke(orgId: orgId, id: id, now: now)
    }

    /// The session a display at `locationId` shows at `now`: the one whose check-in window is open
    /// (earliest start first), else `nil`; plus the next published session at the location today or later.
    /// With `rosters`, the names of the class in its window are read in full once per `maxAge` and in
    /// between only those announced since.
    public func screen(
        org: Organization, locationId: String, now: Date, rosters: CheckedInRosters? = nil
    ) async throws -> (current: DisplaySession?, next: DisplaySession?) {
        try await database.read { sql in
            let opensBefore = Int64(org.checkinOpensMinutesBefore * 60)
            let rows = try await sql.raw(
                """
                SELECT s.*, ct.name AS class_name, ct.color AS class_color, cu.name AS coach_name, l.name AS location_name
                FROM class_sessions s JOIN class_types ct ON ct.id = s.class_type_id JOIN locations l ON l.id = s.location_id
                LEFT JOIN memberships cm ON cm.id = s.coach_membership_id LEFT JOIN users cu ON cu.id = cm.user_id
                WHERE s.location_id = \(bind: locationId) AND s.organization_id = \(bind: org.id) AND s.deleted_at IS NULL
                  AND s.status = 'published' AND s.ends_at > \(bind: now.epochSeconds)
                ORDER BY s.starts_at, s.id LIMIT 2
                """
            ).all()
            var sessions: [DisplaySession] = []
            for row in rows {
                let session = try SessionRows.session(row)
                sessions.append(
                    DisplaySession(
                        session: session, className: try row.string("class_name"), color: try row.string("class_color"),
                        coachName: try row.optionalString("coach_name"), locationName: try row.string("location_name"),
                        checkedIn: []))
            }
            guard let first = sessions.first else { return (nil, nil) }
            let open = now.epochSeconds >= first.session.startsAt.epochSeconds - opensBefore
            guard open else { return (nil, first) }
            var current = first
            let (names, namesReadAt) = try await Self.checkedIn(sql, sessionId: first.session.id, now: now, rosters: rosters)
            current.checkedIn = names
            current.namesReadAt = namesReadAt
            return (current, sessions.dropFirst().first)
        }
    }
}

extension DisplaysStore {
    /// The names a screen shows for its class, in check-in order, and when they were read in full:
    /// with `rosters`, only the bookings announced since the last full read are read.
    public func names(sessionId: String, now: Date, rosters: CheckedInRosters) async throws -> ([String], Date) {
        try await database.read { sql in try await Self.checkedIn(sql, sessionId: sessionId, now: now, rosters: rosters) }
    }

    /// The names checked in to a class, in check-in order, and when they were read in full.
    static func checkedIn(
        _ sql: any SQLDatabase, sessionId: String, now: Date, rosters: CheckedInRosters?
    ) async throws -> ([String], Date) {
        /// Every name, read now (and kept nowhere).
        func everyone() async throws -> ([String], Date) {
            (try await checkedIn(sql, sessionId: sessionId, only: nil).map(\.name), now)
        }
        guard let rosters else { return try await everyone() }
        switch rosters.plan(sessionId: sessionId, now: now) {
        case .held(let entries, let readAt):
            return (entries.map(\.name), Date(epochSeconds: readAt))
        case .announced(let announced, let serial):
            let read = try await checkedIn(sql, sessionId: sessionId, only: announced)
            guard let (entries, readAt) = rosters.keep(sessionId: sessionId, serial: serial, announced: announced, read: read)
            else { return try await everyone() }
            return (entries.map(\.name), Date(epochSeconds: readAt))
        case .full(nil):
            return try await everyone()
        case .full(let serial?):
            do {
                let full = try await checkedIn(sql, sessionId: sessionId, only: nil)
                return (rosters.keep(sessionId: sessionId, serial: serial, full: full).map(\.name), now)
            } catch {
                rosters.abandon(sessionId: sessionId, serial: serial)
                throw error
            }
        }
    }

    /// The class's attended bookings in check-in order: all, or only those of `only`.
    static func checkedIn(_ sql: any SQLDatabase, sessionId: String, only: Set<String>?) async throws -> [CheckedIn] {
        let subset: SQLQueryString = only.map { "AND b.id IN (\(SQLList($0.sorted().map { SQLBind($0) })))" } ?? ""
        return try await sql.raw(
            """
            SELECT b.id, b.checked_in_at, u.name FROM bookings b JOIN memberships m ON m.id = b.membership_id
            JOIN users u ON u.id = m.user_id
            WHERE b.session_id = \(bind: sessionId) AND b.status = 'attended' \(subset) ORDER BY b.checked_in_at, b.id
            """
        ).all().map {
            CheckedIn(
                bookingId: try $0.string("id"), at: try $0.optionalDate("checked_in_at") ?? .distantPast,
                name: DisplayName.short(try $0.string("name")))
        }
    }
}

/// How people appear on a public screen: first name and initial ("Maya L.").
public enum DisplayName {
    public static func short(_ name: String) -> String {
        let parts = name.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = parts.first else { return "" }
        guard parts.count > 1, let initial = parts.last?.first else { return String(first) }
        return "\(first) \(initial)."
    }
}
