import Foundation
import Testing

import FrontdeskCore

@Suite("ConstantTime.equals")
struct ConstantTimeTests {
    @Test("equal inputs compare equal")
    func equal() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(ConstantTime.equals([0], [0]))
        let bytes = randomBytes(64)
        #expect(ConstantTime.equals(bytes, bytes))
        #expect(ConstantTime.equals(Array("token".utf8), Array("token".utf8)))
    }

    @Test("empty inputs")
    func empty() {
        #expect(ConstantTime.equals([], []))
        #expect(!ConstantTime.equals([], [0]))
        #expect(!ConstantTime.equals([0], []))
        #expect(!ConstantTime.equals([], [1]))
    }

    @Test("a difference in any position is detected")
    func different() {
        #expect(!ConstantTime.equals([1, 2, 3], [9, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 9, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 9]))
        let bytes = randomBytes(32)
        for index in bytes.indices {
            for bit in 0..<8 {
                var flipped = bytes
                flipped[index] ^= UInt8(1) << bit
                #expect(!ConstantTime.equals(bytes, flipped))
            }
        }
    }

    @Test("different lengths never compare equal, even when the shorter is a prefix padded with zeros")
    func differentLengths() {
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 3, 0]))
        #expect(!ConstantTime.equals([1, 2, 3, 0], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2], [1, 2, 3]))
        // Lengths whose XOR truncates to 0 in a byte (0 vs 256, 1 vs 257) must still differ.
        #expect(!ConstantTime.equals([], [UInt8](repeating: 0, count: 256)))
        #expect(!ConstantTime.equals([7], [7] + [UInt8](repeating: 0, count: 256)))
        #expect(!ConstantTime.equals([UInt8](repeating: 0, count: 512), [UInt8](repeating: 0, count: 256)))
    }
}

@Suite("Base64URL")
struct Base64URLTests {
    @Test("round-trips random bytes of many lengths", arguments: Array(0...70) + [127, 128, 255, 256, 1_000, 4_096])
    func roundTrip(length: Int) throws {
        let bytes = randomBytes(length)
        let encoded = Base64URL.encode(bytes)
        #expect(isBase64URLAlphabet(encoded), "'\(encoded)' leaves the URL-safe alphabet")
        #expect(!encoded.contains("="))
        #expect(encoded.count == (length * 4 + 2) / 3)  // unpadded length
        #expect(Base64URL.decode(encoded) == bytes)
    }

    @Test(
        "matches the RFC 4648 test vectors without padding",
        arguments: [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ])
    func rfcVectors(plain: String, encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test("uses - and _ where standard Base64 uses + and /")
    func urlSafeAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")  // standard: "+/8="
        #expect(Base64URL.encode([0xFF, 0xFF, 0xFF]) == "____")  // standard: "////"
        #expect(Base64URL.encode([0xFB, 0xEF, 0xBE]) == "----")  // standard: "++++"
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64URL.decode("____") == [0xFF, 0xFF, 0xFF])
    }

    @Test("accepts any Sequence of bytes")
    func sequences() {
        #expect(Base64URL.encode(Data("foo".utf8)) == "Zm9v")
        #expect(Base64URL.encode("foo".utf8) == "Zm9v")
        #expect(Base64URL.encode([UInt8]()[...]) == "")
    }

    @Test(
        "refuses standard-alphabet characters, padding, whitespace and non-ASCII",
        arguments: [
            "+", "/", "=", "Zg==", "Zm9v+", "+/8", "Zm9v/", "Zg=", " Zm9v", "Zm9v\n", "Zm 9v",
            "Äbcd", "Zm9vé", "１２３４", "Zm9v🙂", "Zm9v.", "%2B",
        ])
    func refuses(input: String) {
        #expect(Base64URL.decode(input) == nil)
    }

    @Test("refuses control characters")
    func refusesControlCharacters() {
        for scalar in [0x00, 0x09, 0x0D, 0x1B, 0x7F] as [UInt8] {
            let input = "Zm9v" + String(UnicodeScalar(scalar)) + "Yg"
            #expect(Base64URL.decode(input) == nil, "control character \(scalar) accepted")
        }
    }

    @Test("refuses lengths no encoder produces", arguments: ["Z", "Zm9vY", "Zm9vYmFyZ"])
    func impossibleLength(input: String) {
        #expect(Base64URL.decode(input) == nil)
    }
}

@Suite("SecretToken and Hashing")
struct SecretTokenTests {
    @Test("default tokens carry 32 bytes in 43 URL-safe characters")
    func defaultToken() throws {
        let token = SecretToken.generate()
        #expect(token.count == 43)
        #expect(isBase64URLAlphabet(token))
        let raw = try #require(Base64URL.decode(token))
        #expect(raw.count == 32)
    }

    @Test("the byte count sets the entropy", arguments: [0, 1, 16, 24, 48, 64])
    func customLength(bytes: Int) throws {
        let token = SecretToken.generate(bytes: bytes)
        #expect(token.count == (bytes * 4 + 2) / 3)
        #expect(isBase64URLAlphabet(token))
        #expect(try #require(Base64URL.decode(token)).count == bytes)
    }

