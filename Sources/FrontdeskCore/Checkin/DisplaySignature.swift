import Foundation
import Synchronization

/// Why a signed display URL was refused.
public enum DisplayURLError: Error, Sendable, Equatable {
    /// The signature is not of the form "<keyId>.<tag>".
    case malformed
    /// The expiry has passed.
    case expired
    /// The tag does not match (or names a key the ring no longer holds).
    case badSignature
    /// The display has been revoked.
    case revoked
}

/// Signed display URLs `/display/<id>?exp=<unix>&sig=<sig>` (SPEC §6): the signature covers
/// display id, expiry and the display's key version.
///
/// Bumping the display's key version or revoking it kills every earlier URL at once, without
/// touching the server keys that other displays and check-in tokens depend on.
public enum DisplaySignature {
    /// Full HMAC-SHA256 length: the URL is typed once into a browser, so size does not matter.
    static let tagBytes = 32

    /// The MAC input. Expiry and key version are all digits, so a "|" in `displayId` cannot make
    /// two inputs collide.
    static func message(displayId: String, expires: Int64, keyVersion: Int) -> String {
        "display|\(displayId)|\(expires)|\(keyVersion)"
    }

    /// sig = "<keyId>.<base64url(HMAC-SHA256(secret, "display|" + displayId + "|" + expires + "|" + keyVersion))>",
    /// signed with `keys.current`.
    public static func sign(displayId: String, expires: Int64, keyVersion: Int, keys: SigningKeyRing) -> String {
        let tag = SignedText.mac(message(displayId: displayId, expires: expires, keyVersion: keyVersion), key: keys.current)
        return "\(keys.current.id).\(Base64URL.encode(tag))"
    }

    /// Checks a display URL's parts, in this order: format → `malformed` (an unknown or retired key
    /// id → `badSignature`); tag, in constant time → `badSignature`; `revoked` → `revoked`;
    /// now ≥ expires → `expired`. Signature first, so only a genuine URL learns whether it was
    /// revoked or expired. Never traps, whatever the input.
    ///
    /// With `verified`, a link whose signature was checked before for the same display id, expiry,
    /// key version and key (still in `keys`) is not computed again: a wall display presents the same
    /// link every few seconds for weeks, and its HMAC was a twentieth of each poll (`perf`).
    public static func verify(
        displayId: String, expires: Int64, signature: String, keyVersion: Int, revoked: Bool, now: Date,
        keys: SigningKeyRing, verified: VerifiedDisplayLinks? = nil
    ) -> Result<Void, DisplayURLError> {
        if verified?.holds(signature, displayId: displayId, expires: expires, keyVersion: keyVersion, keys: keys) != true {
            guard let parts = SignedText.parts(signature, count: 2),
                SigningKey.isWellFormedId(parts[0]),
                let tag = SignedText.tag(parts[1], byteCount: tagBytes)
            else { return .failure(.malformed) }
            guard let key = keys.key(id: String(parts[0])), key.isUsableForVerification else {
                return .failure(.badSignature)
            }
            let expected = SignedText.mac(message(displayId: displayId, expires: expires, keyVersion: keyVersion), key: key)
            guard ConstantTime.equals(tag, expected) else { return .failure(.badSignature) }
            verified?.keep(signature, displayId: displayId, expires: expires, keyVersion: keyVersion, key: key)
        }
        if revoked { return .failure(.revoked) }
        if UnixTime.seconds(now) >= expires { return .failure(.expired) }
        return .success(())
    }

    /// The path+query of a display URL: "/display/<id>?exp=<expires>&sig=<sig>". No
    /// percent-encoding: display ids are UUIDs and the signature is URL-safe.
    public static func path(displayId: String, expires: Int64, keyVersion: Int, keys: SigningKeyRing) -> String {
        let signature = sign(displayId: displayId, expires: expires, keyVersion: keyVersion, keys: keys)
        return "/display/\(displayId)?exp=\(expires)&sig=\(signature)"
    }
}

/// Display links whose signature has been verified, so the next poll with the same link skips the
/// HMAC (`DisplaySignature.verify`). Only a link that verified is kept, with everything its MAC
/// covered and the key that vouched for it; it holds again only for exactly those, and only while
/// the ring still has that very key (a retired key's links fail as before). Revocation and expiry
/// are checked on every poll, outside this. At most `limit` links; when full it starts afresh.
public final class VerifiedDisplayLinks: Sendable {
    private struct Link {
        let displayId: String
        let expires: Int64
        let keyVersion: Int
        let key: SigningKey
    }

    private let links = Mutex<[String: Link]>([:])
    public let limit: Int

    public init(limit: Int = 4_096) {
        precondition(limit >= 1)
        self.limit = limit
    }

    /// Links held.
    public var count: Int { links.withLock { $0.count } }

    func holds(_ signature: String, displayId: String, expires: Int64, keyVersion: Int, keys: SigningKeyRing) -> Bool {
        guard let link = links.withLock({ $0[signature] }) else { return false }
        return link.displayId == displayId && link.expires == expires && link.keyVersion == keyVersion
            && keys.key(id: link.key.id) == link.key
    }

    func keep(_ signature: String, displayId: String, expires: Int64, keyVersion: Int, key: SigningKey) {
        let link = Link(displayId: displayId, expires: expires, keyVersion: keyVersion, key: key)
        links.withLock { links in
            if links.count >= limit { links.removeAll(keepingCapacity: true) }
            links[signature] = link
        }
    }
}
