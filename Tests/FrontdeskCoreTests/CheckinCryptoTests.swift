import Foundation
import Testing

import Crypto
@testable import FrontdeskCore

/// Fixed keys and instants shared by the check-in crypto tests.
private enum Fixture {
    /// Secret 00 01 … 1f: the known-answer values below were computed from it with Python's `hmac`
    /// and cross-checked with `openssl dgst -sha256 -mac HMAC`, independently of this code.
    static let k1 = SigningKey(id: "k1", secret: (0..<32).map { UInt8($0) })
    static let k2 = SigningKey(id: "k2", secret: randomBytes(32))
    static let ring1 = SigningKeyRing(current: k1)
    /// After a rotation: k2 signs, k1 still verifies.
    static let rotated = SigningKeyRing(current: k2, previous: [k1])
    /// After k1 was retired.
    static let retired = SigningKeyRing(current: k2)

    /// 2026-03-02T10:00:00Z, the start of a window.
    static let windowStart: Int64 = 1_772_445_600
    static var t0: Date { Date(timeIntervalSince1970: TimeInterval(windowStart)) }
    static func at(_ offset: TimeInterval) -> Date { t0.addingTimeInterval(offset) }
}

/// The unpadded Base64URL alphabet, index = 6-bit value.
private let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

/// `text` with the character at `offset` replaced by `replacement`.
private func replacing(_ text: String, at offset: Int, with replacement: Character) -> String {
    var characters = Array(text)
    characters[offset] = replacement
    return String(characters)
}

/// A token or signature whose last "."-separated part (the tag) has bit `bit` flipped.
private func flippingTagBit(_ text: String, bit: Int) throws -> String {
    var parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    var tag = try #require(Base64URL.decode(parts[parts.count - 1]))
    tag[bit / 8] ^= UInt8(1) << (bit % 8)
    parts[parts.count - 1] = Base64URL.encode(tag)
    return parts.joined(separator: ".")
}

/// A small seeded generator (SplitMix64) so that a fuzz failure can be reproduced.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("CheckinToken: format")
struct CheckinTokenFormatTests {
    @Test("matches an independently computed known answer")
    func knownAnswer() {
        let token = CheckinToken.issue(sessionId: "s-1", at: Fixture.at(17), keys: Fixture.ring1)
        #expect(token == "k1.1772445600.rs8BuN9pvXKwtpZG7-83eQ")
    }

    @Test("windows are 60 s long and start on whole minutes, also before 1970")
    func windows() {
        #expect(CheckinToken.windowSeconds == 60)
        #expect(CheckinToken.windowStart(Fixture.t0) == Fixture.windowStart)
        #expect(CheckinToken.windowStart(Fixture.at(59.999)) == Fixture.windowStart)
        #expect(CheckinToken.windowStart(Fixture.at(60)) == Fixture.windowStart + 60)
        #expect(CheckinToken.windowStart(Fixture.at(-0.001)) == Fixture.windowStart - 60)
        #expect(CheckinToken.windowStart(Date(timeIntervalSince1970: 0)) == 0)
        #expect(CheckinToken.windowStart(Date(timeIntervalSince1970: -1)) == -60)
        #expect(CheckinToken.windowStart(Date(timeIntervalSince1970: -60)) == -60)
        #expect(CheckinToken.windowStart(Date(timeIntervalSince1970: -61)) == -120)
    }

    @Test("the tag carries at least 128 bits and the token is URL-safe")
    func shape() throws {
        for _ in 0..<50 {
            let token = CheckinToken.issue(sessionId: NewID.make(), at: Date(), keys: Fixture.ring1)
            let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            #expect(parts.count == 3)
            #expect(parts[0] == "k1")
            #expect(Int64(parts[1]).map { $0 % 60 == 0 } == true)
            let tag = try #require(Base64URL.decode(parts[2]))
            #expect(tag.count * 8 >= 128)
            #expect(parts.allSatisfy(isBase64URLAlphabet), "'\(token)' leaves the URL-safe alphabet")
            #expect(token.utf8.count <= 64, "a long token makes a dense QR code")
        }
    }

