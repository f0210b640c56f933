import Foundation
import Testing

import FrontdeskCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Expectations about Europe/Berlin across the 2026 DST changes (spring-forward 2026-03-29 02:00 CET → 03:00 CEST,
/// fall-back 2026-10-25 03:00 CEST → 02:00 CET). Every expected instant comes from an ISO-8601 string with an
/// explicit offset, so the checks hold whatever the host's (or the process's) time zone is. Shared by the plain
/// suite and by the suite that changes the process TZ.
enum BerlinDSTExpectations {
    static let hour: TimeInterval = 3_600

    static func verify(_ calendar: OrgCalendar, sourceLocation: SourceLocation = #_sourceLocation) throws {
        // Start of day, winter (UTC+1) and summer (UTC+2).
        #expect(
            calendar.startOfDay(try iso("2026-01-15T14:00:00+01:00")) == (try iso("2026-01-14T23:00:00Z")),
            sourceLocation: sourceLocation)
        #expect(
            calendar.startOfDay(try iso("2026-07-15T14:00:00+02:00")) == (try iso("2026-07-14T22:00:00Z")),
            sourceLocation: sourceLocation)

        // Local midnights around the DST days are 23 h / 25 h apart.
        let spring0 = calendar.startOfDay(try iso("2026-03-29T12:00:00+02:00"), addingDays: 0)
        let spring1 = calendar.startOfDay(try iso("2026-03-29T12:00:00+02:00"), addingDays: 1)
        #expect(spring0 == (try iso("2026-03-29T00:00:00+01:00")), sourceLocation: sourceLocation)
        #expect(spring1 == (try iso("2026-03-30T00:00:00+02:00")), sourceLocation: sourceLocation)
        #expect(spring1.timeIntervalSince(spring0) == 23 * hour, sourceLocation: sourceLocation)

        let fall0 = calendar.startOfDay(try iso("2026-10-25T12:00:00+01:00"), addingDays: 0)
        let fall1 = calendar.startOfDay(try iso("2026-10-25T12:00:00+01:00"), addingDays: 1)
        #expect(fall0 == (try iso("2026-10-25T00:00:00+02:00")), sourceLocation: sourceLocation)
        #expect(fall1 == (try iso("2026-10-26T00:00:00+01:00")), sourceLocation: sourceLocation)
        #expect(fall1.timeIntervalSince(fall0) == 25 * hour, sourceLocation: sourceLocation)

        // 06:30 local on the DST days.
        #expect(
            calendar.instant(onDayOf: spring0, hour: 6, minute: 30) == (try iso("2026-03-29T04:30:00Z")),
            sourceLocation: sourceLocation)
        #expect(
            calendar.instant(onDayOf: fall0, hour: 6, minute: 30) == (try iso("2026-10-25T05:30:00Z")),
            sourceLocation: sourceLocation)

        // 02:30 on 2026-03-29 does not exist: it resolves to a real instant at or after 03:00 CEST, same day.
        let skipped = calendar.instant(onDayOf: spring0, hour: 2, minute: 30)
        #expect(skipped >= (try iso("2026-03-29T03:00:00+02:00")), sourceLocation: sourceLocation)
        #expect(skipped < (try iso("2026-03-29T04:00:00+02:00")), sourceLocation: sourceLocation)
        #expect(calendar.localDateString(skipped) == "2026-03-29", sourceLocation: sourceLocation)

        // Local dates.
        #expect(calendar.localDateString(try iso("2026-07-14T22:30:00Z")) == "2026-07-15", sourceLocation: sourceLocation)
        #expect(calendar.localDateString(try iso("2026-01-14T22:59:59Z")) == "2026-01-14", sourceLocation: sourceLocation)
        #expect(calendar.localDateString(try iso("2026-01-14T23:00:00Z")) == "2026-01-15", sourceLocation: sourceLocation)
    }
}

@Suite("OrgCalendar")
struct OrgCalendarTests {
    static let hour: TimeInterval = 3_600

    @Test("Europe/Berlin across the 2026 DST changes")
    func berlinDST() throws {
        try BerlinDSTExpectations.verify(OrgCalendar(timezone: "Europe/Berlin"))
    }

