import Foundation

/// Why a check-in token was refused.
public enum CheckinTokenError: Error, Sendable, Equatable {
    /// Not a token at all: wrong length, parts, characters or encoding.
    case malformed
    /// Signed with a key id the ring does not hold (retired, never existed, or unusable).
    case unknownKey
    /// The tag does not match; this includes a genuine token of another session.
    case badSignature
    /// Its window (plus grace) has passed.
    case expired
    /// Its window starts further in the future than clock skew explains.
    case notYetValid
    /// Reserved for callers; `CheckinToken` and `ProofOfScan` report another session's token as
    /// `badSignature`, because the session is part of the MAC input rather than of the token.
    case wrongSession
}

/// QR check-in tokens bound to one session and one 60-second window (SPEC §6).
///
/// Format: "<keyId>.<windowStart>.<tag>", the tag being the first 128 bits of
/// HMAC-SHA256(secret, "checkin|<sessionId>|<windowStart>") in unpadded Base64URL, so the whole
/// token is URL-safe and short enough for a small QR code.
public enum CheckinToken {
    /// Length of one window; the display rotates its QR code this often.
    public static let windowSeconds: Int64 = 60

    /// Start (unix seconds) of the window containing `date`.
    public static func windowStart(_ date: Date) -> Int64 {
        let seconds = UnixTime.seconds(date)
        let remainder = seconds % windowSeconds  // negative before 1970
        if remainder >= 0 { return seconds - remainder }
        // Before 1970 round towards the past too. The first few seconds of Int64 have no whole
        // window below them; they get the one above rather than overflowing.
        let (start, overflow) = seconds.subtractingReportingOverflow(remainder + windowSeconds)
        return overflow ? seconds - remainder : start
    }

    /// Token for `sessionId` in the window containing `date`, signed with `keys.current`.
    /// The same inputs always give the same token, so every instance shows the same QR code.
    public static func issue(sessionId: String, at date: Date, keys: SigningKeyRing) -> String {
        TimestampedTag.issue(domain: "checkin", sessionId: sessionId, time: windowStart(date), key: keys.current)
    }

    /// Checks `token` (the long form, or the compact one of `CompactCheckinToken`) for `sessionId` at
    /// `now` and returns its window start.
    ///
    /// In order: format (≤ 200 characters, canonical parts) → `malformed`; key id in the ring →
    /// `unknownKey`; tag, compared in constant time → `badSignature` (also for another session's
    /// token); a window starting more than `maxFutureSkewSeconds` after `now` → `notYetValid`; `now`
    /// at or after window start + 60 + `graceSeconds` → `expired`. Negative grace or skew count as 0.
    /// Never traps, whatever the input.
    public static func verify(
        _ token: String, sessionId: String, now: Date, graceSeconds: Int, keys: SigningKeyRing,
        maxFutureSkewSeconds: Int = 5
    ) -> Result<Int64, CheckinTokenError> {
        if CompactCheckinToken.looksCompact(token) {
            // The compact form (the `/c/<token>` QR URL) names its class itself: another class's is refused
            // as a bad signature, as the long form's is.
            return CompactCheckinToken.verify(
                token, now: now, graceSeconds: graceSeconds, keys: keys, maxFutureSkewSeconds: maxFutureSkewSeconds
            ).flatMap { $0.sessionId == sessionId.lowercased() ? .success($0.windowStart) : .failure(.badSignature) }
        }
        let start: Int64
        switch TimestampedTag.verify(token, domain: "checkin", sessionId: sessionId, keys: keys) {
        case .failure(let error): return .failure(error)
        case .success(let time): start = time
        }
        let nowSeconds = UnixTime.seconds(now)
        if start > UnixTime.adding(nowSeconds, Int64(max(0, maxFutureSkewSeconds))) { return .failure(.notYetValid) }
        let end = UnixTime.adding(UnixTime.adding(start, windowSeconds), Int64(max(0, graceSeconds)))
        if nowSeconds >= end { return .failure(.expired) }
        return .success(start)
    }
}
