import Foundation
import FrontdeskCore
import SQLKit

/// Moves waitlisted members up when places free (SPEC §5), in the caller's transaction: the first
/// still-eligible ones in waitlist order are confirmed and charged; ineligible ones are skipped and
/// keep waiting; nothing moves within `waitlistCutoffMinutes` of the start. Positions stay dense.
public enum WaitlistRows {
    /// Waiting members whose facts are read together while looking for the next eligible ones (at
    /// least twice the free places).
    public static let promotionChunk = 8

    /// A place freed in a class: its waiting members are offered what is free.
    public struct Promotion: Sendable {
        public var org: Organization
        public var sessionId: String
        public var actorMembershipId: String?
        public var now: Date

        public init(org: Organization, sessionId: String, actorMembershipId: String?, now: Date) {
            self.org = org
            self.sessionId = sessionId
            self.actorMembershipId = actorMembershipId
            self.now = now
        }
    }

    @discardableResult
    public static func promote(
        _ sql: any SQLDatabase, org: Organization, sessionId: String, actorMembershipId: String?, now: Date
    ) async throws -> Int {
        try await promote(sql, [Promotion(org: org, sessionId: sessionId, actorMembershipId: actorMembershipId, now: now)], now: now)
    }

    /// Promotions in several classes whose waitlists share no member (a set of cancels, `BatchSteps`):
    /// the classes and their places taken in one statement, the waitlists of those with a free place in
    /// another, then each class's candidates and writes. A class named twice is promoted once (every
    /// free place is offered at once). Last, one statement renumbers the waitlists of the classes where
    /// someone was promoted and of `lines` (waitlists the caller left with a gap: a waiting member's
    /// cancel; promotion reads the line in its order, gaps or not), as of `now`.
    @discardableResult
    static func promote(_ sql: any SQLDatabase, _ promotions: [Promotion], renumbering lines: [String] = [], now: Date) async throws -> Int
    {
        var lines = lines
        let promoted = try await promoteInLine(sql, promotions, promotedLines: &lines)
        if !lines.isEmpty { try await renumber(sql, sessionIds: lines, now: now) }
        return promoted
    }

    /// `promote` but the renumbering: the classes where someone was promoted are added to `promotedLines`.
    private static func promoteInLine(_ sql: any SQLDatabase, _ promotions: [Promotion], promotedLines: inout [String]) async throws -> Int
    {
        var seen: Set<String> = []
        let promotions = promotions.filter { seen.insert($0.sessionId).inserted }
        guard !promotions.isEmpty else { return 0 }
        // The classes and their places taken (confirmed + attended, as kept on the class's row: schema 10).
        var classes: [String: (session: ClassSession, booked: Int)] = [:]
        for row in try await sql.raw(
            """
            SELECT s.*, s.places_taken AS promotion_booked_count
            FROM class_sessions s WHERE s.id \(PortableSQL.isIn(sql, promotions.map(\.sessionId))) AND s.deleted_at IS NULL
            """
        ).all() {
            let session = try SessionRows.session(row)
            classes[session.id] = (session, try row.int("promotion_booked_count"))
        }
        let open = promotions.compactMap { promotion -> (Promotion, ClassSession, Int)? in
            guard let (session, booked) = classes[promotion.sessionId], session.status == .published, booked < session.capacity,
                PromotionRules.isOpen(now: promotion.now, startsAt: session.startsAt, cutoffMinutes: promotion.org.waitlistCutoffMinutes)
            else { return nil }
            return (promotion, session, booked)
        }
        guard !open.isEmpty else { return 0 }
        var waiting: [String: [any SQLRow]] = [:]
        for row in try await sql.raw(
            """
            SELECT b.session_id, b.id, b.membership_id, m.user_id, m.role FROM bookings b JOIN memberships m ON m.id = b.membership_id
            WHERE b.session_id \(PortableSQL.isInByIndex(sql, open.map(\.0.sessionId))) AND b.status = 'waitlisted'
            ORDER BY b.session_id, b.waitlist_position, b.created_at, b.id
            """
        ).all() {
            waiting[try row.string("session_id"), default: []].append(row)
        }
        var promoted = 0
        for (promotion, session, booked) in open {
            guard let line = waiting[promotion.sessionId] else { continue }
            let chosen = try await promote(sql, promotion, session: session, booked: booked, waiting: line)
            if chosen > 0 { promotedLines.append(promotion.sessionId) }
            promoted += chosen
        }
        return promoted
    }

