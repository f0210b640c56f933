import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// Weekly series from the timetable (owners and admins, as `…/series` in the API): create one from the
/// week page; `GET /admin/timetable/series/:series?org=&from=` edits "this and following" from a
/// class's date (`SeriesStore.edit`: the answer's counts come back as the week's message, refusals
/// such as `series_day_has_bookings` on this page); `…/end?from=` previews ending it and confirms
/// with the preview's fingerprint (`SeriesStore.endPreview` / `end`, a changed preview shown again).
extension AdminTimetablePage {
    var series: SeriesStore { SeriesStore(database: services.database) }

    func seriesId(_ context: AppRequestContext) -> String? {
        guard let raw = context.parameters.get("series"), NewID.isWellFormed(raw) else { return nil }
        return raw.lowercased()
    }

    /// 403 for staff who may see the timetable but not change its series, closures or bulk changes.
    func managersOnly(_ request: Request, _ context: AppRequestContext, _ t: Messages) throws -> Response {
        try responder.page(
            "message", title: t["admin.nav.timetable"],
            page: PageMessage(headline: t["admin.refusal.headline"], text: t["timetable.managersOnly"]),
            request: request, context: context, status: .forbidden, messages: t)
    }

    @Sendable func createSeries(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(
            request, context,
            refused: { error, form in
                try await page(
                    orgId: form.org, week: form.week, location: form.location, request: request, context: context,
                    status: error.httpStatus, flash: AdminShell.failure(error),
                    seriesForm: SeriesDraftForm(form, offerForce: false))
            }
        ) { form in
            let scope = try await scope(form, context, .manager)
            let calendar = OrgCalendar(timezone: scope.organization.timezone)
            let pattern = try SeriesPattern(
                weekdays: try TimetableFields.weekdays(form.weekdays),
                startTime: try TimetableFields.clock(form.time, field: "startTime").text,
                firstDate: try TimetableFields.date(form.firstDate, field: "firstDate", calendar: calendar),
                lastDate: FormValue.text(form.lastDate)
            ).validated(calendar: calendar)
            let draft = SeriesDraft(
                classTypeId: try IDs.ref(form.classType ?? "", "Class type"),
                locationId: try TimetableFields.optionalId(form.classLocation, "Location"),
                coachMembershipId: try TimetableFields.optionalId(form.coach, "Coach"),
                capacity: try TimetableFields.capacity(form.capacity), durationMin: try TimetableFields.duration(form.duration),
                pattern: pattern, publish: FormValue.checked(form.publish))
            let (_, made) = try await series.create(
                org: scope.organization, draft: draft, actor: scope.actor,
                horizonWeeks: services.configuration.scheduleHorizonWeeks, now: services.now)
            let first = calendar.startOfDay(localDate: pattern.firstDate) ?? services.now
            return PageResponder.redirect(to: weekLink(scope, date: first, location: form.location) + "&done=series-created&made=\(made)")
        }
    }

    // MARK: This and following

    struct SeriesView {
        let shell: AdminShellView
        let orgId: String
        let id: String
        let summary: String
        let from: String
        let form: SeriesDraftForm
        let endLink: String
        let weekLink: String
        let horizonWeeks: Int
        /// "Changes from 2026-12-07" / "Änderungen ab 07.12.2026".
        let changesFrom: String
        /// How "this and following" works, with the horizon.
        let hint: String
        let endHint: String
        let endPreview: String
    }

    /// "Vinyasa: every Mon, Wed at 18:00, from 2026-11-23, open-ended; 12 places, 60 minutes, published."
    /// in the reader's language (weekday names and dates as `local` writes them).
    static func summary(_ series: ClassSeries, _ choices: TimetableChoices, _ local: LocalTime, _ t: Messages) -> String {
        let name = choices.classTypes.first { $0.id == series.classTypeId }?.name ?? t["timetable.series.class"]
        let days = series.weekdays.sorted().map { local.weekdayName($0, short: true) }.joined(separator: ", ")
        var values = [
            "name": name, "days": days, "time": series.startTime, "first": local.localDate(series.firstDate),
            "capacity": t.number(series.capacity), "duration": t.number(series.durationMin),
            "state": series.publish ? t["timetable.series.published"] : t["timetable.series.drafts"],
        ]
        guard let last = series.lastDate else { return t("timetable.series.summary.open", values) }
        values["last"] = local.localDate(last)
        return t("timetable.series.summary.until", values)
    }

