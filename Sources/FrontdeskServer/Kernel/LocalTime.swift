import Foundation
import FrontdeskCore

/// Times as people in the studio read them: in the org's zone, 24-hour, with the day only when it
/// is not today.
struct LocalTime {
    let timezone: TimeZone
    let now: Date

    init(timezone identifier: String, now: Date) {
        self.timezone = TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")!
        self.now = now
    }

    private func formatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = timezone
        formatter.dateFormat = format
        return formatter
    }

    /// "18:00"
    func time(_ date: Date) -> String { formatter("HH:mm").string(from: date) }

    /// "18:00–19:00"
    func range(_ start: Date, _ end: Date) -> String { "\(time(start))–\(time(end))" }

    /// "18:00" today, "Tomorrow 07:00", else "Thu 27 Nov 07:00".
    func dayAndTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timezone
        if calendar.isDate(date, inSameDayAs: now) { return time(date) }
        if let tomorrow = calendar.date(byAdding: .day, value: 1, to: now), calendar.isDate(date, inSameDayAs: tomorrow) {
            return "Tomorrow \(time(date))"
        }
        return formatter("EEE d MMM HH:mm").string(from: date)
    }

    /// "Wednesday 25 November"
    func longDate(_ date: Date) -> String { formatter("EEEE d MMMM").string(from: date) }

    /// "Wed 25"
    func shortDay(_ date: Date) -> String { formatter("EEE d").string(from: date) }
}

extension Date {
    /// Milliseconds since 1970, as the pages' scripts count.
    var epochMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
}