    /// One class's promotion, its waiting members (in waitlist order) read; its line is renumbered by the caller.
    private static func promote(
        _ sql: any SQLDatabase, _ promotion: Promotion, session: ClassSession, booked: Int, waiting: [any SQLRow]
    ) async throws -> Int {
        let (org, sessionId, actorMembershipId, now) = (promotion.org, promotion.sessionId, promotion.actorMembershipId, promotion.now)
        let free = session.capacity - booked
        // The waiting members' plans and bookings are read a few at a time in waitlist order, two
        // statements per few (not two per member, nor all of a long waitlist for one free place):
        // candidates are judged one by one, so the first eligible ones are found the same way.
        let (from, to) = BookingRows.window(org: org, session: session)
        var users: [String: (membership: String, user: String)] = [:]
        var chosen: [(bookingId: String, subscription: ActiveSubscription?, chargeCredit: Bool)] = []
        var start = waiting.startIndex
        while chosen.count < free, start < waiting.endIndex {
            let few = waiting[start..<min(start + max(2 * free, promotionChunk), waiting.endIndex)]
            start = few.endIndex
            let memberships = try few.map { try $0.string("membership_id") }
            let facts = try await BatchMemberFacts.read(sql, membershipIds: Array(Set(memberships)).sorted(), from: from, to: to)
            var candidates: [(bookingId: String, snapshot: BookingSnapshot)] = []
            for (entry, membership) in zip(few, memberships) {
                let role = Role(rawValue: try entry.string("role")) ?? .member
                let snapshot = BookingRows.snapshot(
                    org: org, session: session, isStaff: role.isStaff, bookedCount: booked, now: now,
                    facts: MemberFacts(
                        subscriptions: facts.active(membership, at: now), bookings: facts.bookings[membership] ?? [], planOffers: []))
                candidates.append((try entry.string("id"), snapshot))
                users[try entry.string("id")] = (membership, try entry.string("user_id"))
            }
            chosen += PromotionRules.select(freePlaces: free - chosen.count, candidates: candidates)
        }
        for choice in chosen {
            var charged = false
            if choice.chargeCredit, let subscription = choice.subscription {
                try await CreditLedger.take(sql, subscriptionId: subscription.id, now: now)
                try await CreditLedger.ledger(
                    sql, orgId: org.id, subscriptionId: subscription.id, bookingId: choice.bookingId, kind: "charge",
                    amount: -1, reason: "waitlist promotion", actorMembershipId: actorMembershipId, now: now)
                charged = true
            }
            try await sql.raw(
                """
                UPDATE bookings SET status = 'confirmed', waitlist_position = NULL, subscription_id = \(bind: choice.subscription?.id),
                    credit_charged = \(bind: charged), updated_at = \(bind: now.epochSeconds)
                WHERE id = \(bind: choice.bookingId)
                """
            ).run()
            if let user = users[choice.bookingId] {
                let payload = ["bookingId": choice.bookingId, "sessionId": sessionId]
                try await OutboxRows.enqueue(
                    sql,
                    [
                        OutboxMessage(
                            organizationId: org.id, userId: user.user, channel: "email", template: "booking_promoted",
                            payload: payload, dedupeKey: "booking_promoted:\(choice.bookingId):email"),
                        OutboxMessage(
                            organizationId: org.id, userId: user.user, channel: "push", template: "booking_promoted",
                            payload: payload, dedupeKey: "booking_promoted:\(choice.bookingId):push"),
                    ], now: now)
            }
        }
        return chosen.count
    }

    /// Makes waitlist positions 1…n again, keeping their order, in one statement (only the rows whose
    /// position changes are written).
    static func renumber(_ sql: any SQLDatabase, sessionId: String, now: Date) async throws {
        try await renumber(sql, sessionIds: [sessionId], now: now)
    }

    /// `renumber` for the waitlists of several classes, each on its own, in one statement: the classes'
    /// waitlisted rows found through `bookings_session_status` (`PortableSQL.isInByIndex`) on both
    /// sides of the join (by id alone, PostgreSQL's generic plan read the whole table to join the
    /// few rows), only those whose place changes rewritten — in place on PostgreSQL, as no index holds
    /// either column written (`Schema0011`).
    static func renumber(_ sql: any SQLDatabase, sessionIds: [String], now: Date) async throws {
        let sessions = PortableSQL.isInByIndex(sql, Set(sessionIds).sorted())
        try await sql.raw(
            """
            UPDATE bookings SET waitlist_position = r.new_position, updated_at = \(bind: now.epochSeconds)
            FROM (SELECT id, waitlist_position AS old_position,
                      ROW_NUMBER() OVER (PARTITION BY session_id ORDER BY waitlist_position, created_at, id) AS new_position
                  FROM bookings WHERE session_id \(sessions) AND status = 'waitlisted') r
            WHERE bookings.session_id \(sessions) AND bookings.status = 'waitlisted' AND bookings.id = r.id
              AND (r.old_position IS NULL OR r.old_position <> r.new_position)
            """
        ).run()
    }
}