    @Sendable func showSeries(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = seriesId(context) else { return try notFound("timetable.notFound.series", request, context) }
        let query = request.uri.queryParameters
        return try await seriesPage(orgId: query.get("org"), id: id, from: query.get("from"), request: request, context: context)
    }

    func seriesPage(
        orgId: String?, id: String, from: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok,
        flash: PageFrame.Flash? = nil, form: SeriesDraftForm? = nil
    ) async throws -> Response {
        guard
            let admin = try await AdminShell.resolve(services, context: context, orgId: orgId, section: .timetable, request: request)
        else {
            return try AdminShell.refusal(responder, section: .timetable, request: request, context: context)
        }
        let scope = admin.scope
        let t = admin.t
        guard scope.role.isManager else { return try managersOnly(request, context, t) }
        guard let current = try await series.series(orgId: scope.orgId, id: id) else {
            return try notFound("timetable.notFound.series", request, context)
        }
        let calendar = OrgCalendar(timezone: scope.organization.timezone)
        let today = calendar.localDateString(services.now)
        let date = max(LocalPath.dateValue(from).isEmpty ? today : LocalPath.dateValue(from), current.firstDate)
        let choices = try await TimetableChoices.load(services, orgId: scope.orgId)
        let anchor = calendar.startOfDay(localDate: date) ?? services.now
        let local = t.localTime(timezone: scope.organization.timezone, now: services.now)
        let shownDate = ["from": local.localDate(date)]
        let view = SeriesView(
            shell: admin.shell, orgId: scope.orgId, id: id, summary: Self.summary(current, choices, local, t), from: date,
            form: (form ?? SeriesDraftForm(current, from: date)).resolved(choices, local),
            endLink: "\(Self.path)/series/\(id)/end?org=\(scope.orgId)&from=\(date)",
            weekLink: weekLink(scope, date: anchor, location: nil), horizonWeeks: services.configuration.scheduleHorizonWeeks,
            changesFrom: t("timetable.series.changesFrom", shownDate),
            hint: t("timetable.series.hint", ["weeks": t.number(services.configuration.scheduleHorizonWeeks)]),
            endHint: t("timetable.series.endHint", shownDate), endPreview: t("timetable.series.endPreview", shownDate))
        return try AdminShell.page(
            responder, "admin_timetable_series", title: Self.title(t["timetable.series.title"], t), page: view, scope: scope,
            request: request, context: context, status: status, flash: flash, t: t)
    }

    @Sendable func editSeries(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = seriesId(context) else { return try notFound("timetable.notFound.series", request, context) }
        return try await post(
            request, context,
            refused: { error, form in
                try await seriesPage(
                    orgId: form.org, id: id, from: form.from, request: request, context: context, status: error.httpStatus,
                    flash: AdminShell.failure(error), form: SeriesDraftForm(form, offerForce: TimetableFields.offersForce(error)))
            }
        ) { form in
            let scope = try await scope(form, context, .manager)
            guard let current = try await series.series(orgId: scope.orgId, id: id) else { throw DomainError.notFound("Series") }
            let calendar = OrgCalendar(timezone: scope.organization.timezone)
            let from = try TimetableFields.date(form.from, field: "from", calendar: calendar)
            var changes = SeriesChanges(force: FormValue.checked(form.force))
            let classType = try IDs.ref(form.classType ?? "", "Class type")
            if classType != current.classTypeId { changes.classTypeId = classType }
            let location = try TimetableFields.optionalId(form.classLocation, "Location")
            if location != current.locationId { changes.locationId = .some(location) }
            let coach = try TimetableFields.optionalId(form.coach, "Coach")
            if coach != current.coachMembershipId { changes.coachMembershipId = .some(coach) }
            if let capacity = try TimetableFields.capacity(form.capacity), capacity != current.capacity { changes.capacity = capacity }
            if let duration = try TimetableFields.duration(form.duration), duration != current.durationMin {
                changes.durationMin = duration
            }
            let weekdays = try TimetableFields.weekdays(form.weekdays)
            if Set(weekdays) != Set(current.weekdays) { changes.weekdays = weekdays }
            let time = try TimetableFields.clock(form.time, field: "startTime").text
            if time != current.startTime { changes.startTime = time }
            let last = FormValue.text(form.lastDate)
            if last != current.lastDate { changes.lastDate = .some(last) }
            let publish = FormValue.checked(form.publish)
            if publish != current.publish { changes.publish = publish }
            let edit = try await series.edit(
                org: scope.organization, id: id, from: from, changes: changes, actor: scope.actor,
                horizonWeeks: services.configuration.scheduleHorizonWeeks, now: services.now)
            let anchor = calendar.startOfDay(localDate: max(from, calendar.localDateString(services.now))) ?? services.now
            return PageResponder.redirect(
                to: weekLink(scope, date: anchor, location: form.location)
                    + "&done=series-edited&from=\(from)&changed=\(edit.changedSessionIds.count)&removed=\(edit.removedSessionIds.count)"
                    + "&created=\(edit.createdSessions)&notified=\(edit.notifiedBookings)")
        }
    }

