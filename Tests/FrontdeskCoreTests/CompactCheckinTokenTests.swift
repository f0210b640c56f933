import Foundation
import Testing

import FrontdeskCore

/// The compact token of the `/c/<token>` check-in URL (issue 19).
@Suite("Compact check-in token")
struct CompactCheckinTokenTests {
    static let k1 = SigningKey(id: "k1", secret: (0..<32).map { UInt8($0) })
    static let k2 = SigningKey(id: "k2", secret: (0..<32).map { UInt8(255 - $0) })
    static let session = "3f2a9c1e-7b4d-4e8a-9f10-2c3d4e5f6a7b"
    /// 2026-03-02T10:00:00Z, a window start.
    static let start: Int64 = 1_772_445_600
    static func at(_ offset: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(start + offset)) }
    static var ring: SigningKeyRing { SigningKeyRing(current: k1) }

    func token(_ offset: Int64 = 0, ring: SigningKeyRing = Self.ring, session: String = Self.session) throws -> String {
        try #require(CompactCheckinToken.issue(sessionId: session, at: Self.at(offset), keys: ring))
    }

    @Test("81 digits naming the class; the same inputs give the same token; each window its own")
    func shape() throws {
        let token = try token()
        #expect(token.count == 81 && token.allSatisfy(\.isNumber))
        #expect(CompactCheckinToken.sessionId(of: token) == Self.session)
        #expect(try self.token(59) == token, "same window")
        #expect(try self.token(60) != token, "next window")
        #expect(CompactCheckinToken.sessionId(of: try self.token(session: Self.session.uppercased())) == Self.session)
        #expect(CompactCheckinToken.issue(sessionId: "not-a-uuid", at: Self.at(0), keys: Self.ring) == nil)
    }

    @Test("accepted from 5 s before its window until its end plus grace; refused just outside")
    func edges() throws {
        let token = try token()
        func verify(_ offset: Int64, grace: Int = 10) -> Result<(sessionId: String, windowStart: Int64), CheckinTokenError> {
            CompactCheckinToken.verify(token, now: Self.at(offset), graceSeconds: grace, keys: Self.ring)
        }
        #expect(verify(-6).failureValue == .notYetValid)
        #expect(verify(-5).successValue?.windowStart == Self.start)
        #expect(verify(0).successValue?.sessionId == Self.session)
        #expect(verify(69).successValue?.windowStart == Self.start)
        #expect(verify(70).failureValue == .expired)
        #expect(verify(60, grace: 0).failureValue == .expired)
        #expect(verify(59, grace: 0).successValue != nil)
        // Hours away the window cannot be told apart from another with the same minute number: refused all the same.
        for offset: Int64 in [3_600, 7_680, 15_360, 86_400, -3_600, -15_360] {
            #expect(verify(offset).successValue == nil, "\(offset)")
        }
    }

    @Test("through CheckinToken.verify: this class only, and the long form unchanged")
    func viaCheckinToken() throws {
        let token = try token()
        #expect(
            CheckinToken.verify(token, sessionId: Self.session, now: Self.at(1), graceSeconds: 10, keys: Self.ring) == .success(Self.start))
        #expect(
            CheckinToken.verify(token, sessionId: Self.session.uppercased(), now: Self.at(1), graceSeconds: 10, keys: Self.ring)
                == .success(Self.start))
        #expect(
            CheckinToken.verify(
                token, sessionId: "00000000-0000-0000-0000-000000000000", now: Self.at(1), graceSeconds: 10, keys: Self.ring)
                == .failure(.badSignature))
        let long = CheckinToken.issue(sessionId: Self.session, at: Self.at(0), keys: Self.ring)
        #expect(
            CheckinToken.verify(long, sessionId: Self.session, now: Self.at(1), graceSeconds: 10, keys: Self.ring) == .success(Self.start))
    }

    @Test("a rotated ring still verifies the previous key's tokens; a retired key's or a stranger's are bad signatures")
    func keys() throws {
        let old = try token()
        let rotated = SigningKeyRing(current: Self.k2, previous: [Self.k1])
        #expect(CompactCheckinToken.verify(old, now: Self.at(1), graceSeconds: 10, keys: rotated).successValue != nil)
        #expect(CompactCheckinToken.verify(try token(ring: rotated), now: Self.at(1), graceSeconds: 10, keys: rotated).successValue != nil)
        let retired = SigningKeyRing(current: Self.k2)
        #expect(CompactCheckinToken.verify(old, now: Self.at(1), graceSeconds: 10, keys: retired).failureValue == .badSignature)
        // A key too short to vouch for anything verifies nothing, even what it signed.
        let weak = SigningKeyRing(current: SigningKey(id: "k9", secret: [1, 2, 3]))
        #expect(
            CompactCheckinToken.verify(try token(ring: weak), now: Self.at(1), graceSeconds: 10, keys: weak).failureValue == .badSignature)
    }

    @Test("every single-digit change is refused; wrong lengths, letters and out-of-range groups are malformed")
    func garbled() throws {
        let token = Array(try token())
        var accepted: [Int] = []
        for index in token.indices {
            for digit in "0123456789" where digit != token[index] {
                var changed = token
                changed[index] = digit
                let result = CompactCheckinToken.verify(String(changed), now: Self.at(1), graceSeconds: 10, keys: Self.ring)
                if result.successValue != nil { accepted.append(index) }
            }
        }
        #expect(accepted.isEmpty, "accepted after a change at \(accepted)")
        let text = String(token)
        let head80 = String(text.prefix(80))
        var bads: [String] = ["", String(text.dropLast()), text + "0", String(text.dropFirst())]
        bads.append("9" + String(text.dropFirst()))  // the first group over 2^56
        bads.append(String(repeating: "9", count: 81))
        bads.append(head80 + "x")
        bads.append(head80 + "٣")  // a digit, but not an ASCII one
        bads.append(String(text.prefix(68)) + "9999999999999")  // the 5-byte group over 2^40
        for bad in bads {
            #expect(
                CompactCheckinToken.verify(bad, now: Self.at(1), graceSeconds: 10, keys: Self.ring).failureValue == .malformed, "\(bad)")
            #expect(CompactCheckinToken.sessionId(of: bad) == nil)
        }
        #expect(CompactCheckinToken.sessionId(of: String(repeating: "0", count: 81)) == "00000000-0000-0000-0000-000000000000")
    }

    @Test("instants at the ends of time never trap")
    func extremes() throws {
        let token = try token()
        for date in [Date.distantPast, Date.distantFuture, Date(timeIntervalSince1970: .nan), Date(timeIntervalSince1970: 1e300)] {
            #expect(CompactCheckinToken.verify(token, now: date, graceSeconds: 10, keys: Self.ring).successValue == nil)
            _ = CompactCheckinToken.issue(sessionId: Self.session, at: date, keys: Self.ring)
        }
    }
}

extension Result {
    fileprivate var successValue: Success? { try? get() }
    fileprivate var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
