import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// A member a change would reach, as the preview pages list them.
struct PreviewMember {
    let name: String
    let email: String
    let bookings: String

    /// The member with their bookings in the reader's language ("1 confirmed, 2 waitlisted").
    init(_ member: AffectedMember, _ t: Messages) {
        name = member.name
        email = member.email
        var parts: [String] = []
        if member.confirmed > 0 { parts.append(t("timetable.preview.memberConfirmed", ["count": t.number(member.confirmed)])) }
        if member.waitlisted > 0 { parts.append(t("timetable.preview.memberWaitlisted", ["count": t.number(member.waitlisted)])) }
        bookings = parts.joined(separator: ", ")
    }
}

/// The preview → confirm page shared by bulk changes, ending a series and adding a closure
/// (`admin_timetable_preview.mustache`): the matched classes with their bookings, the members who
/// would be told, and a confirmation form carrying the preview's fingerprint and `hidden` fields.
struct TimetablePreview {
    struct Line {
        let id: String
        let date: String
        let time: String
        let name: String
        let location: String
        let status: String
        let statusLabel: String
        let confirmed: Int
        let waitlisted: Int
        let attended: Int
    }

    struct Hidden {
        let name: String
        let value: String
    }

    struct ActionChoice {
        let value: String
        let label: String
        let checked: Bool
    }

    struct View {
        let shell: AdminShellView
        let orgId: String
        let heading: String
        let intro: String
        let totals: String
        let lines: [Line]
        let noLines: Bool
        let members: [PreviewMember]
        let hasMembers: Bool
        let membersHeading: String
        let fingerprint: String
        let action: String
        let hidden: [Hidden]
        let actions: [ActionChoice]
        let hasActions: Bool
        let askReason: Bool
        let reason: String
        let confirmLabel: String
        let backLink: String
        let backLabel: String
    }

    let heading: String
    let intro: String
    let action: String
    let hidden: [Hidden]
    var actions: [ActionChoice] = []
    var askReason = false
    var reason = ""
    let confirmLabel: String
    let backLink: String
    let backLabel: String

    /// "2 classes (0 draft, 2 published, 0 cancelled) with 1 confirmed, …" in the reader's language.
    static func totals(_ preview: BulkPreview, _ t: Messages) -> String {
        let totals = preview.totals
        return t(
            "timetable.preview.totals",
            [
                "classes": t.plural("timetable.count.classes", count: totals.sessions), "drafts": t.number(totals.drafts),
                "published": t.number(totals.published), "cancelled": t.number(totals.cancelled),
                "confirmed": t.number(totals.confirmed), "waitlisted": t.number(totals.waitlisted), "attended": t.number(totals.attended),
            ])
    }

    /// The page for `preview` in the studio of `admin`, in the reader's language (`admin.t`); the
    /// refusal `changed` as the flash is written in that language too.
    func render(
        _ page: AdminTimetablePage, preview: BulkPreview, admin: AdminScope, request: Request, context: AppRequestContext,
        status: HTTPResponse.Status = .ok, flash: PageFrame.Flash? = nil
    ) async throws -> Response {
        let scope = admin.scope
        let t = admin.t
        let flash = flash.map {
            $0.message == Self.changed.message ? PageFrame.Flash(ok: false, message: t["timetable.preview.changed"]) : $0
        }
        let local = t.localTime(timezone: scope.organization.timezone, now: page.services.now)
        let services = page.services
        let locations = try await services.catalog.locations(orgId: scope.orgId)
        let names = Dictionary(locations.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let members = try await TimetableStore(database: services.database).affectedMembers(
            orgId: scope.orgId, sessionIds: preview.sessions.map(\.id))
        let lines = preview.sessions.map { match in
            Line(
                id: match.id, date: local.localDate(match.localDate), time: match.localTime, name: match.className,
                location: match.locationId.flatMap { names[$0] } ?? "—", status: match.status.rawValue,
                statusLabel: TimetableChoices.statusLabel(match.status, t), confirmed: match.confirmed, waitlisted: match.waitlisted,
                attended: match.attended)
        }
        let view = View(
            shell: admin.shell, orgId: scope.orgId, heading: heading, intro: intro, totals: Self.totals(preview, t), lines: lines,
            noLines: lines.isEmpty, members: members.map { PreviewMember($0, t) }, hasMembers: !members.isEmpty,
            membersHeading: t.plural("timetable.preview.members", count: members.count),
            fingerprint: preview.fingerprint, action: action, hidden: hidden, actions: actions, hasActions: !actions.isEmpty,
            askReason: askReason, reason: reason, confirmLabel: confirmLabel, backLink: backLink, backLabel: backLabel)
        return try AdminShell.page(
            page.responder, "admin_timetable_preview", title: AdminTimetablePage.title(heading, t), page: view, scope: scope,
            request: request, context: context, status: status, flash: flash, t: t)
    }

    /// The refusal shown when the classes changed between the preview and the confirmation (the
    /// pages write it as `timetable.preview.changed` in the reader's language).
    static let changed = DomainError(
        .previewChanged,
        "The classes changed since your preview (a booking, a new class or a status); check this new preview and confirm again.")
}
