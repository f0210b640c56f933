import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// One member in the back office, `GET /admin/members/:membership?org=`: who they are, their role
/// and status, their bookings and attendance in this studio (newest class first, 20 at a time) and,
/// for owners and admins, their subscriptions with each one's credit ledger, a form to give them a
/// plan, credit grants and adjustments (a reason is required here) and subscription status.
/// Coaches see the person and the bookings (the API refuses them other members' subscriptions).
/// The writes are those of `POST …/members/:id/subscriptions`, `POST …/subscriptions/:id/credits`
/// and `PATCH …/subscriptions/:id`, through `PlansStore`, with the same checks.
struct AdminMemberPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }
    var plans: PlansStore { PlansStore(database: services.database) }

    func register(_ root: Routes) {
        let pages = root.signedIn(services, fallback: AdminMembersPage.path, reason: .members)
        pages.get("admin/members/:membership", use: show)
        pages.post("admin/members/:membership/subscribe", use: subscribe)
        pages.post("admin/members/:membership/credits", use: adjust)
        pages.post("admin/members/:membership/subscription-status", use: setStatus)
    }

    struct BookingLine {
        let id: String
        let when: String
        let className: String
        let location: String?
        let status: String
        let statusClass: String
    }

    struct LedgerLine {
        let when: String
        let amount: String
        let kind: String
        let reason: String?
    }

    struct StatusChoice {
        let value: String
        let label: String
        let selected: Bool
    }

    struct SubscriptionBlock {
        let id: String
        let planName: String
        let credits: String
        let limited: Bool
        let status: String
        let period: String
        let statuses: [StatusChoice]
        /// "Credit ledger of <plan>" (the ledger table's name for screen readers).
        let ledgerLabel: String
        let ledger: [LedgerLine]
        let hasLedger: Bool
    }

    struct PlanChoice {
        let id: String
        let name: String
    }

    struct View {
        let shell: AdminShellView
        let orgId: String
        let membershipId: String
        let name: String
        let email: String
        let role: String
        let suspended: Bool
        let joined: String
        let canManage: Bool
        let isSelf: Bool
        let roles: [AdminMembersPage.RoleChoice]
        let bookings: [BookingLine]
        let noBookings: Bool
        let attendance: String
        let older: String?
        let subscriptions: [SubscriptionBlock]
        let noSubscriptions: Bool
        let plans: [PlanChoice]
        let hasPlans: Bool
        let plansLink: String
        let backLink: String
    }

    /// The `done=` codes this page shows a message for (`member.admin.done.<code>` in the catalogues).
    static let doneCodes: Set<String> = ["subscribed", "credits", "status", "role", "suspended", "reactivated"]

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let raw = context.parameters.get("membership"), NewID.isWellFormed(raw) else {
            return try AdminShell.notFound(responder, message: Self.notFound(request), request: request, context: context)
        }
        return try await page(
            orgId: query.get("org"), membershipId: raw.lowercased(), cursor: query.get("cursor"), request: request, context: context,
            done: query.get("done"))
    }

    func page(
        orgId: String?, membershipId: String, cursor: String?, request: Request, context: AppRequestContext,
        status: HTTPResponse.Status = .ok, flash: PageFrame.Flash? = nil, done: String? = nil
    ) async throws -> Response {
        guard let admin = try await AdminShell.resolve(services, context: context, orgId: orgId, section: .members, request: request)
        else {
            return try AdminShell.refusal(responder, section: .members, request: request, context: context)
        }
        let scope = admin.scope
        let t = admin.t
        guard let member = try await services.organizations.member(orgId: scope.orgId, membershipId: membershipId) else {
            return try AdminShell.notFound(responder, message: Self.notFound(request), request: request, context: context)
        }
        let flash =
            flash ?? done.flatMap { Self.doneCodes.contains($0) ? PageFrame.Flash(ok: true, message: t["member.admin.done.\($0)"]) : nil }
        let local = t.localTime(timezone: scope.organization.timezone, now: services.now)
        let (bookings, next) = try await MemberDirectoryStore(database: services.database).bookings(
            orgId: scope.orgId, membershipId: membershipId, limit: 20, after: cursor.flatMap { KeysetCursor(encoded: $0) })
        let lines = bookings.map { row in
            BookingLine(
                id: row.booking.id, when: local.dayAndTime(row.startsAt), className: row.classTypeName, location: row.locationName,
                status: Self.statusLabel(row, t), statusClass: row.booking.status.rawValue)
        }
        let attended = bookings.filter { $0.booking.status == .attended }.count
        let noShows = bookings.filter { $0.booking.status == .noShow }.count
        let canManage = scope.role.isManager
        var blocks: [SubscriptionBlock] = []
        var planChoices: [PlanChoice] = []
        if canManage {
            for subscription in try await plans.subscriptions(orgId: scope.orgId, membershipId: membershipId).reversed() {
                let ledger = try await plans.ledger(orgId: scope.orgId, subscriptionId: subscription.id)
                blocks.append(block(subscription, ledger: ledger, local: local, t: t))
            }
            planChoices = try await plans.plans(orgId: scope.orgId, activeOnly: true).map { PlanChoice(id: $0.id, name: $0.name) }
        }
        let view = View(
            shell: admin.shell, orgId: scope.orgId, membershipId: membershipId, name: member.user.name, email: member.user.email,
            role: AdminMembersPage.roleLabel(member.membership.role, t), suspended: member.membership.status == .suspended,
            joined: local.longDate(member.membership.createdAt), canManage: canManage, isSelf: membershipId == scope.membership.id,
            roles: AdminMembersPage.roleChoices(for: scope.role, selected: member.membership.role.rawValue, t),
            bookings: lines, noBookings: lines.isEmpty,
            attendance: lines.isEmpty
                ? ""
                : t(
                    "member.admin.attendance",
                    ["count": t.number(lines.count), "attended": t.number(attended), "noShows": t.number(noShows)]),
            older: next.map { "\(AdminMembersPage.path)/\(membershipId)?org=\(scope.orgId)&cursor=\($0.encoded)" },
            subscriptions: blocks, noSubscriptions: blocks.isEmpty, plans: planChoices, hasPlans: !planChoices.isEmpty,
            plansLink: "/admin/plans?org=\(scope.orgId)", backLink: "\(AdminMembersPage.path)?org=\(scope.orgId)")
        return try AdminShell.page(
            responder, "admin_member", title: member.user.name, page: view, scope: scope, request: request, context: context,
            status: status, flash: flash, t: t)
    }

    /// A booking's state in the reader's language (`member.admin.booking.…`).
    static func statusLabel(_ row: MyBookingRow, _ t: Messages = .english) -> String {
        if row.sessionStatus == .cancelled { return t["member.admin.booking.classCancelled"] }
        switch row.booking.status {
        case .confirmed: return t["member.admin.booking.booked"]
        case .waitlisted:
            return row.booking.waitlistPosition.map { t("member.admin.booking.waitlistAt", ["position": t.number($0)]) }
                ?? t["member.admin.booking.waitlist"]
        case .attended: return t["member.admin.booking.attended"]
        case .noShow: return t["member.admin.booking.noShow"]
        case .cancelled: return row.booking.lateCancel ? t["member.admin.booking.cancelledLate"] : t["member.admin.booking.cancelled"]
        }
    }

    /// "Member not found." in the browser's language, as the not-found page around it.
    static func notFound(_ request: Request) -> String {
        let t = PageLanguage.browser(request)
        return t["member.admin.notFound"]
    }

    /// The subscription statuses a manager can set, as stored (`member.admin.subscription.<status>`).
    static let subscriptionStatuses = ["active", "past_due", "cancelled"]

    /// The credit ledger's kinds (`member.admin.kind.<kind>`).
    static let ledgerKinds: Set<String> = ["charge", "refund", "adjustment"]

    func block(_ subscription: SubscriptionRecord, ledger: [LedgerEntry], local: LocalTime, t: Messages) -> SubscriptionBlock {
        let credits: String =
            if let remaining = subscription.creditsRemaining {
                t.plural("member.admin.creditsLeft", count: remaining)
            } else {
                t["member.admin.unlimited"]
            }
        func statusLabel(_ status: String) -> String {
            Self.subscriptionStatuses.contains(status) ? t["member.admin.subscription.\(status)"] : status
        }
        let start = local.longDate(subscription.startsAt)
        let period =
            subscription.endsAt.map { t("member.admin.periodTo", ["start": start, "end": local.longDate($0)]) }
            ?? t("member.admin.period", ["start": start])
        return SubscriptionBlock(
            id: subscription.id, planName: subscription.plan.name, credits: credits, limited: subscription.creditsRemaining != nil,
            status: statusLabel(subscription.status), period: period,
            statuses: Self.subscriptionStatuses.map {
                StatusChoice(value: $0, label: statusLabel($0), selected: $0 == subscription.status)
            },
            ledgerLabel: t("member.admin.ledgerOf", ["plan": subscription.plan.name]),
            ledger: ledger.reversed().map { entry in
                LedgerLine(
                    when: local.dayAndTime(entry.createdAt), amount: entry.amount > 0 ? "+\(entry.amount)" : "\(entry.amount)",
                    kind: Self.ledgerKinds.contains(entry.kind)
                        ? t["member.admin.kind.\(entry.kind)"] : entry.kind.replacingOccurrences(of: "_", with: " "),
                    reason: entry.reason)
            },
            hasLedger: !ledger.isEmpty)
    }

    // MARK: Posts

    struct Form: Decodable {
        let csrf: String?
        let org: String?
        let plan: String?
        let credits: String?
        let subscription: String?
        let amount: String?
        let reason: String?
        let status: String?
    }

    /// A manager's change to this member: 303 back to the page with the message, the page again with
    /// the refusal, or the not-found page for another studio's ids.
    func post(
        _ request: Request, _ context: AppRequestContext, _ action: (Form, OrgScope, String) async throws -> String
    ) async throws -> Response {
        let form = try await request.decodeForm(Form.self, context: context)
        try PageCSRF.check(request, field: form.csrf)
        let orgId = form.org ?? ""
        guard let raw = context.parameters.get("membership"), NewID.isWellFormed(raw) else {
            return try AdminShell.notFound(responder, message: Self.notFound(request), request: request, context: context)
        }
        let membershipId = raw.lowercased()
        do {
            let scope = try await OrgAccess(services: services).scope(context, orgId: orgId, requiring: .manager)
            guard try await services.organizations.member(orgId: scope.orgId, membershipId: membershipId) != nil else {
                throw DomainError.notFound("Member")
            }
            let code = try await action(form, scope, membershipId)
            return AdminShell.done("\(AdminMembersPage.path)/\(membershipId)", org: scope.orgId, code)
        } catch let error as DomainError where error.kind == .notFound {
            return try AdminShell.notFound(responder, message: error.message, request: request, context: context)
        } catch let error as DomainError {
            return try await page(
                orgId: orgId, membershipId: membershipId, cursor: nil, request: request, context: context, status: error.httpStatus,
                flash: AdminShell.failure(error))
        }
    }

    /// This member's subscription, or 404 (another member's or another studio's).
    func subscription(_ scope: OrgScope, _ rawId: String?, membershipId: String) async throws -> String {
        let id = try FormValue.id(rawId, "Subscription")
        guard let record = try await plans.subscription(orgId: scope.orgId, id: id), record.membershipId == membershipId else {
            throw DomainError.notFound("Subscription")
        }
        return id
    }

    @Sendable func subscribe(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { form, scope, membershipId in
            // As POST /api/orgs/:org/members/:id/subscriptions, starting now.
            let credits = try FormValue.int(form.credits, field: "credits").map { try Validate.int($0, in: 0...10_000, field: "credits") }
            _ = try await plans.subscribe(
                orgId: scope.orgId, membershipId: membershipId, planId: try FormValue.id(form.plan, "Plan"), credits: credits,
                startsAt: services.now, endsAt: nil, now: services.now)
            return "subscribed"
        }
    }

    @Sendable func adjust(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { form, scope, membershipId in
            let id = try await subscription(scope, form.subscription, membershipId: membershipId)
            // As POST …/subscriptions/:id/credits; the page also requires the reason.
            guard let amount = try FormValue.int(form.amount, field: "amount"), amount != 0, (-10_000...10_000).contains(amount) else {
                throw DomainError.invalidField("amount", "must be a non-zero whole number between -10000 and 10000.")
            }
            guard let reasonText = FormValue.text(form.reason) else {
                throw DomainError.invalidField("reason", "say why the credits change.")
            }
            let reason = try Validate.name(reasonText, field: "reason", maxLength: 500)
            _ = try await plans.adjust(
                orgId: scope.orgId, id: id, amount: amount, reason: reason, actorMembershipId: scope.membership.id,
                actorUserId: scope.user.id, now: services.now)
            return "credits"
        }
    }

    @Sendable func setStatus(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { form, scope, membershipId in
            let id = try await subscription(scope, form.subscription, membershipId: membershipId)
            guard let status = form.status, ["active", "cancelled", "past_due"].contains(status) else {
                throw DomainError.invalidField("status", "must be active, cancelled or past_due.")
            }
            _ = try await plans.setStatus(orgId: scope.orgId, id: id, status: status, now: services.now)
            return "status"
        }
    }
}
