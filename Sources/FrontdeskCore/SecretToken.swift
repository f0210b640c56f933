import Crypto
import Foundation

/// Opaque random tokens (login sessions, idempotency, …) and their stored hashes.
public enum SecretToken {
    /// A URL-safe random token carrying `bytes` bytes of entropy (default 256 bits).
    public static func generate(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let raw = (0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Base64URL.encode(raw)
    }

    /// The hash stored in the database instead of the token itself (SHA-256, hex).
    public static func hash(_ token: String) -> String { Hashing.sha256Hex(token) }
}

/// Base64 URL-safe encoding without padding (RFC 4648 §5), byte-level: no Foundation round trips,
/// since it sits on the check-in and login hot paths.
public enum Base64URL {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The 6-bit value of each ASCII byte, 0xFF for bytes outside the alphabet.
    static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    public static func encode<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let input = Array(bytes)
        var out = [UInt8]()
        out.reserveCapacity((input.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= input.count {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            out.append(alphabet[Int(chunk >> 18 & 63)])
            out.append(alphabet[Int(chunk >> 12 & 63)])
            out.append(alphabet[Int(chunk >> 6 & 63)])
            out.append(alphabet[Int(chunk & 63)])
            index += 3
        }
        switch input.count - index {
        case 1:
            let chunk = UInt32(input[index]) << 16
            out.append(alphabet[Int(chunk >> 18 & 63)])
            out.append(alphabet[Int(chunk >> 12 & 63)])
        case 2:
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            out.append(alphabet[Int(chunk >> 18 & 63)])
            out.append(alphabet[Int(chunk >> 12 & 63)])
            out.append(alphabet[Int(chunk >> 6 & 63)])
        default:
            break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of `string`, or nil if it holds anything but the URL-safe alphabet (padding
    /// included) or has an impossible length. Unused bits of the last character are ignored, as RFC 4648
    /// decoders do; `decodeCanonical` refuses them.
    public static func decode(_ string: String) -> [UInt8]? {
        decode(string.utf8, canonical: false)
    }

    /// Like `decode`, but only for the one spelling `encode` produces (unused bits zero).
    public static func decodeCanonical<S: Collection>(_ utf8: S) -> [UInt8]? where S.Element == UInt8 {
        decode(utf8, canonical: true)
    }

    static func decode<S: Collection>(_ utf8: S, canonical: Bool) -> [UInt8]? where S.Element == UInt8 {
        let count = utf8.count
        guard count % 4 != 1 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in utf8 {
            let value = values[Int(byte)]
            guard value != 0xFF else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        if canonical, accumulator != 0 { return nil }
        return out
    }
}

/// Identifiers for new rows: lowercase UUID strings, the same on SQLite and PostgreSQL.
public enum NewID {
    public static func make() -> String { UUID().uuidString.lowercased() }

    /// Whether `value` looks like an id this system issues (cheap guard before any query): a UUID
    /// written 8-4-4-4-12 in hex digits of either case, as `UUID(uuidString:)` accepts, checked on
    /// its bytes (Foundation's parser goes through `sscanf`, a percent of the display poll's time).
    public static func isWellFormed(_ value: String) -> Bool {
        var value = value
        return value.withUTF8(isWellFormed)
    }

    private static func isWellFormed(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            switch index {
            case 8, 13, 18, 23: guard byte == UInt8(ascii: "-") else { return false }
            default:
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
                    UInt8(ascii: "A")...UInt8(ascii: "F"):
                    continue
                default: return false
                }
            }
        }
        return true
    }
}

/// Digests used for stored token hashes and migration checksums.
public enum Hashing {
    /// SHA-256 of the UTF-8 bytes of `text`, as lowercase hex.
    public static func sha256Hex(_ text: String) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(text.utf8)) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
