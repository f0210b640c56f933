import Foundation
import FrontdeskCore
import SQLKit

/// A booking request as a class lane carries it (SPEC §5): who books whom into which class, and when.
public struct BookRequest: Sendable {
    public var org: Organization
    public var sessionId: String
    public var membershipId: String
    public var actor: BookingActor
    /// Staff only (checked by the caller): confirm beyond capacity, audit-logged.
    public var overrideCapacity: Bool
    public var idempotencyKey: String?
    public var now: Date

    public init(
        org: Organization, sessionId: String, membershipId: String, actor: BookingActor, overrideCapacity: Bool,
        idempotencyKey: String?, now: Date
    ) {
        self.org = org
        self.sessionId = sessionId
        self.membershipId = membershipId
        self.actor = actor
        self.overrideCapacity = overrideCapacity
        self.idempotencyKey = idempotencyKey
        self.now = now
    }
}

/// Consecutive booking requests, of one class or several, decided and written together inside the
/// caller's transaction (which holds the classes' and the members' locks): the classes and their
/// counts, the members and their facts in one set-based statement, each request decided in
/// arrival order by `BookingRules` (each seeing the decisions before it: a class's counts, and a
/// member's bookings and credits in other classes of the same set), then every row in multi-row
/// statements. A request's refusal is its own answer and writes nothing; only a database error
/// escapes (and fails the whole batch).
enum BookSetRows {
    static func run(_ sql: any SQLDatabase, _ requests: [BookRequest]) async throws -> [Result<BookingResult, any Error>] {
        let stored = try await storedKeys(sql, requests)
        // The classes with their counts, and the members with their facts, in one statement.
        let (classes, facts) = try await BatchMemberFacts.readWithClasses(
            sql, membershipIds: Array(Set(requests.map(\.membershipId))).sorted(),
            sessionIds: Array(Set(requests.map(\.sessionId))).sorted())
        // Each class's own window (the week around it): the rules see the member's bookings inside it only.
        var windows: [String: (from: Date, to: Date)] = [:]
        for request in requests where windows[request.sessionId] == nil {
            if let session = classes[request.sessionId]?.session, session.organizationId == request.org.id {
                windows[request.sessionId] = BookingRows.window(org: request.org, session: session)
            }
        }
        var decider = Decider(classes: classes, windows: windows, facts: facts, stored: stored)
        let results = requests.map { decider.decide($0) }
        try await decider.writes.write(sql)
        return results
    }

    /// A class as a set of bookings decides on it: its row, its program's delivery mode and its counts
    /// (places taken, kept on the row in this transaction's snapshot, schema 10; the next waitlist place).
    struct ClassRow {
        var session: ClassSession
        var deliveryMode: String
        var bookedCount: Int
        var nextPosition: Int
    }

    /// Stored `Idempotency-Key` results of the batch's keyed requests, by user and key.
    static func storedKeys(_ sql: any SQLDatabase, _ requests: [BookRequest]) async throws -> [IdempotencyRows.Slot: IdempotencyRows.Stored]
    {
        let keys = Set(requests.compactMap(\.idempotencyKey))
        guard !keys.isEmpty else { return [:] }
        return try await IdempotencyRows.stored(sql, keys: Array(keys).sorted())
    }

    /// Decides requests one after another, carrying each class's counts and the members' facts forward.
    struct Decider {
        let classes: [String: ClassRow]
        let windows: [String: (from: Date, to: Date)]
        var facts: BatchMemberFacts
        let stored: [IdempotencyRows.Slot: IdempotencyRows.Stored]
        /// Each class's places taken and next waitlist position, as the decisions so far left them.
        var counts: [String: (booked: Int, nextPosition: Int)]
        /// Keyed results of this batch, for a repeat of the same key in it.
        var answered: [IdempotencyRows.Slot: IdempotencyRows.Stored] = [:]
        var writes = BookSetWrites()

        init(
            classes: [String: ClassRow], windows: [String: (from: Date, to: Date)], facts: BatchMemberFacts,
            stored: [IdempotencyRows.Slot: IdempotencyRows.Stored]
        ) {
            self.classes = classes
            self.windows = windows
            self.facts = facts
            self.stored = stored
            counts = classes.mapValues { ($0.bookedCount, $0.nextPosition) }
        }

        mutating func decide(_ request: BookRequest) -> Result<BookingResult, any Error> {
            do {
                return .success(try decideOrThrow(request))
            } catch {
                return .failure(error)
            }
        }

