import Foundation
import FrontdeskCore
import Synchronization

/// Times as people in the studio read them: in the org's zone, 24-hour, with the day only when it
/// is not today, in the reader's language (English as en-GB, German as de-DE; docs/i18n.md).
struct LocalTime {
    let timezone: TimeZone
    let now: Date
    let language: Language

    init(timezone identifier: String, now: Date, language: Language = .en) {
        self.timezone = TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")!
        self.now = now
        self.language = language
    }

    /// One pattern per language for each shape (explicit patterns rather than a locale's template, so
    /// a page looks the same on every platform's ICU data).
    enum Shape: Int, CaseIterable {
        case time, dayAndTime, longDate, shortDay

        func pattern(_ language: Language) -> String {
            switch (self, language) {
            case (.time, _): "HH:mm"
            case (.dayAndTime, .en): "EEE d MMM HH:mm"
            case (.dayAndTime, .de): "EEE d. MMM HH:mm"
            case (.longDate, .en): "EEEE d MMMM"
            case (.longDate, .de): "EEEE, d. MMMM"
            case (.shortDay, .en): "EEE d"
            case (.shortDay, .de): "EEE d."
            }
        }
    }

    /// Formatters are costly to make (ICU), so each (zone, language, shape) is made once per process
    /// and used under a lock; a few hundred zones at most, so the cache is not bounded further.
    private static let formatters = Mutex<[String: DateFormatter]>([:])

    private func format(_ date: Date, _ shape: Shape) -> String {
        let key = "\(timezone.identifier)|\(language.rawValue)|\(shape.rawValue)"
        return Self.formatters.withLock { cache in
            if let formatter = cache[key] { return formatter.string(from: date) }
            let formatter = DateFormatter()
            formatter.locale = language.locale
            formatter.timeZone = timezone
            formatter.dateFormat = shape.pattern(language)
            cache[key] = formatter
            return formatter.string(from: date)
        }
    }

    /// "18:00"
    func time(_ date: Date) -> String { format(date, .time) }

    /// "18:00–19:00"
    func range(_ start: Date, _ end: Date) -> String { "\(time(start))–\(time(end))" }

    /// "18:00" today, "Tomorrow 07:00" / "Morgen 07:00", else "Thu 27 Nov 07:00" / "Do. 27. Nov. 07:00".
    func dayAndTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timezone
        if calendar.isDate(date, inSameDayAs: now) { return time(date) }
        if let tomorrow = calendar.date(byAdding: .day, value: 1, to: now), calendar.isDate(date, inSameDayAs: tomorrow) {
            return Messages.of(language)("time.tomorrowAt", ["time": time(date)])
        }
        return format(date, .dayAndTime)
    }

    /// "Wednesday 25 November" / "Mittwoch, 25. November"
    func longDate(_ date: Date) -> String { format(date, .longDate) }

    /// "Wed 25" / "Mi. 25."
    func shortDay(_ date: Date) -> String { format(date, .shortDay) }
}

extension Date {
    /// Milliseconds since 1970, as the pages' scripts count.
    var epochMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
}
