import Foundation
import Testing

import FrontdeskCore

/// RFC 5545 text: escaping, folding at 75 octets with CRLF, VTIMEZONE from the zone's real
/// transitions, and events written in the studio's zone. (The Python `icalendar` check in
/// `Tests/Calendar` reads the same output with a real parser.)
@Suite struct ICalendarTests {
    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func escapesTextValues() {
        #expect(ICalendarText.escape("a,b;c\\d") == "a\\,b\\;c\\\\d")
        #expect(ICalendarText.escape("one\ntwo\r\nthree\rfour") == "one\\ntwo\\nthree\\nfour")
        #expect(ICalendarText.escape("tab\there\u{7}bell") == "tab herebell")
        #expect(ICalendarText.escape("Käse: 🧀") == "Käse: 🧀")
    }

    @Test func foldsAtSeventyFiveOctetsWithoutSplittingCharacters() {
        let short = ICalendarText.fold("SUMMARY:Yoga")
        #expect(short == "SUMMARY:Yoga\r\n")
        // Exactly 75 octets stays one line; 76 folds.
        let exact = "X:" + String(repeating: "a", count: 73)
        #expect(ICalendarText.fold(exact) == exact + "\r\n")
        let over = exact + "b"
        #expect(ICalendarText.fold(over) == exact + "\r\n b\r\n")
        // Multi-byte characters (ü is 2 octets, 🧘 is 4) never straddle a fold.
        let long = "DESCRIPTION:" + String(repeating: "ü🧘", count: 40)
        let folded = ICalendarText.fold(long)
        let physical = folded.components(separatedBy: "\r\n").dropLast()
        #expect(physical.count > 1)
        for line in physical { #expect(line.utf8.count <= 75) }
        for line in physical.dropFirst() { #expect(line.hasPrefix(" ")) }
        // Unfolding gives the line back.
        #expect(folded.replacingOccurrences(of: "\r\n ", with: "") == long + "\r\n")
        #expect(!folded.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test func formatsTimesAndOffsets() {
        let instant = Self.date("2027-03-25T08:00:00Z")
        #expect(ICalendarText.utc(instant) == "20270325T080000Z")
        #expect(ICalendarText.local(instant, zone: TimeZone(identifier: "Europe/Berlin")!) == "20270325T090000")
        #expect(ICalendarText.offset(3600) == "+0100")
        #expect(ICalendarText.offset(-12_600) == "-0330")
        #expect(ICalendarText.offset(19_800 + 28) == "+053028")
    }

    @Test func berlinTimeZoneHasItsRealTransitions() throws {
        let lines = try #require(
            ICalendarTimeZone.lines(
                identifier: "Europe/Berlin", from: Self.date("2027-03-01T00:00:00Z"), to: Self.date("2027-11-30T00:00:00Z")))
        let text = lines.joined(separator: "\n")
        // In force at the start: the fall-back of October 2026; then spring 2027 and autumn 2027.
        #expect(text.contains("BEGIN:STANDARD\nDTSTART:20261025T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100"))
        #expect(text.contains("BEGIN:DAYLIGHT\nDTSTART:20270328T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200"))
        #expect(text.contains("BEGIN:STANDARD\nDTSTART:20271031T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100"))
        #expect(lines.first == "BEGIN:VTIMEZONE" && lines.last == "END:VTIMEZONE")
        #expect(lines.filter { $0.hasPrefix("BEGIN:") }.count == 4)
    }

    @Test func zoneWithoutTransitionsHasOneObservanceAndUnknownZoneNone() throws {
        let lines = try #require(
            ICalendarTimeZone.lines(
                identifier: "Asia/Tokyo", from: Self.date("2027-01-01T00:00:00Z"), to: Self.date("2027-12-31T00:00:00Z")))
        #expect(lines.contains("TZOFFSETTO:+0900"))
        #expect(lines.filter { $0 == "BEGIN:STANDARD" }.count == 1)
        #expect(ICalendarTimeZone.lines(identifier: "Mars/Olympus", from: .now, to: .now) == nil)
    }

    @Test func documentWritesEventsInTheStudioZoneAcrossDST() {
        let before = ICalendarEvent(
            uid: "booking-1@frontdesk", sequence: 2, start: Self.date("2027-03-25T08:00:00Z"), end: Self.date("2027-03-25T09:00:00Z"),
            timezone: "Europe/Berlin", summary: "Yoga, Flow; 60\\min", location: "Loft", description: "Line one\nLine two")
        let after = ICalendarEvent(
            uid: "booking-2@frontdesk", start: Self.date("2027-04-01T07:00:00Z"), end: Self.date("2027-04-01T08:00:00Z"),
            timezone: "Europe/Berlin", summary: "Yoga", status: .cancelled)
        let text = ICalendarDocument(events: [before, after], stamp: Self.date("2027-03-01T00:00:00Z"), name: "My classes").render()
        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        #expect(text.hasSuffix("END:VCALENDAR\r\n"))
        #expect(text.contains("METHOD:PUBLISH\r\n"))
        // Both at 09:00 wall-clock, one before and one after the change to summer time.
        #expect(text.contains("DTSTART;TZID=Europe/Berlin:20270325T090000\r\n"))
        #expect(text.contains("DTSTART;TZID=Europe/Berlin:20270401T090000\r\n"))
        #expect(text.contains("SUMMARY:Yoga\\, Flow\\; 60\\\\min\r\n"))
        #expect(text.contains("DESCRIPTION:Line one\\nLine two\r\n"))
        #expect(text.contains("SEQUENCE:2\r\n"))
        #expect(text.contains("STATUS:CANCELLED\r\n"))
        #expect(text.components(separatedBy: "BEGIN:VTIMEZONE").count == 2)
        // Every line ends with CRLF; no bare LF.
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test func fingerprintIgnoresSequenceAndStampButNotContent() {
        var event = ICalendarEvent(
            uid: "class-1@frontdesk", start: Self.date("2027-03-25T08:00:00Z"), end: Self.date("2027-03-25T09:00:00Z"),
            timezone: "Europe/Berlin", summary: "Yoga")
        let original = event.fingerprint
        event.sequence = 5
        event.lastModified = .now
        #expect(event.fingerprint == original)
        event.start = event.start.addingTimeInterval(3600)
        #expect(event.fingerprint != original)
    }
}
