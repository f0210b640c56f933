import Foundation
import FrontdeskCore
import SQLKit

/// The member facts the booking rules need, read for a whole batch of members in two set-based
/// statements (a class lane's batch, whose members may belong to several studios): each member's
/// subscriptions of their own studio with their plans, and their active bookings in `[from, to)`. Same predicates as `MemberFactsRows.memberFacts`, except that a
/// subscription's validity in time is left to `active(at:)`, so each request is judged at its own instant.
struct BatchMemberFacts: Sendable {
    struct Subscription: Sendable {
        var subscription: ActiveSubscription
        var startsAt: Date
        var endsAt: Date?
    }

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

    static func read(
        _ sql: any SQLDatabase, membershipIds: [String], from: Date, to: Date
    ) async throws -> BatchMemberFacts {
        var facts = BatchMemberFacts()
        guard !membershipIds.isEmpty else { return facts }
        let ids = SQLList(membershipIds.map { SQLBind($0) })
        for row in try await sql.raw(
            """
            SELECT sub.membership_id, sub.id AS sub_id, sub.credits_remaining, sub.starts_at AS sub_starts_at,
                sub.ends_at AS sub_ends_at, p.id, p.name, p.class_credits, p.max_bookings_per_day,
                p.max_bookings_per_week, p.allow_overlapping_bookings, p.price_cents
            FROM subscriptions sub JOIN plans p ON p.id = sub.plan_id
                JOIN memberships m ON m.id = sub.membership_id AND m.organization_id = sub.organization_id
            WHERE sub.membership_id IN (\(ids)) AND sub.status = 'active'
            ORDER BY sub.membership_id, sub.id
            """
        ).all() {
            let subscription = Subscription(
                subscription: ActiveSubscription(
                    id: try row.string("sub_id"), plan: try MemberFactsRows.plan(row),
                    creditsRemaining: try row.optionalInt("credits_remaining")),
                startsAt: try row.date("sub_starts_at"),
                endsAt: try row.optionalDate("sub_ends_at"))
            facts.subscriptions[try row.string("membership_id"), default: []].append(subscription)
        }
        for row in try await sql.raw(
            """
            SELECT b.membership_id, s.id, s.starts_at, s.ends_at FROM bookings b JOIN class_sessions s ON s.id = b.session_id
            WHERE b.membership_id IN (\(ids)) AND b.status IN ('confirmed', 'waitlisted', 'attended')
              AND s.deleted_at IS NULL AND s.starts_at < \(bind: to.epochSeconds) AND s.ends_at > \(bind: from.epochSeconds)
            """
        ).all() {
            facts.bookings[try row.string("membership_id"), default: []].append(
                BookedInterval(sessionId: try row.string("id"), startsAt: try row.date("starts_at"), endsAt: try row.date("ends_at")))
        }
        return facts
    }
}
