import Foundation
import FrontdeskStore

/// The `.ics` on a booking e-mail: when a place is confirmed (booked, or promoted from the
/// waitlist) the e-mail carries the booking as a METHOD:PUBLISH calendar with the same UID and
/// SEQUENCE as the member's feed, so adding it and subscribing show one event, not two.
struct CalendarMail: Sendable {
    let services: AppServices

    /// The templates whose e-mail carries the booking's `.ics`.
    static let templates: Set<String> = ["booking_confirmed", "booking_promoted"]

    func attachments(for item: OutboxItem) async throws -> [MailAttachment] {
        try await attachments(for: [item])[item.id] ?? []
    }

    /// The attachments of a batch of messages, by message id (a message without any is absent): the
    /// bookings' `.ics` read together (`CalendarFeedBuilder.bookings`), not two to four statements each.
    func attachments(for items: [OutboxItem]) async throws -> [String: [MailAttachment]] {
        let booked = items.compactMap { item -> (id: String, bookingId: String)? in
            guard item.channel == "email", Self.templates.contains(item.template), let bookingId = item.payload["bookingId"] else {
                return nil
            }
            return (item.id, bookingId.lowercased())
        }
        guard !booked.isEmpty else { return [:] }
        let documents = try await CalendarFeedBuilder(services: services).bookings(booked.map(\.bookingId))
        var attachments: [String: [MailAttachment]] = [:]
        for (id, bookingId) in booked {
            guard let text = documents[bookingId] else { continue }
            attachments[id] = [
                MailAttachment(contentType: "text/calendar; charset=UTF-8; method=PUBLISH", filename: "class.ics", data: Array(text.utf8))
            ]
        }
        return attachments
    }
}