    @Test("one token per session and window: stable inside the window, new in the next")
    func stablePerWindow() {
        let first = CheckinToken.issue(sessionId: "s-1", at: Fixture.at(0), keys: Fixture.ring1)
        #expect(CheckinToken.issue(sessionId: "s-1", at: Fixture.at(59.9), keys: Fixture.ring1) == first)
        #expect(CheckinToken.issue(sessionId: "s-1", at: Fixture.at(60), keys: Fixture.ring1) != first)
        #expect(CheckinToken.issue(sessionId: "s-2", at: Fixture.at(0), keys: Fixture.ring1) != first)
    }
}

@Suite("CheckinToken: verification")
struct CheckinTokenVerifyTests {
    let token = CheckinToken.issue(sessionId: "s-1", at: Fixture.at(12), keys: Fixture.ring1)

    func verify(
        _ token: String, session: String = "s-1", at offset: TimeInterval = 0, grace: Int = 10,
        keys: SigningKeyRing = Fixture.ring1, skew: Int = 5
    ) -> Result<Int64, CheckinTokenError> {
        CheckinToken.verify(token, sessionId: session, now: Fixture.at(offset), graceSeconds: grace, keys: keys, maxFutureSkewSeconds: skew)
    }

    @Test("accepted from window start until window end + grace, exclusive", arguments: [0, 1, 10, 30])
    func lifetime(grace: Int) {
        let end = TimeInterval(60 + grace)
        #expect(verify(token, at: 0, grace: grace) == .success(Fixture.windowStart))
        #expect(verify(token, at: 30, grace: grace) == .success(Fixture.windowStart))
        #expect(verify(token, at: end - 1, grace: grace) == .success(Fixture.windowStart))
        #expect(verify(token, at: end - 0.001, grace: grace) == .success(Fixture.windowStart))
        #expect(verify(token, at: end, grace: grace) == .failure(.expired))
        #expect(verify(token, at: end + 3600, grace: grace) == .failure(.expired))
    }

    @Test("negative grace counts as none: the window itself is always honoured")
    func negativeGrace() {
        #expect(verify(token, at: 59, grace: -30) == .success(Fixture.windowStart))
        #expect(verify(token, at: 60, grace: -30) == .failure(.expired))
    }

    @Test("a window starting beyond the allowed clock skew is not yet valid")
    func future() {
        let next = CheckinToken.issue(sessionId: "s-1", at: Fixture.at(60), keys: Fixture.ring1)
        #expect(verify(next, at: 54) == .failure(.notYetValid))
        #expect(verify(next, at: 55) == .success(Fixture.windowStart + 60))
        #expect(verify(next, at: 59, skew: 0) == .failure(.notYetValid))
        #expect(verify(next, at: 59, skew: -5) == .failure(.notYetValid))
        #expect(verify(next, at: 60, skew: 0) == .success(Fixture.windowStart + 60))
        let later = CheckinToken.issue(sessionId: "s-1", at: Fixture.at(3600), keys: Fixture.ring1)
        #expect(verify(later, at: 0) == .failure(.notYetValid))
    }

    @Test("another session's token fails its signature", arguments: ["s-2", "s-10", "s-1|", "S-1", "", "s-1 "])
    func otherSession(session: String) {
        #expect(verify(token, session: session) == .failure(.badSignature))
    }

    @Test("a key id the ring does not hold is unknown")
    func unknownKey() {
        let foreign = CheckinToken.issue(sessionId: "s-1", at: Fixture.t0, keys: SigningKeyRing(current: Fixture.k2))
        #expect(verify(foreign) == .failure(.unknownKey))
        let renamed = "k7" + token.dropFirst(2)
        #expect(verify(renamed) == .failure(.unknownKey))
    }

    @Test("the previous key verifies after a rotation and stops once it is retired")
    func rotation() {
        #expect(verify(token, keys: Fixture.rotated) == .success(Fixture.windowStart))
        #expect(verify(token, keys: Fixture.retired) == .failure(.unknownKey))
        let fresh = CheckinToken.issue(sessionId: "s-1", at: Fixture.t0, keys: Fixture.rotated)
        #expect(fresh.hasPrefix("k2."))
        #expect(verify(fresh, keys: Fixture.rotated) == .success(Fixture.windowStart))
        #expect(verify(fresh, keys: Fixture.retired) == .success(Fixture.windowStart))
        #expect(verify(fresh, keys: Fixture.ring1) == .failure(.unknownKey))
    }

