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
    }

    func render(_ item: OutboxItem, context: NotificationContext, now: Date) throws -> NotificationContent {
        guard Self.kinds.contains(item.template) else {
            throw ConfigurationError("unknown notification template \(item.template)")
        }
        let local = LocalTime(timezone: context.timezone, now: now)
        let className = context.className ?? "your class"
        let when = context.startsAt.map { start in
            "\(local.longDate(start)), \(context.endsAt.map { local.range(start, $0) } ?? local.time(start))"
        } ?? ""
        let time = context.startsAt.map(local.time) ?? ""
        let subject: String = switch item.template {
        case "booking_confirmed": "Booked: \(className), \(when)"
        case "booking_waitlisted": "On the waitlist: \(className), \(when)"
        case "booking_cancelled": "Booking cancelled: \(className), \(when)"
        case "booking_promoted": "You're in: \(className), \(when)"
        case "class_cancelled": "Class cancelled: \(className), \(when)"
        default: "Starting at \(time): \(className)"
        }
        let pushBody: String = switch item.template {
        case "booking_confirmed": "See you \(when)\(context.locationName.map { " at \($0)" } ?? "")."
        case "booking_waitlisted": "You're number \(context.waitlistPosition ?? 1) on the waitlist; we'll tell you if a place frees up."
        case "booking_cancelled": "Your booking is cancelled."
        case "booking_promoted": "A place freed up and it's yours: \(when)."
        case "class_cancelled": "This class is cancelled\(context.cancelReason.map { ": \($0)" } ?? ".")"
        default: "\(className) starts at \(time)\(context.locationName.map { " at \($0)" } ?? "")."
        }
        let view = View(
            firstName: context.recipientName.split(separator: " ").first.map(String.init) ?? context.recipientName,
            orgName: context.organizationName ?? "Frontdesk", className: className, when: when, time: time,
            location: context.locationName, address: context.locationAddress, reason: context.cancelReason,
            position: context.waitlistPosition, link: "\(publicBaseURL)/me/bookings", scheduleLink: "\(publicBaseURL)/schedule",
            subject: subject)
        return NotificationContent(
            subject: subject,
            text: try templates.render(view, template: "mail_\(item.template)_text"),
            html: try templates.render(view, template: "mail_\(item.template)_html"),
            pushTitle: subject, pushBody: pushBody)
    }
}