    @Test("tokens are unique")
    func unique() {
        let tokens = (0..<2_000).map { _ in SecretToken.generate() }
        #expect(Set(tokens).count == tokens.count)
        let short = (0..<500).map { _ in SecretToken.generate(bytes: 16) }
        #expect(Set(short).count == short.count)
    }

    @Test("tokens are not trivially biased: all 64 alphabet characters show up")
    func alphabetCoverage() {
        let characters = Set((0..<200).map { _ in SecretToken.generate() }.joined())
        #expect(characters.count == 64)
    }

    @Test("hash is 64 lowercase hex characters, stable and input-sensitive")
    func hash() {
        let token = SecretToken.generate()
        let digest = SecretToken.hash(token)
        #expect(digest.count == 64)
        #expect(digest.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(SecretToken.hash(token) == digest)
        #expect(SecretToken.hash(token + "x") != digest)
        #expect(digest == Hashing.sha256Hex(token))
        #expect(digest != token)
    }

    @Test(
        "sha256Hex matches known vectors",
        arguments: [
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            (
                "The quick brown fox jumps over the lazy dog",
                "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"
            ),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
        ])
    func sha256Vectors(input: String, expected: String) {
        #expect(Hashing.sha256Hex(input) == expected)
    }

    @Test("sha256Hex hashes the UTF-8 bytes (composed and decomposed forms differ)")
    func utf8Bytes() {
        let composed = "\u{00E9}"
        let decomposed = "e\u{0301}"
        #expect(composed == decomposed)  // Swift String equality is canonical…
        #expect(Hashing.sha256Hex(composed) != Hashing.sha256Hex(decomposed))  // …the digest is of bytes.
    }
}

@Suite("NewID")
struct NewIDTests {
    @Test("make() gives a lowercase 36-character 8-4-4-4-12 UUID that isWellFormed accepts")
    func make() {
        for _ in 0..<200 {
            let id = NewID.make()
            #expect(id.count == 36)
            #expect(id == id.lowercased())
            let groups = id.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
            #expect(groups == [8, 4, 4, 4, 12])
            #expect(id.allSatisfy { "0123456789abcdef-".contains($0) })
            #expect(NewID.isWellFormed(id))
        }
    }

    @Test("make() is unique")
    func unique() {
        let ids = (0..<5_000).map { _ in NewID.make() }
        #expect(Set(ids).count == ids.count)
    }

    @Test(
        "isWellFormed accepts canonical lowercase UUIDs",
        arguments: [
            "00000000-0000-0000-0000-000000000000", "123e4567-e89b-12d3-a456-426614174000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff", "123E4567-E89B-12D3-A456-426614174000",
        ])
    func acceptsCanonical(value: String) {
        #expect(NewID.isWellFormed(value))
        #expect(NewID.isWellFormed(String(Substring(value))))
    }

    @Test("isWellFormed takes hex digits and hyphens only at their places (what Foundation parses, less its sscanf leniency)")
    func everyByteAtEveryPlace() {
        let canonical = Array("123e4567-e89b-12d3-a456-426614174000".utf8)
        let hex = Set("0123456789abcdefABCDEF".utf8)
        for index in canonical.indices {
            for byte in UInt8(0)...UInt8(127) {
                var bytes = canonical
                bytes[index] = byte
                let text = String(decoding: bytes, as: UTF8.self)
                let expected = [8, 13, 18, 23].contains(index) ? byte == UInt8(ascii: "-") : hex.contains(byte)
                #expect(NewID.isWellFormed(text) == expected, "\(text)")
                // Whatever it takes, Foundation takes too; Foundation also takes " 1", "+1", "-1" for a byte.
                if expected { #expect(UUID(uuidString: text) != nil, "\(text)") }
            }
        }
    }

    @Test(
        "isWellFormed refuses garbage and SQL-ish strings",
        arguments: [
            "", "not-a-uuid", "1", "null", "undefined",
            "' OR 1=1 --", "1; DROP TABLE users; --", "x' OR '1'='1",
            "' OR '1'='1' --                     ",  // 36 characters of SQL
            "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",  // 36 characters, not hex
            "123e4567e89b12d3a456426614174000",  // no hyphens
            "{123e4567-e89b-12d3-a456-426614174000}",  // braces
            "123e4567-e89b-12d3-a456-42661417400",  // one short
            "123e4567-e89b-12d3-a456-4266141740000",  // one long
            "123e4567-e89b-12d3-a456-426614174000'",  // trailing quote
            "123e4567-e89b-12d3-a456-426614174000 ",  // trailing space
            " 123e4567-e89b-12d3-a456-426614174000",  // leading space
            "123e4567-e89b-12d3-a456-426614174000--",  // comment
            "123e4567-e89b-12d3-a456-42661417400'",  // 36 characters ending in a quote
            "123e4567_e89b_12d3_a456_426614174000",  // wrong separators
            "123e4567-e89b-12d3-a456-42661417400g",  // non-hex last digit
            "+23e4567-e89b-12d3-a456-426614174000", "1 3e4567-e89b-12d3-a456-426614174000",  // Foundation's sscanf takes these
            "123e4567-e89b-12d3-a456-42661417400é",  // non-ASCII last digit
            "１23e4567-e89b-12d3-a456-426614174000",  // full-width digit
            "../../../../../../../../../etc/passwd",
        ])
    func refuses(value: String) {
        #expect(!NewID.isWellFormed(value))
    }
}
