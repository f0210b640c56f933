import Foundation

/// Calendar maths in one organization's IANA time zone (never the host's), correct across DST.
/// Weeks start on Monday.
public struct OrgCalendar: Sendable {
    public let timeZone: TimeZone
    private let calendar: Calendar

    /// A calendar for `identifier`; an unknown zone falls back to UTC (zones are validated on input).
    public init(timezone identifier: String) {
        let zone = TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        self.timeZone = zone
        self.calendar = calendar
    }

    /// The first instant of the local day containing `date`.
    public func startOfDay(_ date: Date) -> Date { calendar.startOfDay(for: date) }

    /// The first instant of the local day `days` after the one containing `date`.
    public func startOfDay(_ date: Date, addingDays days: Int) -> Date {
        let start = startOfDay(date)
        let noon = calendar.date(byAdding: .hour, value: 12, to: start)!
        return startOfDay(calendar.date(byAdding: .day, value: days, to: noon)!)
    }

    /// The instant of local wall-clock time `hour:minute` on the local day containing `day`.
    /// A time skipped by a DST jump resolves to the next valid instant.
    public func instant(onDayOf day: Date, hour: Int, minute: Int) -> Date {
        var components = calendar.dateComponents([.year, .month, .day], from: day)
        components.hour = hour
        components.minute = minute
        components.second = 0
        return calendar.date(from: components)
            ?? calendar.nextDate(after: startOfDay(day), matching: DateComponents(hour: hour, minute: minute),
                                 matchingPolicy: .nextTime) ?? day
    }

    /// The local date as `YYYY-MM-DD`.
    public func localDateString(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}
