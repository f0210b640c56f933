import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// Creating a class from the week, and one class's page, `GET /admin/timetable/classes/:session?org=`:
/// what it is, "this class only" edits, publish / unpublish / cancel, and for a class of a weekly
/// series the ways to its "this and following" edit and to ending the series. The writes are the
/// API's (`POST …/sessions`, `PATCH /api/sessions/:id`, `…/publish|unpublish|cancel`) through
/// `SessionsStore` with the same checks: staff create and edit (coaches drafts only, which the store
/// enforces), owners and admins publish, unpublish and cancel.
extension AdminTimetablePage {
    struct ClassView {
        let shell: AdminShellView
        let orgId: String
        let id: String
        let name: String
        let when: String
        let status: String
        let statusLabel: String
        let booked: String
        let waitlist: String
        let location: String?
        let coach: String?
        let cancelReason: String?
        let colorClass: String
        let colors: [TimetableChoices.ColorRule]
        let inSeries: Bool
        let seriesNote: String
        let seriesLinks: Bool
        let editSeriesLink: String
        let endSeriesLink: String
        let canEdit: Bool
        let coachLocked: Bool
        let isCancelled: Bool
        let form: ClassDraft
        let canPublish: Bool
        let canUnpublish: Bool
        let canCancel: Bool
        let cancelLink: String
        /// The class's entries in the studio's audit log (owners and admins).
        let auditLink: String?
        let weekLink: String
    }

    /// The success messages of the redirects back to a class, in the reader's language.
    static func classFlash(_ request: Request, _ t: Messages) -> PageFrame.Flash? {
        let query = request.uri.queryParameters
        let count = { (key: String) in query.get(key).flatMap { Int($0) }.map { max(0, $0) } ?? 0 }
        let message: String
        switch query.get("done") {
        case "saved": message = t["timetable.done.classSaved"]
        case "published": message = t["timetable.done.published"]
        case "unpublished": message = t["timetable.done.unpublished"]
        case "cancelled":
            message = t(
                "timetable.done.cancelled",
                ["bookings": t.plural("timetable.count.bookings", count: count("bookings")), "credits": t.number(count("credits"))])
        default: return nil
        }
        return PageFrame.Flash(ok: true, message: message)
    }

    /// The 404 page for a class or series that is not the studio's (in the browser's language, as
    /// `AdminShell.notFound` writes its frame).
    func notFound(_ key: String, _ request: Request, _ context: AppRequestContext) throws -> Response {
        try AdminShell.notFound(responder, message: PageLanguage.browser(request)[key], request: request, context: context)
    }

    func sessionId(_ context: AppRequestContext) -> String? {
        guard let raw = context.parameters.get("session"), NewID.isWellFormed(raw) else { return nil }
        return raw.lowercased()
    }

    @Sendable func showClass(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = sessionId(context) else { return try notFound("timetable.notFound.class", request, context) }
        let query = request.uri.queryParameters
        return try await classPage(orgId: query.get("org"), id: id, request: request, context: context, done: true)
    }

