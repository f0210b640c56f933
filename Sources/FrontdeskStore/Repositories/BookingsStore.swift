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

    /// Cancelling a booking (SPEC §5) happens inside the caller's transaction, which holds the
    /// class's and the member's locks (a class lane's batch, `CancelSetRows`), in two steps:
    /// `planCancels` reads and checks, `CancelWrite.write` writes. Members cancel their own; staff any
    /// of their org (the caller checks who may). Early cancels refund a charged credit; late ones are
    /// refused unless the org allows them or staff cancel, and never refund. A freed place is offered
    /// to the waitlist at once.
    /// A cancel decided: its stored answer, or what it writes.
    enum CancelPlan {
        case replay(BookingResult)
        case write(CancelWrite)
    }

    /// Reads the stored answers of the requests' idempotency keys in one statement and every other
    /// request's booking, with its class's start and its member's user, in another, and makes every
    /// check a cancel has: each request's refusal (a `DomainError`, a key reused for another request
    /// included) is its own answer; nothing is written.
    static func planCancels(_ sql: any SQLDatabase, _ requests: [CancelRequest]) async throws -> [Result<CancelPlan, any Error>] {
        let keys = Set(requests.compactMap(\.idempotencyKey))
        let stored = keys.isEmpty ? [:] : try await IdempotencyRows.stored(sql, keys: keys.sorted())
        func earlier(_ request: CancelRequest) -> IdempotencyRows.Stored? {
            request.idempotencyKey.flatMap { stored[IdempotencyRows.Slot(userId: request.actor.userId, key: $0)] }
        }
        let ids = Set(requests.filter { earlier($0) == nil }.map(\.bookingId)).sorted()
        var rows: [String: any SQLRow] = [:]
        if !ids.isEmpty {
            for row in try await sql.raw(
                """
                SELECT b.*, s.starts_at AS cancel_starts_at, m.user_id AS cancel_user_id FROM bookings b
                JOIN class_sessions s ON s.id = b.session_id LEFT JOIN memberships m ON m.id = b.membership_id
                WHERE b.id IN (\(SQLList(ids.map { SQLBind($0) })))
                """
            ).all() {
                rows[try row.string("id")] = row
            }
        }
        // A row that cannot be read (not a refusal) fails the whole batch: 503, nothing written.
        return try requests.map { request in
            do {
                if let earlier = earlier(request) { return .success(.replay(try earlier.replay(scope: "cancel:\(request.bookingId)"))) }
                guard let row = rows[request.bookingId] else { throw DomainError.notFound("Booking") }
                return .success(.write(try plan(request, row: row)))
            } catch let refusal as DomainError {
                return .failure(refusal)
            }
        }
    }

    /// The checks of one cancel against its booking's row as `planCancels` reads it.
    private static func plan(_ request: CancelRequest, row: any SQLRow) throws -> CancelWrite {
        let (org, actor, now) = (request.org, request.actor, request.now)
        let booking = try BookingRows.booking(row)
        guard booking.organizationId == org.id else { throw DomainError.notFound("Booking") }
        switch booking.status {
        case .cancelled: throw DomainError(.alreadyCancelled, "This booking is already cancelled.")
        case .attended, .noShow: throw DomainError(.notCancellable, "An attended or no-show booking cannot be cancelled.")
        case .confirmed, .waitlisted: break
        }
        var cancel = CancelWrite(
            request: request, before: booking, after: booking, refund: false, userId: try row.optionalString("cancel_user_id"))
        if booking.status == .confirmed {
            let verdict = try CancellationRules.evaluate(
                now: now, startsAt: try row.date("cancel_starts_at"), windowHours: org.cancellationWindowHours,
                allowLate: org.allowLateCancellation, byStaff: actor.role.isStaff)
            cancel.after.lateCancel = verdict == .late
            cancel.refund = verdict == .early && booking.creditCharged
        }
        cancel.after.status = .cancelled
        cancel.after.waitlistPosition = nil
        cancel.after.cancelledAt = now
        cancel.after.updatedAt = now
        if cancel.refund { cancel.after.creditCharged = false }
        return cancel
    }

    /// A checked cancel's rows: the refund, the booking, the waitlist, the audit entry, the member's
    /// message, the promotion of the next in line and the idempotency record.
    struct CancelWrite {
        let request: CancelRequest
        let before: Booking
        var after: Booking
        var refund: Bool
        let userId: String?

        /// The rows of cancels that share nothing (`BatchSteps`: no class, member, waiting member or
        /// key), each as it would be written alone: refunds (one statement pair per actor), every
        /// booking in one UPDATE, each cancel's audit entry, message and idempotency record, then the
        /// promotions of the classes where a place freed (`WaitlistRows.promote`, their reads shared)
        /// and one renumbering of every waitlist that changed.
        static func write(_ sql: any SQLDatabase, _ cancels: [CancelWrite]) async throws -> [BookingResult] {
            guard let latest = cancels.map(\.request.now).max() else { return [] }
            // While the bookings still say they were charged.
            for (actor, refunds) in Dictionary(grouping: cancels.filter(\.refund), by: \.request.actor.membershipId) {
                _ = try await SessionBookings.refund(
                    sql,
                    bookings: """
                        b.id IN (\(SQLList(refunds.map { SQLBind($0.before.id) }))) AND b.credit_charged = \(bind: true) \
                        AND b.subscription_id IS NOT NULL
                        """,
                    reason: "early cancel", actorMembershipId: actor, now: refunds.map(\.request.now).max() ?? latest)
            }
            let rows = cancels.map { cancel -> SQLQueryString in
                """
                (\(bind: cancel.before.id), \(bind: cancel.after.lateCancel), \(bind: cancel.after.creditCharged), \
                \(bind: cancel.request.actor.membershipId), \(bind: cancel.request.now.epochSeconds))
                """
            }
            try await sql.raw(
                """
                WITH cancels (c_id, c_late, c_charged, c_actor, c_at) AS (VALUES \(rows.joined(separator: ", ")))
                UPDATE bookings SET status = 'cancelled', waitlist_position = NULL, late_cancel = c.c_late,
                    credit_charged = c.c_charged, cancelled_at = c.c_at, cancelled_by_membership_id = c.c_actor, updated_at = c.c_at
                FROM cancels c WHERE bookings.id = c.c_id
                """
            ).run()
            var results: [BookingResult] = []
            for cancel in cancels { results.append(try await cancel.writeRest(sql)) }
            // The places freed, offered to each class's waiting members (no two classes share one); then
            // the waitlists renumbered at once: those of the promotions and those a waiting member left.
            try await WaitlistRows.promote(
                sql,
                cancels.filter { $0.before.status == .confirmed }.map { cancel in
                    WaitlistRows.Promotion(
                        org: cancel.request.org, sessionId: cancel.before.sessionId, actorMembershipId: cancel.request.actor.membershipId,
                        now: cancel.request.now)
                },
                renumbering: cancels.filter { $0.before.waitlistPosition != nil }.map(\.before.sessionId), now: latest)
            return results
        }

        /// What follows the booking's row: the audit entry, the message and the idempotency record.
        private func writeRest(_ sql: any SQLDatabase) async throws -> BookingResult {
            let (org, actor, now, bookingId) = (request.org, request.actor, request.now, before.id)
            let wasConfirmed = before.status == .confirmed
            // Staff taking someone off a class is a single action of the audit log; members cancelling
            // their own bookings are not.
            if actor.membershipId != before.membershipId {
                var audit = AuditChange()
                audit.field("status", .text(wasConfirmed ? "confirmed" : "waitlisted"), .text("cancelled"))
                audit.details["sessionId"] = .text(before.sessionId)
                audit.details["lateCancel"] = .flag(after.lateCancel)
                audit.details["refunded"] = .flag(refund)
                try await AuditRows.record(
                    sql, orgId: org.id, actor: actor, action: "booking.cancel", entityType: "booking", entityId: bookingId,
                    subject: before.membershipId, payload: audit, now: now)
            }
            if let userId {
                try await OutboxRows.enqueue(
                    sql,
                    [BookingRows.message(org: org.id, user: userId, template: "booking_cancelled", channel: "email", booking: after)],
                    now: now)
            }
            let result = BookingResult(booking: after, replayed: false)
            try await IdempotencyRows.store(
                sql, userId: actor.userId, key: request.idempotencyKey, scope: "cancel:\(bookingId)", result: result, now: now)
            return result
        }
    }
}
