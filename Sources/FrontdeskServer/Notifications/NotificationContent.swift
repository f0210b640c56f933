import Foundation
import FrontdeskCore
import FrontdeskStore

/// A notification ready for its transport: the e-mail's subject and bodies, the push's title and line
/// (a push's `text` and `html` are empty: nothing reads them).
struct NotificationContent: Sendable, Equatable {
    let subject: String
    let text: String
    let html: String
    let pushTitle: String
    let pushBody: String
}

/// Turns an outbox row and its context into words, with the `mail_<template>_text` and
/// `mail_<template>_html` Mustache templates (times in the org's zone, a link back to the studio).
struct NotificationRenderer: Sendable {
    let templates: PageTemplates
    let publicBaseURL: String

    /// The kinds of notification this renderer knows; anything else in the outbox is dead on arrival.
    static let kinds: Set<String> = [
        "booking_confirmed", "booking_waitlisted", "booking_cancelled", "booking_promoted", "class_cancelled", "class_reminder",
        "class_changed",
    ]

    /// What the templates see: the words already in the reader's language (docs/i18n.md), plus the
    /// catalogue as `t` for the fixed labels.
    struct View {
        let firstName: String
        let orgName: String
        let className: String
        let when: String
        let time: String
        let location: String?
        let address: String?
        let reason: String?
        let position: Int?
        let link: String
        let scheduleLink: String
        let subject: String
        /// What changed in a `class_changed` notice, one line each.
        let changes: [ChangeLine]
        let headline: String
        let greeting: String
        /// The HTML body's sentence after the greeting, and the text body's paragraph.
        let lead: String
        let textLead: String
        let footer: String
        let lang: String
        let t: [String: Any]
    }

    struct ChangeLine { let text: String }

    /// A `class_changed` payload in words: the new start (and the old), the new location, the new coach.
    static func changeLines(_ payload: [String: String], local: LocalTime, t: Messages = .english) -> [ChangeLine] {
        let changed = Set((payload["changes"] ?? "").split(separator: ",").map(String.init))
        let iso = ISO8601DateFormatter()
        func day(_ key: String) -> String? {
            payload[key].flatMap { iso.date(from: $0) }.map { t("mail.dateAndTime", ["date": local.longDate($0), "time": local.time($0)]) }
        }
        func was(_ old: String?) -> String { old.map { t("mail.changed.was", ["old": $0]) } ?? "" }
        var lines: [ChangeLine] = []
        if changed.contains("time"), let new = day("newStartsAt") {
            lines.append(ChangeLine(text: t("mail.changed.time", ["new": new, "was": was(day("oldStartsAt"))])))
        }
        if changed.contains("location") {
            let new = payload["newLocation"] ?? t["mail.changed.noLocation"]
            lines.append(ChangeLine(text: t("mail.changed.location", ["new": new, "was": was(payload["oldLocation"])])))
        }
        if changed.contains("coach") {
            let new = payload["newCoach"] ?? t["mail.changed.noCoach"]
            lines.append(ChangeLine(text: t("mail.changed.coach", ["new": new, "was": was(payload["oldCoach"])])))
        }
        return lines
    }

    /// Account e-mails: one layout, words per kind, a single link that does the one thing.
    static let accountKinds: Set<String> = ["invitation", "password_reset", "signin_link", "verify_email", "join_confirm"]

    struct AccountView {
        let subject: String
        let orgName: String?
        let headline: String
        let greeting: String
        let lead: String
        let action: String
        let actionLink: String
        let expiry: String
        let footer: String
        let lang: String
    }

    /// The reader's language: their own choice, else the studio's default, else English.
    static func messages(_ context: NotificationContext) -> Messages {
        PageLanguage.notification(userChoice: context.language, studioDefault: context.studioLanguage)
    }