    // MARK: Ending a series

    @Sendable func showSeriesEnd(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = seriesId(context) else { return try notFound("timetable.notFound.series", request, context) }
        let query = request.uri.queryParameters
        return try await seriesEndPage(orgId: query.get("org"), id: id, from: query.get("from"), request: request, context: context)
    }

    func seriesEndPage(
        orgId: String?, id: String, from: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok,
        flash: PageFrame.Flash? = nil, preview known: BulkPreview? = nil
    ) async throws -> Response {
        guard
            let admin = try await AdminShell.resolve(services, context: context, orgId: orgId, section: .timetable, request: request)
        else {
            return try AdminShell.refusal(responder, section: .timetable, request: request, context: context)
        }
        let scope = admin.scope
        let t = admin.t
        guard scope.role.isManager else { return try managersOnly(request, context, t) }
        let calendar = OrgCalendar(timezone: scope.organization.timezone)
        let date = LocalPath.dateValue(from).isEmpty ? calendar.localDateString(services.now) : LocalPath.dateValue(from)
        let preview: BulkPreview
        do {
            if let known {
                preview = known
            } else {
                preview = try await series.endPreview(
                    org: scope.organization, id: id, from: date, maximum: services.configuration.bulkMaxSessions, now: services.now)
            }
        } catch let error as DomainError where error.kind == .notFound {
            return try notFound("timetable.notFound.series", request, context)
        }
        let members = try await timetable.affectedMembers(orgId: scope.orgId, sessionIds: preview.sessions.map(\.id))
        let shownDate = LocalTime.localDate(date, t.language)
        let screen = TimetablePreview(
            heading: t("timetable.series.endHeading", ["date": shownDate]),
            intro: t(
                "timetable.series.endIntro", ["date": shownDate, "members": t.plural("timetable.count.members", count: members.count)]),
            action: "\(Self.path)/series/\(id)/end", hidden: [.init(name: "from", value: date)],
            confirmLabel: t(
                "timetable.series.endConfirm", ["classes": t.plural("timetable.count.classes", count: preview.totals.sessions)]),
            backLink: "\(Self.path)/series/\(id)?org=\(scope.orgId)&from=\(date)", backLabel: t["timetable.series.backToSeries"])
        return try await screen.render(
            self, preview: preview, admin: admin, request: request, context: context, status: status, flash: flash)
    }

    @Sendable func endSeries(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = seriesId(context) else { return try notFound("timetable.notFound.series", request, context) }
        return try await post(
            request, context,
            refused: { error, form in
                try await seriesEndPage(
                    orgId: form.org, id: id, from: form.from, request: request, context: context, status: error.httpStatus,
                    flash: AdminShell.failure(error))
            }
        ) { form in
            let scope = try await scope(form, context, .manager)
            let calendar = OrgCalendar(timezone: scope.organization.timezone)
            let from = try TimetableFields.date(form.from, field: "from", calendar: calendar)
            let fingerprint = try BulkConfirmation.check(
                confirm: true, fingerprint: FormValue.text(form.fingerprint), what: "end the series")
            let outcome = try await series.end(
                org: scope.organization, id: id, from: from, fingerprint: fingerprint, actor: scope.actor,
                maximum: services.configuration.bulkMaxSessions, now: services.now)
            switch outcome {
            case .done(let batch):
                let anchor = calendar.startOfDay(localDate: max(from, calendar.localDateString(services.now))) ?? services.now
                return PageResponder.redirect(
                    to: weekLink(scope, date: anchor, location: form.location)
                        + "&done=series-ended&changed=\(batch.payload.sessionIds.count)&bookings=\(batch.payload.cancelledBookings)")
            case .changed(let preview):
                return try await seriesEndPage(
                    orgId: scope.orgId, id: id, from: from, request: request, context: context, status: .conflict,
                    flash: AdminShell.failure(TimetablePreview.changed), preview: preview)
            }
        }
    }
}
