import Crypto
import Foundation

/// The parsing and MAC pieces shared by check-in tokens, proofs of scan and display signatures.
///
/// Every parser here accepts only the one canonical spelling the issuer produces, so a signed
/// string cannot be re-spelled (leading zeros, "+", non-zero Base64 padding bits) into another
/// string that also verifies.
enum SignedText {
    /// Longest signed string looked at; anything longer is refused before any parsing or MAC work.
    static let maximumLength = 200

    /// HMAC-SHA256 of the UTF-8 bytes of `message` under `key`.
    static func mac(_ message: String, key: SigningKey) -> [UInt8] {
        var mac = key.keyed.mac
        mac.update(data: Array(message.utf8))
        return Array(mac.finalize())
    }

    /// The parts of `text` between "." separators, if it is short enough and has exactly `count`
    /// of them. Splits on the byte, so a "." followed by a combining mark still separates (and the
    /// mark then fails the part's own check).
    static func parts(_ text: String, count: Int) -> [Substring]? {
        let utf8 = text.utf8
        guard utf8.count <= maximumLength else { return nil }
        var parts: [Substring] = []
        parts.reserveCapacity(count)
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            if utf8[index] == UInt8(ascii: ".") {
                guard parts.count < count - 1 else { return nil }
                parts.append(Substring(utf8[start..<index]))
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        parts.append(Substring(utf8[start..<utf8.endIndex]))
        return parts.count == count ? parts : nil
    }

    /// A base-10 Int64 in its canonical spelling (no "+", no leading zeros, no "-0"); nil on
    /// overflow or anything else.
    static func integer(_ text: Substring) -> Int64? {
        var bytes = text.utf8[...]
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        guard let first = bytes.first, first != UInt8(ascii: "0") || (bytes.count == 1 && !negative) else { return nil }
        var value: Int64 = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            // Accumulate downwards so Int64.min, whose magnitude has no positive Int64, parses too.
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.subtractingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = next
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// The bytes of an unpadded Base64URL tag of exactly `byteCount` bytes, in canonical spelling
    /// (the last character's unused bits zero).
    static func tag(_ text: Substring, byteCount: Int) -> [UInt8]? {
        guard let bytes = Base64URL.decodeCanonical(text.utf8), bytes.count == byteCount else { return nil }
        return bytes
    }
}

/// Unix-time arithmetic that cannot trap, whatever instant or offset it is handed.
enum UnixTime {
    /// Whole seconds since 1970 (rounded down), clamped to the Int64 range; NaN maps to the most
    /// distant past so that nothing verifies "now" at an undefined instant.
    static func seconds(_ date: Date) -> Int64 {
        let value = date.timeIntervalSince1970.rounded(.down)
        if value.isNaN { return .min }
        if value >= 0x1p63 { return .max }
        if value < -0x1p63 { return .min }
        return Int64(value)
    }

    /// `a + b`, stopping at the ends of the Int64 range instead of overflowing.
    static func adding(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard overflow else { return sum }
        return b > 0 ? .max : .min
    }
}
