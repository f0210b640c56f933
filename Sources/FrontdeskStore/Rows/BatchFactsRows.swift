import Foundation
import FrontdeskCore
import SQLKit

/// The members of a batch and the facts the booking rules need about them, read in one set-based
/// statement (a class lane's batch, whose members may belong to several studios; the members waiting
/// for a freed place): each membership, its subscriptions of its own studio with their plans, and its
/// active bookings in `[from, to)`, as one `UNION ALL` with each row tagged with what it carries. Same
/// predicates as `MemberFactsRows.memberFacts`, except that a subscription's validity in time is left
/// to `active(at:)`, so each request is judged at its own instant.
struct BatchMemberFacts: Sendable {
    struct Subscription: Sendable {
        var subscription: ActiveSubscription
        var startsAt: Date
        var endsAt: Date?
    }

    /// A membership as the booking rules see it.
    struct Member: Sendable {
        var id: String
        var organizationId: String
        var role: Role
        var active: Bool
        var userId: String
    }

    var members: [String: Member] = [:]
    var subscriptions: [String: [Subscription]] = [:]
    var bookings: [String: [BookedInterval]] = [:]

    /// The member's subscriptions active at `now` (starts at or before, ends after).
    func active(_ membershipId: String, at now: Date) -> [ActiveSubscription] {
        (subscriptions[membershipId] ?? []).filter { $0.startsAt <= now && ($0.endsAt.map { $0 > now } ?? true) }
            .map(\.subscription)
    }

    /// One credit fewer on `subscriptionId` (taken by a booking decided earlier in the batch).
    mutating func charge(_ membershipId: String, subscriptionId: String) {
        guard var list = subscriptions[membershipId] else { return }
        for index in list.indices where list[index].subscription.id == subscriptionId {
            list[index].subscription.creditsRemaining = list[index].subscription.creditsRemaining.map { $0 - 1 }
        }
        subscriptions[membershipId] = list
    }

    /// What a row of the union carries.
    private enum Fact: Int {
        case member = 0, subscription = 1, booking = 2
    }

    /// Column types come from the first branch that is not NULL (PostgreSQL resolves a union's
    /// columns pair by pair), so every column has a typed value in the first two branches. `starts_at`
    /// and `ends_at` are a subscription's term in the second branch, a booked class's in the third;
    /// `id` is the plan's in the second, the class's in the third.
    static func read(_ sql: any SQLDatabase, membershipIds: [String], from: Date, to: Date) async throws -> BatchMemberFacts {
        var facts = BatchMemberFacts()
        guard !membershipIds.isEmpty else { return facts }
        let ids = SQLList(membershipIds.map { SQLBind($0) })
        for row in try await sql.raw(
            """
            SELECT 0 AS fact, m.id AS membership_id, m.organization_id, m.role, m.status, m.user_id,
                NULL AS sub_id, NULL AS credits_remaining, NULL AS starts_at, NULL AS ends_at, NULL AS id, NULL AS name,
                NULL AS class_credits, NULL AS max_bookings_per_day, NULL AS max_bookings_per_week,
                NULL AS allow_overlapping_bookings, NULL AS price_cents
            FROM memberships m WHERE m.id IN (\(ids))
            UNION ALL
            SELECT 1, sub.membership_id, NULL, NULL, NULL, NULL, sub.id, sub.credits_remaining, sub.starts_at, sub.ends_at,
                p.id, p.name, p.class_credits, p.max_bookings_per_day, p.max_bookings_per_week, p.allow_overlapping_bookings,
                p.price_cents
            FROM subscriptions sub JOIN plans p ON p.id = sub.plan_id
                JOIN memberships m ON m.id = sub.membership_id AND m.organization_id = sub.organization_id
            WHERE sub.membership_id IN (\(ids)) AND sub.status = 'active'
            UNION ALL
            SELECT 2, b.membership_id, NULL, NULL, NULL, NULL, NULL, NULL, s.starts_at, s.ends_at, s.id, NULL, NULL, NULL, NULL,
                NULL, NULL
            FROM bookings b JOIN class_sessions s ON s.id = b.session_id
            WHERE b.membership_id IN (\(ids)) AND b.status IN ('confirmed', 'waitlisted', 'attended')
              AND s.deleted_at IS NULL AND s.starts_at < \(bind: to.epochSeconds) AND s.ends_at > \(bind: from.epochSeconds)
            ORDER BY fact, membership_id, sub_id
            """
        ).all() {
            let membership = try row.string("membership_id")
            switch Fact(rawValue: try row.int("fact")) {
            case .member:
                facts.members[membership] = Member(
                    id: membership, organizationId: try row.string("organization_id"),
                    role: Role(rawValue: try row.string("role")) ?? .member,
                    active: try row.string("status") == MembershipStatus.active.rawValue, userId: try row.string("user_id"))
            case .subscription:
                let subscription = Subscription(
                    subscription: ActiveSubscription(
                        id: try row.string("sub_id"), plan: try MemberFactsRows.plan(row),
                        creditsRemaining: try row.optionalInt("credits_remaining")),
                    startsAt: try row.date("starts_at"), endsAt: try row.optionalDate("ends_at"))
                facts.subscriptions[membership, default: []].append(subscription)
            case .booking:
                facts.bookings[membership, default: []].append(
                    BookedInterval(sessionId: try row.string("id"), startsAt: try row.date("starts_at"), endsAt: try row.date("ends_at")))
            case nil:
                continue
            }
        }
        return facts
    }
}
