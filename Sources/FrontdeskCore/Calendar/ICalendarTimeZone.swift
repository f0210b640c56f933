import Foundation

/// A VTIMEZONE (RFC 5545 §3.6.5) made from the zone database's real transitions: the observance in
/// force at the start of the range, then one STANDARD or DAYLIGHT component per transition inside
/// it, each with the wall-clock instant it starts (in the offset before it) and both offsets. No
/// RRULE: the transitions are written out, so a zone whose rules changed is still right.
public enum ICalendarTimeZone {
    /// Transitions written at most (a feed's window holds a handful).
    static let maxTransitions = 200

    /// The content lines (unfolded) of the VTIMEZONE of `identifier` covering `from`…`to`; nil for
    /// an identifier the zone database does not know.
    public static func lines(identifier: String, from: Date, to: Date) -> [String]? {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        var lines = ["BEGIN:VTIMEZONE", "TZID:\(ICalendarText.escape(identifier))"]
        // The observance in force at `from`: the last transition within the year before, if any.
        var start: Date?
        var cursor = from.addingTimeInterval(-366 * 86_400)
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next <= from {
            start = next
            cursor = next
        }
        if let start {
            lines += observance(zone, at: start)
        } else {
            let offset = zone.secondsFromGMT(for: from)
            lines += [
                zone.isDaylightSavingTime(for: from) ? "BEGIN:DAYLIGHT" : "BEGIN:STANDARD",
                "DTSTART:19700101T000000",
                "TZOFFSETFROM:\(ICalendarText.offset(offset))",
                "TZOFFSETTO:\(ICalendarText.offset(offset))",
            ]
            if let name = zone.abbreviation(for: from) { lines.append("TZNAME:\(ICalendarText.escape(name))") }
            lines.append(zone.isDaylightSavingTime(for: from) ? "END:DAYLIGHT" : "END:STANDARD")
        }
        cursor = from
        var written = 0
        while written < maxTransitions, let next = zone.nextDaylightSavingTimeTransition(after: cursor), next <= to {
            lines += observance(zone, at: next)
            cursor = next
            written += 1
        }
        lines.append("END:VTIMEZONE")
        return lines
    }

    /// The component for the transition at `instant`.
    static func observance(_ zone: TimeZone, at instant: Date) -> [String] {
        let before = zone.secondsFromGMT(for: instant.addingTimeInterval(-1))
        let after = zone.secondsFromGMT(for: instant)
        let kind = zone.isDaylightSavingTime(for: instant) ? "DAYLIGHT" : "STANDARD"
        // DTSTART is the wall-clock time at which the change happens, read in the offset before it.
        let wallClock = ICalendarText.local(instant.addingTimeInterval(TimeInterval(before)), zone: TimeZone(secondsFromGMT: 0)!)
        var lines = [
            "BEGIN:\(kind)", "DTSTART:\(wallClock)", "TZOFFSETFROM:\(ICalendarText.offset(before))",
            "TZOFFSETTO:\(ICalendarText.offset(after))",
        ]
        if let name = zone.abbreviation(for: instant) { lines.append("TZNAME:\(ICalendarText.escape(name))") }
        lines.append("END:\(kind)")
        return lines
    }
}