    /// One class's page; `done` shows the message of the redirect that led here (`?done=`).
    func classPage(
        orgId: String?, id: String, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok,
        flash: PageFrame.Flash? = nil, done: Bool = false, draft: ClassDraft? = nil
    ) async throws -> Response {
        guard
            let admin = try await AdminShell.resolve(services, context: context, orgId: orgId, section: .timetable, request: request)
        else {
            return try AdminShell.refusal(responder, section: .timetable, request: request, context: context)
        }
        let scope = admin.scope
        let t = admin.t
        let flash = flash ?? (done ? Self.classFlash(request, t) : nil)
        guard let item = try await timetable.timetableClass(orgId: scope.orgId, id: id) else {
            return try notFound("timetable.notFound.class", request, context)
        }
        let s = item.scheduled
        let session = s.session
        let calendar = OrgCalendar(timezone: scope.organization.timezone)
        let local = t.localTime(timezone: scope.organization.timezone, now: services.now)
        let choices = try await TimetableChoices.load(services, orgId: scope.orgId)
        let manager = scope.role.isManager
        let localDate = calendar.localDateString(session.startsAt)
        let seriesFrom = item.seriesDate ?? localDate
        let current = ClassDraft(
            classTypeId: session.classTypeId, locationId: session.locationId ?? "", coachId: session.coachMembershipId ?? "",
            date: localDate, time: calendar.localTimeString(session.startsAt), duration: String(session.durationMin),
            capacity: String(session.capacity))
        let seriesBase = item.seriesId.map { "\(Self.path)/series/\($0)" } ?? ""
        let view = ClassView(
            shell: admin.shell, orgId: scope.orgId, id: id, name: s.classTypeName,
            when: "\(local.longDate(session.startsAt)), \(local.range(session.startsAt, session.endsAt))",
            status: session.status.rawValue, statusLabel: TimetableChoices.statusLabel(session.status, t),
            booked: t("timetable.class.booked", ["booked": t.number(s.bookedCount), "capacity": t.number(session.capacity)]),
            waitlist: t.plural("timetable.class.waitlist", count: s.waitlistCount), location: s.locationName,
            coach: s.coachName, cancelReason: session.cancelReason, colorClass: TimetableChoices.colorClass(session.classTypeId),
            colors: choices.colors, inSeries: item.seriesId != nil,
            seriesNote: item.seriesDetached ? t["timetable.class.seriesDetached"] : t["timetable.class.seriesNote"],
            seriesLinks: item.seriesId != nil && manager,
            editSeriesLink: "\(seriesBase)?org=\(scope.orgId)&from=\(seriesFrom)",
            endSeriesLink: "\(seriesBase)/end?org=\(scope.orgId)&from=\(seriesFrom)",
            canEdit: session.status != .cancelled && (manager || session.status == .draft),
            coachLocked: !manager && session.status == .published, isCancelled: session.status == .cancelled,
            form: (draft ?? current).resolved(choices, canPublish: false),
            canPublish: manager && session.status == .draft, canUnpublish: manager && session.status == .published,
            canCancel: manager && session.status == .published,
            cancelLink: "\(Self.path)/classes/\(id)/cancel?org=\(scope.orgId)",
            auditLink: manager ? AdminAuditPage.classLink(org: scope.orgId, sessionId: id) : nil,
            weekLink: "\(Self.path)?org=\(scope.orgId)&week=\(calendar.localDateString(calendar.startOfWeek(session.startsAt)))")
        return try AdminShell.page(
            responder, "admin_timetable_class", title: Self.title(s.classTypeName, t), page: view, scope: scope, request: request,
            context: context, status: status, flash: flash, t: t)
    }

    /// A form post: CSRF first, then `action`; a refusal comes back through `refused` (404s as the
    /// not-found page).
    func post(
        _ request: Request, _ context: AppRequestContext, refused: (DomainError, TimetableForm) async throws -> Response,
        _ action: (TimetableForm) async throws -> Response
    ) async throws -> Response {
        let form = try await request.decodeForm(TimetableForm.self, context: context)
        try PageCSRF.check(request, field: form.csrf)
        do {
            return try await action(form)
        } catch let error as DomainError where error.kind == .notFound {
            return try AdminShell.notFound(responder, message: error.message, request: request, context: context)
        } catch let error as DomainError {
            return try await refused(error, form)
        }
    }

    func scope(_ form: TimetableForm, _ context: AppRequestContext, _ permission: Permission) async throws -> OrgScope {
        try await OrgAccess(services: services).scope(context, orgId: form.org ?? "", requiring: permission)
    }

    func weekLink(_ scope: OrgScope, date: Date, location: String?) -> String {
        let calendar = OrgCalendar(timezone: scope.organization.timezone)
        let filter = LocalPath.queryValue(location)
        return "\(Self.path)?org=\(scope.orgId)&week=\(calendar.localDateString(calendar.startOfWeek(date)))"
            + (filter.isEmpty ? "" : "&location=\(filter)")
    }

