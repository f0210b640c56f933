import Foundation
import FrontdeskCore
import SQLKit

/// A member's subscription as the API shows it.
public struct SubscriptionRecord: Codable, Sendable, Equatable {
    public var id: String
    public var organizationId: String
    public var membershipId: String
    public var plan: PlanTerms
    public var status: String
    public var creditsGranted: Int?
    public var creditsRemaining: Int?
    public var startsAt: Date
    public var endsAt: Date?
    public var createdAt: Date
}

/// One credit movement.
public struct LedgerEntry: Codable, Sendable, Equatable {
    public var id: String
    public var kind: String
    public var amount: Int
    public var bookingId: String?
    public var reason: String?
    public var createdAt: Date
}

/// Plans (what a studio sells), subscriptions (a member's plan with its credits) and credit adjustments.
public struct PlansStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// Plans of the org; `activeOnly` hides retired ones.
    public func plans(orgId: String, activeOnly: Bool) async throws -> [PlanTerms] {
        try await database.read { sql in
            let filter: SQLQueryString = activeOnly ? "AND active = \(bind: true)" : ""
            return try await sql.raw("SELECT * FROM plans WHERE organization_id = \(bind: orgId) \(filter) ORDER BY name, id")
                .all().map { try MemberFactsRows.plan($0) }
        }
    }

    public func plan(orgId: String, id: String) async throws -> PlanTerms? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM plans WHERE organization_id = \(bind: orgId) AND id = \(bind: id)").first().map {
                try MemberFactsRows.plan($0)
            }
        }
    }

    /// Inserts a plan of the org (`active` unless told otherwise) or overwrites its terms; editing a
    /// retired plan keeps it retired (only a new plan is offered to members again).
    public func save(_ plan: PlanTerms, orgId: String, active: Bool = true, now: Date) async throws {
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO plans (id, organization_id, name, class_credits, max_bookings_per_day, max_bookings_per_week,
                    allow_overlapping_bookings, price_cents, active, created_at, updated_at)
                VALUES (\(bind: plan.id), \(bind: orgId), \(bind: plan.name), \(bind: plan.classCredits), \(bind: plan.maxBookingsPerDay),
                    \(bind: plan.maxBookingsPerWeek), \(bind: plan.allowOverlappingBookings), \(bind: plan.priceCents), \(bind: active),
                    \(bind: now.epochSeconds), \(bind: now.epochSeconds))
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, class_credits = excluded.class_credits,
                    max_bookings_per_day = excluded.max_bookings_per_day, max_bookings_per_week = excluded.max_bookings_per_week,
                    allow_overlapping_bookings = excluded.allow_overlapping_bookings, price_cents = excluded.price_cents,
                    updated_at = excluded.updated_at
                """
            ).run()
        }
    }

    /// Retires a plan: no longer offered; existing subscriptions keep working.
    public func retire(orgId: String, id: String, now: Date) async throws {
        try await database.transaction { sql in
            let rows = try await sql.raw(
                """
                UPDATE plans SET active = \(bind: false), updated_at = \(bind: now.epochSeconds)
                WHERE organization_id = \(bind: orgId) AND id = \(bind: id) RETURNING id
                """
            ).all()
            if rows.isEmpty { throw DomainError.notFound("Plan") }
        }
    }

    static let subscriptionSelect = """
        SELECT sub.id AS sub_id, sub.organization_id AS sub_org, sub.membership_id, sub.status AS sub_status, sub.credits_granted,
            sub.credits_remaining, sub.starts_at, sub.ends_at, sub.created_at AS sub_created, p.*
        FROM subscriptions sub JOIN plans p ON p.id = sub.plan_id
        """

    static func subscription(_ row: any SQLRow) throws -> SubscriptionRecord {
        SubscriptionRecord(
            id: try row.string("sub_id"), organizationId: try row.string("sub_org"), membershipId: try row.string("membership_id"),
            plan: try MemberFactsRows.plan(row), status: try row.string("sub_status"),
            creditsGranted: try row.optionalInt("credits_granted"),
            creditsRemaining: try row.optionalInt("credits_remaining"), startsAt: try row.date("starts_at"),
            endsAt: try row.optionalDate("ends_at"), createdAt: try row.date("sub_created"))
    }

    public func subscriptions(orgId: String, membershipId: String) async throws -> [SubscriptionRecord] {
        try await database.read { sql in
            try await sql.raw(
                """
                \(unsafeRaw: Self.subscriptionSelect)
                WHERE sub.organization_id = \(bind: orgId) AND sub.membership_id = \(bind: membershipId) ORDER BY sub.created_at, sub.id
                """
            ).all().map(Self.subscription)
        }
    }

    public func subscription(orgId: String, id: String) async throws -> SubscriptionRecord? {
        try await database.read { sql in try await Self.subscription(sql, orgId: orgId, id: id) }
    }

    static func subscription(_ sql: any SQLDatabase, orgId: String, id: String) async throws -> SubscriptionRecord? {
        try await sql.raw(
            """
            \(unsafeRaw: subscriptionSelect) WHERE sub.organization_id = \(bind: orgId) AND sub.id = \(bind: id)
            """
        ).first().map(subscription)
    }

    /// Gives a member a plan: an active subscription with `credits` (default: the plan's credits).
    public func subscribe(
        orgId: String, membershipId: String, planId: String, credits: Int?, startsAt: Date, endsAt: Date?,
        now: Date
    ) async throws -> SubscriptionRecord {
        try await database.transaction(TransactionOptions(lockKeys: ["member:\(membershipId)"])) { sql in
            guard
                try await sql.raw("SELECT id FROM memberships WHERE id = \(bind: membershipId) AND organization_id = \(bind: orgId)")
                    .first() != nil
            else {
                throw DomainError.notFound("Member")
            }
            guard
                let plan = try await sql.raw(
                    """
                    SELECT * FROM plans WHERE id = \(bind: planId) AND organization_id = \(bind: orgId) AND active = \(bind: true)
                    """
                ).first().map({ try MemberFactsRows.plan($0) })
            else { throw DomainError.notFound("Plan") }
            let granted = plan.classCredits == nil ? nil : (credits ?? plan.classCredits)
            let id = NewID.make()
            try await sql.raw(
                """
                INSERT INTO subscriptions (id, organization_id, membership_id, plan_id, status, credits_granted, credits_remaining,
                    starts_at, ends_at, created_at, updated_at)
                VALUES (\(bind: id), \(bind: orgId), \(bind: membershipId), \(bind: planId), 'active', \(bind: granted), \(bind: granted),
                    \(bind: startsAt.epochSeconds), \(bind: endsAt?.epochSeconds), \(bind: now.epochSeconds), \(bind: now.epochSeconds))
                """
            ).run()
            guard let record = try await Self.subscription(sql, orgId: orgId, id: id) else { throw DomainError.notFound("Subscription") }
            return record
        }
    }

    /// Changes a subscription's status (active, cancelled, past_due).
    public func setStatus(orgId: String, id: String, status: String, now: Date) async throws -> SubscriptionRecord {
        try await database.transaction { sql in
            let rows = try await sql.raw(
                """
                UPDATE subscriptions SET status = \(bind: status), updated_at = \(bind: now.epochSeconds)
                WHERE organization_id = \(bind: orgId) AND id = \(bind: id) RETURNING id
                """
            ).all()
            guard !rows.isEmpty, let record = try await Self.subscription(sql, orgId: orgId, id: id) else {
                throw DomainError.notFound("Subscription")
            }
            return record
        }
    }

    /// Adds (or with a negative amount removes) credits, with a ledger row and an audit row
    /// (`credits.adjust`, about the subscription's member). A balance cannot go below zero (409
    /// `insufficient_credits`); unlimited subscriptions have no balance (409 `unlimited_plan`).
    public func adjust(
        orgId: String, id: String, amount: Int, reason: String?, actorMembershipId: String, actorUserId: String?, now: Date
    ) async throws -> SubscriptionRecord {
        try await database.transaction { sql in
            guard let current = try await Self.subscription(sql, orgId: orgId, id: id) else { throw DomainError.notFound("Subscription") }
            guard let remaining = current.creditsRemaining else {
                throw DomainError(.unlimitedPlan, "This subscription is unlimited; it has no credit balance.")
            }
            guard remaining + amount >= 0 else {
                throw DomainError(.insufficientCredits, "Only \(remaining) credits are left.")
            }
            try await sql.raw(
                """
                UPDATE subscriptions SET credits_remaining = credits_remaining + \(bind: amount), updated_at = \(bind: now.epochSeconds)
                WHERE id = \(bind: id)
                """
            ).run()
            try await CreditLedger.ledger(
                sql, orgId: orgId, subscriptionId: id, bookingId: nil, kind: "adjustment", amount: amount,
                reason: reason, actorMembershipId: actorMembershipId, now: now)
            var audit = AuditChange()
            audit.field("creditsRemaining", AuditValue(remaining), AuditValue(remaining + amount))
            audit.details["amount"] = AuditValue(amount)
            audit.details["reason"] = AuditValue(reason)
            try await AuditRows.record(
                sql, orgId: orgId, actorUserId: actorUserId, actorMembershipId: actorMembershipId, action: "credits.adjust",
                entityType: "subscription", entityId: id, subject: current.membershipId, payload: audit, now: now)
            guard let record = try await Self.subscription(sql, orgId: orgId, id: id) else { throw DomainError.notFound("Subscription") }
            return record
        }
    }

    public func ledger(orgId: String, subscriptionId: String) async throws -> [LedgerEntry] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT * FROM credit_ledger WHERE organization_id = \(bind: orgId) AND subscription_id = \(bind: subscriptionId)
                ORDER BY seq, created_at, id
                """
            ).all().map {
                LedgerEntry(
                    id: try $0.string("id"), kind: try $0.string("kind"), amount: try $0.int("amount"),
                    bookingId: try $0.optionalString("booking_id"), reason: try $0.optionalString("reason"),
                    createdAt: try $0.date("created_at"))
            }
        }
    }
}
