import Foundation
import FrontdeskCore
import SQLKit

/// The time-driven jobs (SPEC §7), each one set-based statement that is safe to run on every
/// instance at once: the outbox's unique dedupe key makes a reminder exactly-once per booking, and
/// the no-show update only moves bookings still `confirmed`.
public struct ScheduledJobs: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// Queues the push reminder for every confirmed booking of a live class starting within
    /// `minutesBefore` from `now`, for members with a registered device who have not opted out of
    /// class push notifications. A booking is reminded once, however often this runs.
    public func queueReminders(now: Date, minutesBefore: Int) async throws -> Int {
        let at = now.epochSeconds
        return try await database.transaction { sql in
            let payload = PortableSQL.jsonObject(sql, [("bookingId", "b.id"), ("sessionId", "b.session_id")])
            let queued = try await sql.raw(
                """
                INSERT INTO notification_outbox (id, organization_id, user_id, channel, template, payload, dedupe_key,
                    status, attempts, available_at, created_at)
                SELECT \(PortableSQL.newID(sql)), b.organization_id, m.user_id, 'push', 'class_reminder', \(payload),
                    'class_reminder:' || b.id || ':push', 'pending', 0, \(bind: at), \(bind: at)
                FROM class_sessions s
                JOIN bookings b ON b.session_id = s.id AND b.status = 'confirmed'
                JOIN memberships m ON m.id = b.membership_id
                WHERE s.starts_at > \(bind: at) AND s.starts_at <= \(bind: at + Int64(minutesBefore) * 60)
                  AND s.status = 'published' AND s.deleted_at IS NULL
                  AND \(OutboxRows.wanted(user: "m.user_id", channel: "'push'"))
                ON CONFLICT (dedupe_key) DO NOTHING
                RETURNING id
                """
            ).all().count
            if queued > 0 { try await OutboxRows.wake(sql) }
            return queued
        }
    }

    /// How far back the sweep looks: a server that was down longer leaves older classes alone.
    public static let sweepLookbackDays = 30

    /// Marks confirmed bookings nobody checked in as `no_show` once their class ended plus the org's
    /// `noShowGraceMinutes`; returns how many.
    public func sweepNoShows(now: Date) async throws -> Int {
        let at = now.epochSeconds
        return try await database.transaction { sql in
            try await sql.raw(
                """
                UPDATE bookings SET status = 'no_show', updated_at = \(bind: at)
                WHERE status = 'confirmed' AND session_id IN (
                    SELECT s.id FROM class_sessions s JOIN organizations o ON o.id = s.organization_id
                    WHERE s.ends_at > \(bind: at - Int64(Self.sweepLookbackDays) * 86_400) AND s.ends_at <= \(bind: at)
                      AND s.ends_at + o.no_show_grace_minutes * 60 <= \(bind: at)
                      AND s.status = 'published' AND s.deleted_at IS NULL)
                RETURNING id
                """
            ).all().count
        }
    }
}