    @Test("keeps the zone it was given")
    func zone() {
        #expect(OrgCalendar(timezone: "Europe/Berlin").timeZone.identifier == "Europe/Berlin")
        #expect(OrgCalendar(timezone: "America/New_York").timeZone.identifier == "America/New_York")
    }

    @Test("an unknown zone falls back to UTC", arguments: ["Mars/Olympus", "", "not a zone"])
    func unknownZoneIsUTC(identifier: String) throws {
        let calendar = OrgCalendar(timezone: identifier)
        #expect(calendar.timeZone.secondsFromGMT(for: try iso("2026-07-01T00:00:00Z")) == 0)
        #expect(calendar.timeZone.secondsFromGMT(for: try iso("2026-01-01T00:00:00Z")) == 0)
        #expect(calendar.startOfDay(try iso("2026-07-14T23:30:00Z")) == (try iso("2026-07-14T00:00:00Z")))
        #expect(calendar.localDateString(try iso("2026-07-14T23:30:00Z")) == "2026-07-14")
    }

    // MARK: startOfDay

    @Test(
        "startOfDay is the first local instant of the day",
        arguments: [
            // zone, instant, expected start of its local day, expected local date
            ("Europe/Berlin", "2026-01-15T14:00:00+01:00", "2026-01-15T00:00:00+01:00", "2026-01-15"),
            ("Europe/Berlin", "2026-01-15T00:30:00+01:00", "2026-01-15T00:00:00+01:00", "2026-01-15"),  // UTC: the 14th
            ("Europe/Berlin", "2026-01-15T23:59:59+01:00", "2026-01-15T00:00:00+01:00", "2026-01-15"),
            ("Europe/Berlin", "2026-07-15T14:00:00+02:00", "2026-07-15T00:00:00+02:00", "2026-07-15"),
            ("Europe/Berlin", "2026-07-14T22:30:00Z", "2026-07-15T00:00:00+02:00", "2026-07-15"),
            ("Europe/Berlin", "2026-07-15T00:00:00+02:00", "2026-07-15T00:00:00+02:00", "2026-07-15"),  // exactly midnight
            ("Europe/Berlin", "2026-07-14T23:59:59.999+02:00", "2026-07-14T00:00:00+02:00", "2026-07-14"),
            ("Europe/Berlin", "2026-03-29T12:00:00+02:00", "2026-03-29T00:00:00+01:00", "2026-03-29"),  // spring-forward
            ("Europe/Berlin", "2026-03-29T01:59:59+01:00", "2026-03-29T00:00:00+01:00", "2026-03-29"),
            ("Europe/Berlin", "2026-03-29T03:00:00+02:00", "2026-03-29T00:00:00+01:00", "2026-03-29"),
            ("Europe/Berlin", "2026-10-25T12:00:00+01:00", "2026-10-25T00:00:00+02:00", "2026-10-25"),  // fall-back
            ("Europe/Berlin", "2026-10-25T02:30:00+02:00", "2026-10-25T00:00:00+02:00", "2026-10-25"),  // first 02:30
            ("Europe/Berlin", "2026-10-25T02:30:00+01:00", "2026-10-25T00:00:00+02:00", "2026-10-25"),  // second 02:30
            ("America/New_York", "2026-07-15T02:00:00Z", "2026-07-14T00:00:00-04:00", "2026-07-14"),
            ("America/New_York", "2026-03-08T12:00:00-04:00", "2026-03-08T00:00:00-05:00", "2026-03-08"),
            ("America/New_York", "2026-11-01T12:00:00-05:00", "2026-11-01T00:00:00-04:00", "2026-11-01"),
            ("UTC", "2026-07-15T23:59:59Z", "2026-07-15T00:00:00Z", "2026-07-15"),
            ("Pacific/Auckland", "2026-07-14T13:00:00Z", "2026-07-15T00:00:00+12:00", "2026-07-15"),
            ("Pacific/Auckland", "2026-01-14T12:00:00Z", "2026-01-15T00:00:00+13:00", "2026-01-15"),
            ("Asia/Kolkata", "2026-07-14T19:00:00Z", "2026-07-15T00:00:00+05:30", "2026-07-15"),
            ("Asia/Kathmandu", "2026-07-14T18:14:59Z", "2026-07-14T00:00:00+05:45", "2026-07-14"),
            ("Asia/Kathmandu", "2026-07-14T18:15:00Z", "2026-07-15T00:00:00+05:45", "2026-07-15"),
            // Chile springs forward at local midnight (2026-09-06 00:00 -04 → 01:00 -03): the day starts at 01:00.
            ("America/Santiago", "2026-09-06T12:00:00-03:00", "2026-09-06T01:00:00-03:00", "2026-09-06"),
        ])
    func startOfDay(zone: String, instant: String, expectedStart: String, expectedDate: String) throws {
        let calendar = OrgCalendar(timezone: zone)
        let date = try iso(instant)
        let start = calendar.startOfDay(date)
        #expect(start == (try iso(expectedStart)))
        #expect(start <= date)
        #expect(calendar.localDateString(date) == expectedDate)
        #expect(calendar.localDateString(start) == expectedDate)
        #expect(calendar.startOfDay(start) == start)  // idempotent
        #expect(calendar.startOfDay(date, addingDays: 0) == start)
    }