    @Test("a key with a short secret or an unusable id never vouches for anything")
    func unusableKeys() {
        for secret in [[], [UInt8](repeating: 7, count: 31)] as [[UInt8]] {
            let weak = SigningKeyRing(current: SigningKey(id: "k1", secret: secret))
            let forged = CheckinToken.issue(sessionId: "s-1", at: Fixture.t0, keys: weak)
            #expect(verify(forged, keys: weak) == .failure(.unknownKey), "secret of \(secret.count) bytes accepted")
        }
        let dotted = SigningKeyRing(current: SigningKey(id: "k.1", secret: randomBytes(32)))
        #expect(verify(CheckinToken.issue(sessionId: "s-1", at: Fixture.t0, keys: dotted), keys: dotted) == .failure(.malformed))
    }

    @Test("every single flipped bit of the tag is refused")
    func flippedBits() throws {
        for bit in 0..<128 {
            #expect(verify(try flippingTagBit(token, bit: bit)) == .failure(.badSignature), "bit \(bit)")
        }
    }

    @Test("every changed character is refused")
    func flippedCharacters() {
        let characters = Array(token)
        for offset in characters.indices {
            for replacement in alphabet + [".", "=", "+", "/", " ", "é"] where replacement != characters[offset] {
                let tampered = replacing(token, at: offset, with: replacement)
                guard case .failure = verify(tampered) else {
                    Issue.record("'\(tampered)' verified")
                    continue
                }
            }
        }
        // In the tag specifically, the answer is a bad signature, or malformed where the character
        // is not one an encoder would write.
        let tagOffset = characters.count - 22
        for offset in tagOffset..<characters.count {
            for replacement in alphabet where replacement != characters[offset] {
                let result = verify(replacing(token, at: offset, with: replacement))
                #expect(result == .failure(.badSignature) || result == .failure(.malformed))
            }
        }
    }

    @Test("a re-spelled tag that decodes to the same bytes is refused (no malleability)")
    func nonCanonicalTag() throws {
        // 16 bytes take 22 characters; the last one carries 2 bits and 4 unused bits that an
        // encoder sets to zero. Base64 decoders commonly ignore them.
        let last = try #require(token.last)
        let value = try #require(alphabet.firstIndex(of: last))
        #expect(value & 0x0F == 0)
        let respelled = String(token.dropLast()) + String(alphabet[value | 0x01])
        #expect(Base64URL.decode(String(respelled.split(separator: ".")[2])) == Base64URL.decode(String(token.split(separator: ".")[2])))
        #expect(verify(respelled) == .failure(.malformed))
    }

    @Test("every truncation is malformed")
    func truncated() {
        for length in 0..<token.count {
            #expect(verify(String(token.prefix(length))) == .failure(.malformed), "prefix of \(length)")
        }
    }

    @Test("extra or missing parts are malformed")
    func parts() {
        let (key, window, tag) = ("k1", "1772445600", String(token.split(separator: ".")[2]))
        for variant in [
            token + ".", token + ".x", "x." + token, "." + token, "\(key)..\(window).\(tag)", "\(key).\(window)..\(tag)",
            "\(key).\(tag)", "\(window).\(tag)", "\(key).\(window)", "\(key)\(window)\(tag)", "\(key).\(window).\(tag).\(tag)",
        ] {
            #expect(verify(variant) == .failure(.malformed), "'\(variant)'")
        }
    }

    @Test(
        "windows must be spelled the way the issuer writes them",
        arguments: [
            "01772445600", "+1772445600", "1772445600.0", " 1772445600", "1772445600 ", "1_772_445_600", "0x69A56A20",
            "1772445600\u{0}", "１７７２４４５６００", "1772445600e0", "-0", "",
        ])
    func nonCanonicalWindow(window: String) {
        let tag = String(token.split(separator: ".")[2])
        #expect(verify("k1.\(window).\(tag)") == .failure(.malformed))
    }

