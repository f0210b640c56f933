import Foundation
import FrontdeskCore
import SQLKit

/// The outcome of a check-in request.
public struct CheckinResult: Codable, Sendable {
    public var booking: Booking
    /// The member was already checked in: nothing changed (idempotent repeat).
    public var alreadyCheckedIn: Bool
    /// The member had no place and was booked and checked in in one go.
    public var walkIn: Bool

    public init(booking: Booking, alreadyCheckedIn: Bool, walkIn: Bool) {
        self.booking = booking
        self.alreadyCheckedIn = alreadyCheckedIn
        self.walkIn = walkIn
    }
}

/// One line of a session's roster.
public struct RosterEntry: Codable, Sendable {
    public var booking: Booking
    public var name: String
    public var email: String
}

/// Check-in (SPEC §6): self check-in by QR or GPS, staff check-in, undo, no-show and the roster. Each
/// change is one transaction under the same session and member locks as booking, so a check-in and a
/// booking or a repeated check-in cannot interleave.
public struct CheckinStore: Sendable {
    let database: any FrontdeskDatabase
    /// Coalesces concurrent self check-ins (`CheckinBatcher`); without one each runs alone.
    let batcher: CheckinBatcher?

    public init(database: any FrontdeskDatabase, batcher: CheckinBatcher? = nil) {
        self.database = database
        self.batcher = batcher
    }

    /// Checks `membershipId` into a session. With an active booking the booking becomes attended;
    /// without one the member is a walk-in: booked and checked in together when a place is free and
    /// they are eligible (staff may override capacity). A repeat answers the attended booking unchanged.
    ///
    /// `enforceWindow` is the member's own check-in window (from `checkinOpensMinutesBefore` before
    /// the start until the end). Without it — staff — attendance is open from the window's opening
    /// until `staffHoursAfterEnd` after the end (`AttendanceRules`), and each change is audited.
    public func checkIn(
        org: Organization, sessionId: String, membershipId: String, method: CheckinMethod, actor: BookingActor,
        overrideCapacity: Bool, enforceWindow: Bool, staffHoursAfterEnd: Int = AttendanceRules.defaultHoursAfterEnd, now: Date
    ) async throws -> CheckinResult {
        // The common case, a booked member arriving in the window, is one guarded UPDATE: the booking
        // row's lock queues it behind any cancel or undo of that booking, and confirmed → attended changes
        // no count another rule reads (capacity, quotas and credits treat both alike). Anything else —
        // a repeat, a walk-in, a refusal that needs its reason — takes the locked path below, and so
        // does every staff check-in, which writes its audit row in the same transaction.
        if enforceWindow,
            let booking = try await fastCheckIn(
                org: org, sessionId: sessionId, membershipId: membershipId, method: method,
                actorMembershipId: actor.membershipId, now: now)
        {
            return CheckinResult(booking: booking, alreadyCheckedIn: false, walkIn: false)
        }
        // A member with a place touches only their own booking: the member's lock, not the class's, so a
        // whole class can check in in parallel. Only a walk-in, which takes a place, goes round again
        // under the class lock.
        do {
            return try await checkIn(
                org: org, sessionId: sessionId, membershipId: membershipId, method: method, actor: actor,
                overrideCapacity: overrideCapacity, enforceWindow: enforceWindow, staffHoursAfterEnd: staffHoursAfterEnd,
                classLocked: false, now: now)
        } catch is NeedsClassLock {
            return try await checkIn(
                org: org, sessionId: sessionId, membershipId: membershipId, method: method, actor: actor,
                overrideCapacity: overrideCapacity, enforceWindow: enforceWindow, staffHoursAfterEnd: staffHoursAfterEnd,
                classLocked: true, now: now)
        }
    }

    private struct NeedsClassLock: Error {}

    /// The confirmed booking made attended in one statement, or nil when the statement's guard (a
    /// confirmed booking, a live published session of this org, the window open) does not hold. With a
    /// batcher, concurrent check-ins share one statement and one commit.
    private func fastCheckIn(
        org: Organization, sessionId: String, membershipId: String, method: CheckinMethod, actorMembershipId: String, now: Date
    ) async throws -> Booking? {
        let checkin = FastCheckin(
            org: org, sessionId: sessionId, membershipId: membershipId, method: method, actorMembershipId: actorMembershipId, now: now)
        if let batcher { return try await batcher.checkIn(checkin) }
        return try await checkin.runAlone(database)
    }

