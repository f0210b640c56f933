import Foundation
import FrontdeskCore
import SQLKit

/// Who asks for a booking change, and on whose behalf.
public struct BookingActor: Sendable {
    public var userId: String
    public var membershipId: String
    public var role: Role

    public init(userId: String, membershipId: String, role: Role) {
        self.userId = userId
        self.membershipId = membershipId
        self.role = role
    }
}

/// The answer to a booking or cancel request; `replayed` when it came from an `Idempotency-Key`.
public struct BookingResult: Codable, Sendable {
    public var booking: Booking
    public var replayed: Bool
}

/// Bookings: reading one, and cancellation's rows. Booking and cancelling themselves go through the
/// class lanes (`ClassLanes`, `ClassBatch`), which take the session's and the members' locks
/// (PostgreSQL advisory locks taken before the SERIALIZABLE snapshot, in a fixed order) and write a
/// batch of requests in one transaction; SERIALIZABLE and its retry remain the safety net.
public struct BookingsStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// A booking of the org by id.
    public func booking(id: String) async throws -> Booking? {
        try await database.read { sql in try await sql.raw("SELECT * FROM bookings WHERE id = \(bind: id)").first().map(BookingRows.booking)
        }
    }

    /// Cancels a booking (SPEC §5), inside the caller's transaction, which holds the class's and the
    /// member's locks (a class lane's batch). Members cancel their own; staff any of their org (the
    /// caller checks who may). Early cancels refund a charged credit; late ones are refused unless the
    /// org allows them or staff cancel, and never refund. A freed place is offered to the waitlist at
    /// once. Every refusal is thrown before anything is written.
    static func cancelRows(_ sql: any SQLDatabase, _ request: CancelRequest) async throws -> BookingResult {
        let (org, bookingId, actor, idempotencyKey, now) = (
            request.org, request.bookingId, request.actor, request.idempotencyKey, request.now
        )
        let scope = "cancel:\(bookingId)"
        if let replay = try await IdempotencyRows.replay(sql, userId: actor.userId, key: idempotencyKey, scope: scope) {
            return replay
        }
        guard var booking = try await sql.raw("SELECT * FROM bookings WHERE id = \(bind: bookingId)").first().map(BookingRows.booking),
            booking.organizationId == org.id
        else {
            throw DomainError.notFound("Booking")
        }
        guard let sessionRow = try await sql.raw("SELECT * FROM class_sessions WHERE id = \(bind: booking.sessionId)").first() else {
            throw DomainError.notFound("Booking")
        }
        let session = try SessionRows.session(sessionRow)
        switch booking.status {
        case .cancelled: throw DomainError(.alreadyCancelled, "This booking is already cancelled.")
        case .attended, .noShow: throw DomainError(.notCancellable, "An attended or no-show booking cannot be cancelled.")
        case .confirmed, .waitlisted: break
        }
        let wasConfirmed = booking.status == .confirmed
        var refund = false
        if wasConfirmed {
            let verdict = try CancellationRules.evaluate(
                now: now, startsAt: session.startsAt, windowHours: org.cancellationWindowHours,
                allowLate: org.allowLateCancellation, byStaff: actor.role.isStaff)
            booking.lateCancel = verdict == .late
            refund = verdict == .early && booking.creditCharged
        }
        let previousPosition = booking.waitlistPosition
        booking.status = .cancelled
        booking.waitlistPosition = nil
        booking.cancelledAt = now
        booking.updatedAt = now
        if refund {
            // While the booking still says it was charged.
            _ = try await SessionBookings.refund(
                sql, bookings: "b.id = \(bind: bookingId) AND b.credit_charged = \(bind: true) AND b.subscription_id IS NOT NULL",
                reason: "early cancel", actorMembershipId: actor.membershipId, now: now)
            booking.creditCharged = false
        }
        try await sql.raw(
            """
            UPDATE bookings SET status = 'cancelled', waitlist_position = NULL, late_cancel = \(bind: booking.lateCancel),
                credit_charged = \(bind: booking.creditCharged), cancelled_at = \(bind: now.epochSeconds),
                cancelled_by_membership_id = \(bind: actor.membershipId), updated_at = \(bind: now.epochSeconds)
            WHERE id = \(bind: bookingId)
            """
        ).run()
        if previousPosition != nil {
            try await WaitlistRows.renumber(sql, sessionId: booking.sessionId, now: now)
        }
        // Staff taking someone off a class is a single action of the audit log; members cancelling
        // their own bookings are not.
        if actor.membershipId != booking.membershipId {
            var audit = AuditChange()
            audit.field("status", .text(wasConfirmed ? "confirmed" : "waitlisted"), .text("cancelled"))
            audit.details["sessionId"] = .text(booking.sessionId)
            audit.details["lateCancel"] = .flag(booking.lateCancel)
            audit.details["refunded"] = .flag(refund)
            try await AuditRows.record(
                sql, orgId: org.id, actor: actor, action: "booking.cancel", entityType: "booking", entityId: bookingId,
                subject: booking.membershipId, payload: audit, now: now)
        }
        let userId = try await sql.raw("SELECT user_id FROM memberships WHERE id = \(bind: booking.membershipId)").first()?.string(
            "user_id")
        if let userId {
            try await OutboxRows.enqueue(
                sql,
                [BookingRows.message(org: org.id, user: userId, template: "booking_cancelled", channel: "email", booking: booking)],
                now: now)
        }
        if wasConfirmed {
            try await WaitlistRows.promote(
                sql, org: org, sessionId: booking.sessionId, actorMembershipId: actor.membershipId, now: now)
        }
        let result = BookingResult(booking: booking, replayed: false)
        try await IdempotencyRows.store(sql, userId: actor.userId, key: idempotencyKey, scope: scope, result: result, now: now)
        return result
    }
}