    @Test("window numbers at and beyond the Int64 limits never trap")
    func windowOverflow() {
        let tag = String(token.split(separator: ".")[2])
        for window in ["9223372036854775807", "9223372036854775800", "-9223372036854775808", "-9223372036854775800"] {
            #expect(verify("k1.\(window).\(tag)") == .failure(.badSignature), "\(window)")
        }
        for window in ["9223372036854775808", "-9223372036854775809", "99999999999999999999", String(repeating: "9", count: 150)] {
            #expect(verify("k1.\(window).\(tag)") == .failure(.malformed), "\(window)")
        }
    }

    @Test("extreme instants, grace and skew never trap")
    func extremes() {
        let dates = [
            Date.distantPast, Date.distantFuture, Date(timeIntervalSince1970: .nan), Date(timeIntervalSince1970: .infinity),
            Date(timeIntervalSince1970: -.infinity), Date(timeIntervalSince1970: 9.2e18), Date(timeIntervalSince1970: -9.3e18),
            Date(timeIntervalSince1970: .greatestFiniteMagnitude), Date(timeIntervalSince1970: -.greatestFiniteMagnitude),
        ]
        for date in dates {
            let start = CheckinToken.windowStart(date)
            #expect(start % 60 == 0)
            let issued = CheckinToken.issue(sessionId: "s-1", at: date, keys: Fixture.ring1)
            for now in dates + [Fixture.t0] {
                for grace in [Int.min, -1, 0, 10, Int.max] {
                    for skew in [Int.min, 0, 5, Int.max] {
                        _ = CheckinToken.verify(
                            issued, sessionId: "s-1", now: now, graceSeconds: grace, keys: Fixture.ring1, maxFutureSkewSeconds: skew)
                    }
                }
            }
        }
        // Near the top of the range the window end saturates instead of wrapping into the past.
        let far = Date(timeIntervalSince1970: 9.2e18)
        let issued = CheckinToken.issue(sessionId: "s-1", at: far, keys: Fixture.ring1)
        #expect(
            CheckinToken.verify(issued, sessionId: "s-1", now: far, graceSeconds: .max, keys: Fixture.ring1)
                == .success(CheckinToken.windowStart(far)))
        // An undefined "now" verifies nothing.
        #expect(verify(token, at: .nan) != .success(Fixture.windowStart))
    }

    @Test("oversized input is refused by the length bound, before any decoding or MAC")
    func lengthBound() {
        let padded = token.split(separator: ".")[0...1].joined(separator: ".") + "." + String(repeating: "A", count: 200)
        #expect(verify(padded) == .failure(.malformed))
        #expect(verify(String(repeating: "A", count: 1_000_000)) == .failure(.malformed))
        #expect(verify(token + String(repeating: ".", count: 1_000_000)) == .failure(.malformed))
        #expect(verify(String(repeating: "🙂", count: 100_000)) == .failure(.malformed))
    }

    @Test(
        "odd characters are malformed",
        arguments: [
            "", ".", "..", "...", "k1..", "🙂.🙂.🙂", "\u{0}", "k1.1772445600.\u{0}", "ｋ1.1772445600.rs8BuN9pvXKwtpZG7-83eQ",
            "k1.1772445600.rs8BuN9pvXKwtpZG7-83eQ\n", " k1.1772445600.rs8BuN9pvXKwtpZG7-83eQ", "k1.1772445600.rs8BuN9pvXKwtpZG7+83eQ",
            "k1.1772445600.rs8BuN9pvXKwtpZG7-83eQ==", "k1.\u{301}1772445600.rs8BuN9pvXKwtpZG7-83eQ", "k1.1772445600.rs8BuN9pvXKwtpZG7-83e",
            "k1%2E1772445600%2Ers8BuN9pvXKwtpZG7-83eQ",
        ])
    func oddCharacters(input: String) {
        #expect(verify(input) == .failure(.malformed))
    }

    @Test("the known-answer token itself verifies (sanity for the cases above)")
    func knownAnswerVerifies() {
        #expect(verify("k1.1772445600.rs8BuN9pvXKwtpZG7-83eQ") == .success(Fixture.windowStart))
    }

    @Test("check-in tokens and proofs of scan are not interchangeable")
    func domainSeparation() {
        // Same layout, same key, same number: only the MAC domain tells them apart.
        let proof = ProofOfScan.issue(sessionId: "s-1", at: Fixture.t0, keys: Fixture.ring1)
        #expect(verify(proof) == .failure(.badSignature))
        #expect(ProofOfScan.verify(token, sessionId: "s-1", now: Fixture.at(1), keys: Fixture.ring1) == .failure(.badSignature))
    }
}

