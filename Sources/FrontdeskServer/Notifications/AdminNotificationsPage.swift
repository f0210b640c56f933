import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The studio's notifications in the back office, `GET /admin/notifications?org=&status=`: per
/// template, how many of its e-mails and pushes are pending, sending, sent, failed or dead; the
/// newest messages not sent (or of one status) with recipient, template, attempts and last error;
/// and retry, for one failed or dead message or every dead one — what `frontdesk outbox retry` does
/// (`OutboxStore.retry`), limited to this studio's messages. Owners and admins only.
struct AdminNotificationsPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }
    var outbox: OutboxStore { OutboxStore(database: services.database) }

    static let path = "/admin/notifications"
    static let statuses = Operations.outboxStatuses
    static let listLimit = 100

    func register(_ root: Routes) {
        let pages = root.signedIn(services, fallback: Self.path, reason: .notifications)
        pages.get("admin/notifications", use: show)
        pages.post("admin/notifications/retry", use: retry)
        pages.post("admin/notifications/retry-dead", use: retryDead)
    }

    struct Cell {
        let count: Int
        let status: String
    }

    struct TemplateLine {
        let template: String
        let label: String
        let cells: [Cell]
    }

    struct MessageLine {
        let id: String
        let created: String
        let recipient: String
        let email: String?
        let template: String
        let channel: String
        /// The stored status (the badge's class).
        let status: String
        /// The status as the badge shows it, in the reader's language.
        let statusLabel: String
        let attempts: Int
        let lastError: String?
        /// "next try Thu 26 Nov 07:00".
        let nextTry: String?
        let canRetry: Bool
        /// "<template> to <recipient>" (the retry button's name for screen readers).
        let retryWhat: String
    }

    struct StatusChoice {
        let value: String
        let label: String
        let selected: Bool
    }

    struct View {
        let shell: AdminShellView
        let orgId: String
        let statuses: [String]
        let templates: [TemplateLine]
        let totals: [Cell]
        let noTemplates: Bool
        let messages: [MessageLine]
        let noMessages: Bool
        let listHeading: String
        let choices: [StatusChoice]
        let dead: Int
        let hasDead: Bool
        /// "Retry every dead message (3)".
        let retryDeadLabel: String
        /// "The newest 100 at most, newest first."
        let limitNote: String
    }

    /// "booking_confirmed" → "Booking confirmed".
    static func label(_ template: String) -> String {
        let words = template.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    /// The notification kinds the catalogues name (`notificationsAdmin.template.<kind>`); any other
    /// template shows as its code in words.
    static let knownTemplates: Set<String> = [
        "booking_cancelled", "booking_confirmed", "booking_promoted", "booking_waitlisted", "class_cancelled", "class_changed",
        "class_reminder", "invitation", "join_confirm", "password_reset", "signin_link", "verify_email",
    ]

    /// A template's name in the reader's language.
    static func label(_ template: String, _ t: Messages) -> String {
        knownTemplates.contains(template) ? t["notificationsAdmin.template.\(template)"] : label(template)
    }

    /// A status's name ("Dead" / "Tot"); `statuses` lists every case.
    static func statusLabel(_ status: String, _ t: Messages) -> String {
        statuses.contains(status) ? t["notificationsAdmin.status.\(status)"] : label(status)
    }

    /// A status as the message's badge writes it ("dead" / "tot").
    static func badge(_ status: String, _ t: Messages) -> String {
        statuses.contains(status) ? t["notificationsAdmin.badge.\(status)"] : status
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        return try await page(
            orgId: query.get("org"), status: query.get("status"), request: request, context: context, done: query.get("done"),
            count: query.get("count"))
    }

    /// The message for a `done=` code the page redirected with, in the reader's language.
    static func flash(_ done: String?, count: String?, _ t: Messages) -> PageFrame.Flash? {
        switch done {
        case "retried": return PageFrame.Flash(ok: true, message: t["notificationsAdmin.done.retried"])
        case "retried-dead":
            return PageFrame.Flash(ok: true, message: t.plural("notificationsAdmin.done.retriedDead", count: Int(count ?? "") ?? 0))
        default: return nil
        }
    }

    func page(
        orgId: String?, status: String?, request: Request, context: AppRequestContext, code: HTTPResponse.Status = .ok,
        flash: PageFrame.Flash? = nil, done: String? = nil, count: String? = nil
    ) async throws -> Response {
        guard
            let admin = try await AdminShell.resolve(services, context: context, orgId: orgId, section: .notifications, request: request)
        else {
            return try AdminShell.refusal(responder, section: .notifications, request: request, context: context)
        }
        let scope = admin.scope
        let t = admin.t
        let flash = flash ?? Self.flash(done, count: count, t)
        let local = t.localTime(timezone: scope.organization.timezone, now: services.now)
        let status = status.flatMap { Self.statuses.contains($0) ? $0 : nil }
        let counts = try await outbox.counts(orgId: scope.orgId)
        let templates = counts.keys.sorted().map { template in
            TemplateLine(
                template: template, label: Self.label(template, t),
                cells: Self.statuses.map { Cell(count: counts[template]?[$0] ?? 0, status: $0) })
        }
        let totals = Self.statuses.map { status in Cell(count: counts.values.reduce(0) { $0 + ($1[status] ?? 0) }, status: status) }
        let dead = totals.first { $0.status == "dead" }?.count ?? 0
        let messages = try await outbox.messages(orgId: scope.orgId, status: status, limit: Self.listLimit).map { message in
            let recipient = message.recipientName ?? message.recipientEmail ?? t["notificationsAdmin.removedAccount"]
            let template = Self.label(message.template, t)
            return MessageLine(
                id: message.id, created: local.dayAndTime(message.createdAt), recipient: recipient,
                email: message.recipientName == nil ? nil : message.recipientEmail, template: template,
                channel: message.channel == "push" ? t["notificationsAdmin.channel.push"] : t["notificationsAdmin.channel.email"],
                status: message.status, statusLabel: Self.badge(message.status, t), attempts: message.attempts,
                lastError: message.lastError,
                nextTry: ["pending", "failed"].contains(message.status)
                    ? t("notificationsAdmin.nextTry", ["when": local.dayAndTime(message.availableAt)]) : nil,
                canRetry: ["failed", "dead"].contains(message.status),
                retryWhat: t("notificationsAdmin.retryWhat", ["template": template, "recipient": recipient]))
        }
        let choices =
            [StatusChoice(value: "", label: t["notificationsAdmin.allNotSent"], selected: status == nil)]
            + Self.statuses.map { StatusChoice(value: $0, label: Self.statusLabel($0, t), selected: $0 == status) }
        let view = View(
            shell: admin.shell, orgId: scope.orgId, statuses: Self.statuses.map { Self.statusLabel($0, t) }, templates: templates,
            totals: totals, noTemplates: templates.isEmpty, messages: messages, noMessages: messages.isEmpty,
            listHeading: status.map { t("notificationsAdmin.listStatus", ["status": Self.statusLabel($0, t)]) }
                ?? t["notificationsAdmin.listAll"],
            choices: choices, dead: dead, hasDead: dead > 0,
            retryDeadLabel: t("notificationsAdmin.retryDead", ["count": t.number(dead)]),
            limitNote: t("notificationsAdmin.limit", ["limit": t.number(Self.listLimit)]))
        return try AdminShell.page(
            responder, "admin_notifications", title: t["admin.nav.notifications"], page: view, scope: scope, request: request,
            context: context, status: code, flash: flash, t: t)
    }

    // MARK: Posts

    struct Form: Decodable {
        let csrf: String?
        let org: String?
        let message: String?
    }

    func post(
        _ request: Request, _ context: AppRequestContext, _ action: (Form, OrgScope) async throws -> Response
    ) async throws -> Response {
        let form = try await request.decodeForm(Form.self, context: context)
        let orgId = form.org ?? ""
        return try await AdminShell.post(services, csrf: form.csrf, org: orgId, request: request, context: context) { scope in
            try await action(form, scope)
        } refused: { error in
            try await page(
                orgId: orgId, status: nil, request: request, context: context, code: error.httpStatus, flash: AdminShell.failure(error))
        }
    }

    /// One failed or dead message of the studio back in line; another studio's (or no) id is 404.
    @Sendable func retry(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { form, scope in
            let id = try IDs.ref(form.message ?? "", "Notification")
            let count = try await outbox.retry(id: id, orgId: scope.orgId, now: services.now)
            guard count == 1 else {
                guard let message = try await outbox.message(orgId: scope.orgId, id: id) else { throw DomainError.notFound("Notification") }
                let t = try await PageLanguage.messages(services, request, context, orgId: scope.orgId)
                return try await page(
                    orgId: scope.orgId, status: nil, request: request, context: context, code: .conflict,
                    flash: PageFrame.Flash(
                        ok: false, message: t("notificationsAdmin.notRetriable", ["status": Self.badge(message.status, t)])))
            }
            OutboxSignal.shared.poke()
            return AdminShell.done(Self.path, org: scope.orgId, "retried")
        }
    }

    /// Every dead message of the studio back in line.
    @Sendable func retryDead(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { _, scope in
            let count = try await outbox.retry(id: nil, orgId: scope.orgId, now: services.now)
            if count > 0 { OutboxSignal.shared.poke() }
            return AdminShell.done(Self.path, org: scope.orgId, "retried-dead", extra: "&count=\(count)")
        }
    }
}