        private mutating func decideOrThrow(_ request: BookRequest) throws -> BookingResult {
            let sessionId = request.sessionId
            let scope = "book:\(sessionId):\(request.membershipId)"
            var slot: IdempotencyRows.Slot?
            if let key = request.idempotencyKey {
                let keySlot = IdempotencyRows.Slot(userId: request.actor.userId, key: key)
                if let earlier = answered[keySlot] ?? stored[keySlot] { return try earlier.replay(scope: scope) }
                slot = keySlot
            }
            guard let session = classes[sessionId], session.session.organizationId == request.org.id,
                let window = windows[sessionId], var count = counts[sessionId]
            else { throw DomainError.notFound("Session") }
            guard let member = facts.members[request.membershipId], member.organizationId == request.org.id else {
                throw DomainError.notFound("Member")
            }
            guard member.active else { throw DomainError(.membershipSuspended, kind: .conflict, "This membership is suspended.") }
            if !request.actor.role.isStaff,
                session.session.status == .draft || session.deliveryMode != DeliveryMode.schedule.rawValue
            {
                // Members cannot book what they cannot see (SPEC §4): drafts, and sessions of non-schedule programs.
                throw DomainError.notFound("Session")
            }
            // The member's active bookings in this class's window, those decided earlier in the set included.
            let memberBookings = (facts.bookings[member.id] ?? []).filter { $0.startsAt < window.to && $0.endsAt > window.from }
            let snapshot = BookingSnapshot(
                now: request.now, timezone: request.org.timezone, sessionId: sessionId,
                sessionStartsAt: session.session.startsAt, sessionEndsAt: session.session.endsAt,
                sessionStatus: session.session.status, sessionDeleted: false, capacity: session.session.capacity,
                bookedCount: count.booked, paymentProvider: request.org.paymentProvider,
                bookingOpensDaysBefore: request.org.bookingOpensDaysBefore,
                isStaff: request.membershipId == request.actor.membershipId && member.role.isStaff,
                alreadyBooked: memberBookings.contains { $0.sessionId == sessionId },
                subscriptions: facts.active(member.id, at: request.now),
                otherBookings: memberBookings.filter { $0.sessionId != sessionId }, planOffers: [])
            let outcome = try BookingRules.decide(snapshot, overrideCapacity: request.overrideCapacity && request.actor.role.isStaff)

            var booking = Booking(
                id: NewID.make(), organizationId: request.org.id, sessionId: sessionId, membershipId: member.id,
                subscriptionId: nil, status: .confirmed, waitlistPosition: nil, creditCharged: false, lateCancel: false,
                capacityOverride: false, checkedInAt: nil, checkinMethod: nil, cancelledAt: nil, createdAt: request.now,
                updatedAt: request.now)
            switch outcome {
            case .confirmed(let subscription, let charge, let override):
                booking.subscriptionId = subscription?.id
                booking.capacityOverride = override
                count.booked += 1
                if charge, let subscription {
                    booking.creditCharged = true
                    facts.charge(member.id, subscriptionId: subscription.id)
                }
            case .waitlisted(let subscription):
                booking.subscriptionId = subscription?.id
                booking.status = .waitlisted
                booking.waitlistPosition = count.nextPosition
                count.nextPosition += 1
            }
            counts[sessionId] = count
            facts.bookings[member.id, default: []].append(
                BookedInterval(sessionId: sessionId, startsAt: session.session.startsAt, endsAt: session.session.endsAt))
            let result = BookingResult(booking: booking, replayed: false)
            writes.add(booking, request: request, memberUserId: member.userId)
            if let slot {
                let entry = try IdempotencyRows.Stored(scope: scope, result: result)
                answered[slot] = entry
                writes.keys.append((slot, entry, request.now))
            }
            return result
        }
    }
}

/// The rows a set of decided bookings writes, in multi-row statements.
struct BookSetWrites {
    var bookings: [(booking: Booking, bookedBy: String)] = []
    var charges: [(booking: Booking, actorMembershipId: String)] = []
    var overrides: [(booking: Booking, request: BookRequest)] = []
    var messages: [(message: OutboxMessage, now: Date)] = []
    var keys: [(slot: IdempotencyRows.Slot, stored: IdempotencyRows.Stored, now: Date)] = []

    mutating func add(_ booking: Booking, request: BookRequest, memberUserId: String) {
        bookings.append((booking, request.actor.membershipId))
        if booking.creditCharged { charges.append((booking, request.actor.membershipId)) }
        if booking.capacityOverride { overrides.append((booking, request)) }
        let org = request.org.id
        messages.append(
            (
                BookingRows.message(
                    org: org, user: memberUserId, template: booking.status == .confirmed ? "booking_confirmed" : "booking_waitlisted",
                    channel: "email", booking: booking), request.now
            ))
        if booking.status == .confirmed {
            messages.append(
                (
                    BookingRows.message(org: org, user: memberUserId, template: "booking_confirmed", channel: "push", booking: booking),
                    request.now
                ))
        }
    }

    /// The bookings and idempotency records go through `PendingInserts` (in a lane's batch, one
    /// statement with the batch's messages); a charge reads its balances back, so it sends the
    /// bookings first (its ledger rows refer to them).
    func write(_ sql: any SQLDatabase) async throws {
        guard !bookings.isEmpty else { return }
        try await PendingInserts.add(sql, BookingRows.inserts(bookings, postgres: PortableSQL.isPostgres(sql)))
        if !charges.isEmpty {
            try await PendingInserts.flush(sql)
            try await CreditLedger.charge(sql, charges)
        }
        for (booking, request) in overrides {
            try await AuditRows.record(
                sql, orgId: request.org.id, actorUserId: request.actor.userId, actorMembershipId: request.actor.membershipId,
                action: "booking.capacity_override", entityType: "booking", entityId: booking.id, subject: booking.membershipId,
                payload: ["sessionId": booking.sessionId, "membershipId": booking.membershipId], now: request.now)
        }
        // The batch's requests arrived within moments of each other: the outbox rows carry the latest instant.
        try await OutboxRows.enqueue(sql, messages.map(\.message), now: messages.map(\.now).max() ?? Date())
        try await PendingInserts.add(sql, IdempotencyRows.inserts(keys, postgres: PortableSQL.isPostgres(sql)))
    }
}
