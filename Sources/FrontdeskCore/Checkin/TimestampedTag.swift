/// The "<keyId>.<unix seconds>.<tag>" strings behind check-in tokens and proofs of scan.
///
/// Both kinds share the layout but MAC different domains ("checkin", "proof"), so one can never
/// be replayed as the other.
enum TimestampedTag {
    /// Tag length: 128 bits, the minimum SPEC §6 allows, keeping the QR code small.
    static let tagBytes = 16

    /// The MAC input. `sessionId` may contain "|": the time after it is all digits, so splitting at
    /// the last "|" still recovers every field and two inputs never share a message.
    static func message(domain: String, sessionId: String, time: Int64) -> String {
        "\(domain)|\(sessionId)|\(time)"
    }

    /// `time` and `sessionId` signed with `key`.
    static func issue(domain: String, sessionId: String, time: Int64, key: SigningKey) -> String {
        let tag = SignedText.mac(message(domain: domain, sessionId: sessionId, time: time), key: key).prefix(tagBytes)
        return "\(key.id).\(time).\(Base64URL.encode(tag))"
    }

    /// The signed time if `text` is well formed, names a usable key of the ring and its tag matches
    /// `sessionId` under that key. Validity in time is left to the caller.
    static func verify(_ text: String, domain: String, sessionId: String, keys: SigningKeyRing) -> Result<Int64, CheckinTokenError> {
        guard let parts = SignedText.parts(text, count: 3),
            SigningKey.isWellFormedId(parts[0]),
            let time = SignedText.integer(parts[1]),
            let tag = SignedText.tag(parts[2], byteCount: tagBytes)
        else { return .failure(.malformed) }
        guard let key = keys.key(id: String(parts[0])), key.isUsableForVerification else {
            return .failure(.unknownKey)
        }
        let expected = Array(SignedText.mac(message(domain: domain, sessionId: sessionId, time: time), key: key).prefix(tagBytes))
        guard ConstantTime.equals(tag, expected) else { return .failure(.badSignature) }
        return .success(time)
    }
}
