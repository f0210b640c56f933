import Foundation
import FrontdeskCore
import SQLKit

/// Row operations on bookings inside the caller's transaction: decode, insert, the locks a booking
/// change takes, and the snapshot of facts the booking rules decide on. They call only other rows.
enum BookingRows {
    static func booking(_ row: any SQLRow) throws -> Booking {
        Booking(
            id: try row.string("id"), organizationId: try row.string("organization_id"), sessionId: try row.string("session_id"),
            membershipId: try row.string("membership_id"), subscriptionId: try row.optionalString("subscription_id"),
            status: BookingStatus(rawValue: try row.string("status")) ?? .cancelled,
            waitlistPosition: try row.optionalInt("waitlist_position"), creditCharged: try row.bool("credit_charged"),
            lateCancel: try row.bool("late_cancel"), capacityOverride: try row.bool("capacity_override"),
            checkedInAt: try row.optionalDate("checked_in_at"), checkinMethod: try row.optionalString("checkin_method"),
            cancelledAt: try row.optionalDate("cancelled_at"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }

    static func locks(sessionId: String, membershipId: String) -> TransactionOptions {
        TransactionOptions(lockKeys: ["session:\(sessionId)", "member:\(membershipId)"])
    }

    static func insert(_ sql: any SQLDatabase, _ booking: Booking, bookedBy: String) async throws {
        try await insert(sql, [(booking, bookedBy)])
    }

    /// Inserts bookings in one statement (a lane's batch), each with who booked it.
    static func insert(_ sql: any SQLDatabase, _ rows: [(booking: Booking, bookedBy: String)]) async throws {
        for statement in inserts(rows, postgres: PortableSQL.isPostgres(sql)) { try await sql.raw(statement).run() }
    }

    /// `insert`'s statements. PostgreSQL: one, each column one array (`unnest`), so the text is the same
    /// for every batch size and is prepared and planned once per connection (as `VALUES` rows each
    /// size was a new text, planned at every batch). SQLite: `VALUES` rows, 500 bookings a statement.
    static func inserts(_ rows: [(booking: Booking, bookedBy: String)], postgres: Bool) -> [SQLQueryString] {
        guard !rows.isEmpty else { return [] }
        let columns: SQLQueryString = """
            INSERT INTO bookings (id, organization_id, session_id, membership_id, subscription_id, status, waitlist_position,
                credit_charged, late_cancel, booked_by_membership_id, capacity_override, created_at, updated_at)
            """
        if postgres {
            let bookings = rows.map(\.booking)
            return [
                """
                \(columns)
                SELECT * FROM unnest(\(bind: bookings.map(\.id))::text[], \(bind: bookings.map(\.organizationId))::text[],
                    \(bind: bookings.map(\.sessionId))::text[], \(bind: bookings.map(\.membershipId))::text[],
                    \(bind: PostgresNullableArray(bookings.map(\.subscriptionId)))::text[], \(bind: bookings.map(\.status.rawValue))::text[],
                    \(bind: PostgresNullableArray(bookings.map(\.waitlistPosition)))::integer[], \(bind: bookings.map(\.creditCharged))::boolean[],
                    \(bind: bookings.map { _ in false })::boolean[], \(bind: rows.map(\.bookedBy))::text[],
                    \(bind: bookings.map(\.capacityOverride))::boolean[], \(bind: bookings.map(\.createdAt.epochSeconds))::bigint[],
                    \(bind: bookings.map(\.updatedAt.epochSeconds))::bigint[])
                """
            ]
        }
        return rows.chunked(into: 500).map { chunk in
            let values: [SQLQueryString] = chunk.map { b, bookedBy in
                """
                (\(bind: b.id), \(bind: b.organizationId), \(bind: b.sessionId), \(bind: b.membershipId), \(bind: b.subscriptionId),
                 \(bind: b.status.rawValue), \(bind: b.waitlistPosition), \(bind: b.creditCharged), \(bind: false), \(bind: bookedBy),
                 \(bind: b.capacityOverride), \(bind: b.createdAt.epochSeconds), \(bind: b.updatedAt.epochSeconds))
                """
            }
            return "\(columns) VALUES \(values.joined(separator: ", "))"
        }
    }

    /// The span of a member's bookings the rules look at for `session`: its week (the org's calendar)
    /// and a day either side of the class, for quotas and overlaps.
    static func window(org: Organization, session: ClassSession) -> (from: Date, to: Date) {
        let calendar = OrgCalendar(timezone: org.timezone)
        let from = min(calendar.startOfWeek(session.startsAt), session.startsAt.addingTimeInterval(-86_400))
        let to = max(calendar.startOfDay(calendar.startOfWeek(session.startsAt), addingDays: 7), session.endsAt.addingTimeInterval(86_400))
        return (from, to)
    }

    /// Reads what the decision needs for one member and session, inside the transaction.
    static func snapshot(
        _ sql: any SQLDatabase, org: Organization, session: ClassSession, membershipId: String,
        isStaff: Bool, bookedCount: Int, now: Date
    ) async throws -> BookingSnapshot {
        let (from, to) = window(org: org, session: session)
        let facts = try await MemberFactsRows.memberFacts(
            sql, orgId: org.id, membershipId: membershipId, from: from, to: to, now: now,
            withOffers: false)
        return snapshot(org: org, session: session, isStaff: isStaff, bookedCount: bookedCount, now: now, facts: facts)
    }

    /// What the decision needs for one member and session, from facts read over `window`.
    static func snapshot(
        org: Organization, session: ClassSession, isStaff: Bool, bookedCount: Int, now: Date, facts: MemberFacts
    ) -> BookingSnapshot {
        BookingSnapshot(
            now: now, timezone: org.timezone, sessionId: session.id, sessionStartsAt: session.startsAt, sessionEndsAt: session.endsAt,
            sessionStatus: session.status, sessionDeleted: false, capacity: session.capacity,
            bookedCount: bookedCount,
            paymentProvider: org.paymentProvider, bookingOpensDaysBefore: org.bookingOpensDaysBefore, isStaff: isStaff,
            alreadyBooked: facts.bookings.contains { $0.sessionId == session.id },
            subscriptions: facts.subscriptions, otherBookings: facts.bookings.filter { $0.sessionId != session.id },
            planOffers: facts.planOffers)
    }

    static func message(org: String, user: String, template: String, channel: String, booking: Booking) -> OutboxMessage {
        var payload = ["bookingId": booking.id, "sessionId": booking.sessionId]
        // The place in line when queued: by delivery the member may have moved up or in.
        if let position = booking.waitlistPosition { payload["waitlistPosition"] = String(position) }
        return OutboxMessage(
            organizationId: org, userId: user, channel: channel, template: template, payload: payload,
            dedupeKey: "\(template):\(booking.id):\(channel)")
    }
}