@Suite("ProofOfScan")
struct ProofOfScanTests {
    let proof = ProofOfScan.issue(sessionId: "s-1", at: Fixture.at(23.7), keys: Fixture.ring1)

    func verify(
        _ proof: String, session: String = "s-1", at offset: TimeInterval, keys: SigningKeyRing = Fixture.ring1
    ) -> Result<Void, CheckinTokenError> {
        ProofOfScan.verify(proof, sessionId: session, now: Fixture.at(offset), keys: keys)
    }

    @Test("matches an independently computed known answer and is URL-safe")
    func knownAnswer() {
        #expect(proof == "k1.1772445623.1nVc7KFMaCWxM135u_rixg")
        #expect(proof.split(separator: ".").allSatisfy { isBase64URLAlphabet(String($0)) })
    }

    @Test("valid for ten minutes from issue, never after")
    func lifetime() {
        #expect(ProofOfScan.lifetimeSeconds == 600)
        #expect(verify(proof, at: 23).isSuccess)
        #expect(verify(proof, at: 23 + 300).isSuccess)
        #expect(verify(proof, at: 23 + 599).isSuccess)
        #expect(verify(proof, at: 23 + 599.999).isSuccess)
        #expect(verify(proof, at: 23 + 600) == .failure(.expired))
        #expect(verify(proof, at: 23 + 86_400) == .failure(.expired))
    }

    @Test("issued in the future beyond 5 s of skew is not yet valid")
    func future() {
        #expect(verify(proof, at: 18).isSuccess)
        #expect(verify(proof, at: 17) == .failure(.notYetValid))
        #expect(verify(proof, at: -3600) == .failure(.notYetValid))
    }

    @Test("another session's proof is refused", arguments: ["s-2", "s-1|", "", "s-10"])
    func otherSession(session: String) {
        #expect(verify(proof, session: session, at: 30) == .failure(.badSignature))
    }

    @Test("tampered, truncated or foreign proofs are refused")
    func tampered() throws {
        for bit in 0..<128 {
            #expect(verify(try flippingTagBit(proof, bit: bit), at: 30) == .failure(.badSignature))
        }
        for length in 0..<proof.count {
            #expect(verify(String(proof.prefix(length)), at: 30) == .failure(.malformed))
        }
        // Moving issuedAt forward to extend the lifetime breaks the signature.
        #expect(verify(proof.replacingOccurrences(of: "1772445623", with: "1772446223"), at: 700) == .failure(.badSignature))
        #expect(verify(proof + ".x", at: 30) == .failure(.malformed))
        let foreign = ProofOfScan.issue(sessionId: "s-1", at: Fixture.t0, keys: SigningKeyRing(current: Fixture.k2))
        #expect(verify(foreign, at: 30) == .failure(.unknownKey))
    }

    @Test("the previous key verifies after a rotation and stops once it is retired")
    func rotation() {
        #expect(verify(proof, at: 30, keys: Fixture.rotated).isSuccess)
        #expect(verify(proof, at: 30, keys: Fixture.retired) == .failure(.unknownKey))
    }
}

@Suite("DisplaySignature")
struct DisplaySignatureTests {
    static let expires = Fixture.windowStart + 3600
    let signature = DisplaySignature.sign(displayId: "d-1", expires: Self.expires, keyVersion: 3, keys: Fixture.ring1)

