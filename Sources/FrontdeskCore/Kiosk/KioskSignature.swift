import Foundation

/// Signed kiosk URLs `/kiosk/<id>?exp=<unix>&sig=<keyId>.<tag>`: the display's scheme (SPEC §6) under
/// its own MAC domain (`kiosk|…`), so a display's signature never opens a kiosk or the other way round.
///
/// The signature covers kiosk id, expiry and the kiosk's key version: bumping the version or revoking
/// the kiosk ends every earlier URL at once.
public enum KioskSignature {
    static let tagBytes = 32

    static func message(kioskId: String, expires: Int64, keyVersion: Int) -> String {
        "kiosk|\(kioskId)|\(expires)|\(keyVersion)"
    }

    /// "<keyId>.<base64url(HMAC-SHA256(key, "kiosk|id|exp|keyVersion"))>", signed with `keys.current`.
    public static func sign(kioskId: String, expires: Int64, keyVersion: Int, keys: SigningKeyRing) -> String {
        let tag = SignedText.mac(message(kioskId: kioskId, expires: expires, keyVersion: keyVersion), key: keys.current)
        return "\(keys.current.id).\(Base64URL.encode(tag))"
    }

    /// Checks format, then the tag in constant time, and only then revocation and expiry (as
    /// `DisplaySignature.verify`), so only a genuine URL learns that it was revoked or has expired.
    public static func verify(
        kioskId: String, expires: Int64, signature: String, keyVersion: Int, revoked: Bool, now: Date, keys: SigningKeyRing
    ) -> Result<Void, DisplayURLError> {
        guard let parts = SignedText.parts(signature, count: 2), SigningKey.isWellFormedId(parts[0]),
            let tag = SignedText.tag(parts[1], byteCount: tagBytes)
        else { return .failure(.malformed) }
        guard let key = keys.key(id: String(parts[0])), key.isUsableForVerification else { return .failure(.badSignature) }
        let expected = SignedText.mac(message(kioskId: kioskId, expires: expires, keyVersion: keyVersion), key: key)
        guard ConstantTime.equals(tag, expected) else { return .failure(.badSignature) }
        if revoked { return .failure(.revoked) }
        if UnixTime.seconds(now) >= expires { return .failure(.expired) }
        return .success(())
    }

    /// "/kiosk/<id>?exp=<expires>&sig=<sig>" (ids are UUIDs and the signature is URL-safe).
    public static func path(kioskId: String, expires: Int64, keyVersion: Int, keys: SigningKeyRing) -> String {
        "/kiosk/\(kioskId)?exp=\(expires)&sig=\(sign(kioskId: kioskId, expires: expires, keyVersion: keyVersion, keys: keys))"
    }
}
