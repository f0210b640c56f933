import Foundation
import Testing

import FrontdeskCore

/// When a weekly series has its classes: wall-clock times across DST in Berlin and New York, the
/// documented rule for a start time that a spring-forward day skips or a fall-back day repeats, and
/// the edges of the dates and the closures.
@Suite("Series pattern")
struct SeriesPatternTests {
    let berlin = OrgCalendar(timezone: "Europe/Berlin")
    let newYork = OrgCalendar(timezone: "America/New_York")

    func starts(_ pattern: SeriesPattern, _ calendar: OrgCalendar, _ from: String, _ through: String) -> [Date] {
        pattern.occurrences(calendar: calendar, from: from, through: through).map(\.startsAt)
    }

    @Test("18:00 stays 18:00 local on both sides of Berlin's spring-forward and fall-back")
    func berlinWallClock() throws {
        let sundays = SeriesPattern(weekdays: [7], startTime: "18:00", firstDate: "2027-03-21")
        #expect(
            starts(sundays, berlin, "2027-03-21", "2027-04-04")
                == [try iso("2027-03-21T18:00:00+01:00"), try iso("2027-03-28T18:00:00+02:00"), try iso("2027-04-04T18:00:00+02:00")])
        #expect(
            starts(sundays, berlin, "2027-10-24", "2027-11-07")
                == [try iso("2027-10-24T18:00:00+02:00"), try iso("2027-10-31T18:00:00+01:00"), try iso("2027-11-07T18:00:00+01:00")])
    }

    @Test("a skipped start time moves forward by the gap; a repeated one is its first occurrence (Berlin)")
    func berlinGapAndRepeat() throws {
        let early = SeriesPattern(weekdays: [7], startTime: "02:30", firstDate: "2027-03-21")
        // 2027-03-28: 02:00 CET jumps to 03:00 CEST, so 02:30 becomes 03:30 CEST.
        #expect(
            starts(early, berlin, "2027-03-21", "2027-04-04")
                == [try iso("2027-03-21T02:30:00+01:00"), try iso("2027-03-28T03:30:00+02:00"), try iso("2027-04-04T02:30:00+02:00")])
        // 2027-10-31: 02:30 happens twice; the class is at the first, still in summer time.
        #expect(
            starts(early, berlin, "2027-10-31", "2027-10-31") == [try iso("2027-10-31T02:30:00+02:00")])
        // Just outside the gap on either side: 01:59 and 03:00 are kept as they are.
        let before = SeriesPattern(weekdays: [7], startTime: "01:59", firstDate: "2027-03-28")
        let after = SeriesPattern(weekdays: [7], startTime: "03:00", firstDate: "2027-03-28")
        #expect(starts(before, berlin, "2027-03-28", "2027-03-28") == [try iso("2027-03-28T01:59:00+01:00")])
        #expect(starts(after, berlin, "2027-03-28", "2027-03-28") == [try iso("2027-03-28T03:00:00+02:00")])
    }

    @Test("New York: the 02:30 class on 2027-03-14 is at 03:30 EDT; 01:30 on 2027-11-07 is the first, EDT")
    func newYorkGapAndRepeat() throws {
        let early = SeriesPattern(weekdays: [7], startTime: "02:30", firstDate: "2027-03-07")
        #expect(
            starts(early, newYork, "2027-03-07", "2027-03-21")
                == [try iso("2027-03-07T02:30:00-05:00"), try iso("2027-03-14T03:30:00-04:00"), try iso("2027-03-21T02:30:00-04:00")])
        let repeated = SeriesPattern(weekdays: [7], startTime: "01:30", firstDate: "2027-11-07")
        #expect(starts(repeated, newYork, "2027-11-07", "2027-11-07") == [try iso("2027-11-07T01:30:00-04:00")])
        let evening = SeriesPattern(weekdays: [1, 3], startTime: "18:00", firstDate: "2027-03-08")
        #expect(
            starts(evening, newYork, "2027-03-08", "2027-03-15")
                == [try iso("2027-03-08T18:00:00-05:00"), try iso("2027-03-10T18:00:00-05:00"), try iso("2027-03-15T18:00:00-04:00")])
    }

    @Test("first and last dates are inclusive; the range outside them is empty")
    func dateEdges() {
        let pattern = SeriesPattern(weekdays: [1, 2, 3, 4, 5, 6, 7], startTime: "07:00", firstDate: "2027-01-10", lastDate: "2027-01-12")
        let dates = pattern.occurrences(calendar: berlin, from: "2027-01-01", through: "2027-01-31").map(\.localDate)
        #expect(dates == ["2027-01-10", "2027-01-11", "2027-01-12"])
        #expect(pattern.occurrences(calendar: berlin, from: "2027-01-13", through: "2027-01-31").isEmpty)
        #expect(pattern.occurrences(calendar: berlin, from: "2027-01-01", through: "2027-01-09").isEmpty)
        #expect(pattern.occurrences(calendar: berlin, from: "2027-01-12", through: "2027-01-12").map(\.localDate) == ["2027-01-12"])
    }

    @Test("validation names the field and sorts the weekdays")
    func validation() throws {
        let good = try SeriesPattern(weekdays: [3, 1, 3], startTime: "23:59", firstDate: "2027-01-10").validated(calendar: berlin)
        #expect(good.weekdays == [1, 3])
        let bad: [(SeriesPattern, String)] = [
            (SeriesPattern(weekdays: [], startTime: "18:00", firstDate: "2027-01-10"), "weekdays"),
            (SeriesPattern(weekdays: [0], startTime: "18:00", firstDate: "2027-01-10"), "weekdays"),
            (SeriesPattern(weekdays: [8], startTime: "18:00", firstDate: "2027-01-10"), "weekdays"),
            (SeriesPattern(weekdays: [1], startTime: "24:00", firstDate: "2027-01-10"), "startTime"),
            (SeriesPattern(weekdays: [1], startTime: "7:00", firstDate: "2027-01-10"), "startTime"),
            (SeriesPattern(weekdays: [1], startTime: "18:00", firstDate: "2027-02-30"), "firstDate"),
            (SeriesPattern(weekdays: [1], startTime: "18:00", firstDate: "2027-01-10", lastDate: "2027-01-09"), "lastDate"),
        ]
        for (pattern, field) in bad {
            #expect(throws: DomainError.self) { try pattern.validated(calendar: berlin) }
            do {
                _ = try pattern.validated(calendar: berlin)
            } catch let error as DomainError {
                #expect(error.code == "invalid_field" && error.message.hasPrefix(field), "\(pattern): \(error)")
            }
        }
        // The same day as first and last date is a one-class series.
        #expect(throws: Never.self) {
            try SeriesPattern(weekdays: [7], startTime: "18:00", firstDate: "2027-01-10", lastDate: "2027-01-10").validated(
                calendar: berlin)
        }
    }

    @Test("a closure covers its first and last date, and only its location")
    func closureEdges() {
        let loft = ClosureRange(locationId: "loft", firstDate: "2027-12-24", lastDate: "2027-12-26")
        #expect(!loft.covers(date: "2027-12-23", locationId: "loft"))
        #expect(loft.covers(date: "2027-12-24", locationId: "loft"))
        #expect(loft.covers(date: "2027-12-26", locationId: "loft"))
        #expect(!loft.covers(date: "2027-12-27", locationId: "loft"))
        #expect(!loft.covers(date: "2027-12-25", locationId: "garden"))
        #expect(!loft.covers(date: "2027-12-25", locationId: nil))
        let studio = ClosureRange(locationId: nil, firstDate: "2027-12-24", lastDate: "2027-12-26")
        #expect(studio.covers(date: "2027-12-25", locationId: "garden"))
        #expect(studio.covers(date: "2027-12-25", locationId: nil))
    }
}