    func verify(
        id: String = "d-1", expires: Int64 = Self.expires, signature: String? = nil, keyVersion: Int = 3, revoked: Bool = false,
        at offset: TimeInterval = 0, keys: SigningKeyRing = Fixture.ring1
    ) -> Result<Void, DisplayURLError> {
        let plain = DisplaySignature.verify(
            displayId: id, expires: expires, signature: signature ?? self.signature, keyVersion: keyVersion,
            revoked: revoked, now: Fixture.at(offset), keys: keys)
        // Every case again through links verified before (shared by the whole suite, so a link kept by
        // one case meets the others' display ids, key versions, rings and clocks): the same answer.
        let remembered = DisplaySignature.verify(
            displayId: id, expires: expires, signature: signature ?? self.signature, keyVersion: keyVersion,
            revoked: revoked, now: Fixture.at(offset), keys: keys, verified: Self.verified)
        #expect(remembered == plain, "a remembered link answers as a fresh check")
        return plain
    }

    static let verified = VerifiedDisplayLinks()

    @Test("a remembered link: only for what its MAC covered and while its key is in the ring; bounded")
    func remembered() {
        let links = VerifiedDisplayLinks(limit: 2)
        func check(id: String = "d-1", keyVersion: Int = 3, keys: SigningKeyRing = Fixture.ring1) -> Result<Void, DisplayURLError> {
            DisplaySignature.verify(
                displayId: id, expires: Self.expires, signature: signature, keyVersion: keyVersion, revoked: false,
                now: Fixture.at(0), keys: keys, verified: links)
        }
        #expect(check().isSuccess)
        #expect(links.count == 1)
        #expect(check(id: "d-2") == .failure(.badSignature))
        #expect(check(keyVersion: 4) == .failure(.badSignature))
        #expect(check(keys: Fixture.retired) == .failure(.badSignature))
        let sameIdOtherSecret = SigningKeyRing(current: SigningKey(id: "k1", secret: Array(repeating: 7, count: 32)))
        #expect(check(keys: sameIdOtherSecret) == .failure(.badSignature))
        #expect(links.count == 1, "a refused link is never kept")
        for version in 4...5 {
            let other = DisplaySignature.sign(displayId: "d-1", expires: Self.expires, keyVersion: version, keys: Fixture.ring1)
            #expect(
                DisplaySignature.verify(
                    displayId: "d-1", expires: Self.expires, signature: other, keyVersion: version, revoked: false,
                    now: Fixture.at(0), keys: Fixture.ring1, verified: links
                ).isSuccess)
        }
        #expect(links.count == 1, "full at 2: started afresh with the third")
        #expect(check().isSuccess)
    }

    @Test("matches an independently computed known answer")
    func knownAnswer() {
        #expect(signature == "k1.rj135WzdI__FFWPLqMaaCeGfh7XOV-qviVaMhL3RyJQ")
    }

    @Test("accepted when display id, expiry, key version and key all match, until expiry")
    func accepted() {
        #expect(verify().isSuccess)
        #expect(verify(at: 3599).isSuccess)
        #expect(verify(at: 3599.999).isSuccess)
        #expect(verify(at: 3600) == .failure(.expired))
        #expect(verify(at: 86_400) == .failure(.expired))
    }

    @Test("rotating the display's key version kills earlier URLs")
    func keyVersion() {
        #expect(verify(keyVersion: 4) == .failure(.badSignature))
        #expect(verify(keyVersion: 2) == .failure(.badSignature))
        let renewed = DisplaySignature.sign(displayId: "d-1", expires: Self.expires, keyVersion: 4, keys: Fixture.ring1)
        #expect(verify(signature: renewed, keyVersion: 4).isSuccess)
    }

    @Test("revocation kills the URL; a bad signature is reported before revocation or expiry")
    func revocation() {
        #expect(verify(revoked: true) == .failure(.revoked))
        #expect(verify(revoked: true, at: 7200) == .failure(.revoked))
        #expect(verify(id: "d-2", revoked: true) == .failure(.badSignature))
        #expect(verify(id: "d-2", at: 7200) == .failure(.badSignature))
    }

    @Test("a tampered display id is refused", arguments: ["d-2", "d-1 ", "D-1", "", "d-1|", "d-10", "d-"])
    func tamperedId(id: String) {
        #expect(verify(id: id) == .failure(.badSignature))
    }

    @Test("a tampered expiry is refused", arguments: [1, 60, 3600, -1, Int64.max - DisplaySignatureTests.expires])
    func tamperedExpiry(delta: Int64) {
        #expect(verify(expires: Self.expires + delta) == .failure(.badSignature))
    }

    @Test("a tampered signature is refused")
    func tamperedSignature() throws {
        for bit in 0..<256 {
            #expect(verify(signature: try flippingTagBit(signature, bit: bit)) == .failure(.badSignature), "bit \(bit)")
        }
        let characters = Array(signature)
        for offset in characters.indices {
            for replacement in alphabet + [".", "=", "+", "/", " "] where replacement != characters[offset] {
                let result = verify(signature: replacing(signature, at: offset, with: replacement))
                #expect(result == .failure(.badSignature) || result == .failure(.malformed))
            }
        }
        for length in 0..<signature.count {
            #expect(!verify(signature: String(signature.prefix(length))).isSuccess)
        }
    }

    @Test(
        "malformed signatures",
        arguments: [
            "", "k1", "k1.", ".rj135WzdI__FFWPLqMaaCeGfh7XOV-qviVaMhL3RyJQ", "k1.rj135WzdI__FFWPLqMaaCeGfh7XOV-qviVaMhL3RyJQ.x",
            "k1.rj135WzdI__FFWPLqMaaCeGfh7XOV-qviVaMhL3RyJQ=", "k1.rj135WzdI//FFWPLqMaaCeGfh7XOV+qviVaMhL3RyJQ",
            "k1.rj135WzdI__FFWPLqMaaCeGfh7XOV-qviVaMhL3RyJ", "k1.rj135WzdI__FFWPLqMaaCeGfh7XOV-qviVaMhL3RyJR", "k1.rs8BuN9pvXKwtpZG7-83eQ",
            "🙂.rj135WzdI__FFWPLqMaaCeGfh7XOV-qviVaMhL3RyJQ", "k1.rj135WzdI__FFWPLqMaaCeGfh7XOV-qviVaMhL3RyJQ\n",
        ])
    func malformed(signature: String) {
        #expect(verify(signature: signature) == .failure(.malformed))
    }

    @Test("oversized signatures are refused by the length bound")
    func oversized() {
        #expect(verify(signature: "k1." + String(repeating: "A", count: 1_000_000)) == .failure(.malformed))
    }

    @Test("an unknown or retired key id is a bad signature")
    func keys() {
        #expect(verify(signature: "k9" + signature.dropFirst(2)) == .failure(.badSignature))
        #expect(verify(keys: Fixture.rotated).isSuccess)
        #expect(verify(keys: Fixture.retired) == .failure(.badSignature))
    }

    @Test("path builds the URL that verifies")
    func path() throws {
        let path = DisplaySignature.path(displayId: "d-1", expires: Self.expires, keyVersion: 3, keys: Fixture.ring1)
        #expect(path == "/display/d-1?exp=\(Self.expires)&sig=\(signature)")
        let components = try #require(URLComponents(string: path))
        #expect(components.path == "/display/d-1")
        let items = Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        let expires = try #require(items["exp"].flatMap { Int64($0) })
        let sig = try #require(items["sig"])
        #expect(verify(expires: expires, signature: sig).isSuccess)
        // Nothing that would need percent-encoding.
        #expect(path.unicodeScalars.allSatisfy { CharacterSet.urlQueryAllowed.contains($0) && $0 != "+" })
    }
}