    private func checkIn(
        org: Organization, sessionId: String, membershipId: String, method: CheckinMethod, actor: BookingActor,
        overrideCapacity: Bool, enforceWindow: Bool, staffHoursAfterEnd: Int, classLocked: Bool, now: Date
    ) async throws -> CheckinResult {
        var locks =
            classLocked
            ? BookingRows.locks(sessionId: sessionId, membershipId: membershipId)
            : TransactionOptions(lockKeys: ["member:\(membershipId)"])
        locks.scope = .bookings  // the booking's row, a walk-in booking, a waitlist renumbered, audit rows
        return try await database.transaction(locks) { sql in
            let session = try await SessionRows.requireLive(sql, orgId: org.id, id: sessionId)
            guard session.status == .published else {
                throw session.status == .cancelled
                    ? DomainError(.sessionCancelled, "This class has been cancelled.")
                    : DomainError(.sessionNotPublished, "This class is not open.")
            }
            if !enforceWindow {
                try AttendanceRules.requireOpen(
                    now: now, startsAt: session.startsAt, endsAt: session.endsAt,
                    opensMinutesBefore: org.checkinOpensMinutesBefore, hoursAfterEnd: staffHoursAfterEnd)
            }
            let existing = try await sql.raw(
                """
                SELECT * FROM bookings WHERE session_id = \(bind: sessionId) AND membership_id = \(bind: membershipId)
                  AND status IN ('confirmed', 'waitlisted', 'attended')
                """
            ).first().map(BookingRows.booking)
            if let booking = existing, booking.status == .attended {
                return CheckinResult(booking: booking, alreadyCheckedIn: true, walkIn: false)
            }
            if enforceWindow {
                try CheckinRules.requireOpen(
                    now: now, startsAt: session.startsAt, endsAt: session.endsAt,
                    opensMinutesBefore: org.checkinOpensMinutesBefore)
            }
            if var booking = existing, booking.status == .confirmed {
                try await Self.markAttended(sql, bookingId: booking.id, method: method, actorMembershipId: actor.membershipId, now: now)
                if !enforceWindow {
                    try await Self.auditAttendance(sql, org: org, actor: actor, booking: booking, to: .attended, walkIn: false, now: now)
                }
                booking.status = .attended
                booking.checkedInAt = now
                booking.checkinMethod = method.rawValue
                booking.updatedAt = now
                return CheckinResult(booking: booking, alreadyCheckedIn: false, walkIn: false)
            }
            // Walk-in (or a waitlisted member taking a free place): booked and attended in one go.
            guard classLocked else { throw NeedsClassLock() }
            // A member marked no-show who turns up after all: that booking comes back, attended — never a
            // second booking in the class. A no-show's place was given up, so it needs a free one again.
            if existing == nil,
                var noShow = try await sql.raw(
                    """
                    SELECT * FROM bookings WHERE session_id = \(bind: sessionId) AND membership_id = \(bind: membershipId) AND status = 'no_show'
                    ORDER BY updated_at DESC, id LIMIT 1
                    """
                ).first().map(BookingRows.booking)
            {
                let booked = try await SessionRows.bookedCount(sql, sessionId: sessionId)
                let override = booked >= session.capacity
                if override && !(overrideCapacity && actor.role.isStaff) {
                    throw DomainError(.classFull, "The class is full; a no-show coming back needs a free place.")
                }
                try await Self.markAttended(sql, bookingId: noShow.id, method: method, actorMembershipId: actor.membershipId, now: now)
                if override {
                    try await sql.raw("UPDATE bookings SET capacity_override = \(bind: true) WHERE id = \(bind: noShow.id)").run()
                    noShow.capacityOverride = true
                }
                if !enforceWindow {
                    try await Self.auditAttendance(sql, org: org, actor: actor, booking: noShow, to: .attended, walkIn: false, now: now)
                }
                noShow.status = .attended
                noShow.checkedInAt = now
                noShow.checkinMethod = method.rawValue
                noShow.updatedAt = now
                return CheckinResult(booking: noShow, alreadyCheckedIn: false, walkIn: false)
            }
            guard
                let member = try await sql.raw(
                    """
                    SELECT role, status FROM memberships WHERE id = \(bind: membershipId) AND organization_id = \(bind: org.id)
                    """
                ).first()
            else { throw DomainError.notFound("Member") }
            guard try member.decode(column: "status", as: String.self) == MembershipStatus.active.rawValue else {
                throw DomainError(.membershipSuspended, kind: .conflict, "This membership is suspended.")
            }
            let memberRole = Role(rawValue: try member.decode(column: "role", as: String.self)) ?? .member
            var snapshot = try await BookingRows.snapshot(
                sql, org: org, session: session, membershipId: membershipId,
                isStaff: membershipId == actor.membershipId && memberRole.isStaff,
                bookedCount: try await SessionRows.bookedCount(sql, sessionId: sessionId), now: now)
            // Checking in happens around the start: "started" does not close a walk-in, the check-in window does.
            snapshot.now = min(now, session.startsAt.addingTimeInterval(-1))
            snapshot.alreadyBooked = false
            let outcome = try BookingRules.decide(snapshot, overrideCapacity: overrideCapacity && actor.role.isStaff)
            guard case .confirmed(let subscription, let charge, let override) = outcome else {
                throw DomainError(.classFull, "The class is full; a walk-in needs a free place.")
            }
            if let waitlisted = existing {
                try await sql.raw(
                    """
                    UPDATE bookings SET status = 'cancelled', waitlist_position = NULL, cancelled_at = \(bind: now.epochSeconds),
                        updated_at = \(bind: now.epochSeconds) WHERE id = \(bind: waitlisted.id)
                    """
                ).run()
                try await WaitlistRows.renumber(sql, sessionId: sessionId, now: now)
            }
            var booking = Booking(
                id: NewID.make(), organizationId: org.id, sessionId: sessionId, membershipId: membershipId,
                subscriptionId: subscription?.id,
                status: .attended, waitlistPosition: nil, creditCharged: false, lateCancel: false, capacityOverride: override,
                checkedInAt: now, checkinMethod: method.rawValue, cancelledAt: nil, createdAt: now, updatedAt: now)
            if charge, let subscription {
                try await CreditLedger.take(sql, subscriptionId: subscription.id, now: now)
                booking.creditCharged = true
            }
            try await BookingRows.insert(sql, booking, bookedBy: actor.membershipId)
            try await sql.raw(
                """
                UPDATE bookings SET checked_in_at = \(bind: now.epochSeconds), checkin_method = \(bind: method.rawValue),
                    checked_in_by_membership_id = \(bind: actor.membershipId) WHERE id = \(bind: booking.id)
                """
            ).run()
            if booking.creditCharged, let subscription {
                try await CreditLedger.ledger(
                    sql, orgId: org.id, subscriptionId: subscription.id, bookingId: booking.id, kind: "charge",
                    amount: -1, reason: "walk-in", actorMembershipId: actor.membershipId, now: now)
            }
            if override {
                try await AuditRows.record(
                    sql, orgId: org.id, actorUserId: actor.userId, actorMembershipId: actor.membershipId,
                    action: "checkin.capacity_override", entityType: "booking", entityId: booking.id, subject: membershipId,
                    payload: ["sessionId": sessionId, "membershipId": membershipId], now: now)
            }
            if !enforceWindow {
                var before = booking
                if let waitlisted = existing { before = waitlisted } else { before.status = .cancelled }
                try await Self.auditAttendance(
                    sql, org: org, actor: actor, booking: before, to: .attended, walkIn: true, walkInBookingId: booking.id,
                    had: existing != nil, now: now)
            }
            return CheckinResult(booking: booking, alreadyCheckedIn: false, walkIn: true)
        }
    }

