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

/// Base64 URL-safe encoding without padding (RFC 4648 §5).
public enum Base64URL {
    public static func encode<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ string: String) -> [UInt8]? {
        guard string.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = string.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        return Data(base64Encoded: base64).map { [UInt8]($0) }
    }
}

/// Identifiers for new rows: lowercase UUID strings, the same on SQLite and PostgreSQL.
public enum NewID {
    public static func make() -> String { UUID().uuidString.lowercased() }

    /// Whether `value` looks like an id this system issues (cheap guard before any query).
    public static func isWellFormed(_ value: String) -> Bool {
        value.count == 36 && UUID(uuidString: value) != nil
    }
}

/// Digests used for stored token hashes and migration checksums.
public enum Hashing {
    /// SHA-256 of the UTF-8 bytes of `text`, as lowercase hex.
    public static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
