import Foundation
import FrontdeskCore
import SQLKit

/// The members of a batch and the facts the booking rules need about them, read in one set-based
/// statement (a class lane's batch, whose members may belong to several studios; the members waiting
/// for a freed place): each membership, its subscriptions of its own studio with their plans, and its
/// active bookings in a span, as one `UNION ALL` with each row tagged with what it carries (for a set
/// of bookings, the classes booked too: `readWithClasses`). Same
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
        case member = 0, subscription = 1, booking = 2, session = 3
    }

    /// The facts of `membershipIds` with their active bookings in `[from, to)`.
    static func read(_ sql: any SQLDatabase, membershipIds: [String], from: Date, to: Date) async throws -> BatchMemberFacts {
        guard !membershipIds.isEmpty else { return BatchMemberFacts() }
        let window: SQLQueryString = "s.starts_at < \(bind: to.epochSeconds) AND s.ends_at > \(bind: from.epochSeconds)"
        return try await read(sql, membershipIds: membershipIds, bookings: window, sessions: nil).facts
    }

    /// The classes `sessionIds` (`BookSetRows.ClassRow`: the row, its program's delivery mode, its
    /// counts) and the facts of `membershipIds` in the same statement. The members'
    /// bookings are read for a span that holds each class's window (`BookingRows.window`: the class's
    /// week and a day either side; eight days either side of the classes here, computed from their rows
    /// in the statement), and the rules look only at those inside a class's own window.
    static func readWithClasses(
        _ sql: any SQLDatabase, membershipIds: [String], sessionIds: [String]
    ) async throws -> (classes: [String: BookSetRows.ClassRow], facts: BatchMemberFacts) {
        guard !sessionIds.isEmpty, !membershipIds.isEmpty else { return ([:], BatchMemberFacts()) }
        let sessions = PortableSQL.isIn(sql, sessionIds)
        let span: SQLQueryString = """
            s.starts_at < (SELECT MAX(c.ends_at) FROM class_sessions c WHERE c.id \(sessions)) + \(unsafeRaw: String(Self.spanSeconds))
              AND s.ends_at > (SELECT MIN(c.starts_at) FROM class_sessions c WHERE c.id \(sessions)) - \(unsafeRaw: String(Self.spanSeconds))
            """
        return try await read(sql, membershipIds: membershipIds, bookings: span, sessions: sessions)
    }

    /// How far either side of the batch's classes their members' bookings are read: more than a class's
    /// window reaches (its week, and a day either side; a DST hour).
    static let spanSeconds = 8 * 86_400

    /// Column types come from the first two branches (PostgreSQL resolves a union's columns pair by
    /// pair, and two untyped NULLs make text), so every column has a typed value in one of them.
    /// `starts_at` and `ends_at` are a subscription's term in the second branch, a booked class's in the
    /// third, the class's own in the fourth; `id` is the plan's in the second, the class's in the third
    /// and fourth; `organization_id` and `status` are the membership's in the first, the class's in the
    /// fourth.
    ///
    /// `membershipIds` is not empty; `sessions` (`IN` the class ids, `PortableSQL.isIn`) adds the classes' branch.
    /// Its text is the same for every size of batch on PostgreSQL, so it is prepared once per connection.
    private static func read(
        _ sql: any SQLDatabase, membershipIds: [String], bookings: SQLQueryString, sessions: SQLQueryString?
    ) async throws -> (classes: [String: BookSetRows.ClassRow], facts: BatchMemberFacts) {
        var facts = BatchMemberFacts()
        var classes: [String: BookSetRows.ClassRow] = [:]
        let ids = PortableSQL.isIn(sql, membershipIds)
        let classBranch: SQLQueryString =
            sessions.map {
                """
                UNION ALL
                SELECT 3, NULL, s.organization_id, NULL, s.status, NULL, NULL, NULL, s.starts_at, s.ends_at, s.id, NULL, NULL, NULL, NULL,
                    NULL, NULL, s.class_type_id, s.location_id, s.coach_membership_id, s.cancel_reason, p.delivery_mode, s.duration_min,
                    s.capacity, s.created_at, s.updated_at, s.places_taken,
                    (SELECT COALESCE(MAX(b.waitlist_position), 0) + 1 FROM bookings b
                      WHERE b.session_id = s.id AND b.status = 'waitlisted')
                FROM class_sessions s
                JOIN class_types ct ON ct.id = s.class_type_id
                JOIN programs p ON p.id = ct.program_id
                WHERE s.id \($0) AND s.deleted_at IS NULL
                """
            } ?? ""
        let none: SQLQueryString = "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
        for row in try await sql.raw(
            """
            SELECT 0 AS fact, m.id AS membership_id, m.organization_id, m.role, m.status, m.user_id,
                NULL AS sub_id, NULL AS credits_remaining, NULL AS starts_at, NULL AS ends_at, NULL AS id, NULL AS name,
                NULL AS class_credits, NULL AS max_bookings_per_day, NULL AS max_bookings_per_week,
                NULL AS allow_overlapping_bookings, NULL AS price_cents,
                CAST(NULL AS TEXT) AS class_type_id, CAST(NULL AS TEXT) AS location_id, CAST(NULL AS TEXT) AS coach_membership_id,
                CAST(NULL AS TEXT) AS cancel_reason, CAST(NULL AS TEXT) AS delivery_mode, CAST(NULL AS BIGINT) AS duration_min,
                CAST(NULL AS BIGINT) AS capacity, CAST(NULL AS BIGINT) AS created_at, CAST(NULL AS BIGINT) AS updated_at,
                CAST(NULL AS BIGINT) AS booked_count, CAST(NULL AS BIGINT) AS next_position
            FROM memberships m WHERE m.id \(ids)
            UNION ALL
            SELECT 1, sub.membership_id, NULL, NULL, NULL, NULL, sub.id, sub.credits_remaining, sub.starts_at, sub.ends_at,
                p.id, p.name, p.class_credits, p.max_bookings_per_day, p.max_bookings_per_week, p.allow_overlapping_bookings,
                p.price_cents, \(none)
            FROM subscriptions sub JOIN plans p ON p.id = sub.plan_id
                JOIN memberships m ON m.id = sub.membership_id AND m.organization_id = sub.organization_id
            WHERE sub.membership_id \(ids) AND sub.status = 'active'
            UNION ALL
            SELECT 2, b.membership_id, NULL, NULL, NULL, NULL, NULL, NULL, s.starts_at, s.ends_at, s.id, NULL, NULL, NULL, NULL,
                NULL, NULL, \(none)
            FROM bookings b JOIN class_sessions s ON s.id = b.session_id
            WHERE b.membership_id \(ids) AND b.status IN ('confirmed', 'waitlisted', 'attended')
              AND s.deleted_at IS NULL AND \(bookings)
            \(classBranch)
            ORDER BY fact, membership_id, sub_id
            """
        ).all() {
            switch Fact(rawValue: try row.int("fact")) {
            case .member:
                let membership = try row.string("membership_id")
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
                facts.subscriptions[try row.string("membership_id"), default: []].append(subscription)
            case .booking:
                facts.bookings[try row.string("membership_id"), default: []].append(
                    BookedInterval(sessionId: try row.string("id"), startsAt: try row.date("starts_at"), endsAt: try row.date("ends_at")))
            case .session:
                let session = try SessionRows.session(row)
                classes[session.id] = BookSetRows.ClassRow(
                    session: session, deliveryMode: try row.string("delivery_mode"),
                    bookedCount: try row.int("booked_count"), nextPosition: try row.int("next_position"))
            case nil:
                continue
            }
        }
        return (classes, facts)
    }
}
