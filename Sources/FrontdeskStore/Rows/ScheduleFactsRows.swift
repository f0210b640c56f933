import Foundation
import FrontdeskCore
import SQLKit

/// What a member's schedule needs besides its sessions, in one statement: the three reads of
/// `MemberFactsRows.memberFacts` (active subscriptions with their plans, active bookings in
/// `[from, to)`, the org's active plan offers) and the places taken and waiting of every class of
/// the list's range, as one `UNION ALL`, each row tagged with the fact it carries. A schedule read
/// then costs one statement whatever the member holds, and the range's sessions themselves can be
/// shared by every viewer (`ScheduleStore.range`).
enum ScheduleFactsRows {
    /// The fact a row of the union carries.
    private enum Fact: Int {
        case subscription = 0, booking = 1, offer = 2, counts = 3
    }

    /// The same facts as `MemberFactsRows.memberFacts(…, withOffers: true)` — subscriptions and
    /// bookings in no particular order (the rules sort and count them), offers by name then id — except
    /// that every active subscription comes with its term, so the answer does not depend on the time
    /// it was read at and `ReadCache` may keep it; `MemberWeek.facts(at:)` picks those running. The
    /// bookings come with their ids, statuses and waitlist places, and the classes starting in
    /// `[listFrom, listTo)` with their counts (`MemberWeek.live`). A prepared `HotStatement` on
    /// PostgreSQL: a member's week is the most common request.
    static func memberWeek(
        _ database: any FrontdeskDatabase, orgId: String, membershipId: String, from: Date, to: Date, listFrom: Date, listTo: Date
    ) async throws -> MemberWeek {
        let rows = try await database.run(
            Statement(orgId: orgId, membershipId: membershipId, from: from, to: to, listFrom: listFrom, listTo: listTo), write: false)
        var facts = MemberFactsWithTerms(subscriptions: [], bookings: [], planOffers: [])
        var live = ScheduleLive()
        for row in rows {
            switch Fact(rawValue: try row.int("fact")) {
            case .subscription:
                let subscription = ActiveSubscription(
                    id: try row.string("sub_id"), plan: try MemberFactsRows.plan(row),
                    creditsRemaining: try row.optionalInt("credits_remaining"))
                facts.subscriptions.append(
                    .init(subscription: subscription, startsAt: try row.date("starts_at"), endsAt: try row.optionalDate("ends_at")))
            case .booking:
                let sessionId = try row.string("id")
                facts.bookings.append(
                    BookedInterval(sessionId: sessionId, startsAt: try row.date("starts_at"), endsAt: try row.date("ends_at")))
                live.bookings[sessionId] = ScheduledSession.ViewerBooking(
                    id: try row.string("booking_id"), status: try row.string("booking_status"),
                    waitlistPosition: try row.optionalInt("waitlist_position"))
            case .offer:
                facts.planOffers.append(try MemberFactsRows.plan(row))
            case .counts:
                live.counts[try row.string("id")] = .init(booked: try row.int("places_taken"), waiting: try row.int("waitlist_length"))
            case nil:
                continue
            }
        }
        return MemberWeek(terms: facts, live: live)
    }

