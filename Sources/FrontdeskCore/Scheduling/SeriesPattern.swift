import Foundation

/// When a weekly series has a class: ISO weekdays (1 = Monday … 7 = Sunday), a local wall-clock start
/// time, and a first and an optional last local date (both inclusive), all in the studio's zone.
///
/// The start is wall-clock time on each date, so an 18:00 class stays at 18:00 across a DST change. A
/// start time that does not exist on a spring-forward day moves forward by the length of the gap
/// (02:30 on the day clocks jump from 02:00 to 03:00 becomes 03:30, as RFC 5545 does); a time that
/// happens twice on a fall-back day is its first occurrence (summer time).
public struct SeriesPattern: Codable, Sendable, Equatable {
    public var weekdays: [Int]
    public var startTime: String
    public var firstDate: String
    public var lastDate: String?

    public init(weekdays: [Int], startTime: String, firstDate: String, lastDate: String? = nil) {
        self.weekdays = weekdays
        self.startTime = startTime
        self.firstDate = firstDate
        self.lastDate = lastDate
    }

    /// The longest a series may run without a last date being given is open; with one, at most this many days.
    public static let maxSpanDays = 3_660

    /// The pattern with weekdays sorted and de-duplicated; throws 400 naming the field for anything malformed.
    public func validated(calendar: OrgCalendar) throws -> SeriesPattern {
        var pattern = self
        guard !weekdays.isEmpty, weekdays.count <= 7, weekdays.allSatisfy((1...7).contains) else {
            throw DomainError.invalidField("weekdays", "list ISO weekdays, 1 (Monday) to 7 (Sunday).")
        }
        pattern.weekdays = Array(Set(weekdays)).sorted()
        guard BulkFilter.isClockTime(startTime) else {
            throw DomainError.invalidField("startTime", "give the local start time as HH:mm, e.g. \"18:00\".")
        }
        guard let first = calendar.startOfDay(localDate: firstDate) else {
            throw DomainError.invalidField("firstDate", "use a date as YYYY-MM-DD.")
        }
        guard first >= ScheduleRules.earliestStart, first < ScheduleRules.latestStart else {
            throw DomainError.invalidField("firstDate", "must be between 2000 and 2100.")
        }
        if let lastDate {
            guard let last = calendar.startOfDay(localDate: lastDate) else {
                throw DomainError.invalidField("lastDate", "use a date as YYYY-MM-DD.")
            }
            guard last >= first else { throw DomainError.invalidField("lastDate", "must not be before firstDate.") }
            guard last.timeIntervalSince(first) <= Double(Self.maxSpanDays) * 86_400 else {
                throw DomainError.invalidField("lastDate", "a series spans at most \(Self.maxSpanDays) days; leave it open instead.")
            }
        }
        return pattern
    }

    /// The local hour and minute of `startTime` (a validated pattern).
    public var clock: (hour: Int, minute: Int) {
        (Int(startTime.prefix(2)) ?? 0, Int(startTime.suffix(2)) ?? 0)
    }

    /// One class of the series: its local date and its start instant.
    public struct Occurrence: Sendable, Equatable {
        public var localDate: String
        public var startsAt: Date
    }

    /// The classes of the series on the local dates `from` through `through` (inclusive, `YYYY-MM-DD`),
    /// within the series' own dates, in order. Empty when the range is empty or malformed.
    public func occurrences(calendar: OrgCalendar, from: String, through: String) -> [Occurrence] {
        let start = max(from, firstDate)
        let end = lastDate.map { min($0, through) } ?? through
        guard start <= end, var day = calendar.startOfDay(localDate: start) else { return [] }
        let (hour, minute) = clock
        var result: [Occurrence] = []
        var date = start
        while date <= end {
            if weekdays.contains(calendar.isoWeekday(day)) {
                result.append(Occurrence(localDate: date, startsAt: calendar.instant(onDayOf: day, hour: hour, minute: minute)))
            }
            day = calendar.startOfDay(day, addingDays: 1)
            date = calendar.localDateString(day)
        }
        return result
    }
}

/// Dates a studio or one of its locations is closed: no class is generated in them.
public struct ClosureRange: Codable, Sendable, Equatable {
    /// Nil: the whole studio.
    public var locationId: String?
    public var firstDate: String
    public var lastDate: String

    public init(locationId: String?, firstDate: String, lastDate: String) {
        self.locationId = locationId
        self.firstDate = firstDate
        self.lastDate = lastDate
    }

    /// The longest one closure may be.
    public static let maxDays = 366

    /// Whether a class at `locationId` on local date `date` falls in the closure.
    public func covers(date: String, locationId classLocation: String?) -> Bool {
        date >= firstDate && date <= lastDate && (locationId == nil || locationId == classLocation)
    }

    /// The range checked: dates well-formed, in order, at most `maxDays` long, not before `today` (a
    /// closure cannot take back classes that have happened).
    public func validated(calendar: OrgCalendar, today: String) throws -> ClosureRange {
        guard let first = calendar.startOfDay(localDate: firstDate) else {
            throw DomainError.invalidField("from", "use a date as YYYY-MM-DD.")
        }
        guard let last = calendar.startOfDay(localDate: lastDate) else {
            throw DomainError.invalidField("to", "use a date as YYYY-MM-DD.")
        }
        guard first <= last else { throw DomainError.invalidField("to", "must not be before from.") }
        guard firstDate >= today else { throw DomainError.invalidField("from", "a closure starts today (\(today)) or later.") }
        // Whole days apart (a DST change in between makes the seconds an hour off).
        guard Int((last.timeIntervalSince(first) / 86_400).rounded()) < Self.maxDays else {
            throw DomainError.invalidField("to", "a closure lasts at most \(Self.maxDays) days.")
        }
        guard first >= ScheduleRules.earliestStart, last < ScheduleRules.latestStart else {
            throw DomainError.invalidField("from", "must be between 2000 and 2100.")
        }
        return self
    }
}
