import Foundation
import FrontdeskCore
import FrontdeskStore

/// Turns bookings and classes into iCalendar text: the words of each event, its stable UID, its
/// SEQUENCE from `calendar_event_versions`, and the document around them. The feeds and the
/// booking e-mail's attachment share it, so the same booking is the same event everywhere.
struct CalendarFeedBuilder: Sendable {
    let services: AppServices
    var store: CalendarFeedsStore { CalendarFeedsStore(database: services.database) }

    /// A feed holds the classes starting from `pastDays` ago to `futureDays` ahead.
    static let pastDays = 30
    static let futureDays = 180
    /// A cancellation stays in the feed (as STATUS:CANCELLED) this long after it happened.
    static let cancelledDays = 30
    /// What the feed asks subscribing clients to wait between fetches.
    static let refreshMinutes = 60

    /// The window of a feed read at `now`.
    static func window(now: Date) -> (from: Date, to: Date, cancelledSince: Date) {
        (
            now.addingTimeInterval(-Double(pastDays) * 86_400), now.addingTimeInterval(Double(futureDays) * 86_400),
            now.addingTimeInterval(-Double(cancelledDays) * 86_400)
        )
    }

    /// The event's UID: the same for a booking (or a coach's class) in every copy ever sent.
    static func uid(_ entry: CalendarEntry) -> String { "\(entry.key)@frontdesk" }

    /// The event for one entry, before its version is known.
    func event(_ entry: CalendarEntry, forCoach: Bool) -> ICalendarEvent {
        let base = services.configuration.publicBaseURL
        let cancelled = entry.sessionStatus == .cancelled || entry.bookingStatus == .cancelled
        let waitlisted = entry.bookingStatus == .waitlisted
        let status: ICalendarEvent.Status = cancelled ? .cancelled : (waitlisted ? .tentative : .confirmed)
        let summary: String
        if cancelled {
            summary = "Cancelled: \(entry.className)"
        } else if waitlisted {
            summary = "Waitlist: \(entry.className)"
        } else {
            summary = entry.className
        }
        var lines = [entry.organizationName]
        if let coach = entry.coachName, !forCoach { lines.append("Coach: \(coach)") }
        if waitlisted, !cancelled {
            lines.append(
                "You are on the waitlist\(entry.waitlistPosition.map { " (#\($0))" } ?? ""); you will be told if a place frees up.")
        }
        if entry.sessionStatus == .cancelled {
            lines.append("The class is cancelled\(entry.cancelReason.map { ": \($0)" } ?? ".")")
        } else if entry.bookingStatus == .cancelled {
            lines.append("Your booking is cancelled.")
        }
        let place = [entry.locationName, entry.locationAddress].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
        return ICalendarEvent(
            uid: Self.uid(entry), start: entry.startsAt, end: entry.endsAt, timezone: entry.timezone, summary: summary,
            location: place.isEmpty ? nil : place, description: lines.joined(separator: "\n"), status: status,
            url: base + (forCoach ? "/coach" : "/me/bookings"))
    }

    /// The events with their SEQUENCE and since-when, recording new versions first.
    func versioned(_ entries: [CalendarEntry], forCoach: Bool) async throws -> [ICalendarEvent] {
        var events = entries.map { event($0, forCoach: forCoach) }
        let versions = try await store.versions(events.map { ($0.uid, $0.fingerprint) }, now: services.now)
        for index in events.indices {
            let version = versions[events[index].uid]
            events[index].sequence = version?.sequence ?? 0
            events[index].lastModified = version?.changedAt
        }
        return events
    }

    /// A whole feed as text.
    func feed(_ feed: CalendarFeed) async throws -> String {
        let now = services.now
        let window = Self.window(now: now)
        let entries: [CalendarEntry]
        let name: String
        switch feed.kind {
        case .bookings:
            entries = try await store.bookingEntries(
                userId: feed.userId, from: window.from, to: window.to, cancelledSince: window.cancelledSince)
            name = "My classes"
        case .teaching:
            entries = try await store.teachingEntries(
                membershipId: feed.membershipId ?? "", from: window.from, to: window.to, cancelledSince: window.cancelledSince)
            name = "Classes I teach" + (entries.first.map { " · \($0.organizationName)" } ?? "")
        }
        let events = try await versioned(entries, forCoach: feed.kind == .teaching)
        return ICalendarDocument(events: events, stamp: now, name: name, refreshMinutes: Self.refreshMinutes).render()
    }

    /// The `.ics` of each of `bookingIds` (lower-case ids; the booking e-mails' attachments), by booking
    /// id: one read of the bookings and one of their versions for all of them (and one write when some
    /// are new or changed). A booking that is gone, or whose class is, has none; so has a malformed id.
    func bookings(_ bookingIds: [String]) async throws -> [String: String] {
        let ids = bookingIds.filter(NewID.isWellFormed)
        guard !ids.isEmpty else { return [:] }
        let entries = try await store.bookingEntries(bookingIds: ids).sorted { $0.key < $1.key }
        let events = try await versioned(entries.map(\.value), forCoach: false)
        var documents: [String: String] = [:]
        for (entry, event) in zip(entries, events) {
            documents[entry.key] = ICalendarDocument(events: [event], stamp: services.now).render()
        }
        return documents
    }
}
