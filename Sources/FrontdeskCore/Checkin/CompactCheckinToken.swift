import Foundation

/// The check-in token of the compact QR URL `<base>/c/<token>` (issue 19): the same MAC as
/// `CheckinToken` ("checkin|<sessionId>|<windowStart>", first 128 bits), packed with what the landing
/// needs to find the class, and written in decimal digits so the QR code holds it in numeric mode
/// (3.3 bits a digit instead of 8 bits a character).
///
/// The 33 bytes are: the session's UUID (16), the window's minute number modulo 256 (1) and the tag
/// (16). They are written as 81 digits: four 7-byte groups of 17 digits, then a 5-byte group of 13
/// digits, each zero-padded; a group whose value does not fit its bytes is malformed, so every token
/// has exactly one spelling.
///
/// What is left out, and why it stays safe:
/// - The window's full start: a token is accepted only within a minute or two of its window, so the
///   window nearest to `now` with that minute number (±128 minutes) is the only one it can be. The
///   MAC still covers the full start, so the reconstruction cannot be steered into another window.
/// - The key id: verification tries each usable key of the ring (the current one first; a ring holds
///   the keys not yet retired, a handful at most), so a garbled token costs at most that many HMACs,
///   after the format check that refuses most garbage without any.
/// - Nothing of the MAC: 128 bits, as SPEC §6 asks. A forger guesses blind — the server is the only
///   holder of the key — and each guess lives one minute and costs an HTTP request.
public enum CompactCheckinToken {
    /// Digits in a token.
    public static let length = 81
    static let sessionBytes = 16
    static let tagBytes = TimestampedTag.tagBytes
    static let byteCount = sessionBytes + 1 + tagBytes
    /// (bytes, digits) per group: 7 bytes (< 2^56 < 10^17) in 17 digits, the rest (5 bytes) in 13.
    static let groups: [(bytes: Int, digits: Int)] = [(7, 17), (7, 17), (7, 17), (7, 17), (5, 13)]

    /// Whether `text` has the shape of a compact token (81 ASCII digits); says nothing of its validity.
    public static func looksCompact(_ text: String) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// The compact token for `sessionId` (a UUID) in the window containing `date`, signed with
    /// `keys.current`; nil when `sessionId` is not a UUID (every class id is one).
    public static func issue(sessionId: String, at date: Date, keys: SigningKeyRing) -> String? {
        guard let uuid = UUID(uuidString: sessionId) else { return nil }
        let start = CheckinToken.windowStart(date)
        let message = TimestampedTag.message(domain: "checkin", sessionId: sessionId.lowercased(), time: start)
        let tag = SignedText.mac(message, key: keys.current).prefix(tagBytes)
        var bytes = withUnsafeBytes(of: uuid.uuid) { Array($0) }
        bytes.append(minuteByte(start))
        bytes.append(contentsOf: tag)
        return digits(bytes)
    }

    /// The class id a well-formed token names (lowercase UUID), before any check of its MAC; nil
    /// when `text` is not a well-formed compact token.
    public static func sessionId(of text: String) -> String? {
        bytes(text).map { sessionId(from: $0) }
    }

    /// Checks `text` at `now`, as `CheckinToken.verify` does for the long form, and returns the
    /// class it names and its window start. Errors: not 81 digits or a group out of range →
    /// `malformed`; no key of the ring made this tag (forged, garbled, another class's digits, a
    /// retired key) → `badSignature`; then `notYetValid` and `expired` exactly as for the long form.
    /// Never traps, whatever the input.
    public static func verify(
        _ text: String, now: Date, graceSeconds: Int, keys: SigningKeyRing, maxFutureSkewSeconds: Int = 5
    ) -> Result<(sessionId: String, windowStart: Int64), CheckinTokenError> {
        guard let bytes = bytes(text) else { return .failure(.malformed) }
        let sessionId = sessionId(from: bytes)
        let start = nearestWindow(minuteByte: bytes[sessionBytes], now: now)
        let tag = Array(bytes[(sessionBytes + 1)...])
        let message = TimestampedTag.message(domain: "checkin", sessionId: sessionId, time: start)
        var matched = false
        for key in [keys.current] + keys.previous where key.isUsableForVerification {
            // Every usable key is tried, match or not: the time taken does not tell which key signed.
            if ConstantTime.equals(tag, Array(SignedText.mac(message, key: key).prefix(tagBytes))) { matched = true }
        }
        guard matched else { return .failure(.badSignature) }
        let nowSeconds = UnixTime.seconds(now)
        if start > UnixTime.adding(nowSeconds, Int64(max(0, maxFutureSkewSeconds))) { return .failure(.notYetValid) }
        let end = UnixTime.adding(UnixTime.adding(start, CheckinToken.windowSeconds), Int64(max(0, graceSeconds)))
        if nowSeconds >= end { return .failure(.expired) }
        return .success((sessionId, start))
    }

    // MARK: Pieces

    static func minuteByte(_ windowStart: Int64) -> UInt8 {
        UInt8(truncatingIfNeeded: floorDivide(windowStart, CheckinToken.windowSeconds))
    }

    /// The window start nearest to `now`'s window whose minute number ends in `minuteByte`
    /// (within −128…+127 minutes of it).
    static func nearestWindow(minuteByte: UInt8, now: Date) -> Int64 {
        let minute = floorDivide(CheckinToken.windowStart(now), CheckinToken.windowSeconds)
        var delta = Int64(minuteByte) - Int64(UInt8(truncatingIfNeeded: minute))
        if delta > 127 { delta -= 256 }
        if delta < -128 { delta += 256 }
        let (target, overflow) = minute.addingReportingOverflow(delta)
        let (start, overflow2) = target.multipliedReportingOverflow(by: CheckinToken.windowSeconds)
        return overflow || overflow2 ? CheckinToken.windowStart(now) : start
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b < 0) ? quotient - 1 : quotient
    }

    static func sessionId(from bytes: [UInt8]) -> String {
        let u = bytes
        let uuid = UUID(
            uuid: (u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]))
        return uuid.uuidString.lowercased()
    }

    /// The 81 digits of `bytes` (33 of them), group by group.
    static func digits(_ bytes: [UInt8]) -> String {
        var text = ""
        var offset = 0
        for group in groups {
            var value: UInt64 = 0
            for byte in bytes[offset..<(offset + group.bytes)] { value = value << 8 | UInt64(byte) }
            offset += group.bytes
            let written = String(value)
            text += String(repeating: "0", count: group.digits - written.count) + written
        }
        return text
    }

    /// The 33 bytes of a well-formed token, or nil.
    static func bytes(_ text: String) -> [UInt8]? {
        guard looksCompact(text) else { return nil }
        let utf8 = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount)
        var offset = 0
        for group in groups {
            var value: UInt64 = 0
            for digit in utf8[offset..<(offset + group.digits)] { value = value * 10 + UInt64(digit - UInt8(ascii: "0")) }
            offset += group.digits
            guard value >> (8 * group.bytes) == 0 else { return nil }
            for shift in stride(from: 8 * (group.bytes - 1), through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
        }
        return bytes
    }
}