    // MARK: startOfDay(_:addingDays:)

    @Test(
        "local midnights are 23 h apart across spring-forward and 25 h across fall-back",
        arguments: ["00:00:00", "00:30:00", "09:15:00", "12:00:00", "23:59:59"])
    func addingDaysAcrossDST(localTime: String) throws {
        let calendar = OrgCalendar(timezone: "Europe/Berlin")

        let beforeSpring = try iso("2026-03-28T\(localTime)+01:00")
        let m28 = calendar.startOfDay(beforeSpring, addingDays: 0)
        let m29 = calendar.startOfDay(beforeSpring, addingDays: 1)
        let m30 = calendar.startOfDay(beforeSpring, addingDays: 2)
        #expect(m28 == (try iso("2026-03-28T00:00:00+01:00")))
        #expect(m29 == (try iso("2026-03-29T00:00:00+01:00")))
        #expect(m30 == (try iso("2026-03-30T00:00:00+02:00")))
        #expect(m29.timeIntervalSince(m28) == 24 * Self.hour)
        #expect(m30.timeIntervalSince(m29) == 23 * Self.hour)

        let beforeFall = try iso("2026-10-24T\(localTime)+02:00")
        let o24 = calendar.startOfDay(beforeFall, addingDays: 0)
        let o25 = calendar.startOfDay(beforeFall, addingDays: 1)
        let o26 = calendar.startOfDay(beforeFall, addingDays: 2)
        #expect(o24 == (try iso("2026-10-24T00:00:00+02:00")))
        #expect(o25 == (try iso("2026-10-25T00:00:00+02:00")))
        #expect(o26 == (try iso("2026-10-26T00:00:00+01:00")))
        #expect(o25.timeIntervalSince(o24) == 24 * Self.hour)
        #expect(o26.timeIntervalSince(o25) == 25 * Self.hour)
    }

    @Test("addingDays counts backwards too, across the DST days")
    func negativeDays() throws {
        let calendar = OrgCalendar(timezone: "Europe/Berlin")
        let afterSpring = try iso("2026-03-30T08:00:00+02:00")
        #expect(calendar.startOfDay(afterSpring, addingDays: -1) == (try iso("2026-03-29T00:00:00+01:00")))
        #expect(calendar.startOfDay(afterSpring, addingDays: -2) == (try iso("2026-03-28T00:00:00+01:00")))
        let afterFall = try iso("2026-10-26T00:00:00+01:00")
        #expect(calendar.startOfDay(afterFall, addingDays: -1) == (try iso("2026-10-25T00:00:00+02:00")))
        // Starting inside the repeated hour.
        let repeated = try iso("2026-10-25T02:30:00+01:00")
        #expect(calendar.startOfDay(repeated, addingDays: 1) == (try iso("2026-10-26T00:00:00+01:00")))
        #expect(calendar.startOfDay(repeated, addingDays: -1) == (try iso("2026-10-24T00:00:00+02:00")))
    }

