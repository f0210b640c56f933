import Foundation
import Testing

@testable import FrontdeskCore

/// `OrgCalendar` remembers each local day per UTC quarter hour (`LocalDays`); these compare what it
/// answers with the calendar's own maths, computed afresh, for zones with every kind of awkward day.
@Suite("Local days remembered per quarter hour agree with the calendar")
struct LocalDaysTests {
    /// DST at midnight (Santiago, Havana), half-hour DST (Lord Howe), quarter-hour offsets (Kathmandu,
    /// Chatham), a skipped day (Apia, 2011-12-30), an offset of no whole quarter hour until 1972
    /// (Monrovia, −0:44:30), and the usual ones.
    static let zones = [
        "Europe/Berlin", "America/New_York", "America/Santiago", "America/Havana", "Australia/Lord_Howe",
        "Asia/Kathmandu", "Pacific/Chatham", "Pacific/Apia", "Africa/Monrovia", "Asia/Tehran", "UTC",
    ]

    struct Reference {
        let calendar: Calendar

        init(_ zone: String) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: zone)!
            calendar.firstWeekday = 2
            calendar.minimumDaysInFirstWeek = 4
            self.calendar = calendar
        }

        func localDate(_ date: Date) -> String {
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        }

        func startOfDay(_ date: Date, addingDays days: Int) -> Date {
            let noon = calendar.date(byAdding: .hour, value: 12, to: calendar.startOfDay(for: date))!
            return calendar.startOfDay(for: calendar.date(byAdding: .day, value: days, to: noon)!)
        }

        func startOfWeek(_ date: Date) -> Date {
            let start = calendar.startOfDay(for: date)
            let back = (calendar.component(.weekday, from: start) + 5) % 7
            let noon = calendar.date(byAdding: .hour, value: 12, to: start)!
            return calendar.startOfDay(for: calendar.date(byAdding: .day, value: -back, to: noon)!)
        }
    }

    /// Instants a minute either side of every quarter hour of the days around `day`, and random ones.
    static func instants(around days: [String], random count: Int) -> [Date] {
        var dates: [Date] = []
        let parser = ISO8601DateFormatter()
        for day in days {
            let noon = parser.date(from: day + "T12:00:00Z")!
            for quarter in -200...200 {
                let at = noon.addingTimeInterval(Double(quarter) * 900)
                dates += [at, at.addingTimeInterval(-60), at.addingTimeInterval(59.999), at.addingTimeInterval(-0.001)]
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<count {
            dates.append(Date(timeIntervalSince1970: Double.random(in: -400_000_000...2_300_000_000, using: &generator)))
        }
        return dates
    }

    @Test("start of day, days later, local date, weekday and week start, on DST days, skipped days and odd offsets", arguments: zones)
    func agrees(zone: String) {
        let calendar = OrgCalendar(timezone: zone)
        let reference = Reference(zone)
        let days = [
            "2026-03-08", "2026-03-29", "2026-04-05", "2026-09-06", "2026-10-25", "2026-11-01", "2011-12-29", "2011-12-31",
            "1972-01-06", "1972-01-07", "1971-06-01", "2024-02-29", "2026-01-04",
        ]
        var mismatches: [String] = []
        for date in Self.instants(around: days, random: 3_000) {
            // Twice: the first answer fills the memory, the second comes from it.
            for _ in 0..<2 {
                if calendar.startOfDay(date) != reference.calendar.startOfDay(for: date) { mismatches.append("start \(date)") }
                if calendar.localDateString(date) != reference.localDate(date) { mismatches.append("date \(date)") }
                if calendar.isoWeekday(date) != (reference.calendar.component(.weekday, from: date) + 5) % 7 + 1 {
                    mismatches.append("weekday \(date)")
                }
                if calendar.startOfWeek(date) != reference.startOfWeek(date) { mismatches.append("week \(date)") }
                for days in [-8, -1, 0, 1, 7, 31]
                where calendar.startOfDay(date, addingDays: days) != reference.startOfDay(date, addingDays: days) {
                    mismatches.append("\(days) days from \(date)")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(zone): \(mismatches.prefix(5))")
    }
}
