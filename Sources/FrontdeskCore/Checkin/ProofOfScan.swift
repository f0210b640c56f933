import Foundation

/// A proof that the member scanned a valid QR code, kept through the login (SPEC §6: bound to the
/// session, at most 10 minutes).
///
/// Format: "<keyId>.<issuedAt>.<tag>", the tag being the first 128 bits of
/// HMAC-SHA256(secret, "proof|<sessionId>|<issuedAt>"). The "proof" domain keeps a check-in token
/// from passing as a proof (which would stretch its 60 seconds to 10 minutes), and vice versa.
public enum ProofOfScan {
    /// How long a proof is accepted after it was issued.
    public static let lifetimeSeconds: Int64 = 600
    /// How far in the future `issuedAt` may lie (instances' clocks differ slightly).
    static let maxFutureSkewSeconds: Int64 = 5

    /// A proof for `sessionId` issued at `date` (whole seconds), signed with `keys.current`.
    /// `browser` (the hash of the scanning browser's nonce cookie) binds the proof to that browser:
    /// a proof copied to another phone does not verify there.
    public static func issue(sessionId: String, at date: Date, keys: SigningKeyRing, browser: String? = nil) -> String {
        TimestampedTag.issue(domain: "proof", sessionId: subject(sessionId, browser), time: UnixTime.seconds(date), key: keys.current)
    }

    static func subject(_ sessionId: String, _ browser: String?) -> String {
        browser.map { "\(sessionId)|browser:\($0)" } ?? sessionId
    }

    /// Accepted while issuedAt ≤ now < issuedAt + 600, tolerating an issuedAt up to 5 s after
    /// `now`. Errors as for `CheckinToken.verify`: malformed, unknownKey, badSignature (also
    /// another session's proof), notYetValid, expired. Never traps, whatever the input.
    public static func verify(
        _ proof: String, sessionId: String, now: Date, keys: SigningKeyRing,
        browser: String? = nil
    ) -> Result<Void, CheckinTokenError> {
        let issuedAt: Int64
        switch TimestampedTag.verify(proof, domain: "proof", sessionId: subject(sessionId, browser), keys: keys) {
        case .failure(let error): return .failure(error)
        case .success(let time): issuedAt = time
        }
        let nowSeconds = UnixTime.seconds(now)
        if issuedAt > UnixTime.adding(nowSeconds, maxFutureSkewSeconds) { return .failure(.notYetValid) }
        if nowSeconds >= UnixTime.adding(issuedAt, lifetimeSeconds) { return .failure(.expired) }
        return .success(())
    }
}