    @Test(
        "addingDays spans months and years",
        arguments: [
            (0, "2026-01-01T00:00:00+01:00"), (31, "2026-02-01T00:00:00+01:00"), (181, "2026-07-01T00:00:00+02:00"),
            (365, "2027-01-01T00:00:00+01:00"), (-1, "2025-12-31T00:00:00+01:00"), (-365, "2025-01-01T00:00:00+01:00"),
            (790, "2028-03-01T00:00:00+01:00"),  // via 2028-02-29
        ])
    func longSpans(days: Int, expected: String) throws {
        let calendar = OrgCalendar(timezone: "Europe/Berlin")
        #expect(calendar.startOfDay(try iso("2026-01-01T18:00:00+01:00"), addingDays: days) == (try iso(expected)))
    }

    @Test(
        "walking a whole year gives consecutive local midnights with exactly one 23 h and one 25 h day",
        arguments: [
            ("Europe/Berlin", "2026-01-01T00:00:00+01:00", 1, 1),
            ("America/New_York", "2026-01-01T00:00:00-05:00", 1, 1),
            ("Pacific/Auckland", "2026-01-01T00:00:00+13:00", 1, 1),
            ("Asia/Kolkata", "2026-01-01T00:00:00+05:30", 0, 0),
            ("UTC", "2026-01-01T00:00:00Z", 0, 0),
        ])
    func walkYear(zone: String, firstMidnight: String, shortDays: Int, longDays: Int) throws {
        let calendar = OrgCalendar(timezone: zone)
        let origin = try iso(firstMidnight)

        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = try #require(TimeZone(identifier: "UTC"))
        let utcOrigin = try iso("2026-01-01T00:00:00Z")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = utc.timeZone
        formatter.dateFormat = "yyyy-MM-dd"

        var lengths: [TimeInterval: Int] = [:]
        var previous = calendar.startOfDay(origin, addingDays: 0)
        #expect(previous == origin)
        for offset in 1...365 {
            let midnight = calendar.startOfDay(origin, addingDays: offset)
            let expectedDate = formatter.string(from: try #require(utc.date(byAdding: .day, value: offset, to: utcOrigin)))
            #expect(calendar.localDateString(midnight) == expectedDate)
            #expect(calendar.startOfDay(midnight) == midnight)
            #expect(calendar.instant(onDayOf: midnight, hour: 0, minute: 0) == midnight)
            lengths[midnight.timeIntervalSince(previous), default: 0] += 1
            previous = midnight
        }
        #expect(lengths[23 * Self.hour, default: 0] == shortDays)
        #expect(lengths[25 * Self.hour, default: 0] == longDays)
        #expect(lengths[24 * Self.hour, default: 0] == 365 - shortDays - longDays)
    }

    // MARK: instant(onDayOf:hour:minute:)

    @Test(
        "wall-clock times map to the right instants",
        arguments: [
            // zone, any instant on the local day, hour, minute, expected instant
            ("Europe/Berlin", "2026-03-29T00:00:00+01:00", 6, 30, "2026-03-29T04:30:00Z"),
            ("Europe/Berlin", "2026-03-29T00:15:00+01:00", 6, 30, "2026-03-29T04:30:00Z"),  // UTC: still the 28th
            ("Europe/Berlin", "2026-03-29T23:59:00+02:00", 6, 30, "2026-03-29T04:30:00Z"),
            ("Europe/Berlin", "2026-10-25T00:00:00+02:00", 6, 30, "2026-10-25T05:30:00Z"),
            ("Europe/Berlin", "2026-10-25T23:59:00+01:00", 6, 30, "2026-10-25T05:30:00Z"),
            ("Europe/Berlin", "2026-01-15T12:00:00+01:00", 6, 30, "2026-01-15T05:30:00Z"),
            ("Europe/Berlin", "2026-07-15T12:00:00+02:00", 6, 30, "2026-07-15T04:30:00Z"),
            ("Europe/Berlin", "2026-03-29T12:00:00+02:00", 0, 0, "2026-03-28T23:00:00Z"),
            ("Europe/Berlin", "2026-03-29T12:00:00+02:00", 1, 59, "2026-03-29T01:59:00+01:00"),
            ("Europe/Berlin", "2026-03-29T12:00:00+02:00", 3, 0, "2026-03-29T03:00:00+02:00"),
            ("Europe/Berlin", "2026-03-29T12:00:00+02:00", 23, 59, "2026-03-29T23:59:00+02:00"),
            ("Europe/Berlin", "2026-10-25T12:00:00+01:00", 1, 59, "2026-10-25T01:59:00+02:00"),
            ("Europe/Berlin", "2026-10-25T12:00:00+01:00", 3, 0, "2026-10-25T03:00:00+01:00"),
            ("Europe/Berlin", "2026-10-25T12:00:00+01:00", 18, 0, "2026-10-25T17:00:00Z"),
            ("America/New_York", "2026-03-08T12:00:00-04:00", 6, 30, "2026-03-08T10:30:00Z"),
            ("America/New_York", "2026-11-01T12:00:00-05:00", 6, 30, "2026-11-01T11:30:00Z"),
            ("America/New_York", "2026-07-15T02:00:00Z", 18, 0, "2026-07-14T22:00:00Z"),  // local day is the 14th
            ("Pacific/Auckland", "2026-04-05T12:00:00+12:00", 6, 30, "2026-04-04T18:30:00Z"),  // NZ fall-back day
            ("Pacific/Auckland", "2026-09-27T12:00:00+13:00", 6, 30, "2026-09-26T17:30:00Z"),  // NZ spring-forward day
            ("Asia/Kolkata", "2026-07-15T12:00:00+05:30", 6, 30, "2026-07-15T01:00:00Z"),
            ("UTC", "2026-07-15T23:59:59Z", 6, 30, "2026-07-15T06:30:00Z"),
        ])
    func instant(zone: String, day: String, hour: Int, minute: Int, expected: String) throws {
        let calendar = OrgCalendar(timezone: zone)
        let result = calendar.instant(onDayOf: try iso(day), hour: hour, minute: minute)
        #expect(result == (try iso(expected)))
        #expect(calendar.localDateString(result) == calendar.localDateString(try iso(day)))
    }

    @Test(
        "a time skipped by spring-forward resolves to a valid instant at or after the jump, same day",
        arguments: [
            // zone, local day, hour, minute, first valid instant after the gap, end of the hour after the gap
            ("Europe/Berlin", "2026-03-29T12:00:00+02:00", 2, 0, "2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00"),
            ("Europe/Berlin", "2026-03-29T12:00:00+02:00", 2, 30, "2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00"),
            ("Europe/Berlin", "2026-03-29T12:00:00+02:00", 2, 59, "2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00"),
            ("America/New_York", "2026-03-08T12:00:00-04:00", 2, 30, "2026-03-08T03:00:00-04:00", "2026-03-08T04:00:00-04:00"),
            ("Pacific/Auckland", "2026-09-27T12:00:00+13:00", 2, 30, "2026-09-27T03:00:00+13:00", "2026-09-27T04:00:00+13:00"),
        ])
    func skippedTime(zone: String, day: String, hour: Int, minute: Int, notBefore: String, before: String) throws {
        let calendar = OrgCalendar(timezone: zone)
        let result = calendar.instant(onDayOf: try iso(day), hour: hour, minute: minute)
        #expect(result >= (try iso(notBefore)))
        #expect(result < (try iso(before)))
        #expect(calendar.localDateString(result) == calendar.localDateString(try iso(day)))
    }

    @Test("a time repeated by fall-back resolves to one of its two instants")
    func repeatedTime() throws {
        let calendar = OrgCalendar(timezone: "Europe/Berlin")
        let result = calendar.instant(onDayOf: try iso("2026-10-25T12:00:00+01:00"), hour: 2, minute: 30)
        let candidates = [try iso("2026-10-25T02:30:00+02:00"), try iso("2026-10-25T02:30:00+01:00")]
        #expect(candidates.contains(result))
    }

    @Test("instant(hour: 0, minute: 0) is the start of the local day")
    func midnightIsStartOfDay() throws {
        let calendar = OrgCalendar(timezone: "Europe/Berlin")
        for text in ["2026-03-29T15:00:00+02:00", "2026-10-25T15:00:00+01:00", "2026-07-01T00:00:00+02:00"] {
            let day = try iso(text)
            #expect(calendar.instant(onDayOf: day, hour: 0, minute: 0) == calendar.startOfDay(day))
        }
    }

    // MARK: localDateString

    @Test(
        "localDateString is the zero-padded local YYYY-MM-DD",
        arguments: [
            ("Europe/Berlin", "2026-07-14T22:30:00Z", "2026-07-15"),
            ("America/New_York", "2026-07-14T22:30:00Z", "2026-07-14"),
            ("UTC", "2026-07-14T22:30:00Z", "2026-07-14"),
            ("Pacific/Auckland", "2026-07-14T22:30:00Z", "2026-07-15"),
            ("Pacific/Honolulu", "2026-07-15T09:59:00Z", "2026-07-14"),
            ("Pacific/Kiritimati", "2026-07-14T10:00:00Z", "2026-07-15"),
            ("Europe/Berlin", "2026-01-05T10:00:00Z", "2026-01-05"),
            ("Europe/Berlin", "2026-12-31T23:30:00Z", "2027-01-01"),
            ("America/New_York", "2027-01-01T04:59:59Z", "2026-12-31"),
            ("Europe/Berlin", "2028-02-29T12:00:00Z", "2028-02-29"),
            ("Europe/Berlin", "2026-03-29T00:59:59Z", "2026-03-29"),
            ("Europe/Berlin", "2026-10-25T22:59:59Z", "2026-10-25"),
            ("Europe/Berlin", "2026-10-25T23:00:00Z", "2026-10-26"),
        ])
    func localDateString(zone: String, instant: String, expected: String) throws {
        #expect(OrgCalendar(timezone: zone).localDateString(try iso(instant)) == expected)
    }
}

/// Changes the process time zone (`TZ`), so it must not overlap with itself; the expectations inside never
/// depend on the host zone, so other suites running in parallel are unaffected by the change.
@Suite("OrgCalendar ignores the process time zone", .serialized)
struct OrgCalendarProcessTimeZoneTests {
    /// Runs `body` with `TZ` set to `zone`, restoring the previous value (or its absence) afterwards.
    static func withProcessTimeZone(_ zone: String, _ body: () throws -> Void) throws {
        let previous = getenv("TZ").map { String(cString: $0) }
        setenv("TZ", zone, 1)
        tzset()
        NSTimeZone.resetSystemTimeZone()
        defer {
            if let previous { setenv("TZ", previous, 1) } else { unsetenv("TZ") }
            tzset()
            NSTimeZone.resetSystemTimeZone()
        }
        try body()
    }

