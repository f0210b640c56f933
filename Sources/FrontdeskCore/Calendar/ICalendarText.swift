import Foundation

/// The text rules of RFC 5545 §3.1 and §3.3: TEXT escaping, content lines folded at 75 octets and
/// ended by CRLF, and the date-time forms the feeds use.
public enum ICalendarText {
    /// A TEXT value (§3.3.11): backslash, semicolon and comma escaped, a line break written `\n`;
    /// other control characters (which a TEXT value may not hold) are dropped.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r": out += "\\n"
            case "\n": if !previousWasCR { out += "\\n" }
            case "\t": out += " "
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { break }
                out.unicodeScalars.append(scalar)
            }
            previousWasCR = scalar == "\r"
        }
        return out
    }

    /// One content line folded so no physical line exceeds 75 octets (a continuation starts with a
    /// space), never splitting a UTF-8 sequence, each physical line ended by CRLF.
    public static func fold(_ line: String) -> String {
        var out = ""
        out.reserveCapacity(line.utf8.count + line.utf8.count / 70 * 3 + 2)
        var octets = 0
        for scalar in line.unicodeScalars {
            let width = String(scalar).utf8.count
            if octets + width > 75 {
                out += "\r\n "
                octets = 1
            }
            out.unicodeScalars.append(scalar)
            octets += width
        }
        return out + "\r\n"
    }

    /// A UTC DATE-TIME (`20270325T080000Z`).
    public static func utc(_ date: Date) -> String {
        let parts = Self.utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return stamp(parts) + "Z"
    }

    /// The wall-clock DATE-TIME of `date` in `zone`, without zone (`20270325T090000`), for `TZID=`.
    public static func local(_ date: Date, zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return stamp(calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date))
    }

    /// A UTC offset (`+0100`, `-0330`, `+053028` when seconds are not zero).
    public static func offset(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let magnitude = abs(seconds)
        var text = sign + two(magnitude / 3600) + two(magnitude % 3600 / 60)
        if magnitude % 60 != 0 { text += two(magnitude % 60) }
        return text
    }

    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    static func stamp(_ parts: DateComponents) -> String {
        let year = parts.year ?? 1970
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return yearText + two(parts.month ?? 1) + two(parts.day ?? 1) + "T" + two(parts.hour ?? 0) + two(parts.minute ?? 0)
            + two(parts.second ?? 0)
    }

    static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
