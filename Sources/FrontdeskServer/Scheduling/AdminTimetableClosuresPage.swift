import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// Closures from the timetable, `GET /admin/timetable/closures?org=`: the closures not over yet (staff
/// read them), and for owners and admins a form to add one — the whole studio or one location, from
/// and to, a reason — that previews the classes it would take down (`ClosuresStore.preview`, with the
/// members it reaches) before the confirmation adds it with the preview's fingerprint
/// (`ClosuresStore.create`); and a button to remove one (`ClosuresStore.delete`).
extension AdminTimetablePage {
    var closures: ClosuresStore { ClosuresStore(database: services.database) }

    struct ClosureLine {
        let id: String
        let dates: String
        let place: String
        let reason: String?
    }

    struct ClosuresView {
        let shell: AdminShellView
        let orgId: String
        let canManage: Bool
        let closures: [ClosureLine]
        let empty: Bool
        let locations: [Choice]
        let from: String
        let to: String
        let draftReason: String
        let weekLink: String
    }

    /// The success messages of the redirects back to the closures, in the reader's language.
    static func closuresFlash(_ request: Request, _ t: Messages) -> PageFrame.Flash? {
        let query = request.uri.queryParameters
        let count = { (key: String) in query.get(key).flatMap { Int($0) }.map { max(0, $0) } ?? 0 }
        switch query.get("done") {
        case "added":
            return PageFrame.Flash(
                ok: true,
                message: t(
                    "timetable.done.closureAdded",
                    [
                        "classes": t.plural("timetable.count.classes", count: count("changed")),
                        "bookings": t.plural("timetable.count.bookings", count: count("bookings")),
                    ]))
        case "removed":
            return PageFrame.Flash(
                ok: true,
                message: t("timetable.done.closureRemoved", ["classes": t.plural("timetable.count.classes", count: count("made"))]))
        default: return nil
        }
    }

    /// "2026-11-30" or "2026-11-30 to 2026-12-01" ("30.11.2026 bis 01.12.2026") in the reader's language.
    static func dates(_ first: String, _ last: String, _ t: Messages) -> String {
        let from = LocalTime.localDate(first, t.language)
        return first == last ? from : t("timetable.range", ["from": from, "to": LocalTime.localDate(last, t.language)])
    }

    @Sendable func showClosures(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        return try await closuresPage(orgId: query.get("org"), request: request, context: context, done: true)
    }