    static func markAttended(
        _ sql: any SQLDatabase, bookingId: String, method: CheckinMethod, actorMembershipId: String, now: Date
    ) async throws {
        try await sql.raw(
            """
            UPDATE bookings SET status = 'attended', checked_in_at = \(bind: now.epochSeconds), checkin_method = \(bind: method.rawValue),
                checked_in_by_membership_id = \(bind: actorMembershipId), updated_at = \(bind: now.epochSeconds)
            WHERE id = \(bind: bookingId)
            """
        ).run()
    }

    /// Staff undo a check-in (attended → confirmed) or mark a no-show (confirmed → no_show); the
    /// reverse of a no-show is a check-in. Open from the class's check-in window until
    /// `staffHoursAfterEnd` after its end, never on a cancelled class; each change is audited.
    public func setAttendance(
        org: Organization, bookingId: String, to target: BookingStatus, actor: BookingActor,
        staffHoursAfterEnd: Int = AttendanceRules.defaultHoursAfterEnd, now: Date
    ) async throws -> Booking {
        guard let current = try await BookingsStore(database: database).booking(id: bookingId), current.organizationId == org.id else {
            throw DomainError.notFound("Booking")
        }
        return try await database.transaction(BookingRows.locks(sessionId: current.sessionId, membershipId: current.membershipId)) {
            sql in
            guard var booking = try await sql.raw("SELECT * FROM bookings WHERE id = \(bind: bookingId)").first().map(BookingRows.booking)
            else {
                throw DomainError.notFound("Booking")
            }
            let session = try await SessionRows.requireLive(sql, orgId: org.id, id: booking.sessionId)
            guard session.status != .cancelled else { throw DomainError(.sessionCancelled, "This class has been cancelled.") }
            try AttendanceRules.requireOpen(
                now: now, startsAt: session.startsAt, endsAt: session.endsAt, opensMinutesBefore: org.checkinOpensMinutesBefore,
                hoursAfterEnd: staffHoursAfterEnd)
            let before = booking
            switch (booking.status, target) {
            case (.attended, .confirmed):
                try await sql.raw(
                    """
                    UPDATE bookings SET status = 'confirmed', checked_in_at = NULL, checkin_method = NULL, checked_in_by_membership_id = NULL,
                        updated_at = \(bind: now.epochSeconds) WHERE id = \(bind: bookingId)
                    """
                ).run()
                booking.checkedInAt = nil
                booking.checkinMethod = nil
            case (.confirmed, .noShow), (.attended, .noShow):
                try await sql.raw(
                    """
                    UPDATE bookings SET status = 'no_show', checked_in_at = NULL, checkin_method = NULL, checked_in_by_membership_id = NULL,
                        updated_at = \(bind: now.epochSeconds) WHERE id = \(bind: bookingId)
                    """
                ).run()
                booking.checkedInAt = nil
                booking.checkinMethod = nil
            case (.confirmed, .confirmed), (.noShow, .noShow):
                return booking
            default:
                throw DomainError(.invalidTransition, "A \(booking.status.rawValue) booking cannot become \(target.rawValue).")
            }
            booking.status = target
            booking.updatedAt = now
            try await Self.auditAttendance(sql, org: org, actor: actor, booking: before, to: target, walkIn: false, now: now)
            return booking
        }
    }

