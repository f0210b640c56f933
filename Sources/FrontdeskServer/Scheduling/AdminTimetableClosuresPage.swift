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

    static func closuresFlash(_ request: Request) -> PageFrame.Flash? {
        let query = request.uri.queryParameters
        let count = { (key: String) in query.get(key).flatMap { Int($0) }.map { max(0, $0) } ?? 0 }
        switch query.get("done") {
        case "added":
            let classes = count("changed")
            let bookings = count("bookings")
            return PageFrame.Flash(
                ok: true,
                message: "Closure added: \(classes == 1 ? "1 class" : "\(classes) classes") taken down, "
                    + "\(bookings == 1 ? "1 booking" : "\(bookings) bookings") cancelled and refunded, members told.")
        case "removed":
            let made = count("made")
            return PageFrame.Flash(
                ok: true, message: "Closure removed; the weekly series made \(made == 1 ? "1 class" : "\(made) classes") on its dates.")
        default: return nil
        }
    }

    @Sendable func showClosures(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        return try await closuresPage(orgId: query.get("org"), request: request, context: context, flash: Self.closuresFlash(request))
    }

    func closuresPage(
        orgId: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok, flash: PageFrame.Flash? = nil,
        form: TimetableForm? = nil
    ) async throws -> Response {
        guard let admin = try await AdminShell.resolve(services, context: context, orgId: orgId, section: .timetable) else {
            return try AdminShell.refusal(responder, section: .timetable, request: request, context: context)
        }
        let scope = admin.scope
        let calendar = OrgCalendar(timezone: scope.organization.timezone)
        let today = calendar.localDateString(services.now)
        let locations = try await services.catalog.locations(orgId: scope.orgId)
        let names = Dictionary(locations.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let list = try await closures.list(orgId: scope.orgId, fromDate: today)
        let view = ClosuresView(
            shell: admin.shell, orgId: scope.orgId, canManage: scope.role.isManager,
            closures: list.map {
                ClosureLine(
                    id: $0.id, dates: $0.from == $0.to ? $0.from : "\($0.from) to \($0.to)",
                    place: $0.locationId.map { names[$0] ?? "A removed location" } ?? "Whole studio", reason: $0.reason)
            },
            empty: list.isEmpty,
            locations: locations.map { Choice(id: $0.id, name: $0.name, selected: $0.id == form?.classLocation) },
            from: form?.from ?? today, to: form?.to ?? today, draftReason: form?.reason ?? "",
            weekLink: "\(Self.path)?org=\(scope.orgId)")
        return try AdminShell.page(
            responder, "admin_timetable_closures", title: "Closures · Timetable", page: view, scope: scope, request: request,
            context: context, status: status, flash: flash)
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
        guard let admin = try await AdminShell.resolve(services, context: context, orgId: scope.orgId, section: .timetable) else {
            return try AdminShell.refusal(responder, section: .timetable, request: request, context: context)
        }
        var place: String?
        if let locationId = range.locationId { place = try await services.catalog.location(orgId: scope.orgId, id: locationId)?.name }
        let dates = range.firstDate == range.lastDate ? range.firstDate : "\(range.firstDate) to \(range.lastDate)"
        let t = preview.totals
        var screen = TimetablePreview(
            heading: "Close \(place ?? "the whole studio") \(range.firstDate == range.lastDate ? "on" : "from") \(dates)",
            intro: "No class is made on these dates. Closing cancels the \(t.published) published classes below (their confirmed "
                + "and waitlisted bookings are cancelled, charged credits refunded and the members told, with the reason) and deletes "
                + "the \(t.drafts) drafts. This cannot be undone; removing the closure later does not bring cancelled classes back.",
            action: "\(Self.path)/closures",
            hidden: [
                .init(name: "classLocation", value: range.locationId ?? ""), .init(name: "from", value: range.firstDate),
                .init(name: "to", value: range.lastDate),
            ],
            confirmLabel: "Close these dates", backLink: "\(Self.path)/closures?org=\(scope.orgId)", backLabel: "Back to closures")
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
