import Foundation
import FrontdeskCore
import SQLKit

/// Tells a class's booked members that its time, place or coach changed: a `class_changed` e-mail and
/// push per confirmed or waitlisted booking, queued inside the caller's transaction through the outbox
/// (opt-outs, devices and held mail honoured there). Single-class edits use it; so can a series edit
/// that changes booked classes in place.
public enum ClassChangeNotices {
    /// Queues the notices for `before` → `after` (the same session); nothing when neither the start,
    /// the location nor the coach changed. The dedupe key carries the change's instant and the new
    /// values, so a retried transaction queues once and a later change notifies again. Returns how
    /// many bookings were told (before opt-outs).
    @discardableResult
    public static func queue(_ sql: any SQLDatabase, before: ClassSession, after: ClassSession, now: Date) async throws -> Int {
        let change = SessionEditRules.noticeableChange(before: before, after: after)
        guard change.any else { return 0 }
        let bookings = try await sql.raw(
            """
            SELECT b.id, m.user_id FROM bookings b JOIN memberships m ON m.id = b.membership_id
            WHERE b.session_id = \(bind: after.id) AND b.status IN ('confirmed', 'waitlisted')
            ORDER BY b.id
            """
        ).all()
        guard !bookings.isEmpty else { return 0 }
        let iso = ISO8601DateFormatter()
        var payload: [String: String] = [
            "sessionId": after.id, "changes": change.list,
            "oldStartsAt": iso.string(from: before.startsAt), "newStartsAt": iso.string(from: after.startsAt),
        ]
        if change.location {
            payload["oldLocation"] = try await locationName(sql, before.locationId)
            payload["newLocation"] = try await locationName(sql, after.locationId)
        }
        if change.coach {
            payload["oldCoach"] = try await coachName(sql, before.coachMembershipId)
            payload["newCoach"] = try await coachName(sql, after.coachMembershipId)
        }
        let version = "\(now.epochSeconds):\(after.startsAt.epochSeconds):\(after.locationId ?? "-"):\(after.coachMembershipId ?? "-")"
        var messages: [OutboxMessage] = []
        for row in bookings {
            let bookingId = try row.string("id")
            let userId = try row.string("user_id")
            var own = payload
            own["bookingId"] = bookingId
            for channel in ["email", "push"] {
                messages.append(
                    OutboxMessage(
                        organizationId: after.organizationId, userId: userId, channel: channel, template: "class_changed",
                        payload: own, dedupeKey: "class_changed:\(bookingId):\(version):\(channel)"))
            }
        }
        try await OutboxRows.enqueue(sql, messages, now: now)
        return bookings.count
    }

    static func locationName(_ sql: any SQLDatabase, _ id: String?) async throws -> String? {
        guard let id else { return nil }
        return try await sql.raw("SELECT name FROM locations WHERE id = \(bind: id)").first()?.string("name")
    }

    static func coachName(_ sql: any SQLDatabase, _ membershipId: String?) async throws -> String? {
        guard let membershipId else { return nil }
        return try await sql.raw(
            "SELECT u.name FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.id = \(bind: membershipId)"
        ).first()?.string("name")
    }
}
