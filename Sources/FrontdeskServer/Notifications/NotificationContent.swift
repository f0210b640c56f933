import Foundation
import FrontdeskCore
import FrontdeskStore

/// A notification ready for its transport: the e-mail's subject and bodies, the push's title and line.
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

    /// What the templates see.
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
    }

    struct ChangeLine { let text: String }

    /// A `class_changed` payload in words: the new start (and the old), the new location, the new coach.
    static func changeLines(_ payload: [String: String], local: LocalTime) -> [ChangeLine] {
        let changed = Set((payload["changes"] ?? "").split(separator: ",").map(String.init))
        let iso = ISO8601DateFormatter()
        func day(_ key: String) -> String? {
            payload[key].flatMap { iso.date(from: $0) }.map { "\(local.longDate($0)), \(local.time($0))" }
        }
        var lines: [ChangeLine] = []
        if changed.contains("time"), let new = day("newStartsAt") {
            lines.append(ChangeLine(text: "New time: \(new)\(day("oldStartsAt").map { " (was \($0))" } ?? "")"))
        }
        if changed.contains("location") {
            let new = payload["newLocation"] ?? "no location set"
            lines.append(ChangeLine(text: "New place: \(new)\(payload["oldLocation"].map { " (was \($0))" } ?? "")"))
        }
        if changed.contains("coach") {
            let new = payload["newCoach"] ?? "to be announced"
            lines.append(ChangeLine(text: "New coach: \(new)\(payload["oldCoach"].map { " (was \($0))" } ?? "")"))
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
    }

    func renderAccount(_ item: OutboxItem, context: NotificationContext) throws -> NotificationContent {
        guard let link = item.payload["link"] else { throw ConfigurationError("account e-mail \(item.template) without a link") }
        let name = item.payload["name"].flatMap { $0.split(separator: " ").first.map(String.init) } ?? ""
        let greeting = name.isEmpty ? "Hello," : "Hi \(name),"
        let org = context.organizationName ?? "the studio"
        let ignore = "If you did not ask for this, ignore this e-mail: nothing changes."
        let view: AccountView
        switch item.template {
        case "invitation":
            let role = item.payload["role"] ?? "member"
            let inviter = item.payload["inviterName"] ?? "The studio"
            view = AccountView(
                subject: "You're invited to \(org)", orgName: context.organizationName, headline: "Join \(org)",
                greeting: greeting,
                lead: "\(inviter) invited you to \(org) as \(role == "member" ? "a member" : "a \(role)"). "
                    + "Open the link to choose your own password, or accept with the account you already have.",
                action: "Accept the invitation", actionLink: link, expiry: "The link works for 7 days and only once.",
                footer: "Not expecting this? Ignore it: no account is made unless you accept.")
        case "password_reset":
            view = AccountView(
                subject: "Set a new password", orgName: nil, headline: "Set a new password", greeting: greeting,
                lead: "Someone asked to reset the password of your Frontdesk account.", action: "Choose a new password",
                actionLink: link, expiry: "The link works for 30 minutes and only once. Setting a new password signs you out everywhere.",
                footer: ignore)
        case "signin_link":
            view = AccountView(
                subject: "Your sign-in link", orgName: nil, headline: "Sign in", greeting: greeting,
                lead: "Here is the sign-in link you asked for. Open it on the same phone or browser you asked from.",
                action: "Sign in", actionLink: link, expiry: "The link works for 15 minutes and only once.", footer: ignore)
        case "verify_email":
            view = AccountView(
                subject: "Confirm your e-mail address", orgName: nil, headline: "Confirm your e-mail address", greeting: greeting,
                lead: "Open the link to confirm that this address is yours.", action: "Confirm my address", actionLink: link,
                expiry: "The link works for 24 hours and only once.", footer: ignore)
        default:
            view = AccountView(
                subject: "Confirm your sign-up", orgName: nil, headline: "Confirm your sign-up", greeting: greeting,
                lead: "Open the link to finish joining the studio.", action: "Finish signing up", actionLink: link,
                expiry: "The link works for 24 hours and only once.",
                footer: "If you did not sign up, ignore this e-mail: no account is made.")
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
        let local = LocalTime(timezone: context.timezone, now: now)
        let className = context.className ?? "your class"
        let when =
            context.startsAt.map { start in
                "\(local.longDate(start)), \(context.endsAt.map { local.range(start, $0) } ?? local.time(start))"
            } ?? ""
        let time = context.startsAt.map(local.time) ?? ""
        let subject: String =
            switch item.template {
            case "booking_confirmed": "Booked: \(className), \(when)"
            case "booking_waitlisted": "On the waitlist: \(className), \(when)"
            case "booking_cancelled": "Booking cancelled: \(className), \(when)"
            case "booking_promoted": "You're in: \(className), \(when)"
            case "class_cancelled": "Class cancelled: \(className), \(when)"
            case "class_changed": "Class changed: \(className), \(when)"
            default: "Starting at \(time): \(className)"
            }
        let changes = item.template == "class_changed" ? Self.changeLines(item.payload, local: local) : []
        let pushBody: String =
            switch item.template {
            case "booking_confirmed": "See you \(when)\(context.locationName.map { " at \($0)" } ?? "")."
            case "booking_waitlisted": "You're number \(context.waitlistPosition ?? 1) on the waitlist; we'll tell you if a place frees up."
            case "booking_cancelled": "Your booking is cancelled."
            case "booking_promoted": "A place freed up and it's yours: \(when)."
            case "class_cancelled": "This class is cancelled\(context.cancelReason.map { ": \($0)" } ?? ".")"
            case "class_changed": changes.map(\.text).joined(separator: ". ") + "."
            default: "\(className) starts at \(time)\(context.locationName.map { " at \($0)" } ?? "")."
            }
        let view = View(
            firstName: context.recipientName.split(separator: " ").first.map(String.init) ?? context.recipientName,
            orgName: context.organizationName ?? "Frontdesk", className: className, when: when, time: time,
            location: context.locationName, address: context.locationAddress, reason: context.cancelReason,
            position: context.waitlistPosition, link: "\(publicBaseURL)/me/bookings", scheduleLink: "\(publicBaseURL)/schedule",
            subject: subject, changes: changes)
        return NotificationContent(
            subject: subject,
            text: try templates.render(view, template: "mail_\(item.template)_text"),
            html: try templates.render(view, template: "mail_\(item.template)_html"),
            pushTitle: subject, pushBody: pushBody)
    }
}
