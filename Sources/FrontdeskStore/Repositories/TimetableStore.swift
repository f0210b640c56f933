import Foundation
import FrontdeskCore
import SQLKit

/// A class as the back office's timetable shows it: the schedule's row plus its place in a series.
public struct TimetableClass: Sendable {
    public var scheduled: ScheduledSession
    /// The weekly series the class was made by, if any.
    public var seriesId: String?
    /// The class's date in its series (`YYYY-MM-DD`).
    public var seriesDate: String?
    /// Edited on its own ("this class only"): series edits leave it alone.
    public var seriesDetached: Bool

    public var session: ClassSession { scheduled.session }
}

/// A member holding confirmed or waitlisted places in classes a change would take down.
public struct AffectedMember: Sendable, Equatable {
    public var membershipId: String
    public var name: String
    public var email: String
    public var confirmed: Int
    public var waitlisted: Int
}

/// Someone who may teach a class: an active owner, admin or coach.
public struct CoachChoice: Sendable, Equatable {
    public var membershipId: String
    public var name: String
}

/// Reads for the back office's timetable page (issue 17): the week's classes with their series,
/// the members a preview's classes would reach, and the studio's coaches.
public struct TimetableStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// Live classes of the org starting in `[from, to)` (every status; staff see all), optionally at one
    /// location, by start time.
    public func classes(orgId: String, from: Date, to: Date, locationId: String?) async throws -> [TimetableClass] {
        try await database.read { sql in
            let location: SQLQueryString = locationId.map { "AND s.location_id = \(bind: $0)" } ?? ""
            return try await sql.raw(
                """
                \(unsafeRaw: ScheduleStore.select)
                LEFT JOIN bookings vb ON 1 = 0
                WHERE s.organization_id = \(bind: orgId) AND s.deleted_at IS NULL
                  AND s.starts_at >= \(bind: from.epochSeconds) AND s.starts_at < \(bind: to.epochSeconds) \(location)
                ORDER BY s.starts_at, s.id
                """
            ).all().map(Self.timetableClass)
        }
    }

    /// One live class of the org, as the timetable shows it.
    public func timetableClass(orgId: String, id: String) async throws -> TimetableClass? {
        try await database.read { sql in
            try await sql.raw(
                """
                \(unsafeRaw: ScheduleStore.select)
                LEFT JOIN bookings vb ON 1 = 0
                WHERE s.id = \(bind: id) AND s.organization_id = \(bind: orgId) AND s.deleted_at IS NULL
                """
            ).first().map(Self.timetableClass)
        }
    }

    static func timetableClass(_ row: any SQLRow) throws -> TimetableClass {
        TimetableClass(
            scheduled: try ScheduleStore.scheduled(row), seriesId: try row.optionalString("series_id"),
            seriesDate: try row.optionalString("series_date"), seriesDetached: try row.bool("series_detached"))
    }

    /// The members with confirmed or waitlisted bookings in `sessionIds` (classes of the org), by name.
    public func affectedMembers(orgId: String, sessionIds: [String]) async throws -> [AffectedMember] {
        guard !sessionIds.isEmpty else { return [] }
        return try await database.read { sql in
            var byMember: [String: AffectedMember] = [:]
            for chunk in sessionIds.chunked(into: 500) {
                let rows = try await sql.raw(
                    """
                    SELECT b.membership_id, u.name, u.email,
                        SUM(CASE WHEN b.status = 'confirmed' THEN 1 ELSE 0 END) AS confirmed,
                        SUM(CASE WHEN b.status = 'waitlisted' THEN 1 ELSE 0 END) AS waitlisted
                    FROM bookings b
                    JOIN class_sessions s ON s.id = b.session_id
                    JOIN memberships m ON m.id = b.membership_id
                    JOIN users u ON u.id = m.user_id
                    WHERE s.organization_id = \(bind: orgId) AND b.session_id IN (\(binds: chunk))
                      AND b.status IN ('confirmed', 'waitlisted')
                    GROUP BY b.membership_id, u.name, u.email
                    """
                ).all()
                for row in rows {
                    let id = try row.string("membership_id")
                    let name = try row.string("name")
                    let email = try row.string("email")
                    var member =
                        byMember[id] ?? AffectedMember(membershipId: id, name: name, email: email, confirmed: 0, waitlisted: 0)
                    member.confirmed += try row.int("confirmed")
                    member.waitlisted += try row.int("waitlisted")
                    byMember[id] = member
                }
            }
            return byMember.values.sorted { ($0.name.lowercased(), $0.email) < ($1.name.lowercased(), $1.email) }
        }
    }

    /// The org's active owners, admins and coaches, by name: who may teach a class.
    public func coaches(orgId: String) async throws -> [CoachChoice] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT m.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.organization_id = \(bind: orgId) AND m.status = 'active' AND m.role IN ('owner', 'admin', 'coach')
                ORDER BY u.name, m.id
                """
            ).all().map { CoachChoice(membershipId: try $0.string("id"), name: try $0.string("name")) }
        }
    }
}
