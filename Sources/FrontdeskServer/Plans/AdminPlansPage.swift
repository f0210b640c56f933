import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The studio's plans in the back office, `GET /admin/plans?org=`: the offered plans with their
/// terms, each editable and retirable, a form for a new plan, and the retired ones. Owners and
/// admins only, as `POST|PATCH|DELETE /api/orgs/:org/plans…`; the same body validation
/// (`PlanRoutes.PlanBody`) and `PlansStore`. Plans are given to members from the member's page.
struct AdminPlansPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }
    var store: PlansStore { PlansStore(database: services.database) }

    static let path = "/admin/plans"

    func register(_ root: Routes) {
        let pages = root.signedIn(services, fallback: Self.path, reason: .plans)
        pages.get("admin/plans", use: show)
        pages.post("admin/plans", use: create)
        pages.post("admin/plans/:plan", use: update)
        pages.post("admin/plans/:plan/retire", use: retire)
    }

    struct PlanLine {
        let id: String
        let name: String
        let terms: String
        let credits: String
        let perDay: String
        let perWeek: String
        let price: String
        let overlap: Bool
    }

    struct View {
        let shell: AdminShellView
        let orgId: String
        let plans: [PlanLine]
        let empty: Bool
        let retired: [PlanLine]
        let hasRetired: Bool
        let membersLink: String
        let draft: PlanLine
    }

    static let messages = [
        "created": "Plan created.", "saved": "Plan saved.", "retired": "Plan retired; existing subscriptions keep working.",
    ]

    static func price(_ cents: Int?) -> String {
        guard let cents else { return "" }
        return String(format: "%d.%02d", cents / 100, cents % 100)
    }

    static func line(_ plan: PlanTerms) -> PlanLine { line(plan, .english) }

    /// The plan's terms in the reader's language ("10 classes · at most 2 a day").
    static func line(_ plan: PlanTerms, _ t: Messages) -> PlanLine {
        var terms: [String] = [plan.classCredits.map { t.plural("plans.terms.classes", count: $0) } ?? t["plans.terms.unlimited"]]
        if let day = plan.maxBookingsPerDay { terms.append(t("plans.terms.perDay", ["count": t.number(day)])) }
        if let week = plan.maxBookingsPerWeek { terms.append(t("plans.terms.perWeek", ["count": t.number(week)])) }
        if plan.allowOverlappingBookings { terms.append(t["plans.terms.overlap"]) }
        if let cents = plan.priceCents { terms.append(t("plans.terms.price", ["price": t.fixed(Double(cents) / 100, fractionDigits: 2)])) }
        return PlanLine(
            id: plan.id, name: plan.name, terms: terms.joined(separator: " · "), credits: plan.classCredits.map(String.init) ?? "",
            perDay: plan.maxBookingsPerDay.map(String.init) ?? "", perWeek: plan.maxBookingsPerWeek.map(String.init) ?? "",
            price: price(plan.priceCents), overlap: plan.allowOverlappingBookings)
    }

    static let blankDraft = PlanLine(id: "", name: "", terms: "", credits: "", perDay: "", perWeek: "", price: "", overlap: false)

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        return try await page(orgId: query.get("org"), request: request, context: context, done: query.get("done"))
    }

    func page(
        orgId: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok,
        flash: PageFrame.Flash? = nil, draft: PlanLine = blankDraft, done: String? = nil
    ) async throws -> Response {
        guard let admin = try await AdminShell.resolve(services, context: context, orgId: orgId, section: .plans, request: request) else {
            return try AdminShell.refusal(responder, section: .plans, request: request, context: context)
        }
        let scope = admin.scope
        let t = admin.t
        let flash = flash ?? done.flatMap { Self.messages[$0] == nil ? nil : PageFrame.Flash(ok: true, message: t["plans.done.\($0)"]) }
        let active = try await store.plans(orgId: scope.orgId, activeOnly: true)
        let activeIds = Set(active.map(\.id))
        let retired = try await store.plans(orgId: scope.orgId, activeOnly: false).filter { !activeIds.contains($0.id) }
        let view = View(
            shell: admin.shell, orgId: scope.orgId, plans: active.map { Self.line($0, t) }, empty: active.isEmpty,
            retired: retired.map { Self.line($0, t) }, hasRetired: !retired.isEmpty,
            membersLink: "\(AdminMembersPage.path)?org=\(scope.orgId)", draft: draft)
        return try AdminShell.page(
            responder, "admin_plans", title: t["admin.nav.plans"], page: view, scope: scope, request: request, context: context,
            status: status, flash: flash, t: t)
    }

    // MARK: Posts

    struct Form: Decodable {
        let csrf: String?
        let org: String?
        let name: String?
        let credits: String?
        let perDay: String?
        let perWeek: String?
        let price: String?
        let overlap: String?
    }

    /// Money as typed ("12", "12.5", "12,50") in cents; empty is no price.
    static func cents(_ value: String?) throws -> Int? {
        guard let text = FormValue.text(value) else { return nil }
        let normalized = text.replacingOccurrences(of: ",", with: ".")
        let parts = normalized.split(separator: ".", omittingEmptySubsequences: false)
        guard normalized.utf8.count <= 12, (1...2).contains(parts.count), let whole = Int(parts[0]), whole >= 0,
            parts.count == 1 || (1...2).contains(parts[1].count) && parts[1].allSatisfy(\.isNumber)
        else { throw DomainError.invalidField("price", "must be an amount such as 49 or 49.90.") }
        let fraction = parts.count == 2 ? Int(parts[1].count == 1 ? "\(parts[1])0" : String(parts[1])) ?? 0 : 0
        return whole * 100 + fraction
    }

    /// The form as the API's plan body: every field given (an empty one clears it).
    static func body(_ form: Form) throws -> PlanRoutes.PlanBody {
        func optional(_ value: Int?) -> PatchField<Int> { value.map { .value($0) } ?? .null }
        var body = PlanRoutes.PlanBody()
        body.name = .value(FormValue.text(form.name) ?? "")
        body.classCredits = optional(try FormValue.int(form.credits, field: "classCredits"))
        body.maxBookingsPerDay = optional(try FormValue.int(form.perDay, field: "maxBookingsPerDay"))
        body.maxBookingsPerWeek = optional(try FormValue.int(form.perWeek, field: "maxBookingsPerWeek"))
        body.allowOverlappingBookings = .value(FormValue.checked(form.overlap))
        body.priceCents = optional(try cents(form.price))
        return body
    }

    func post(
        _ request: Request, _ context: AppRequestContext, keepDraft: Bool, _ action: (Form, OrgScope) async throws -> String
    ) async throws -> Response {
        let form = try await request.decodeForm(Form.self, context: context)
        let orgId = form.org ?? ""
        return try await AdminShell.post(services, csrf: form.csrf, org: orgId, request: request, context: context) { scope in
            AdminShell.done(Self.path, org: scope.orgId, try await action(form, scope))
        } refused: { error in
            let draft =
                keepDraft
                ? PlanLine(
                    id: "", name: form.name ?? "", terms: "", credits: form.credits ?? "", perDay: form.perDay ?? "",
                    perWeek: form.perWeek ?? "", price: form.price ?? "", overlap: form.overlap != nil)
                : Self.blankDraft
            return try await page(
                orgId: orgId, request: request, context: context, status: error.httpStatus, flash: AdminShell.failure(error), draft: draft)
        }
    }

    func existing(_ scope: OrgScope, _ context: AppRequestContext) async throws -> PlanTerms {
        guard let raw = context.parameters.get("plan"), NewID.isWellFormed(raw),
            let plan = try await store.plan(orgId: scope.orgId, id: raw.lowercased())
        else { throw DomainError.notFound("Plan") }
        return plan
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context, keepDraft: true) { form, scope in
            let plan = try Self.body(form).apply(
                to: PlanTerms(
                    id: NewID.make(), name: "-", classCredits: nil, maxBookingsPerDay: nil, maxBookingsPerWeek: nil,
                    allowOverlappingBookings: false, priceCents: nil))
            try await store.save(plan, orgId: scope.orgId, now: services.now)
            return "created"
        }
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context, keepDraft: false) { form, scope in
            let plan = try Self.body(form).apply(to: try await existing(scope, context))
            try await store.save(plan, orgId: scope.orgId, now: services.now)
            return "saved"
        }
    }

    @Sendable func retire(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context, keepDraft: false) { _, scope in
            try await store.retire(orgId: scope.orgId, id: try await existing(scope, context).id, now: services.now)
            return "retired"
        }
    }
}

extension PlanRoutes.PlanBody {
    /// An empty body (every field absent), for the pages to fill from a form.
    init() {}
}
