import Foundation
import FrontdeskCore
import HTTPTypes
import Testing

/// The compact check-in URL `/c/<81 digits>` the screen shows since issue 19, and the long form it replaced.
@Suite("Compact check-in URL")
struct CompactCheckinTests {
    struct Scene {
        let studio: StudioFixture
        let session: String
        let member: (token: String, membershipId: String)
        let display: String
    }

    /// A class starting in ten minutes at the studio's location, a booked member and a display there;
    /// the clock on a whole minute plus `second`.
    func scene(_ app: TestApp, second: TimeInterval = 20) async throws -> Scene {
        let minute = (app.clock.now().timeIntervalSince1970 / 60).rounded(.down) * 60
        app.clock.set(Date(timeIntervalSince1970: minute + 60 + second))
        let studio = try await app.studio()
        let session = try await app.session(
            studio, startsAt: app.clock.now().addingTimeInterval(600), extra: ["locationId": studio.locationId, "durationMin": 60])
        let member = try await app.quickMembers(studio.orgId, count: 1)[0]
        _ = try await app.book(session, token: member.token)
        let display = try await app.displayPath(studio).path.replacingOccurrences(of: "?", with: "/state?")
        return Scene(studio: studio, session: session, member: member, display: display)
    }

    /// The token of a compact URL.
    static func token(_ url: String) throws -> String {
        let prefix = "https://studio.example/c/"
        try #require(url.hasPrefix(prefix), "\(url)")
        return String(url.dropFirst(prefix.count))
    }

    func attended(_ app: TestApp) async throws -> Int {
        try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE status = 'attended'")
    }

    @Test("the screen shows the compact URL; opened within its window it checks the member in, the long form still works")
    func compactAndLong() async throws {
        try await TestApp.run { app in
            let s = try await scene(app)
            let state = try await app.request(.get, s.display)
            let qr = try #require(state["qr"] as? [String: Any])
            let url = try #require(qr["url"] as? String)
            let token = try Self.token(url)
            #expect(token.count == 81 && token.allSatisfy(\.isNumber))
            #expect(url.count < 117, "the long form was 117 characters on a short host; this is \(url.count)")

            // Signed out: the login form keeps the scan as a proof.
            let guest = try await Browser(app: app, token: nil).get("/c/\(token)")
            #expect(guest.status == 200)
            #expect(guest.has("id=\"login-form\""))
            #expect(guest.has("/checkin?session=\(s.session)&amp;proof=k1.") || guest.has("/checkin?session=\(s.session)&proof=k1."))

            // Signed in: the pending form, then the check-in through the landing's POST.
            let member = Browser(app: app, token: s.member.token)
            let pending = try await member.get("/c/\(token)")
            #expect(pending.status == 200, "\(pending.text)")
            #expect(pending.has("<h1>Checking you in…</h1>"))
            #expect(try await attended(app) == 0, "a GET checks nobody in")
            let proof = try CheckinLandingPageTests().proof(pending)
            let done = try await member.post("/checkin", ["session": s.session, "proof": proof])
            #expect(done.has("data-code=\"checked_in\""), "\(done.text)")
            #expect(try await attended(app) == 1)

            // The API takes the compact token too, for this class only.
            let api = try await app.request(.post, "/api/sessions/\(s.session)/self-checkin", token: s.member.token, body: ["token": token])
            #expect(api.status == 200, "\(api.text)")
            let other = try await app.session(s.studio, startsAt: app.clock.now().addingTimeInterval(900))
            let wrongClass = try await app.request(
                .post, "/api/sessions/\(other)/self-checkin", token: s.member.token, body: ["token": token])
            #expect(wrongClass.status == 400 && wrongClass.errorCode == "invalid_token", "\(wrongClass.text)")

            // The long form keeps working.
            let long = try await member.get("/checkin?session=\(s.session)&token=\(try await app.checkinToken(s.session))")
            #expect(long.status == 200 && long.has("<h1>Checking you in…</h1>"), "\(long.text)")
        }
    }

