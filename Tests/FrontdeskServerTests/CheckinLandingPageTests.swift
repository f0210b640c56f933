import Foundation
import FrontdeskCore
import HTTPTypes
import Testing

@Suite("Phone scan landing page")
struct CheckinLandingPageTests {
    struct Scene {
        let studio: StudioFixture
        let session: String
        let member: (token: String, membershipId: String)
    }

    func scene(_ app: TestApp, capacity: Int = 12) async throws -> Scene {
        let studio = try await app.studio()
        let session = try await app.session(
            studio, startsAt: app.clock.now().addingTimeInterval(600),
            extra: ["locationId": studio.locationId, "capacity": capacity])
        let member = try await app.quickMembers(studio.orgId, count: 1)[0]
        _ = try await app.book(session, token: member.token)
        return Scene(studio: studio, session: session, member: member)
    }

    /// The hidden `proof` field of the auto-submitting form.
    func proof(_ reply: Reply) throws -> String {
        let marker = "name=\"proof\" value=\""
        let start = try #require(reply.text.range(of: marker)).upperBound
        return String(reply.text[start...].prefix { $0 != "\"" })
    }

    @Test("signed out: the scan is kept as a proof through the login form, then the member checks in")
    func loginThenCheckin() async throws {
        try await TestApp.run { app in
            let s = try await scene(app)
            let guest = Browser(app: app, token: nil)
            let landing = try await guest.get("/checkin?session=\(s.session)&token=\(try await app.checkinToken(s.session))")
            #expect(landing.status == 200)
            #expect(landing.has("id=\"login-form\""))
            #expect(landing.has("Log in to check in. Your scan is kept"))
            let nextMarker = "name=\"next\" value=\""
            let next = String(landing.text[try #require(landing.text.range(of: nextMarker)).upperBound...].prefix { $0 != "\"" })
                .replacingOccurrences(of: "&amp;", with: "&")
            #expect(next.hasPrefix("/checkin?session=\(s.session)&proof=k1."))

            // Four minutes later (the QR has rotated several times) the proof still works.
            app.clock.advance(by: 240)
            let member = Browser(app: app, token: s.member.token)
            let pending = try await member.get(next)
            #expect(pending.status == 200)
            #expect(pending.has("<h1>Checking you in…</h1>"))
            #expect(pending.has("id=\"checkin-form\" data-auto=\"1\""))
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE status = 'attended'") == 0, "a GET checks nobody in")

            let done = try await member.post("/checkin", ["session": s.session, "proof": try proof(pending)])
            #expect(done.status == 200, "\(done.text)")
            #expect(done.has("result--ok"))
            #expect(done.has("data-code=\"checked_in\""))
            #expect(done.element("class-details")?.contains("Vinyasa") == true)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE status = 'attended' AND checkin_method = 'qr'") == 1)

            let again = try await member.post("/checkin", ["session": s.session, "proof": try proof(pending)])
            #expect(again.has("data-code=\"already_checked_in\""))
        }
    }

    @Test("each refusal in plain words with the next step")
    func refusals() async throws {
        try await TestApp.run { app in
            let s = try await scene(app, capacity: 1)
            let member = Browser(app: app, token: s.member.token)
            let stale = try await app.checkinToken(s.session)
            app.clock.advance(by: 90)
            let expired = try await member.get("/checkin?session=\(s.session)&token=\(stale)")
            #expect(expired.status == 409)
            #expect(expired.has("data-code=\"token_expired\""))
            #expect(expired.element("next-step") == "Scan the code on the screen again — it changes every minute.")
            #expect(expired.has("class=\"button button--secondary gps-checkin\" data-session-id=\"\(s.session)\""), "GPS offered instead")

            let forged = try await member.get("/checkin?session=\(s.session)&token=k1.123.forged")
            #expect(forged.status == 400)
            #expect(forged.has("data-code=\"invalid_token\""))

            let unknown = try await member.get("/checkin?session=\(NewID.make())&token=x")
            #expect(unknown.status == 404)
            #expect(unknown.has("data-code=\"unknown_session\""))

            // A class that is full: another member with no booking cannot walk in.
            let other = Browser(app: app, token: try await app.quickMembers(s.studio.orgId, count: 1)[0].token)
            let otherPending = try await other.get("/checkin?session=\(s.session)&token=\(try await app.checkinToken(s.session))")
            let full = try await other.post("/checkin", ["session": s.session, "proof": try proof(otherPending)])
            #expect(full.status == 409)
            #expect(full.has("data-code=\"class_full\""))
            #expect(full.element("next-step")?.contains("Ask the coach") == true)

            // Someone from another studio.
            let stranger = try await app.studio()
            let outsider = Browser(app: app, token: try await app.quickMembers(stranger.orgId, count: 1)[0].token)
            let foreign = try await outsider.post("/checkin", ["session": s.session, "proof": try proof(otherPending)])
            #expect(foreign.status == 404)
            #expect(foreign.has("You&#39;re not a member of this studio") || foreign.has("You're not a member of this studio"))

            // Too early.
            let later = try await app.session(s.studio, startsAt: app.clock.now().addingTimeInterval(5 * 3600))
            _ = try await app.book(later, token: s.member.token)
            let earlyPage = try await member.get("/checkin?session=\(later)&token=\(try await app.checkinToken(later))")
            let early = try await member.post("/checkin", ["session": later, "proof": try proof(earlyPage)])
            #expect(early.has("data-code=\"checkin_not_open\""))

            // A forged form (no CSRF match) changes nothing.
            let page = try await member.get("/checkin?session=\(s.session)&token=\(try await app.checkinToken(s.session))")
            let csrf = try await member.post("/checkin", ["session": s.session, "proof": try proof(page)], csrf: "wrong")
            #expect(csrf.status == 403)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE status = 'attended'") == 0)
        }
    }
}
