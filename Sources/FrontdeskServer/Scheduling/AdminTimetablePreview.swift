import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// A member a change would reach, as the preview pages list them.
struct PreviewMember {
    let name: String
    let email: String
    let bookings: String

    init(_ member: AffectedMember) {
        name = member.name
        email = member.email
        var parts: [String] = []
        if member.confirmed > 0 { parts.append("\(member.confirmed) confirmed") }
        if member.waitlisted > 0 { parts.append("\(member.waitlisted) waitlisted") }
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

    static func totals(_ preview: BulkPreview) -> String {
        let t = preview.totals
        let classes = t.sessions == 1 ? "1 class" : "\(t.sessions) classes"
        return "\(classes) (\(t.drafts) draft, \(t.published) published, \(t.cancelled) cancelled) with \(t.confirmed) confirmed, "
            + "\(t.waitlisted) waitlisted and \(t.attended) attended bookings."
    }

    /// The page for `preview` in the studio of `admin`.
    func render(
        _ page: AdminTimetablePage, preview: BulkPreview, admin: AdminScope, request: Request, context: AppRequestContext,
        status: HTTPResponse.Status = .ok, flash: PageFrame.Flash? = nil
    ) async throws -> Response {
        let scope = admin.scope
        let services = page.services
        let locations = try await services.catalog.locations(orgId: scope.orgId)
        let names = Dictionary(locations.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let members = try await TimetableStore(database: services.database).affectedMembers(
            orgId: scope.orgId, sessionIds: preview.sessions.map(\.id))
        let lines = preview.sessions.map { match in
            Line(
                id: match.id, date: match.localDate, time: match.localTime, name: match.className,
                location: match.locationId.flatMap { names[$0] } ?? "—", status: match.status.rawValue,
                statusLabel: TimetableChoices.statusLabel(match.status), confirmed: match.confirmed, waitlisted: match.waitlisted,
                attended: match.attended)
        }
        let view = View(
            shell: admin.shell, orgId: scope.orgId, heading: heading, intro: intro, totals: Self.totals(preview), lines: lines,
            noLines: lines.isEmpty, members: members.map(PreviewMember.init), hasMembers: !members.isEmpty,
            membersHeading: members.count == 1
                ? "1 member with a confirmed or waitlisted place"
                : "\(members.count) members with confirmed or waitlisted places",
            fingerprint: preview.fingerprint, action: action, hidden: hidden, actions: actions, hasActions: !actions.isEmpty,
            askReason: askReason, reason: reason, confirmLabel: confirmLabel, backLink: backLink, backLabel: backLabel)
        return try AdminShell.page(
            page.responder, "admin_timetable_preview", title: "\(heading) · Timetable", page: view, scope: scope, request: request,
            context: context, status: status, flash: flash)
    }

    /// The refusal shown when the classes changed between the preview and the confirmation.
    static let changed = DomainError(
        .previewChanged,
        "The classes changed since your preview (a booking, a new class or a status); check this new preview and confirm again.")
}