    /// The closures page; `done` shows the message of the redirect that led here (`?done=`).
    func closuresPage(
        orgId: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok, flash: PageFrame.Flash? = nil,
        done: Bool = false, form: TimetableForm? = nil
    ) async throws -> Response {
        guard
            let admin = try await AdminShell.resolve(services, context: context, orgId: orgId, section: .timetable, request: request)
        else {
            return try AdminShell.refusal(responder, section: .timetable, request: request, context: context)
        }
        let scope = admin.scope
        let t = admin.t
        let flash = flash ?? (done ? Self.closuresFlash(request, t) : nil)
        let calendar = OrgCalendar(timezone: scope.organization.timezone)
        let today = calendar.localDateString(services.now)
        let locations = try await services.catalog.locations(orgId: scope.orgId)
        let names = Dictionary(locations.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let list = try await closures.list(orgId: scope.orgId, fromDate: today)
        let view = ClosuresView(
            shell: admin.shell, orgId: scope.orgId, canManage: scope.role.isManager,
            closures: list.map {
                ClosureLine(
                    id: $0.id, dates: Self.dates($0.from, $0.to, t),
                    place: $0.locationId.map { names[$0] ?? t["timetable.closures.removedLocation"] }
                        ?? t["timetable.closures.wholeStudio"],
                    reason: $0.reason)
            },
            empty: list.isEmpty,
            locations: locations.map { Choice(id: $0.id, name: $0.name, selected: $0.id == form?.classLocation) },
            from: form?.from ?? today, to: form?.to ?? today, draftReason: form?.reason ?? "",
            weekLink: "\(Self.path)?org=\(scope.orgId)")
        return try AdminShell.page(
            responder, "admin_timetable_closures", title: Self.title(t["timetable.closures.title"], t), page: view, scope: scope,
            request: request, context: context, status: status, flash: flash, t: t)
    }

    func closureRange(_ form: TimetableForm, _ scope: OrgScope) throws -> ClosureRange {
        let calendar = OrgCalendar(timezone: scope.organization.timezone)
        return try ClosureRange(
            locationId: try TimetableFields.optionalId(form.classLocation, "Location"), firstDate: FormValue.text(form.from) ?? "",
            lastDate: FormValue.text(form.to) ?? ""
        ).validated(calendar: calendar, today: calendar.localDateString(services.now))
    }

    func closurePreviewPage(
        _ scope: OrgScope, form: TimetableForm, range: ClosureRange, preview: BulkPreview, request: Request, context: AppRequestContext,
        status: HTTPResponse.Status = .ok, flash: PageFrame.Flash? = nil
    ) async throws -> Response {
        guard
            let admin = try await AdminShell.resolve(
                services, context: context, orgId: scope.orgId, section: .timetable, request: request)
        else {
            return try AdminShell.refusal(responder, section: .timetable, request: request, context: context)
        }
        let t = admin.t
        var locationName: String?
        if let locationId = range.locationId {
            locationName = try await services.catalog.location(orgId: scope.orgId, id: locationId)?.name
        }
        let place = locationName ?? t["timetable.closures.theWholeStudio"]
        let from = LocalTime.localDate(range.firstDate, t.language)
        let totals = preview.totals
        var screen = TimetablePreview(
            heading: range.firstDate == range.lastDate
                ? t("timetable.closures.headingOn", ["place": place, "date": from])
                : t(
                    "timetable.closures.headingFrom",
                    ["place": place, "from": from, "to": LocalTime.localDate(range.lastDate, t.language)]),
            intro: t(
                "timetable.closures.intro", ["published": t.number(totals.published), "drafts": t.number(totals.drafts)]),
            action: "\(Self.path)/closures",
            hidden: [
                .init(name: "classLocation", value: range.locationId ?? ""), .init(name: "from", value: range.firstDate),
                .init(name: "to", value: range.lastDate),
            ],
            confirmLabel: t["timetable.closures.confirm"], backLink: "\(Self.path)/closures?org=\(scope.orgId)",
            backLabel: t["timetable.closures.backToClosures"])
        screen.askReason = true
        screen.reason = form.reason ?? ""
        return try await screen.render(
            self, preview: preview, admin: admin, request: request, context: context, status: status, flash: flash)
    }

    @Sendable func closurePreview(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(
            request, context,
            refused: { error, form in
                try await closuresPage(
                    orgId: form.org, request: request, context: context, status: error.httpStatus, flash: AdminShell.failure(error),
                    form: form)
            }
        ) { form in
            let scope = try await scope(form, context, .manager)
            let range = try closureRange(form, scope)
            _ = try FormValue.text(form.reason).map { try Validate.name($0, field: "reason", maxLength: 500) }
            let preview = try await closures.preview(
                org: scope.organization, range: range, maximum: services.configuration.bulkMaxSessions, now: services.now)
            return try await closurePreviewPage(scope, form: form, range: range, preview: preview, request: request, context: context)
        }
    }

    @Sendable func createClosure(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(
            request, context,
            refused: { error, form in
                try await closuresPage(
                    orgId: form.org, request: request, context: context, status: error.httpStatus, flash: AdminShell.failure(error),
                    form: form)
            }
        ) { form in
            let scope = try await scope(form, context, .manager)
            let range = try closureRange(form, scope)
            let reason = try FormValue.text(form.reason).map { try Validate.name($0, field: "reason", maxLength: 500) }
            let fingerprint = try BulkConfirmation.check(
                confirm: true, fingerprint: FormValue.text(form.fingerprint), what: "close these dates")
            let outcome = try await closures.create(
                org: scope.organization, range: range, reason: reason, fingerprint: fingerprint, actor: scope.actor,
                maximum: services.configuration.bulkMaxSessions, now: services.now)
            switch outcome {
            case .done(_, let batch):
                return PageResponder.redirect(
                    to: "\(Self.path)/closures?org=\(scope.orgId)&done=added&changed=\(batch.payload.sessionIds.count)"
                        + "&bookings=\(batch.payload.cancelledBookings)")
            case .changed(let preview):
                return try await closurePreviewPage(
                    scope, form: form, range: range, preview: preview, request: request, context: context, status: .conflict,
                    flash: AdminShell.failure(TimetablePreview.changed))
            }
        }
    }

    @Sendable func deleteClosure(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(
            request, context,
            refused: { error, form in
                try await closuresPage(
                    orgId: form.org, request: request, context: context, status: error.httpStatus, flash: AdminShell.failure(error))
            }
        ) { form in
            let scope = try await scope(form, context, .manager)
            let id = try FormValue.id(context.parameters.get("closure"), "Closure")
            let made = try await closures.delete(
                org: scope.organization, id: id, actor: scope.actor, horizonWeeks: services.configuration.scheduleHorizonWeeks,
                now: services.now)
            return PageResponder.redirect(to: "\(Self.path)/closures?org=\(scope.orgId)&done=removed&made=\(made)")
        }
    }
}