    @Test(
        "same results whatever TZ the process runs in",
        arguments: ["Pacific/Auckland", "America/Los_Angeles", "Asia/Kathmandu", "Pacific/Kiritimati", "Europe/Berlin", "UTC"])
    func sameResults(processZone: String) throws {
        let createdBefore = OrgCalendar(timezone: "Europe/Berlin")
        try Self.withProcessTimeZone(processZone) {
            // The change really took effect, for C and for Foundation.
            let zone = try #require(TimeZone(identifier: processZone))
            for probe in [try iso("2026-01-15T12:00:00Z"), try iso("2026-07-15T12:00:00Z")] {
                var seconds = time_t(probe.timeIntervalSince1970)
                var parts = tm()
                localtime_r(&seconds, &parts)
                #expect(Int(parts.tm_gmtoff) == zone.secondsFromGMT(for: probe))
                #expect(TimeZone.current.secondsFromGMT(for: probe) == zone.secondsFromGMT(for: probe))
            }

            try BerlinDSTExpectations.verify(OrgCalendar(timezone: "Europe/Berlin"))
            try BerlinDSTExpectations.verify(createdBefore)

            let newYork = OrgCalendar(timezone: "America/New_York")
            #expect(newYork.localDateString(try iso("2026-07-15T02:00:00Z")) == "2026-07-14")
            #expect(
                newYork.instant(onDayOf: try iso("2026-03-08T12:00:00-04:00"), hour: 6, minute: 30)
                    == (try iso("2026-03-08T10:30:00Z")))
        }
    }
}