    /// Column types come from the first branch that is not NULL (PostgreSQL resolves each column of
    /// the union across its branches), so every column has a typed value in the first two. The first
    /// branch's `starts_at`/`ends_at` are the subscription's term, the second's the booked class's.
    /// The list's classes are among the window's (the window holds all of them), so the member's
    /// bookings of the list are among the window's bookings.
    private struct Statement: HotStatement {
        static let sql = """
            SELECT 0 AS fact, sub.id AS sub_id, sub.credits_remaining, p.id, p.name, p.class_credits,
                p.max_bookings_per_day, p.max_bookings_per_week, p.allow_overlapping_bookings, p.price_cents,
                sub.starts_at, sub.ends_at, CAST(NULL AS TEXT) AS booking_id, CAST(NULL AS TEXT) AS booking_status,
                CAST(NULL AS INTEGER) AS waitlist_position, CAST(NULL AS INTEGER) AS places_taken,
                CAST(NULL AS INTEGER) AS waitlist_length
            FROM subscriptions sub JOIN plans p ON p.id = sub.plan_id
            WHERE sub.membership_id = $2 AND sub.organization_id = $1 AND sub.status = 'active'
            UNION ALL
            SELECT 1, NULL, NULL, s.id, NULL, NULL, NULL, NULL, NULL, NULL, s.starts_at, s.ends_at,
                b.id, b.status, b.waitlist_position, NULL, NULL
            FROM bookings b JOIN class_sessions s ON s.id = b.session_id
            WHERE b.membership_id = $2 AND b.status IN ('confirmed', 'waitlisted', 'attended')
              AND s.deleted_at IS NULL AND s.starts_at < $4 AND s.ends_at > $3
            UNION ALL
            SELECT 2, NULL, NULL, p.id, p.name, p.class_credits, p.max_bookings_per_day, p.max_bookings_per_week,
                p.allow_overlapping_bookings, p.price_cents, NULL, NULL, NULL, NULL, NULL, NULL, NULL
            FROM plans p WHERE p.organization_id = $1 AND p.active = TRUE
            UNION ALL
            SELECT 3, NULL, NULL, s.id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                s.places_taken, s.waitlist_length
            FROM class_sessions s
            WHERE s.organization_id = $1 AND s.deleted_at IS NULL AND s.starts_at >= $5 AND s.starts_at < $6
            ORDER BY fact, name, id
            """
        let orgId: String
        let membershipId: String
        let from, to, listFrom, listTo: Date
        var values: [HotValue] {
            [.text(orgId), .text(membershipId)] + [from, to, listFrom, listTo].map { .integer($0.epochSeconds) }
        }
    }
}

/// `MemberFacts` before the time is known: each active subscription with its term.
struct MemberFactsWithTerms: Sendable {
    struct Term: Sendable {
        let subscription: ActiveSubscription
        let startsAt: Date
        let endsAt: Date?
    }

    var subscriptions: [Term]
    var bookings: [BookedInterval]
    var planOffers: [PlanTerms]

    /// The facts at `now`: the subscriptions running then (started, not yet ended), compared in whole
    /// seconds as the database compares them.
    func at(_ instant: Date) -> MemberFacts {
        let now = Date(epochSeconds: instant.epochSeconds)
        return MemberFacts(
            subscriptions: subscriptions.filter { $0.startsAt <= now && ($0.endsAt.map { $0 > now } ?? true) }.map(\.subscription),
            bookings: bookings, planOffers: planOffers)
    }
}

/// A member's week as `ScheduleStore.memberWeek` reads it: the eligibility facts, and what bookings
/// change in the list.
public struct MemberWeek: Sendable {
    let terms: MemberFactsWithTerms
    public let live: ScheduleLive

    /// The eligibility facts at `now`.
    public func facts(at now: Date) -> MemberFacts { terms.at(now) }
}

/// What bookings change in a list of sessions, read afresh for each viewer while the sessions
/// themselves are shared (`ScheduleStore.range`): each class's places taken and waiting, and the
/// viewer's active booking of it.
public struct ScheduleLive: Sendable {
    public struct Counts: Sendable, Equatable {
        public var booked: Int
        public var waiting: Int

        public init(booked: Int, waiting: Int) {
            self.booked = booked
            self.waiting = waiting
        }
    }

    public var counts: [String: Counts] = [:]
    public var bookings: [String: ScheduledSession.ViewerBooking] = [:]

    public init(counts: [String: Counts] = [:], bookings: [String: ScheduledSession.ViewerBooking] = [:]) {
        self.counts = counts
        self.bookings = bookings
    }

    /// The counts of class `sessionId` as read with the viewer's facts; `kept` for a class they do not name.
    public func counts(of sessionId: String, kept: @autoclosure () -> Counts) -> Counts { counts[sessionId] ?? kept() }
}
