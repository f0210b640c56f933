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
        guard Self.templates.contains(item.template), let bookingId = item.payload["bookingId"],
            let text = try await CalendarFeedBuilder(services: services).booking(bookingId.lowercased())
        else { return [] }
        return [MailAttachment(contentType: "text/calendar; charset=UTF-8; method=PUBLISH", filename: "class.ics", data: Array(text.utf8))]
    }
}
