import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The owner's and admins' page of bulk changes, `GET /admin/batches`: every batch newest first, with
/// what it matched and what it did, and an undo button where an undo is possible
/// (`POST /admin/batches/undo`).
struct BatchesPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }

    func register(_ root: Routes) {
        let pages = root.signedIn(services, fallback: "/admin/batches", reason: .batches)
        pages.get("admin/batches", use: show)
        pages.post("admin/batches/undo", use: undo)
    }

    struct Line {
        let batchId: String
        let headline: String
        let when: String
        let who: String
        let filter: String
        let effect: String
        let undone: Bool
        let canUndo: Bool
    }

    struct View {
        let shell: AdminShellView
        let orgId: String
        let orgs: [Choice]
        let hasOrgChoice: Bool
        let batches: [Line]
        let empty: Bool
        let older: String?
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let flash: PageFrame.Flash? = query.get("done") == "undone" ? PageFrame.Flash(ok: true, message: "batches.done.undone") : nil
        return try await page(orgId: query.get("org"), cursor: query.get("cursor"), request: request, context: context, flash: flash)
    }

    func page(
        orgId: String?, cursor: String?, request: Request, context: AppRequestContext,
        status: HTTPResponse.Status = .ok, flash: PageFrame.Flash? = nil
    ) async throws -> Response {
        guard let manager = try await ManagerScope.resolve(services, context: context, orgId: orgId) else {
            return try ManagerScope.refusal(
                responder, title: PageLanguage.browser(request)["admin.nav.batches"], request: request, context: context)
        }
        let scope = manager.scope
        let t = try await PageLanguage.messages(services, request, context, orgId: scope.orgId)
        // A success code arrives as its catalogue key; a refusal's message is shown as it is.
        let flash = flash.map { $0.ok ? PageFrame.Flash(ok: true, message: t[$0.message]) : $0 }
        let after = cursor.flatMap { KeysetCursor(encoded: $0) }
        let (batches, next) = try await AuditBatches.list(services.database, orgId: scope.orgId, limit: 25, after: after)
        let names = try await catalogNames(scope.orgId)
        let local = t.localTime(timezone: scope.organization.timezone, now: services.now)
        let lines = batches.map { line($0, names: names, local: local, t: t) }
        let view = View(
            shell: AdminShell.view(manager, section: .batches, t: t), orgId: scope.orgId, orgs: manager.orgs,
            hasOrgChoice: manager.orgs.count > 1, batches: lines, empty: lines.isEmpty,
            older: next.map { "/admin/batches?org=\(scope.orgId)&cursor=\($0.encoded)" })
        return try responder.page(
            "batches", title: t["admin.nav.batches"], page: view, request: request, context: context, status: status,
            orgName: scope.organization.name, brand: scope.organization.primaryColor, bodyClass: "admin", flash: flash, messages: t)
    }

    func catalogNames(_ orgId: String) async throws -> [String: String] {
        var names: [String: String] = [:]
        for program in try await services.catalog.programs(orgId: orgId) { names[program.id] = program.name }
        for type in try await services.catalog.classTypes(orgId: orgId) { names[type.id] = type.name }
        for location in try await services.catalog.locations(orgId: orgId) { names[location.id] = location.name }
        return names
    }

    func line(_ batch: AuditBatch, names: [String: String], local: LocalTime, t: Messages) -> Line {
        let payload = batch.payload
        let classes = t.plural("plans.terms.classes", count: payload.sessionIds.count)
        let headline: String =
            switch batch.action {
            case BulkAction.delete.auditAction: t("batches.deleted", ["classes": classes])
            case BulkAction.publish.auditAction: t("batches.published", ["classes": classes])
            case BulkAction.cancel.auditAction: t("batches.cancelled", ["classes": classes])
            case AuditBatches.undoAction: t("batches.undid", ["classes": classes])
            default: batch.action
            }
        var effect: [String] = []
        if payload.cancelledBookings > 0 { effect.append(t.plural("batches.effect.bookings", count: payload.cancelledBookings)) }
        if payload.refundedCredits > 0 { effect.append(t.plural("batches.effect.credits", count: payload.refundedCredits)) }
        if !payload.skippedSessionIds.isEmpty { effect.append(t.plural("batches.effect.skipped", count: payload.skippedSessionIds.count)) }
        if let reason = payload.reason { effect.append(t("batches.effect.reason", ["reason": reason])) }
        let undoable = batch.action == BulkAction.delete.auditAction || batch.action == BulkAction.publish.auditAction
        return Line(
            batchId: batch.batchId, headline: headline, when: local.dayAndTime(batch.createdAt),
            who: batch.actorName ?? t["batches.someone"],
            filter: payload.filter.map { Self.describe($0, names: names) } ?? "", effect: effect.joined(separator: " · "),
            undone: batch.undoneBy != nil, canUndo: undoable && batch.undoneBy == nil)
    }

    /// The filter in words: "Vinyasa · Loft · 2026-11-23 to 2026-11-29 · Mon, Wed · 18:00 · drafts".
    static func describe(_ filter: BulkFilter, names: [String: String]) -> String {
        let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        var parts: [String] = []
        for id in [filter.programId, filter.classTypeId, filter.locationId].compactMap({ $0 }) {
            parts.append(names[id] ?? "a removed item")
        }
        switch (filter.from, filter.to) {
        case let (from?, to?): parts.append(from == to ? from : "\(from) to \(to)")
        case let (from?, nil): parts.append("from \(from)")
        case let (nil, to?): parts.append("until \(to)")
        default: break
        }
        if let days = filter.daysOfWeek { parts.append(days.map { weekdays[$0 - 1] }.joined(separator: ", ")) }
        if let times = filter.startTimes { parts.append(times.joined(separator: ", ")) }
        if let statuses = filter.status { parts.append(statuses.map { $0 == .draft ? "drafts" : $0.rawValue }.joined(separator: ", ")) }
        return parts.joined(separator: " · ")
    }

    struct UndoForm: Decodable {
        let csrf: String?
        let org: String?
        let batch: String?
    }

    @Sendable func undo(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.decodeForm(UndoForm.self, context: context)
        try PageCSRF.check(request, field: form.csrf)
        guard let orgId = form.org, NewID.isWellFormed(orgId), let batchId = form.batch, NewID.isWellFormed(batchId) else {
            throw DomainError.notFound("Batch")
        }
        let scope = try await OrgAccess(services: services).scope(context, orgId: orgId, requiring: .manager)
        do {
            _ = try await BulkSessionsStore(database: services.database)
                .undo(org: scope.organization, batchId: batchId.lowercased(), actor: scope.actor, now: services.now)
            return PageResponder.redirect(to: "/admin/batches?org=\(scope.orgId)&done=undone")
        } catch let error as DomainError where error.status == 409 {
            return try await page(
                orgId: scope.orgId, cursor: nil, request: request, context: context, status: .conflict,
                flash: PageFrame.Flash(ok: false, message: error.message))
        }
    }
}
