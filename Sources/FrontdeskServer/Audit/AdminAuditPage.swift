import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The studio's audit log in the back office,
/// `GET /admin/audit?org=&session=&member=&action=&from=&to=&cursor=`: single actions and bulk
/// batches, newest first, 25 at a time (keyset pages, as the batches list), each with who did it,
/// what, to which member and class, and the changed fields before → after in words. Filters: a
/// class (`session`, linked from each row and from class pages), a member (`member`, linked from
/// each row and from the member's page), an action or family of actions, and a range of the
/// studio's local dates. Read through `AuditLog.list` (the `GET /api/orgs/:org/audit` listing);
/// the bulk changes and their undo stay on `/admin/batches`. Owners and admins only.
struct AdminAuditPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }

    static let path = "/admin/audit"
    static let pageSize = 25

    /// The filter's link to the audit of one member (the member's page links here).
    static func memberLink(org: String, membershipId: String) -> String { "\(path)?org=\(org)&member=\(membershipId)" }

    /// The filter's link to the audit of one class (class pages link here).
    static func classLink(org: String, sessionId: String) -> String { "\(path)?org=\(org)&session=\(sessionId)" }

    func register(_ root: Routes) {
        let pages = root.signedIn(services, fallback: Self.path, reason: .audit)
        pages.get("admin/audit", use: show)
    }

    /// The families of actions the filter offers, as `AuditFilter.action` takes them, in the
    /// filter's order (`audit.families.<family>` in the catalogues).
    static let families = [
        "session", "sessions", "series", "closures", "booking", "attendance", "checkin", "credits", "member", "invitation",
    ]

    /// The stored action codes the page names in words (`audit.actions.<code>` in the catalogues); the
    /// stored code stays as it is (`data-action`), and an unknown one shows as itself.
    static let actions: Set<String> = [
        "attendance.check_in", "attendance.undo", "attendance.no_show", "booking.cancel", "booking.capacity_override",
        "checkin.capacity_override", "credits.adjust", "invitation.create", "invitation.resend", "invitation.revoke",
        "invitation.accept", "member.role_change", "member.suspend", "member.reactivate", "session.update", "session.publish",
        "session.unpublish", "session.cancel", "session.delete", "session.capacity_override", "session.conflict_override",
        "sessions.bulk_delete", "sessions.bulk_publish", "sessions.bulk_cancel", "sessions.bulk_undo", "series.create",
        "series.edit", "closures.create", "closures.delete",
    ]

    /// An action's label in the reader's language ("Changed a role"), or its code when unknown.
    static func actionLabel(_ code: String, _ t: Messages) -> String {
        actions.contains(code) ? t["audit.actions.\(code)"] : code
    }

    /// The payload fields the page names in words (`audit.field.<key>`); others are their key in words.
    static let fields: Set<String> = [
        "amount", "booked", "cancelledBookings", "capacity", "classTypeId", "coachMembershipId", "conflict", "creditsRemaining",
        "durationMin", "embedOrigins", "enabled", "endsAt", "lateCancel", "locationId", "reason", "refunded", "refundedCredits",
        "role", "startsAt", "status", "walkIn",
    ]

    /// The stored codes of roles and statuses the page writes in words when a `role` or `status`
    /// field holds them (`audit.value.<code>`; English writes the code as stored).
    static let values: Set<String> = [
        "member", "coach", "admin", "owner", "active", "suspended", "draft", "published", "cancelled", "confirmed", "waitlisted",
        "attended", "no_show",
    ]

    /// A field's value: a role's or a status's code in the reader's words (a cancelled class is
    /// "abgesagt", a cancelled booking "storniert"), anything else as `text` writes it.
    static func value(_ key: String, _ value: AuditJSON, entityType: String?, local: LocalTime, t: Messages) -> String {
        guard key == "role" || key == "status", case .string(let code) = value, values.contains(code) else {
            return text(value, local: local, t: t)
        }
        return t[code == "cancelled" && entityType == "session" ? "audit.value.cancelledClass" : "audit.value.\(code)"]
    }

    static func field(_ key: String, _ t: Messages) -> String { fields.contains(key) ? t["audit.field.\(key)"] : words(key) }

    struct Link {
        let label: String
        let href: String
    }

    struct EntryLine {
        let id: String
        let when: String
        let who: String
        /// "by <who>".
        let by: String
        let action: String
        let code: String
        let member: Link?
        let classLink: Link?
        let changes: [String]
        let details: [String]
        let hasChanges: Bool
        let batch: Link?
    }

    struct ActionChoice {
        let value: String
        let label: String
        let selected: Bool
    }

    struct ActiveFilter {
        let label: String
        let remove: String
        let id: String
    }

    struct View {
        let shell: AdminShellView
        let orgId: String
        let entries: [EntryLine]
        let empty: Bool
        let actions: [ActionChoice]
        let from: String
        let to: String
        let session: String?
        let member: String?
        let active: [ActiveFilter]
        let filtered: Bool
        let older: String?
        let newest: String?
        let batchesLink: String
    }

    /// The query as the page reads it; `nil` fields are absent.
    struct Query {
        var session: String?
        var member: String?
        var action: String?
        var from: String?
        var to: String?

        /// The query string of these filters (without `org`), for links that keep them.
        func query(without: String? = nil) -> String {
            [("session", session), ("member", member), ("action", action), ("from", from), ("to", to)]
                .compactMap { key, value in
                    guard key != without, let value else { return nil }
                    return
                        "&\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._"))) ?? "")"
                }
                .joined()
        }
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        guard
            let admin = try await AdminShell.resolve(
                services, context: context, orgId: parameters.get("org"), section: .audit, request: request)
        else {
            return try AdminShell.refusal(responder, section: .audit, request: request, context: context)
        }
        func value(_ name: String) -> String? { FormValue.text(parameters.get(name)) }
        let query = Query(session: value("session"), member: value("member"), action: value("action"), from: value("from"), to: value("to"))
        do {
            return try await page(admin, query: query, cursor: value("cursor"), request: request, context: context)
        } catch let error as DomainError where error.kind == .notFound {
            return try AdminShell.notFound(responder, message: error.message, request: request, context: context)
        } catch let error as DomainError {
            let empty = Query()
            return try await page(
                admin, query: empty, cursor: nil, request: request, context: context, status: error.httpStatus,
                flash: AdminShell.failure(error), keep: query)
        }
    }

    func page(
        _ admin: AdminScope, query: Query, cursor: String?, request: Request, context: AppRequestContext,
        status: HTTPResponse.Status = .ok, flash: PageFrame.Flash? = nil, keep: Query? = nil
    ) async throws -> Response {
        let scope = admin.scope
        let t = admin.t
        let org = scope.organization
        let calendar = OrgCalendar(timezone: org.timezone)
        let local = t.localTime(timezone: org.timezone, now: services.now)
        let action = try query.action.map { value in
            guard (1...100).contains(value.count), value.allSatisfy({ $0.isASCII && ($0.isLowercase || $0 == "." || $0 == "_") }) else {
                throw DomainError(.invalidQuery, t["audit.error.action"])
            }
            return value
        }
        func day(_ text: String?, _ field: String) throws -> Date? {
            guard let text else { return nil }
            guard let start = calendar.startOfDay(localDate: text) else {
                throw DomainError(.invalidQuery, t("audit.error.date", ["field": field]))
            }
            return start
        }
        let fromStart = try day(query.from, t["audit.error.fromField"])
        let toEnd = try day(query.to, t["audit.error.toField"]).map { calendar.startOfDay($0, addingDays: 1) }
        if let fromStart, let toEnd, toEnd <= fromStart {
            throw DomainError(.invalidQuery, t["audit.error.order"])
        }
        let filter = AuditFilter(
            sessionId: try query.session.map { try IDs.ref($0, "Class") }, membershipId: try query.member.map { try IDs.ref($0, "Member") },
            action: action)
        // The date range rides on the keyset: the newest row before the end of `to` is the first page's
        // start, and a page stops at the first row before `from` (rows come newest first).
        var after = try cursor.map { text in
            guard let cursor = KeysetCursor(encoded: text) else { throw DomainError(.invalidCursor, t["audit.error.cursor"]) }
            return cursor
        }
        if let toEnd, after.map({ $0.at >= toEnd.epochSeconds }) ?? true {
            after = KeysetCursor(at: toEnd.epochSeconds, id: "")
        }
        var (entries, next) = try await AuditLog.list(
            services.database, orgId: scope.orgId, filter: filter, limit: Self.pageSize, after: after)
        if let fromStart, entries.contains(where: { $0.createdAt < fromStart }) {
            entries = entries.filter { $0.createdAt >= fromStart }
            next = nil
        }
        var sessionIds = Set(entries.compactMap(Self.sessionId))
        if let session = filter.sessionId { sessionIds.insert(session) }
        let classes = try await AuditLogNames.classes(services.database, orgId: scope.orgId, ids: sessionIds)
        func className(_ id: String) -> String {
            classes[id].map { "\($0.className), \(local.dayAndTime($0.startsAt))" } ?? t["audit.aClass"]
        }
        let lines = entries.map { line($0, org: scope.orgId, local: local, t: t, className: className) }

        var active: [ActiveFilter] = []
        let base = "\(Self.path)?org=\(scope.orgId)"
        if let session = filter.sessionId {
            active.append(
                ActiveFilter(
                    label: t("audit.classFilter", ["name": className(session)]), remove: base + query.query(without: "session"),
                    id: "session"))
        }
        if let member = filter.membershipId {
            let name = try await services.organizations.member(orgId: scope.orgId, membershipId: member)?.user.name ?? t["audit.aMember"]
            active.append(
                ActiveFilter(label: t("audit.memberFilter", ["name": name]), remove: base + query.query(without: "member"), id: "member"))
        }
        let shown = keep ?? query
        let actions =
            [ActionChoice(value: "", label: t["audit.allActions"], selected: shown.action == nil)]
            + Self.families.map { ActionChoice(value: $0, label: t["audit.families.\($0)"], selected: $0 == shown.action) }
            + (shown.action.map { current in
                Self.families.contains(current) ? [] : [ActionChoice(value: current, label: Self.actionLabel(current, t), selected: true)]
            } ?? [])
        let view = View(
            shell: admin.shell, orgId: scope.orgId, entries: lines, empty: lines.isEmpty, actions: actions, from: shown.from ?? "",
            to: shown.to ?? "", session: filter.sessionId, member: filter.membershipId, active: active,
            filtered: !active.isEmpty || action != nil || fromStart != nil || toEnd != nil,
            older: next.map { "\(base)\(query.query())&cursor=\($0.encoded)" }, newest: cursor == nil ? nil : base + query.query(),
            batchesLink: "/admin/batches?org=\(scope.orgId)")
        return try AdminShell.page(
            responder, "admin_audit", title: t["admin.nav.audit"], page: view, scope: scope, request: request, context: context,
            status: status, flash: flash, t: t)
    }

    /// The class an entry concerns: the class itself, or a booking's class.
    static func sessionId(_ entry: AuditEntry) -> String? {
        if entry.entityType == "session" { return entry.entityId }
        if case .object(let payload) = entry.payload, case .string(let id)? = payload["sessionId"] { return id }
        return nil
    }

    func line(_ entry: AuditEntry, org: String, local: LocalTime, t: Messages, className: (String) -> String) -> EntryLine {
        var changes: [String] = []
        var details: [String] = []
        if case .object(let payload) = entry.payload {
            if entry.batchId != nil {
                details = Self.batchSummary(payload, t)
            } else {
                if case .object(let before)? = payload["before"], case .object(let after)? = payload["after"] {
                    for key in Set(before.keys).union(after.keys).sorted() {
                        let old = Self.value(key, before[key] ?? .null, entityType: entry.entityType, local: local, t: t)
                        let new = Self.value(key, after[key] ?? .null, entityType: entry.entityType, local: local, t: t)
                        changes.append("\(Self.field(key, t)): \(old) → \(new)")
                    }
                }
                for (key, value) in payload.sorted(by: { $0.key < $1.key })
                where !["before", "after", "sessionId", "otherSessionId"].contains(key) {
                    details.append("\(Self.field(key, t)): \(Self.text(value, local: local, t: t))")
                }
            }
        }
        let session = Self.sessionId(entry)
        let who = entry.actorName ?? t["audit.system"]
        return EntryLine(
            id: entry.id, when: local.dayAndTime(entry.createdAt), who: who, by: t("audit.by", ["who": who]),
            action: Self.actionLabel(entry.action, t), code: entry.action,
            member: entry.subjectMembershipId.map {
                Link(label: entry.subjectName ?? t["audit.aMember"], href: Self.memberLink(org: org, membershipId: $0))
            },
            classLink: session.map { Link(label: className($0), href: Self.classLink(org: org, sessionId: $0)) }, changes: changes,
            details: details, hasChanges: !changes.isEmpty || !details.isEmpty,
            batch: entry.batchId.map { _ in Link(label: t["audit.seeBatch"], href: "/admin/batches?org=\(org)") })
    }

    /// A bulk batch's payload in a line or two: how many classes, bookings and credits.
    static func batchSummary(_ payload: [String: AuditJSON], _ t: Messages = .english) -> [String] {
        func count(_ key: String) -> Int {
            switch payload[key] {
            case .array(let items)?: items.count
            case .number(let number)?: Int(number)
            default: 0
            }
        }
        var parts = [t.plural("audit.batch.classes", count: count("sessionIds"))]
        if count("skippedSessionIds") > 0 { parts.append(t.plural("audit.batch.skipped", count: count("skippedSessionIds"))) }
        if count("cancelledBookings") > 0 { parts.append(t.plural("audit.batch.bookings", count: count("cancelledBookings"))) }
        if count("refundedCredits") > 0 { parts.append(t.plural("audit.batch.credits", count: count("refundedCredits"))) }
        if case .string(let reason)? = payload["reason"] { parts.append(t("audit.batch.reason", ["reason": reason])) }
        return [parts.joined(separator: " · ")]
    }

    /// "coachMembershipId" → "coach membership id".
    static func words(_ key: String) -> String {
        var text = ""
        for character in key {
            if character.isUppercase {
                text += " " + character.lowercased()
            } else {
                text.append(character == "_" ? " " : character)
            }
        }
        return text
    }

    /// A payload value in words: instants in the studio's time, flags as yes/no, nothing as "—".
    static func text(_ value: AuditJSON, local: LocalTime, t: Messages = .english) -> String {
        switch value {
        case .null: return "—"
        case .bool(let flag): return flag ? t["audit.yes"] : t["audit.no"]
        case .number(let number): return number == number.rounded() ? String(Int64(number)) : String(number)
        case .string(let text):
            if text.count >= 20, text.count <= 30, let date = ISO8601DateFormatter().date(from: text) { return local.dayAndTime(date) }
            return text
        case .array(let items): return items.map { text($0, local: local, t: t) }.joined(separator: ", ")
        case .object(let object):
            return object.sorted { $0.key < $1.key }.map { "\(field($0.key, t)) \(text($0.value, local: local, t: t))" }
                .joined(separator: ", ")
        }
    }
}
