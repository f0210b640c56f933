import Foundation
import FrontdeskCore
import SQLKit

/// A member's eligibility facts for a schedule in one statement: the three reads of
/// `MemberFactsRows.memberFacts` (active subscriptions with their plans, active bookings in
/// `[from, to)`, the org's active plan offers) as one `UNION ALL`, each row tagged with the fact it
/// carries. A schedule read then costs one statement for the facts whatever the member holds.
enum ScheduleFactsRows {
    /// The fact a row of the union carries.
    private enum Fact: Int {
        case subscription = 0, booking = 1, offer = 2
    }

    /// The same facts as `MemberFactsRows.memberFacts(…, withOffers: true)` — subscriptions and
    /// bookings in no particular order (the rules sort and count them), offers by name then id — except
    /// that every active subscription comes with its term, so the answer does not depend on the time
    /// it was read at and `ReadCache` may keep it; `MemberFactsWithTerms.at(_:)` picks those running.
    /// A prepared `HotStatement` on PostgreSQL: a member's week is the most common request.
    static func memberFacts(
        _ database: any FrontdeskDatabase, orgId: String, membershipId: String, from: Date, to: Date
    ) async throws -> MemberFactsWithTerms {
        let rows = try await database.run(Statement(orgId: orgId, membershipId: membershipId, from: from, to: to), write: false)
        var facts = MemberFactsWithTerms(subscriptions: [], bookings: [], planOffers: [])
        for row in rows {
            switch Fact(rawValue: try row.int("fact")) {
            case .subscription:
                let subscription = ActiveSubscription(
                    id: try row.string("sub_id"), plan: try MemberFactsRows.plan(row),
                    creditsRemaining: try row.optionalInt("credits_remaining"))
                facts.subscriptions.append(
                    .init(subscription: subscription, startsAt: try row.date("starts_at"), endsAt: try row.optionalDate("ends_at")))
            case .booking:
                facts.bookings.append(
                    BookedInterval(sessionId: try row.string("id"), startsAt: try row.date("starts_at"), endsAt: try row.date("ends_at")))
            case .offer:
                facts.planOffers.append(try MemberFactsRows.plan(row))
            case nil:
                continue
            }
        }
        return facts
    }

    /// Column types come from the first branch that is not NULL (PostgreSQL resolves each column of
    /// the union across its branches), so every column has a typed value in the first two. The first
    /// branch's `starts_at`/`ends_at` are the subscription's term, the second's the booked class's.
    private struct Statement: HotStatement {
        static let sql = """
            SELECT 0 AS fact, sub.id AS sub_id, sub.credits_remaining, p.id, p.name, p.class_credits,
                p.max_bookings_per_day, p.max_bookings_per_week, p.allow_overlapping_bookings, p.price_cents,
                sub.starts_at, sub.ends_at
            FROM subscriptions sub JOIN plans p ON p.id = sub.plan_id
            WHERE sub.membership_id = $2 AND sub.organization_id = $1 AND sub.status = 'active'
            UNION ALL
            SELECT 1, NULL, NULL, s.id, NULL, NULL, NULL, NULL, NULL, NULL, s.starts_at, s.ends_at
            FROM bookings b JOIN class_sessions s ON s.id = b.session_id
            WHERE b.membership_id = $2 AND b.status IN ('confirmed', 'waitlisted', 'attended')
              AND s.deleted_at IS NULL AND s.starts_at < $4 AND s.ends_at > $3
            UNION ALL
            SELECT 2, NULL, NULL, p.id, p.name, p.class_credits, p.max_bookings_per_day, p.max_bookings_per_week,
                p.allow_overlapping_bookings, p.price_cents, NULL, NULL
            FROM plans p WHERE p.organization_id = $1 AND p.active = TRUE
            ORDER BY fact, name, id
            """
        let orgId: String
        let membershipId: String
        let from: Date
        let to: Date
        var values: [HotValue] { [.text(orgId), .text(membershipId), .integer(from.epochSeconds), .integer(to.epochSeconds)] }
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
