import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

extension PlanTerms: ResponseEncodable {}
extension SubscriptionRecord: ResponseEncodable {}

/// Plans (owner/admin write; every member may read the active ones), a member's subscriptions, and
/// credit adjustments with their ledger.
struct PlanRoutes {
    let services: AppServices
    var store: PlansStore { PlansStore(database: services.database) }

    func register(org: ContextRoutes<OrgContext>) {
        org.get("plans", use: list)
        org.post("plans", use: create)
        org.get("plans/:plan", use: show)
        org.patch("plans/:plan", use: update)
        org.delete("plans/:plan", use: retire)
        org.get("members/:membership/subscriptions", use: subscriptions)
        org.post("members/:membership/subscriptions", use: subscribe)
        org.patch("subscriptions/:subscription", use: setStatus)
        org.post("subscriptions/:subscription/credits", use: adjust)
        org.get("subscriptions/:subscription/ledger", use: ledger)
    }

    struct PlanBody: Decodable {
        var name: PatchField<String> = .absent
        var classCredits: PatchField<Int> = .absent
        var maxBookingsPerDay: PatchField<Int> = .absent
        var maxBookingsPerWeek: PatchField<Int> = .absent
        var allowOverlappingBookings: PatchField<Bool> = .absent
        var priceCents: PatchField<Int> = .absent

        enum CodingKeys: String, CodingKey {
            case name, classCredits, maxBookingsPerDay, maxBookingsPerWeek, allowOverlappingBookings, priceCents
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.patch(String.self, forKey: .name)
            classCredits = try c.patch(Int.self, forKey: .classCredits)
            maxBookingsPerDay = try c.patch(Int.self, forKey: .maxBookingsPerDay)
            maxBookingsPerWeek = try c.patch(Int.self, forKey: .maxBookingsPerWeek)
            allowOverlappingBookings = try c.patch(Bool.self, forKey: .allowOverlappingBookings)
            priceCents = try c.patch(Int.self, forKey: .priceCents)
        }

        func apply(to plan: PlanTerms) throws -> PlanTerms {
            var plan = plan
            if name.isNull { throw DomainError.invalidField("name", "must not be null.") }
            if let name = name.given { plan.name = try Validate.name(name) }
            plan.classCredits = try classCredits.applied(to: plan.classCredits).map {
                try Validate.int($0, in: 0...10_000, field: "classCredits")
            }
            plan.maxBookingsPerDay = try maxBookingsPerDay.applied(to: plan.maxBookingsPerDay).map {
                try Validate.int($0, in: 1...50, field: "maxBookingsPerDay")
            }
            plan.maxBookingsPerWeek = try maxBookingsPerWeek.applied(to: plan.maxBookingsPerWeek).map {
                try Validate.int($0, in: 1...200, field: "maxBookingsPerWeek")
            }
            if allowOverlappingBookings.isNull { throw DomainError.invalidField("allowOverlappingBookings", "must not be null.") }
            plan.allowOverlappingBookings = allowOverlappingBookings.given ?? plan.allowOverlappingBookings
            plan.priceCents = try priceCents.applied(to: plan.priceCents).map {
                try Validate.int($0, in: 0...100_000_000, field: "priceCents")
            }
            return plan
        }
    }

    @Sendable func list(_ request: Request, context: OrgContext) async throws -> ItemList<PlanTerms> {
        let scope = try context.scope(.member)
        return ItemList(items: try await store.plans(orgId: scope.orgId, activeOnly: !scope.role.isManager))
    }

    func plan(_ scope: OrgScope, _ context: OrgContext) async throws -> PlanTerms {
        guard let plan = try await store.plan(orgId: scope.orgId, id: try context.id("plan", "Plan")) else {
            throw DomainError.notFound("Plan")
        }
        return plan
    }

    @Sendable func show(_ request: Request, context: OrgContext) async throws -> PlanTerms {
        try await plan(try context.scope(.manager), context)
    }

