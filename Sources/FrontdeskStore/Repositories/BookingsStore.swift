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

/// The booking transaction (SPEC §5) and cancellation, each one transaction.
///
/// Every booking change first takes the session's and the member's locks (PostgreSQL advisory locks
/// taken before the SERIALIZABLE snapshot, in a fixed order), so a rush on one class is served one
/// booker at a time without serialization failures; SERIALIZABLE and its retry remain the safety net.
public struct BookingsStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// A booking of the org by id.
    public func booking(id: String) async throws -> Booking? {
        try await database.read { sql in try await sql.raw("SELECT * FROM bookings WHERE id = \(bind: id)").first().map(BookingRows.booking)
        }
    }

    /// Books `membershipId` into a session. `actor` is the caller; a member may only book themself.
    /// Staff bypass plans, credits, quotas and overlap for their own bookings, and may confirm beyond
    /// capacity with `overrideCapacity` (audit-logged).
    public func book(
        org: Organization, sessionId: String, membershipId: String, actor: BookingActor, overrideCapacity: Bool,
        idempotencyKey: String?, now: Date
    ) async throws -> BookingResult {
        try await database.transaction(BookingRows.locks(sessionId: sessionId, membershipId: membershipId)) { sql in
            let scope = "book:\(sessionId):\(membershipId)"
            if let replay = try await IdempotencyRows.replay(sql, userId: actor.userId, key: idempotencyKey, scope: scope) {
                return replay
            }
            // One read for the session, its program's mode, the member and the class's counts.
            guard
                let row = try await sql.raw(
                    """
                    SELECT s.*, p.delivery_mode, m.role AS member_role, m.status AS member_status, m.user_id AS member_user_id,
                        (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status IN ('confirmed', 'attended')) AS booked_count,
                        (SELECT COALESCE(MAX(b.waitlist_position), 0) + 1 FROM bookings b
                          WHERE b.session_id = s.id AND b.status = 'waitlisted') AS next_position
                    FROM class_sessions s
                    JOIN class_types ct ON ct.id = s.class_type_id
                    JOIN programs p ON p.id = ct.program_id
                    JOIN memberships m ON m.id = \(bind: membershipId) AND m.organization_id = s.organization_id
                    WHERE s.id = \(bind: sessionId) AND s.organization_id = \(bind: org.id) AND s.deleted_at IS NULL
                    """
                ).first()
            else {
                _ = try await SessionRows.requireLive(sql, orgId: org.id, id: sessionId)
                throw DomainError.notFound("Member")
            }
            let session = try SessionRows.session(row)
            guard try row.string("member_status") == MembershipStatus.active.rawValue else {
                throw DomainError(.membershipSuspended, kind: .conflict, "This membership is suspended.")
            }
            let memberRole = Role(rawValue: try row.string("member_role")) ?? .member
            let memberUserId = try row.string("member_user_id")
            let deliveryMode = try row.string("delivery_mode")
            if !actor.role.isStaff, session.status == .draft || deliveryMode != DeliveryMode.schedule.rawValue {
                // Members cannot book what they cannot see (SPEC §4): drafts, and sessions of non-schedule programs.
                throw DomainError.notFound("Session")
            }
            let selfBooking = membershipId == actor.membershipId
            let snapshot = try await BookingRows.snapshot(
                sql, org: org, session: session, membershipId: membershipId,
                isStaff: selfBooking && memberRole.isStaff, bookedCount: try row.int("booked_count"), now: now)
            let outcome = try BookingRules.decide(snapshot, overrideCapacity: overrideCapacity && actor.role.isStaff)

            var booking = Booking(
                id: NewID.make(), organizationId: org.id, sessionId: sessionId, membershipId: membershipId, subscriptionId: nil,
                status: .confirmed, waitlistPosition: nil, creditCharged: false, lateCancel: false, capacityOverride: false,
                checkedInAt: nil, checkinMethod: nil, cancelledAt: nil, createdAt: now, updatedAt: now)
            switch outcome {
            case .confirmed(let subscription, let charge, let override):
                booking.subscriptionId = subscription?.id
                booking.capacityOverride = override
                if charge, let subscription {
                    try await CreditLedger.take(sql, subscriptionId: subscription.id, now: now)
                    booking.creditCharged = true
                }
            case .waitlisted(let subscription):
                booking.subscriptionId = subscription?.id
                booking.status = .waitlisted
                booking.waitlistPosition = try row.int("next_position")
            }
            do {
                try await BookingRows.insert(sql, booking, bookedBy: actor.membershipId)
            } catch  where DatabaseErrors.isUniqueViolation(error) {
                throw DomainError(.alreadyBooked, "You already hold a place or waitlist spot in this class.")
            }
            // Credit charge needs the booking row for the ledger's reference: write the ledger after it.
            if booking.creditCharged, let subscriptionId = booking.subscriptionId {
                try await CreditLedger.ledger(
                    sql, orgId: org.id, subscriptionId: subscriptionId, bookingId: booking.id, kind: "charge",
                    amount: -1, reason: "booking", actorMembershipId: actor.membershipId, now: now)
            }
            if booking.capacityOverride {
                try await AuditRows.record(
                    sql, orgId: org.id, actorUserId: actor.userId, actorMembershipId: actor.membershipId,
                    action: "booking.capacity_override", entityType: "booking", entityId: booking.id, subject: membershipId,
                    payload: ["sessionId": sessionId, "membershipId": membershipId], now: now)
            }
            var messages = [
                BookingRows.message(
                    org: org.id, user: memberUserId, template: booking.status == .confirmed ? "booking_confirmed" : "booking_waitlisted",
                    channel: "email", booking: booking)
            ]
            if booking.status == .confirmed {
                messages.append(
                    BookingRows.message(org: org.id, user: memberUserId, template: "booking_confirmed", channel: "push", booking: booking))
            }
            try await OutboxRows.enqueue(sql, messages, now: now)
            let result = BookingResult(booking: booking, replayed: false)
            try await IdempotencyRows.store(sql, userId: actor.userId, key: idempotencyKey, scope: scope, result: result, now: now)
            return result
        }
    }

    /// Cancels a booking (SPEC §5). Members cancel their own; staff any of their org (the caller checks
    /// who may). Early cancels refund a charged credit; late ones are refused unless the org allows
    /// them or staff cancel, and never refund. A freed place is offered to the waitlist at once.
    public func cancel(
        org: Organization, bookingId: String, actor: BookingActor, idempotencyKey: String?, now: Date
    ) async throws -> BookingResult {
        guard let current = try await booking(id: bookingId), current.organizationId == org.id else {
            throw DomainError.notFound("Booking")
        }
        return try await database.transaction(BookingRows.locks(sessionId: current.sessionId, membershipId: current.membershipId)) { sql in
            let scope = "cancel:\(bookingId)"
            if let replay = try await IdempotencyRows.replay(sql, userId: actor.userId, key: idempotencyKey, scope: scope) {
                return replay
            }
            guard var booking = try await sql.raw("SELECT * FROM bookings WHERE id = \(bind: bookingId)").first().map(BookingRows.booking)
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
}