@Suite("Check-in crypto: fuzz")
struct CheckinCryptoFuzzTests {
    @Test("1,000 random and mutated strings never trap and never verify")
    func fuzz() {
        var random = SeededGenerator(state: 0x5EED_C0DE)
        let genuine = CheckinToken.issue(sessionId: "s-1", at: Fixture.t0, keys: Fixture.ring1)
        let proof = ProofOfScan.issue(sessionId: "s-1", at: Fixture.t0, keys: Fixture.ring1)
        let signature = DisplaySignature.sign(displayId: "d-1", expires: Fixture.windowStart + 3600, keyVersion: 1, keys: Fixture.ring1)
        let odd: [Character] = [".", ".", ".", "=", "+", "/", " ", "\u{0}", "\n", "é", "🙂", "\u{301}", "１", "%"]
        let pool = alphabet + odd

        func randomString(_ length: Int) -> String {
            String((0..<length).map { _ in pool.randomElement(using: &random)! })
        }
        func mutate(_ text: String) -> String {
            var characters = Array(text)
            let offset = Int.random(in: 0..<characters.count, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0:
                var replacement = pool.randomElement(using: &random)!
                while replacement == characters[offset] { replacement = pool.randomElement(using: &random)! }
                characters[offset] = replacement
            case 1: characters.insert(pool.randomElement(using: &random)!, at: offset)
            default: characters.remove(at: offset)
            }
            return String(characters)
        }

        for round in 0..<1_000 {
            let input: String =
                switch round % 5 {
                case 0: randomString(Int.random(in: 0...260, using: &random))
                case 1: "k1.\(Int64.random(in: .min ... .max, using: &random)).\(randomString(Int.random(in: 0...30, using: &random)))"
                case 2: "k1.\(Fixture.windowStart).\(Base64URL.encode(randomBytes(Int.random(in: 0...40, using: &random))))"
                case 3: mutate(genuine)
                default: mutate([proof, signature].randomElement(using: &random)!)
                }
            let token = CheckinToken.verify(input, sessionId: "s-1", now: Fixture.at(1), graceSeconds: 10, keys: Fixture.ring1)
            #expect(!token.isSuccess, "token '\(input)' verified")
            #expect(
                !ProofOfScan.verify(input, sessionId: "s-1", now: Fixture.at(1), keys: Fixture.ring1).isSuccess, "proof '\(input)' verified"
            )
            let display = DisplaySignature.verify(
                displayId: "d-1", expires: Fixture.windowStart + 3600, signature: input, keyVersion: 1,
                revoked: false, now: Fixture.at(1), keys: Fixture.ring1)
            #expect(!display.isSuccess, "signature '\(input)' verified")
        }
    }
}

