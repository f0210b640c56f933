import Foundation

/// An instant's day in UTC, by arithmetic alone (no calendar): for the formats that are always UTC,
/// JSON instants (`JSONOutput`) and e-mail dates (`MIME.rfc5322Date`).
struct UTCDay {
    /// Whole seconds since 1970, rounded towards the past.
    let seconds: Int
    /// Days since 1970-01-01 (negative before it).
    let days: Int
    let secondOfDay: Int
    let year: Int
    let month: Int
    let day: Int

    init(_ date: Date) {
        seconds = Int(date.timeIntervalSince1970.rounded(.down))
        days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        secondOfDay = seconds - days * 86_400
        // Civil-from-days (Howard Hinnant), proleptic Gregorian calendar.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday).
    var weekday: Int { ((days % 7) + 11) % 7 }
}
