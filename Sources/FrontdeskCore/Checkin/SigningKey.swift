import Crypto

/// A server-held HMAC key with an id (ids are short, URL-safe, e.g. "k1"; secret ≥ 32 bytes).
///
/// The id travels inside every token so verification can pick the right key after a rotation.
/// It must be 1–32 characters of `A-Z a-z 0-9 - _`, and the secret at least 32 bytes: a key that
/// breaks either rule still signs (issuing never fails), but nothing it signs ever verifies. That
/// fails closed if, say, a stored secret could not be decoded and arrived empty.
public struct SigningKey: Sendable, Equatable {
    /// Short URL-safe id written into tokens, e.g. "k1".
    public let id: String
    /// The HMAC-SHA256 key bytes.
    public let secret: [UInt8]
    /// HMAC-SHA256 keyed with `secret` and nothing hashed yet: each MAC starts from a copy, instead of
    /// deriving the inner and outer pads again (every display poll and check-in verifies one).
    let keyed: KeyedHMAC

    /// A key as loaded from storage; see the type's rules on `id` and `secret`.
    public init(id: String, secret: [UInt8]) {
        self.id = id
        self.secret = secret
        keyed = KeyedHMAC(mac: HMAC<SHA256>(key: SymmetricKey(data: secret)))
    }

    public static func == (a: Self, b: Self) -> Bool { a.id == b.id && a.secret == b.secret }

    /// Shortest secret accepted for verification: the HMAC-SHA256 output size, below which RFC 2104
    /// says the key weakens the MAC.
    static let minimumSecretBytes = 32
    /// Longest key id accepted inside a token.
    static let maximumIdLength = 32

    /// Whether this key may vouch for a token: a well-formed id and a secret long enough that it
    /// cannot be guessed.
    var isUsableForVerification: Bool {
        secret.count >= Self.minimumSecretBytes && Self.isWellFormedId(id[...])
    }

    /// Whether `text` can be a key id: 1–32 URL-safe characters, which also keeps "." (the token
    /// separator) out of ids.
    static func isWellFormedId(_ text: Substring) -> Bool {
        let scalars = text.unicodeScalars
        return !scalars.isEmpty && scalars.count <= maximumIdLength && scalars.allSatisfy(isURLSafe)
    }

    private static func isURLSafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "-", "_": true
        default: false
        }
    }
}

/// The current key (signs) plus older keys still accepted for verification until retired.
public struct SigningKeyRing: Sendable {
    /// The key that signs everything issued now.
    public let current: SigningKey
    /// Keys from before the last rotations, accepted for verification only.
    public let previous: [SigningKey]

    /// A ring signing with `current` and still verifying what `previous` signed.
    public init(current: SigningKey, previous: [SigningKey] = []) {
        self.current = current
        self.previous = previous
    }

    /// The key with this id, current first, or nil once it has been retired (left out of the ring).
    public func key(id: String) -> SigningKey? {
        if current.id == id { return current }
        return previous.first { $0.id == id }
    }
}

/// A keyed `HMAC<SHA256>` shared between threads. swift-crypto does not mark it `Sendable`, but it is
/// a value whose digest states are copied on write (`OpenSSLDigestImpl.update` copies its context
/// unless it is the only owner) and this one is never written: callers copy it into a variable and
/// hash into the copy, so concurrent users never touch the same state.
struct KeyedHMAC: @unchecked Sendable {
    let mac: HMAC<SHA256>
}
