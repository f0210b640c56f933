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
        let pages = root.signedIn(services, fallback: Self.path, reason: "Log in to see the studio's notifications.")
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
        let status: String
        let attempts: Int
        let lastError: String?
        let nextTry: String?
        let canRetry: Bool
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
        let limit: Int
    }

    /// "booking_confirmed" → "Booking confirmed".
    static func label(_ template: String) -> String {
        let words = template.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        var flash: PageFrame.Flash?
        switch query.get("done") {
        case "retried": flash = PageFrame.Flash(ok: true, message: "The notification is back in line and goes out within seconds.")
        case "retried-dead":
            let count = Int(query.get("count") ?? "") ?? 0
            flash = PageFrame.Flash(
                ok: true, message: count == 1 ? "1 dead notification is back in line." : "\(count) dead notifications are back in line.")
        default: break
        }
        return try await page(
            orgId: query.get("org"), status: query.get("status"), request: request, context: context, flash: flash)
    }

    func page(
        orgId: String?, status: String?, request: Request, context: AppRequestContext, code: HTTPResponse.Status = .ok,
        flash: PageFrame.Flash? = nil
    ) async throws -> Response {
        guard let admin = try await AdminShell.resolve(services, context: context, orgId: orgId, section: .notifications) else {
            return try AdminShell.refusal(responder, section: .notifications, request: request, context: context)
        }
        let scope = admin.scope
        let local = LocalTime(timezone: scope.organization.timezone, now: services.now)
        let status = status.flatMap { Self.statuses.contains($0) ? $0 : nil }
        let counts = try await outbox.counts(orgId: scope.orgId)
        let templates = counts.keys.sorted().map { template in
            TemplateLine(
                template: template, label: Self.label(template),
                cells: Self.statuses.map { Cell(count: counts[template]?[$0] ?? 0, status: $0) })
        }
        let totals = Self.statuses.map { status in Cell(count: counts.values.reduce(0) { $0 + ($1[status] ?? 0) }, status: status) }
        let dead = totals.first { $0.status == "dead" }?.count ?? 0
        let messages = try await outbox.messages(orgId: scope.orgId, status: status, limit: Self.listLimit).map { message in
            MessageLine(
                id: message.id, created: local.dayAndTime(message.createdAt),
                recipient: message.recipientName ?? message.recipientEmail ?? "a removed account",
                email: message.recipientName == nil ? nil : message.recipientEmail, template: Self.label(message.template),
                channel: message.channel == "push" ? "Push" : "E-mail", status: message.status, attempts: message.attempts,
                lastError: message.lastError,
                nextTry: ["pending", "failed"].contains(message.status) ? local.dayAndTime(message.availableAt) : nil,
                canRetry: ["failed", "dead"].contains(message.status))
        }
        let choices =
            [StatusChoice(value: "", label: "Not sent yet (all)", selected: status == nil)]
            + Self.statuses.map { StatusChoice(value: $0, label: Self.label($0), selected: $0 == status) }
        let view = View(
            shell: admin.shell, orgId: scope.orgId, statuses: Self.statuses.map(Self.label), templates: templates, totals: totals,
            noTemplates: templates.isEmpty, messages: messages, noMessages: messages.isEmpty,
            listHeading: status.map { "\(Self.label($0)) messages" } ?? "Messages not sent yet", choices: choices, dead: dead,
            hasDead: dead > 0, limit: Self.listLimit)
        return try AdminShell.page(
            responder, "admin_notifications", title: "Notifications", page: view, scope: scope, request: request, context: context,
            status: code, flash: flash)
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
                return try await page(
                    orgId: scope.orgId, status: nil, request: request, context: context, code: .conflict,
                    flash: PageFrame.Flash(
                        ok: false, message: "That notification is \(message.status), not failed or dead: there is nothing to retry."))
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
