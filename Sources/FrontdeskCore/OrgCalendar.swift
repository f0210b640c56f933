import Foundation
import Synchronization

/// Calendar maths in one organization's IANA time zone (never the host's), correct across DST.
/// Weeks start on Monday.
public struct OrgCalendar: Sendable {
    public let timeZone: TimeZone
    private let calendar: Calendar
    /// Shared by every copy made for the zone.
    private let days: LocalDays

    /// A calendar for `identifier`; an unknown zone falls back to UTC (zones are validated on input).
    /// Made once per zone and process: building a `TimeZone` and a `Calendar` reads the zone database,
    /// which cost more than everything else a schedule read computes.
    public init(timezone identifier: String) {
        if let made = Self.made.withLock({ $0[identifier] }) {
            self = made
            return
        }
        let zone = TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        self.timeZone = zone
        self.calendar = calendar
        self.days = LocalDays()
        let made = self
        Self.made.withLock { made_ in
            // Zones are a closed set (validated on input); the bound only guards against a bug.
            if made_.count < 1_000 { made_[identifier] = made }
        }
    }

    private static let made = Mutex<[String: OrgCalendar]>([:])

    /// The first instant of the local day containing `date`.
    public func startOfDay(_ date: Date) -> Date { day(date)?.start ?? calendar.startOfDay(for: date) }

    private static func quarter(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / LocalDays.quarter).rounded(.down))
    }

    /// The local day of `date` from `days` (see `LocalDays`), made on first use; `nil` for an instant
    /// whose quarter hour holds a local midnight (only zones whose offset is no whole quarter hour,
    /// none since 1972), which callers compute directly.
    private func day(_ date: Date) -> LocalDays.Day? {
        let quarter = Self.quarter(date)
        if let known = days.day(quarter) { return known }
        let first = Date(timeIntervalSince1970: Double(quarter) * LocalDays.quarter)
        let last = Date(timeIntervalSince1970: Double(quarter + 1) * LocalDays.quarter - 0.001)
        let start = calendar.startOfDay(for: first)
        guard calendar.startOfDay(for: last) == start else { return nil }
        let c = calendar.dateComponents([.year, .month, .day, .weekday], from: start)
        let weekday = c.weekday ?? 1
        // Monday of its week: back to Monday from the day's noon (clear of any DST jump), that day's start.
        let noon = calendar.date(byAdding: .hour, value: 12, to: start)!
        let monday = calendar.date(byAdding: .day, value: -((weekday + 5) % 7), to: noon)!
        let day = LocalDays.Day(
            start: start,
            localDate: Self.padded(c.year ?? 0, 4) + "-" + Self.padded(c.month ?? 0, 2) + "-" + Self.padded(c.day ?? 0, 2),
            weekday: weekday, weekStart: calendar.startOfDay(for: monday))
        days.remember(day, quarter: quarter)
        return day
    }

    /// The first instant of the local day `days` after the one containing `date`.
    public func startOfDay(_ date: Date, addingDays days: Int) -> Date {
        // The same for every instant of a quarter hour within one local day: remembered for it.
        let quarter = Self.quarter(date)
        if let known = self.days.shifted(quarter, days: days) { return known }
        let shifted = startOfDayComputed(date, addingDays: days)
        if day(date) != nil { self.days.remember(shifted, quarter: quarter, days: days) }
        return shifted
    }

    private func startOfDayComputed(_ date: Date, addingDays days: Int) -> Date {
        let start = startOfDay(date)
        let noon = calendar.date(byAdding: .hour, value: 12, to: start)!
        return startOfDay(calendar.date(byAdding: .day, value: days, to: noon)!)
    }

    /// The same local wall-clock time `days` calendar days later (earlier for negative `days`),
    /// so "two days before 18:00" is 18:00 local even across a DST change.
    public func sameLocalTime(_ date: Date, addingDays days: Int) -> Date {
        calendar.date(byAdding: .day, value: days, to: date) ?? date.addingTimeInterval(TimeInterval(days * 86_400))
    }

    /// The first instant of the local ISO week (Monday 00:00) containing `date`.
    public func startOfWeek(_ date: Date) -> Date {
        if let day = day(date) { return day.weekStart }
        let start = startOfDay(date)
        let weekday = calendar.component(.weekday, from: start)  // 1 = Sunday … 7 = Saturday
        let daysSinceMonday = (weekday + 5) % 7
        return startOfDay(start, addingDays: -daysSinceMonday)
    }

    /// The local ISO weekday, 1 = Monday … 7 = Sunday.
    public func isoWeekday(_ date: Date) -> Int {
        ((day(date)?.weekday ?? calendar.component(.weekday, from: date)) + 5) % 7 + 1
    }

    /// Parses a local date `YYYY-MM-DD` into the first instant of that day, or `nil`.
    public func startOfDay(localDate text: String) -> Date? {
        let parts = text.split(separator: "-")
        guard text.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1900...2200).contains(year), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var components = DateComponents(year: year, month: month, day: day, hour: 12)
        components.timeZone = timeZone
        guard let noon = calendar.date(from: components), localDateString(noon) == text else { return nil }
        return startOfDay(noon)
    }

    /// The instant of local wall-clock time `hour:minute` on the local day containing `day`.
    /// A time skipped by a DST jump resolves to the next valid instant.
    public func instant(onDayOf day: Date, hour: Int, minute: Int) -> Date {
        var components = calendar.dateComponents([.year, .month, .day], from: day)
        components.hour = hour
        components.minute = minute
        components.second = 0
        return calendar.date(from: components)
            ?? calendar.nextDate(
                after: startOfDay(day), matching: DateComponents(hour: hour, minute: minute),
                matchingPolicy: .nextTime) ?? day
    }

    /// The local date as `YYYY-MM-DD`.
    public func localDateString(_ date: Date) -> String {
        if let day = day(date) { return day.localDate }
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return Self.padded(c.year ?? 0, 4) + "-" + Self.padded(c.month ?? 0, 2) + "-" + Self.padded(c.day ?? 0, 2)
    }

    /// The local wall-clock time as `HH:mm`.
    public func localTimeString(_ date: Date) -> String {
        let c = calendar.dateComponents([.hour, .minute], from: date)
        return Self.padded(c.hour ?? 0, 2) + ":" + Self.padded(c.minute ?? 0, 2)
    }

    /// `value` in decimal, zero-padded to `width` digits (`String(format:)` costs a formatter per call).
    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// The local days a zone's instants fall in, remembered per UTC quarter hour: the calendar's day