extension Result {
    /// Whether this is `.success`, for results whose success value is not Equatable (Void).
    fileprivate var isSuccess: Bool {
        if case .success = self { true } else { false }
    }
}

/// Compares results whose success is Void (not Equatable), so expectations read `== .failure(.expired)`.
private func == <Failure: Equatable>(lhs: Result<Void, Failure>, rhs: Result<Void, Failure>) -> Bool {
    switch (lhs, rhs) {
    case (.success, .success): true
    case (.failure(let left), .failure(let right)): left == right
    default: false
    }
}

/// A key's HMAC is keyed once and copied for each MAC: every MAC must be the plain HMAC-SHA256 of
/// its message, in any order and however often the key is used.
@Suite("SignedText.mac: a key keyed once, every MAC as HMAC-SHA256 computes it")
struct KeyedMACTests {
    @Test("RFC 4231 test case 2, then random keys and messages, each key used many times")
    func matchesHMAC() {
        // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
        let jefe = SigningKey(id: "k1", secret: Array("Jefe".utf8))
        #expect(
            SignedText.mac("what do ya want for nothing?", key: jefe).map { String(format: "%02x", $0) }.joined()
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 32, 63, 64, 65, 200] {
            let secret = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let key = SigningKey(id: "k\(length)", secret: secret)
            for size in [0, 1, 55, 56, 64, 120, 1_000] {
                let message = String((0..<size).map { _ in Character(Unicode.Scalar(UInt8.random(in: 32...126, using: &generator))) })
                let expected = Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: secret)))
                #expect(SignedText.mac(message, key: key) == expected)
                #expect(SignedText.mac(message, key: key) == expected)
            }
        }
        #expect(SigningKey(id: "k1", secret: [1, 2]) == SigningKey(id: "k1", secret: [1, 2]))
        #expect(SigningKey(id: "k1", secret: [1, 2]) != SigningKey(id: "k1", secret: [1, 3]))
        #expect(SigningKey(id: "k1", secret: [1, 2]) != SigningKey(id: "k2", secret: [1, 2]))
    }
}
