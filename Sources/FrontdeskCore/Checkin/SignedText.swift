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
        let code = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: key.secret))
        return Array(code)
    }

    /// The parts of `text` between "." separators, if it is short enough and has exactly `count`
    /// of them.
    static func parts(_ text: String, count: Int) -> [Substring]? {
        guard text.utf8.count <= maximumLength else { return nil }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == count ? parts : nil
    }

    /// A base-10 Int64 in its canonical spelling (no "+", no leading zeros, no "-0"); nil on
    /// overflow or anything else.
    static func integer(_ text: Substring) -> Int64? {
        guard text.utf8.count <= 20, let value = Int64(text), String(value) == text else { return nil }
        return value
    }

    /// The bytes of an unpadded Base64URL tag of exactly `byteCount` bytes, in canonical spelling.
    static func tag(_ text: Substring, byteCount: Int) -> [UInt8]? {
        let string = String(text)
        guard let bytes = Base64URL.decode(string), bytes.count == byteCount,
              Base64URL.encode(bytes) == string // the last character's unused bits must be zero
        else { return nil }
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