    @Sendable func createClass(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(
            request, context,
            refused: { error, form in
                try await page(
                    orgId: form.org, week: form.week, location: form.location, request: request, context: context,
                    status: error.httpStatus, flash: AdminShell.failure(error),
                    classForm: ClassDraft(form, offerForce: TimetableFields.offersForce(error)))
            }
        ) { form in
            let scope = try await scope(form, context, .staff)
            let publish = FormValue.checked(form.publish)
            if publish && !scope.role.isManager {
                throw DomainError.forbidden("Only owners and admins publish classes; untick “Publish” to create a draft.")
            }
            let now = services.now
            let session = try await services.sessions.create(
                orgId: scope.orgId, classTypeId: try IDs.ref(form.classType ?? "", "Class type"),
                locationId: try TimetableFields.optionalId(form.classLocation, "Location"),
                coachMembershipId: try TimetableFields.optionalId(form.coach, "Coach"),
                startsAt: try TimetableFields.start(
                    date: form.date, time: form.time, calendar: OrgCalendar(timezone: scope.organization.timezone)),
                durationMin: try TimetableFields.duration(form.duration), capacity: try TimetableFields.capacity(form.capacity),
                createdBy: scope.membership.id, force: FormValue.checked(form.force), actor: scope.actor, now: now)
            if publish { _ = try await services.sessions.publish(orgId: scope.orgId, id: session.id, actor: scope.actor, now: now) }
            return PageResponder.redirect(
                to: weekLink(scope, date: session.startsAt, location: form.location)
                    + "&done=\(publish ? "class-published" : "class-created")")
        }
    }

    /// A post about one class: the class must be the studio's (404 otherwise); refusals show its page.
    func classPost(
        _ request: Request, _ context: AppRequestContext, keepForm: Bool = false,
        _ action: (TimetableForm, String) async throws -> Response
    ) async throws -> Response {
        guard let id = sessionId(context) else { return try notFound("timetable.notFound.class", request, context) }
        return try await post(
            request, context,
            refused: { error, form in
                try await classPage(
                    orgId: form.org, id: id, request: request, context: context, status: error.httpStatus,
                    flash: AdminShell.failure(error),
                    draft: keepForm ? ClassDraft(form, offerForce: TimetableFields.offersForce(error)) : nil)
            }
        ) { form in try await action(form, id) }
    }

    func classDone(_ scope: OrgScope, _ id: String, _ code: String) -> Response {
        PageResponder.redirect(to: "\(Self.path)/classes/\(id)?org=\(scope.orgId)&done=\(code)")
    }

    /// "This class only": the fields that differ from the class, as `PATCH /api/sessions/:id` takes them.
    @Sendable func updateClass(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await classPost(request, context, keepForm: true) { form, id in
            let scope = try await scope(form, context, .staff)
            guard let current = try await services.sessions.session(orgId: scope.orgId, id: id) else { throw DomainError.notFound("Class") }
            let calendar = OrgCalendar(timezone: scope.organization.timezone)
            var changes = SessionChanges(force: FormValue.checked(form.force))
            let classType = try IDs.ref(form.classType ?? "", "Class type")
            if classType != current.classTypeId { changes.classTypeId = classType }
            let location = try TimetableFields.optionalId(form.classLocation, "Location")
            if location != current.locationId { changes.locationId = .some(location) }
            let coach = try TimetableFields.optionalId(form.coach, "Coach")
            if coach != current.coachMembershipId { changes.coachMembershipId = .some(coach) }
            let startsAt = try TimetableFields.start(date: form.date, time: form.time, calendar: calendar)
            if calendar.localDateString(startsAt) != calendar.localDateString(current.startsAt)
                || calendar.localTimeString(startsAt) != calendar.localTimeString(current.startsAt)
            {
                changes.startsAt = startsAt
            }
            if let duration = try TimetableFields.duration(form.duration), duration != current.durationMin {
                changes.durationMin = duration
            }
            if let capacity = try TimetableFields.capacity(form.capacity), capacity != current.capacity { changes.capacity = capacity }
            _ = try await services.sessions.update(orgId: scope.orgId, id: id, changes: changes, actor: scope.actor, now: services.now)
            return classDone(scope, id, "saved")
        }
    }

    @Sendable func publishClass(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await classPost(request, context) { form, id in
            let scope = try await scope(form, context, .manager)
            _ = try await services.sessions.publish(orgId: scope.orgId, id: id, actor: scope.actor, now: services.now)
            return classDone(scope, id, "published")
        }
    }

    @Sendable func unpublishClass(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await classPost(request, context) { form, id in
            let scope = try await scope(form, context, .manager)
            _ = try await services.sessions.unpublish(orgId: scope.orgId, id: id, actor: scope.actor, now: services.now)
            return classDone(scope, id, "unpublished")
        }
    }

