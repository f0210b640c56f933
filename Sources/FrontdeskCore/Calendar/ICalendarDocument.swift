import Foundation

/// One VEVENT: a booking or a class in a member's or coach's calendar.
public struct ICalendarEvent: Sendable, Equatable {
    /// STATUS values the feeds use.
    public enum Status: String, Sendable {
        case confirmed = "CONFIRMED"
        case tentative = "TENTATIVE"
        case cancelled = "CANCELLED"
    }

    /// Stable for the booking or class across every version of it.
    public var uid: String
    /// Grows with every change a calendar should notice (see `CalendarEventVersions`).
    public var sequence: Int
    public var start: Date
    public var end: Date
    /// The IANA zone DTSTART and DTEND are written in (the studio's).
    public var timezone: String
    public var summary: String
    public var location: String?
    public var description: String?
    public var status: Status
    public var url: String?
    /// When this version of the event was first seen (DTSTAMP and LAST-MODIFIED); nil uses the
    /// document's stamp. A stable value keeps an unchanged feed byte-for-byte the same (its ETag).
    public var lastModified: Date?

    public init(
        uid: String, sequence: Int = 0, start: Date, end: Date, timezone: String, summary: String, location: String? = nil,
        description: String? = nil, status: Status = .confirmed, url: String? = nil, lastModified: Date? = nil
    ) {
        self.uid = uid
        self.sequence = sequence
        self.start = start
        self.end = end
        self.timezone = timezone
        self.summary = summary
        self.location = location
        self.description = description
        self.status = status
        self.url = url
        self.lastModified = lastModified
    }

    /// Everything a calendar shows, without the sequence: when it changes, the event changed.
    public var fingerprint: String {
        let fields = [
            uid, String(Int64(start.timeIntervalSince1970)), String(Int64(end.timeIntervalSince1970)), timezone, summary,
            location ?? "", description ?? "", status.rawValue, url ?? "",
        ]
        return Hashing.sha256Hex(fields.joined(separator: "\u{1F}"))
    }
}

/// A VCALENDAR: the feeds' and the booking e-mail's `.ics`, in RFC 5545 text (CRLF, folded at 75
/// octets, TEXT escaped), with a VTIMEZONE for each studio zone its events use.
public struct ICalendarDocument: Sendable {
    public static let productId = "-//Frontdesk//Studio calendar//EN"

    public var events: [ICalendarEvent]
    /// `PUBLISH` for feeds and e-mail (no replies asked for); nil leaves METHOD out.
    public var method: String?
    /// Shown by clients as the subscribed calendar's name.
    public var name: String?
    /// How often a subscribing client should fetch the feed again.
    public var refreshMinutes: Int?
    /// When this copy was made (DTSTAMP).
    public var stamp: Date

    public init(events: [ICalendarEvent], stamp: Date, method: String? = "PUBLISH", name: String? = nil, refreshMinutes: Int? = nil) {
        self.events = events
        self.stamp = stamp
        self.method = method
        self.name = name
        self.refreshMinutes = refreshMinutes
    }

    /// The calendar as text; `rangeStart`…`rangeEnd` is what each VTIMEZONE covers (by default the
    /// events' own span, a day either side).
    public func render(rangeStart: Date? = nil, rangeEnd: Date? = nil) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:\(Self.productId)", "CALSCALE:GREGORIAN"]
        if let method { lines.append("METHOD:\(method)") }
        if let name { lines.append("X-WR-CALNAME:\(ICalendarText.escape(name))") }
        if let refreshMinutes {
            lines.append("REFRESH-INTERVAL;VALUE=DURATION:PT\(refreshMinutes)M")
            lines.append("X-PUBLISHED-TTL:PT\(refreshMinutes)M")
        }
        let from = rangeStart ?? events.map(\.start).min().map { $0.addingTimeInterval(-86_400) } ?? stamp
        let to = rangeEnd ?? events.map(\.end).max().map { $0.addingTimeInterval(86_400) } ?? stamp
        var zones: [String] = []
        for event in events where !zones.contains(event.timezone) { zones.append(event.timezone) }
        var known: Set<String> = []
        for zone in zones {
            if let zoneLines = ICalendarTimeZone.lines(identifier: zone, from: from, to: to) {
                lines += zoneLines
                known.insert(zone)
            }
        }
        for event in events { lines += Self.lines(event, stamp: stamp, zoneKnown: known.contains(event.timezone)) }
        lines.append("END:VCALENDAR")
        return lines.map(ICalendarText.fold).joined()
    }

    static func lines(_ event: ICalendarEvent, stamp: Date, zoneKnown: Bool) -> [String] {
        func time(_ name: String, _ date: Date) -> String {
            // A zone the database does not know cannot be described: the instant is written in UTC.
            guard zoneKnown, let zone = TimeZone(identifier: event.timezone) else { return "\(name):\(ICalendarText.utc(date))" }
            return "\(name);TZID=\(event.timezone):\(ICalendarText.local(date, zone: zone))"
        }
        var lines = [
            "BEGIN:VEVENT", "UID:\(ICalendarText.escape(event.uid))", "DTSTAMP:\(ICalendarText.utc(event.lastModified ?? stamp))",
            "SEQUENCE:\(max(0, event.sequence))", time("DTSTART", event.start), time("DTEND", max(event.end, event.start)),
            "SUMMARY:\(ICalendarText.escape(event.summary))", "STATUS:\(event.status.rawValue)",
        ]
        if let location = event.location, !location.isEmpty { lines.append("LOCATION:\(ICalendarText.escape(location))") }
        if let description = event.description, !description.isEmpty {
            lines.append("DESCRIPTION:\(ICalendarText.escape(description))")
        }
        if let url = event.url, !url.isEmpty { lines.append("URL:\(url)") }
        if let modified = event.lastModified { lines.append("LAST-MODIFIED:\(ICalendarText.utc(modified))") }
        // A cancelled event stays free time in the calendar until the client removes it.
        if event.status == .cancelled { lines.append("TRANSP:TRANSPARENT") }
        lines.append("END:VEVENT")
        return lines
    }
}