/// maths goes through ICU and its zone lock on every call, and was a tenth of a member's week
/// (`perf record`, docs/benchmarks.md). Every zone's offset since 1972 is a whole number of quarter
/// hours, so a quarter hour (UTC, from the epoch) lies within one local day; `OrgCalendar` checks
/// that for each quarter before it is remembered, so a zone where it does not hold is computed
/// directly instead. What is remembered never changes (a zone's rules are fixed for the process).
final class LocalDays: Sendable {
    static let quarter: TimeInterval = 900

    struct Day: Sendable {
        let start: Date
        /// `YYYY-MM-DD`.
        let localDate: String
        /// 1 = Sunday … 7 = Saturday.
        let weekday: Int
        /// The start of the local ISO week (Monday) the day is in.
        let weekStart: Date
    }

    /// At most this many days and shifted days per zone (about 15 MB); when full, it starts afresh.
    /// Classes fall on few quarter hours, but a member may ask for the schedule from any date, so the
    /// bound keeps what requests can make the process hold small.
    static let limit = 100_000

    /// A day's start `days` local days on from the quarter hour `quarter`.
    struct Shift: Hashable {
        let quarter: Int64
        let days: Int
    }

    private struct State {
        var days: [Int64: Day] = [:]
        var shifted: [Shift: Date] = [:]
    }

    private let state = Mutex(State())

    func day(_ quarter: Int64) -> Day? { state.withLock { $0.days[quarter] } }

    func remember(_ day: Day, quarter: Int64) {
        state.withLock { state in
            if state.days.count >= Self.limit { state.days.removeAll(keepingCapacity: true) }
            state.days[quarter] = day
        }
    }

    func shifted(_ quarter: Int64, days: Int) -> Date? { state.withLock { $0.shifted[Shift(quarter: quarter, days: days)] } }

    func remember(_ start: Date, quarter: Int64, days: Int) {
        state.withLock { state in
            if state.shifted.count >= Self.limit { state.shifted.removeAll(keepingCapacity: true) }
            state.shifted[Shift(quarter: quarter, days: days)] = start
        }
    }
}