    @Test("a compact token is accepted from 5 s before its window to its end plus grace, refused just outside on both sides")
    func windowEdges() async throws {
        try await TestApp.run { app in
            let s = try await scene(app)
            let token = try Self.token(try #require((try await app.request(.get, s.display)["qr"] as? [String: Any])?["url"] as? String))
            let start = CheckinToken.windowStart(app.clock.now())
            let member = Browser(app: app, token: s.member.token)
            func landing(at second: Int64) async throws -> Reply {
                app.clock.set(Date(timeIntervalSince1970: TimeInterval(start + second)))
                return try await member.get("/c/\(token)")
            }
            // Grace is the studio's default 10 s; clock skew allowance 5 s.
            let early = try await landing(at: -6)
            #expect(early.status == 409 && early.has("data-code=\"token_not_yet_valid\""), "\(early.status)")
            #expect(try await landing(at: -5).has("<h1>Checking you in…</h1>"))
            #expect(try await landing(at: 0).has("<h1>Checking you in…</h1>"))
            #expect(try await landing(at: 69).has("<h1>Checking you in…</h1>"))
            let late = try await landing(at: 70)
            #expect(late.status == 409 && late.has("data-code=\"token_expired\""), "\(late.status)")
            // The API, just outside on both sides, changes nothing.
            for second: Int64 in [-6, 70] {
                app.clock.set(Date(timeIntervalSince1970: TimeInterval(start + second)))
                let reply = try await app.request(
                    .post, "/api/sessions/\(s.session)/self-checkin", token: s.member.token, body: ["token": token])
                #expect(reply.status == 409, "\(second): \(reply.text)")
            }
            #expect(try await attended(app) == 0)
            app.clock.set(Date(timeIntervalSince1970: TimeInterval(start + 69)))
            let inTime = try await app.request(
                .post, "/api/sessions/\(s.session)/self-checkin", token: s.member.token, body: ["token": token])
            #expect(inTime.status == 200, "\(inTime.text)")
        }
    }

    @Test("forged, truncated, garbled and overlong compact tokens are 4xx and change nothing")
    func forgeries() async throws {
        try await TestApp.run { app in
            let s = try await scene(app)
            let token = try Self.token(try #require((try await app.request(.get, s.display)["qr"] as? [String: Any])?["url"] as? String))
            let member = Browser(app: app, token: s.member.token)
            var digits = Array(token)
            let last = digits[80]
            digits[80] = last == "9" ? "0" : Character(String((Int(String(last)) ?? 0) + 1))
            let flippedTag = String(digits)
            digits = Array(token)
            // The last digit of the first group (session id bytes), moved by one: another (unknown) class.
            digits[16] = digits[16] == "9" ? "8" : Character(String((Int(String(digits[16])) ?? 0) + 1))
            let flippedSession = String(digits)
            let otherSession = try #require(
                CompactCheckinToken.issue(
                    sessionId: NewID.make(), at: app.clock.now(), keys: try await app.services.keyRing.ring(now: app.clock.now())))
            let cases: [(String, Int)] = [
                (flippedTag, 400),  // a MAC that does not match
                (String(token.dropLast()), 400),  // 80 digits
                (token + "0", 400),  // 82 digits
                (String(token.prefix(40)), 400),
                ("9" + String(token.dropFirst()), 400),  // first group over 2^56: not a spelling the issuer makes
                (String(repeating: "9", count: 81), 400),
                (String(token.prefix(80)) + "a", 400),
                ("%F0%9F%98%80" + String(token.dropFirst(4)), 400),
                (String(repeating: "1", count: 5_000), 400),
                (flippedSession, 404),  // a genuine-looking token of a class that does not exist
                (otherSession, 404),
            ]
            for (bad, status) in cases {
                let reply = try await member.get("/c/\(bad)")
                #expect(reply.status == status, "\(bad.prefix(90)): \(reply.status)")
                // No check-in under way: neither the pending headline nor its auto-submitting form (the words
                // "Checking you in…" themselves are also the GPS button's label, for its script).
                #expect(!reply.has("<h1>Checking you in…</h1>") && !reply.has("id=\"checkin-form\""), "\(bad.prefix(90))")
            }
            // Forged against the API: the tag flipped, or a real token of this class under a key the server never had.
            let foreignKey = SigningKeyRing(current: SigningKey(id: "k1", secret: Array(repeating: 7, count: 32)))
            let forged = try #require(CompactCheckinToken.issue(sessionId: s.session, at: app.clock.now(), keys: foreignKey))
            for bad in [flippedTag, forged, String(token.dropLast())] {
                let reply = try await app.request(
                    .post, "/api/sessions/\(s.session)/self-checkin", token: s.member.token, body: ["token": bad])
                #expect(reply.status == 400 && reply.errorCode == "invalid_token", "\(reply.text)")
            }
            let page = try await member.get("/c/\(forged)")
            #expect(page.status == 400 && page.has("data-code=\"invalid_token\""))
            #expect(try await attended(app) == 0)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE status = 'confirmed'") == 1)
        }
    }
}