    /// The audit row of a staff attendance change: `attendance.check_in`, `attendance.undo` or
    /// `attendance.no_show`, on the booking, about its member, with the status before and after.
    static func auditAttendance(
        _ sql: any SQLDatabase, org: Organization, actor: BookingActor, booking: Booking, to target: BookingStatus, walkIn: Bool,
        walkInBookingId: String? = nil, had: Bool = true, now: Date
    ) async throws {
        let action =
            switch target {
            case .attended: "attendance.check_in"
            case .noShow: "attendance.no_show"
            default: "attendance.undo"
            }
        var change = AuditChange()
        change.field("status", had ? .text(booking.status.rawValue) : .null, .text(target.rawValue))
        change.details["sessionId"] = .text(booking.sessionId)
        if walkIn { change.details["walkIn"] = .flag(true) }
        try await AuditRows.record(
            sql, orgId: org.id, actor: actor, action: action, entityType: "booking", entityId: walkInBookingId ?? booking.id,
            subject: booking.membershipId, payload: change, now: now)
    }

    /// The session's bookings with member names: attended and confirmed first, then the waitlist in
    /// order, then no-shows and cancellations.
    public func roster(orgId: String, sessionId: String) async throws -> [RosterEntry] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT b.*, u.name AS member_name, u.email AS member_email FROM bookings b
                JOIN memberships m ON m.id = b.membership_id JOIN users u ON u.id = m.user_id
                WHERE b.session_id = \(bind: sessionId) AND b.organization_id = \(bind: orgId)
                ORDER BY CASE b.status WHEN 'attended' THEN 0 WHEN 'confirmed' THEN 1 WHEN 'waitlisted' THEN 2 WHEN 'no_show' THEN 3 ELSE 4 END,
                    b.waitlist_position, u.name, b.id
                """
            ).all().map {
                RosterEntry(
                    booking: try BookingRows.booking($0), name: try $0.decode(column: "member_name", as: String.self),
                    email: try $0.decode(column: "member_email", as: String.self))
            }
        }
    }
}
