import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// Bulk changes from the timetable (owners and admins, as `…/sessions/bulk/*`): classes ticked on the
/// week (the filter's `sessionIds`) or the filter form → `POST /admin/timetable/bulk/preview` lists the
/// matches with their bookings and the members they would reach → `…/bulk/confirm` publishes, cancels
/// or deletes exactly those through `BulkSessionsStore.execute` with the preview's fingerprint (the
/// filter travels as its JSON in a hidden field and is validated again); a changed preview is shown again.
extension AdminTimetablePage {
    var bulk: BulkSessionsStore { BulkSessionsStore(database: services.database) }

    /// The filter the form describes: the ticked classes, or the filter fields.
    static func filter(_ form: TimetableForm) throws -> BulkFilter {
        if form.action == "select" {
            guard let ids = form.sessions, !ids.isEmpty else { throw DomainError.invalidField("sessions", "tick at least one class.") }
            return BulkFilter(sessionIds: ids)
        }
        var filter = BulkFilter()
        filter.classTypeId = FormValue.text(form.classType)
        filter.locationId = FormValue.text(form.classLocation)
        filter.from = FormValue.text(form.from)
        filter.to = FormValue.text(form.to)
        if let days = form.weekdays, !days.isEmpty { filter.daysOfWeek = try TimetableFields.weekdays(days) }
        if FormValue.text(form.time) != nil { filter.startTimes = [try TimetableFields.clock(form.time, field: "startTimes").text] }
        if let statuses = form.status, !statuses.isEmpty {
            filter.status = try statuses.map {
                guard let status = SessionStatus(rawValue: $0) else {
                    throw DomainError.invalidField("status", "choose draft, published or cancelled.")
                }
                return status
            }
        }
        return filter
    }

    static func encoded(_ filter: BulkFilter) throws -> String {
        String(decoding: try JSONEncoder().encode(filter), as: UTF8.self)
    }

    static func decoded(_ text: String?) throws -> BulkFilter {
        guard let text, let filter = try? JSONDecoder().decode(BulkFilter.self, from: Data(text.utf8)) else {
            throw DomainError(.invalidForm, "The form could not be read; start the bulk change again from the timetable.")
        }
        return filter
    }

    func bulkPage(
        _ scope: OrgScope, form: TimetableForm, filter: BulkFilter, preview: BulkPreview, request: Request, context: AppRequestContext,
        status: HTTPResponse.Status = .ok, flash: PageFrame.Flash? = nil
    ) async throws -> Response {
        guard
            let admin = try await AdminShell.resolve(
                services, context: context, orgId: scope.orgId, section: .timetable, request: request)
        else {
            return try AdminShell.refusal(responder, section: .timetable, request: request, context: context)
        }
        let t = admin.t
        let totals = preview.totals
        let chosen = BulkAction(rawValue: form.action ?? "")
        func choice(_ action: BulkAction, _ label: String) -> TimetablePreview.ActionChoice {
            TimetablePreview.ActionChoice(value: action.rawValue, label: label, checked: chosen == action)
        }
        let week = LocalPath.dateValue(form.week)
        let location = LocalPath.queryValue(form.location)
        var screen = TimetablePreview(
            heading: t("timetable.bulk.heading", ["classes": t.plural("timetable.count.classes", count: totals.sessions)]),
            intro: t["timetable.bulk.intro"],
            action: "\(Self.path)/bulk/confirm",
            hidden: [
                .init(name: "filter", value: try Self.encoded(filter)), .init(name: "week", value: week),
                .init(name: "location", value: location),
            ],
            confirmLabel: t["timetable.preview.confirm"],
            backLink: "\(Self.path)?org=\(scope.orgId)&week=\(week)\(location.isEmpty ? "" : "&location=\(location)")",
            backLabel: t["timetable.bulk.back"])
        screen.actions = [
            choice(.publish, t.plural("timetable.bulk.publish", count: totals.drafts)),
            choice(.cancel, t.plural("timetable.bulk.cancel", count: totals.published)),
            choice(.delete, t.plural("timetable.bulk.delete", count: totals.sessions)),
        ]
        screen.askReason = true
        screen.reason = form.reason ?? ""
        return try await screen.render(
            self, preview: preview, admin: admin, request: request, context: context, status: status, flash: flash)
    }

    @Sendable func bulkPreview(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(
            request, context,
            refused: { error, form in
                try await page(
                    orgId: form.org, week: form.week, location: form.location, request: request, context: context,
                    status: error.httpStatus, flash: AdminShell.failure(error))
            }
        ) { form in
            let scope = try await scope(form, context, .manager)
            let filter = try Self.filter(form).validated(calendar: OrgCalendar(timezone: scope.organization.timezone))
            let preview = try await bulk.preview(org: scope.organization, filter: filter, maximum: services.configuration.bulkMaxSessions)
            var shown = form
            shown.action = nil
            return try await bulkPage(scope, form: shown, filter: filter, preview: preview, request: request, context: context)
        }
    }

    @Sendable func bulkConfirm(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(
            request, context,
            refused: { error, form in
                // Show the preview again with the refusal when the filter still reads; else the week.
                if let scope = try? await scope(form, context, .manager),
                    let filter = try? Self.decoded(form.filter).validated(calendar: OrgCalendar(timezone: scope.organization.timezone)),
                    let preview = try? await bulk.preview(
                        org: scope.organization, filter: filter, maximum: services.configuration.bulkMaxSessions)
                {
                    return try await bulkPage(
                        scope, form: form, filter: filter, preview: preview, request: request, context: context, status: error.httpStatus,
                        flash: AdminShell.failure(error))
                }
                return try await page(
                    orgId: form.org, week: form.week, location: form.location, request: request, context: context,
                    status: error.httpStatus, flash: AdminShell.failure(error))
            }
        ) { form in
            let scope = try await scope(form, context, .manager)
            let filter = try Self.decoded(form.filter).validated(calendar: OrgCalendar(timezone: scope.organization.timezone))
            guard let action = BulkAction(rawValue: form.action ?? "") else {
                throw DomainError.invalidField("action", "choose publish, cancel or delete.")
            }
            let fingerprint = try BulkConfirmation.check(
                confirm: true, fingerprint: FormValue.text(form.fingerprint), what: "\(action.rawValue) the previewed classes")
            let reason = try FormValue.text(form.reason).map { try Validate.name($0, field: "reason", maxLength: 500) }
            let outcome = try await bulk.execute(
                org: scope.organization, action: action, filter: filter, fingerprint: fingerprint, reason: action == .cancel ? reason : nil,
                actor: scope.actor, maximum: services.configuration.bulkMaxSessions, now: services.now)
            switch outcome {
            case .done(let batch):
                let week = LocalPath.dateValue(form.week)
                let location = LocalPath.queryValue(form.location)
                return PageResponder.redirect(
                    to: "\(Self.path)?org=\(scope.orgId)&week=\(week)\(location.isEmpty ? "" : "&location=\(location)")"
                        + "&done=bulk&action=\(action.rawValue)&changed=\(batch.payload.sessionIds.count)"
                        + "&skipped=\(batch.payload.skippedSessionIds.count)&bookings=\(batch.payload.cancelledBookings)")
            case .changed(let preview):
                return try await bulkPage(
                    scope, form: form, filter: filter, preview: preview, request: request, context: context, status: .conflict,
                    flash: AdminShell.failure(TimetablePreview.changed))
            }
        }
    }
}