    func renderAccount(_ item: OutboxItem, context: NotificationContext) throws -> NotificationContent {
        guard let link = item.payload["link"] else { throw ConfigurationError("account e-mail \(item.template) without a link") }
        let t = Self.messages(context)
        let name = item.payload["name"].flatMap { $0.split(separator: " ").first.map(String.init) } ?? ""
        let greeting = name.isEmpty ? t["mail.hello"] : t("mail.hi", ["name": name])
        let org = context.organizationName ?? t["mail.account.theStudio"]
        let kind = Self.accountKinds.contains(item.template) && item.template != "invitation" ? item.template : "join_confirm"
        let view: AccountView
        if item.template == "invitation" {
            let role = Role(rawValue: item.payload["role"] ?? "member") ?? .member
            let inviter = item.payload["inviterName"] ?? t["mail.account.invitation.theStudio"]
            let values = ["org": org, "inviter": inviter, "role": t["mail.account.role.\(role.rawValue)"]]
            view = AccountView(
                subject: t("mail.account.invitation.subject", values), orgName: context.organizationName,
                headline: t("mail.account.invitation.headline", values), greeting: greeting,
                lead: t("mail.account.invitation.lead", values), action: t["mail.account.invitation.action"], actionLink: link,
                expiry: t["mail.account.invitation.expiry"], footer: t["mail.account.invitation.footer"], lang: t.language.rawValue)
        } else {
            let key = "mail.account.\(kind)"
            view = AccountView(
                subject: t["\(key).subject"], orgName: nil, headline: t["\(key).headline"], greeting: greeting,
                lead: t["\(key).lead"], action: t["\(key).action"], actionLink: link, expiry: t["\(key).expiry"],
                footer: t.strings["\(key).footer"] ?? t["mail.account.ignore"], lang: t.language.rawValue)
        }
        return NotificationContent(
            subject: view.subject, text: try templates.render(view, template: "mail_account_text"),
            html: try templates.render(view, template: "mail_account_layout"), pushTitle: view.subject, pushBody: view.lead)
    }

    func render(_ item: OutboxItem, context: NotificationContext, now: Date) throws -> NotificationContent {
        if Self.accountKinds.contains(item.template) { return try renderAccount(item, context: context) }
        guard Self.kinds.contains(item.template) else {
            throw ConfigurationError("unknown notification template \(item.template)")
        }
        let t = Self.messages(context)
        let local = t.localTime(timezone: context.timezone, now: now)
        let className = context.className ?? t["mail.yourClass"]
        let when =
            context.startsAt.map { start in
                t(
                    "mail.dateAndTime",
                    ["date": local.longDate(start), "time": context.endsAt.map { local.range(start, $0) } ?? local.time(start)])
            } ?? ""
        let time = context.startsAt.map(local.time) ?? ""
        let firstName = context.recipientName.split(separator: " ").first.map(String.init) ?? context.recipientName
        let changes = item.template == "class_changed" ? Self.changeLines(item.payload, local: local, t: t) : []
        let orgName = context.organizationName ?? "Frontdesk"
        let values: [String: String] = [
            "className": className, "when": when, "time": time, "firstName": firstName,
            "atLocation": context.locationName.map { t("mail.atLocation", ["location": $0]) } ?? "",
            "position": t.number(context.waitlistPosition ?? 1),
            "positionPhrase": context.waitlistPosition.map { t("mail.positionPhrase", ["position": t.number($0)]) } ?? "",
            "reasonPhrase": context.cancelReason.map { t("mail.reasonPhrase", ["reason": $0]) } ?? "",
            "pushReason": context.cancelReason.map { t("mail.pushReasonPhrase", ["reason": $0]) } ?? ".",
            "changes": changes.map(\.text).joined(separator: ". "),
        ]
        let key = "mail.\(item.template)"
        let subject = t("\(key).subject", values)
        // A push is its title and line: the e-mail's two bodies (two Mustache renders, most of the cost of
        // a message) are written only for the e-mail channel.
        guard item.channel != "push" else {
            return NotificationContent(subject: subject, text: "", html: "", pushTitle: subject, pushBody: t("\(key).push", values))
        }
        let view = View(
            firstName: firstName, orgName: orgName, className: className, when: when, time: time,
            location: context.locationName, address: context.locationAddress, reason: context.cancelReason,
            position: context.waitlistPosition, link: "\(publicBaseURL)/me/bookings", scheduleLink: "\(publicBaseURL)/schedule",
            subject: subject, changes: changes, headline: t("\(key).headline", values), greeting: t("mail.hi", ["name": firstName]),
            lead: t("\(key).lead", values), textLead: t("\(key).text", values), footer: t("mail.footer", ["org": orgName]),
            lang: t.language.rawValue, t: t.tree.root)
        return NotificationContent(
            subject: subject,
            text: try templates.render(view, template: "mail_\(item.template)_text"),
            html: try templates.render(view, template: "mail_\(item.template)_html"),
            pushTitle: subject, pushBody: t("\(key).push", values))
    }
}