    // MARK: Cancelling one class

    struct CancelView {
        let shell: AdminShellView
        let orgId: String
        let id: String
        let name: String
        /// "Cancel Vinyasa" in the reader's language.
        let heading: String
        let when: String
        let confirmed: Int
        let waitlisted: Int
        /// The confirmation button, with the counts.
        let confirmLabel: String
        let summary: String
        let members: [PreviewMember]
        let hasMembers: Bool
        let classLink: String
    }

    @Sendable func showCancel(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = sessionId(context) else { return try notFound("timetable.notFound.class", request, context) }
        return try await cancelPage(orgId: request.uri.queryParameters.get("org"), id: id, request: request, context: context)
    }

    func cancelPage(
        orgId: String?, id: String, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok,
        flash: PageFrame.Flash? = nil
    ) async throws -> Response {
        guard
            let admin = try await AdminShell.resolve(services, context: context, orgId: orgId, section: .timetable, request: request)
        else {
            return try AdminShell.refusal(responder, section: .timetable, request: request, context: context)
        }
        let scope = admin.scope
        let t = admin.t
        guard let item = try await timetable.timetableClass(orgId: scope.orgId, id: id) else {
            return try notFound("timetable.notFound.class", request, context)
        }
        guard scope.role.isManager else {
            return try await classPage(
                orgId: scope.orgId, id: id, request: request, context: context, status: .forbidden,
                flash: AdminShell.failure(DomainError.forbidden()))
        }
        guard item.session.status == .published else {
            let refusal =
                item.session.status == .draft
                ? DomainError(.notPublished, "Only a published session can be cancelled; delete a draft instead.")
                : DomainError(.sessionCancelled, "This class is cancelled already.")
            return try await classPage(
                orgId: scope.orgId, id: id, request: request, context: context, status: refusal.httpStatus,
                flash: AdminShell.failure(refusal))
        }
        let members = try await timetable.affectedMembers(orgId: scope.orgId, sessionIds: [id])
        let confirmed = members.reduce(0) { $0 + $1.confirmed }
        let waitlisted = members.reduce(0) { $0 + $1.waitlisted }
        let local = t.localTime(timezone: scope.organization.timezone, now: services.now)
        let session = item.session
        let counts = ["confirmed": t.number(confirmed), "waitlisted": t.number(waitlisted)]
        let heading = t("timetable.cancel.heading", ["name": item.scheduled.classTypeName])
        let view = CancelView(
            shell: admin.shell, orgId: scope.orgId, id: id, name: item.scheduled.classTypeName, heading: heading,
            when: "\(local.longDate(session.startsAt)), \(local.range(session.startsAt, session.endsAt))", confirmed: confirmed,
            waitlisted: waitlisted, confirmLabel: t("timetable.cancel.confirm", counts),
            summary: t.plural("timetable.cancel.summary", count: confirmed + waitlisted, counts),
            members: members.map { PreviewMember($0, t) }, hasMembers: !members.isEmpty,
            classLink: "\(Self.path)/classes/\(id)?org=\(scope.orgId)")
        return try AdminShell.page(
            responder, "admin_timetable_cancel", title: Self.title(heading, t), page: view, scope: scope, request: request,
            context: context, status: status, flash: flash, t: t)
    }

    @Sendable func cancelClass(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = sessionId(context) else { return try notFound("timetable.notFound.class", request, context) }
        return try await post(
            request, context,
            refused: { error, form in
                try await cancelPage(
                    orgId: form.org, id: id, request: request, context: context, status: error.httpStatus,
                    flash: AdminShell.failure(error))
            }
        ) { form in
            let scope = try await scope(form, context, .manager)
            let reason = try FormValue.text(form.reason).map { try Validate.name($0, field: "reason", maxLength: 500) }
            let (_, effect) = try await services.sessions.cancel(
                orgId: scope.orgId, id: id, reason: reason, actorMembershipId: scope.membership.id, actor: scope.actor, now: services.now)
            return classDone(scope, id, "cancelled&bookings=\(effect.cancelledBookings)&credits=\(effect.refundedCredits)")
        }
    }
}