    @Sendable func create(_ request: Request, context: OrgContext) async throws -> Created<PlanTerms> {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(PlanBody.self, context: context)
        guard body.name.given != nil else { throw DomainError(.missingField, "name is required.") }
        let plan = try body.apply(
            to: PlanTerms(
                id: NewID.make(), name: "-", classCredits: nil, maxBookingsPerDay: nil,
                maxBookingsPerWeek: nil, allowOverlappingBookings: false, priceCents: nil))
        try await store.save(plan, orgId: scope.orgId, now: services.now)
        return Created(body: plan)
    }

    @Sendable func update(_ request: Request, context: OrgContext) async throws -> PlanTerms {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(PlanBody.self, context: context)
        let plan = try body.apply(to: try await plan(scope, context))
        try await store.save(plan, orgId: scope.orgId, now: services.now)
        return plan
    }

    @Sendable func retire(_ request: Request, context: OrgContext) async throws -> HTTPResponse.Status {
        let scope = try context.scope(.manager)
        try await store.retire(orgId: scope.orgId, id: try context.id("plan", "Plan"), now: services.now)
        return .noContent
    }

    @Sendable func subscriptions(_ request: Request, context: OrgContext) async throws -> ItemList<SubscriptionRecord> {
        let scope = try context.scope(.member)
        let membership = try context.id("membership", "Member")
        guard scope.role.isManager || membership == scope.membership.id else { throw DomainError.forbidden() }
        return ItemList(items: try await store.subscriptions(orgId: scope.orgId, membershipId: membership))
    }

    struct SubscribeBody: Decodable {
        let planId: String
        let credits: Int?
        let startsAt: Date?
        let endsAt: Date?
    }

    @Sendable func subscribe(_ request: Request, context: OrgContext) async throws -> Created<SubscriptionRecord> {
        let scope = try context.scope(.manager)
        let membership = try context.id("membership", "Member")
        let body = try await request.decodeJSON(SubscribeBody.self, context: context)
        let now = services.now
        let startsAt = body.startsAt ?? now
        if let endsAt = body.endsAt, endsAt <= startsAt { throw DomainError.invalidField("endsAt", "must be after startsAt.") }
        let record = try await store.subscribe(
            orgId: scope.orgId, membershipId: membership, planId: try IDs.ref(body.planId, "Plan"),
            credits: try body.credits.map { try Validate.int($0, in: 0...10_000, field: "credits") },
            startsAt: startsAt, endsAt: body.endsAt, now: now)
        return Created(body: record)
    }

    struct StatusBody: Decodable { let status: String }

    @Sendable func setStatus(_ request: Request, context: OrgContext) async throws -> SubscriptionRecord {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(StatusBody.self, context: context)
        guard ["active", "cancelled", "past_due"].contains(body.status) else {
            throw DomainError.invalidField("status", "must be active, cancelled or past_due.")
        }
        return try await store.setStatus(
            orgId: scope.orgId, id: try context.id("subscription", "Subscription"), status: body.status, now: services.now)
    }

    struct AdjustBody: Decodable {
        let amount: Int
        let reason: String?
    }

    @Sendable func adjust(_ request: Request, context: OrgContext) async throws -> SubscriptionRecord {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(AdjustBody.self, context: context)
        guard body.amount != 0, (-10_000...10_000).contains(body.amount) else {
            throw DomainError.invalidField("amount", "must be a non-zero integer between -10000 and 10000.")
        }
        let reason = try body.reason.map { try Validate.name($0, field: "reason", maxLength: 500) }
        return try await store.adjust(
            orgId: scope.orgId, id: try context.id("subscription", "Subscription"), amount: body.amount,
            reason: reason, actorMembershipId: scope.membership.id, actorUserId: scope.user.id, now: services.now)
    }

    @Sendable func ledger(_ request: Request, context: OrgContext) async throws -> ItemList<LedgerEntry> {
        let scope = try context.scope(.member)
        let id = try context.id("subscription", "Subscription")
        guard let subscription = try await store.subscription(orgId: scope.orgId, id: id),
            scope.role.isManager || subscription.membershipId == scope.membership.id
        else { throw DomainError.notFound("Subscription") }
        return ItemList(items: try await store.ledger(orgId: scope.orgId, subscriptionId: id))
    }
}
