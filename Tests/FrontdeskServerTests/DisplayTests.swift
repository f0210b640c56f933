import Foundation
import FrontdeskCore
import HTTPTypes
import Testing

@Suite("Displays and signed display URLs")
struct DisplayTests {
    /// The state endpoint of a signed display URL (`/display/<id>/state?exp=&sig=`).
    static func path(_ url: String) -> String {
        String(url.dropFirst("https://studio.example".count)).replacingOccurrences(of: "?", with: "/state?")
    }

    @Test("a display shows the class in its check-in window with a QR code that checks members in")
    func stateAndQR() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let created = try await app.request(
                .post, "/api/orgs/\(studio.orgId)/displays", token: studio.ownerToken,
                body: ["locationId": studio.locationId, "name": "Lobby TV"])
            #expect(created.status == 201, "\(created.text)")
            let url = try #require(created.string("url"))
            #expect(url.hasPrefix("https://studio.example/display/"))
            let empty = try await app.request(.get, Self.path(url))
            #expect(empty.status == 200)
            #expect(empty["session"] == nil)
            #expect(empty.headers[.init("Referrer-Policy")!] == "no-referrer")

            let session = try await app.session(
                studio, startsAt: app.clock.now().addingTimeInterval(45 * 60), extra: ["locationId": studio.locationId])
            let notYet = try await app.request(.get, Self.path(url))
            #expect(notYet["qr"] == nil, "check-in opens 30 minutes before")
            #expect((notYet["next"] as? [String: Any])?["id"] as? String == session)

            app.clock.advance(by: 20 * 60)
            let members = try await app.quickMembers(studio.orgId, count: 1)
            _ = try await app.book(session, token: members[0].token)
            let state = try await app.request(.get, Self.path(url))
            let qr = try #require(state["qr"] as? [String: Any])
            #expect((qr["svg"] as? String)?.hasPrefix("<svg") == true)
            #expect((qr["secondsUntilRotation"] as? Int).map { (1...60).contains($0) } == true)
            let link = try #require(qr["url"] as? String)
            #expect(link.hasPrefix("https://studio.example/c/"), "the compact URL (issue 19)")
            let token = try #require(link.components(separatedBy: "/c/").last)
            #expect(CompactCheckinToken.sessionId(of: token) == session)
            let checkin = try await app.request(
                .post, "/api/sessions/\(session)/self-checkin", token: members[0].token, body: ["token": token])
            #expect(checkin.status == 200, "\(checkin.text)")
            let after = try await app.request(.get, Self.path(url))
            #expect(after["checkedInCount"] as? Int == 1)
            #expect((after["checkedIn"] as? [String]) == ["Rusher 0."], "first name and initial")
            // A screen that already holds these codes (the current one and those ahead) gets the state without their SVGs.
            let held = [link] + ((state["ahead"] as? [[String: Any]]) ?? []).compactMap { $0["url"] as? String }
            let have = held.map { "&have=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") }.joined()
            let light = try await app.request(.get, Self.path(url) + have)
            let lightQR = try #require(light["qr"] as? [String: Any])
            #expect(lightQR["svg"] == nil && lightQR["url"] as? String == link)
            #expect(light.text.utf8.count < 3_000, "a poll within one window stays small: \(light.text.utf8.count) bytes")
            // The same window serves the same (cached) SVG.
            #expect(((try await app.request(.get, Self.path(url)))["qr"] as? [String: Any])?["svg"] as? String == qr["svg"] as? String)
        }
    }

    @Test("tampered, rotated, revoked and expired URLs are refused with no data")
    func refusedURLs() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let created = try await app.request(
                .post, "/api/orgs/\(studio.orgId)/displays", token: studio.ownerToken, body: ["locationId": studio.locationId])
            let url = Self.path(try #require(created.string("url")))
            let displayId = try #require((created["display"] as? [String: Any])?["id"] as? String)
            #expect(try await app.request(.get, url).status == 200)
            for bad in [
                url.replacingOccurrences(of: "sig=", with: "sig=x"), url.replacingOccurrences(of: "exp=", with: "exp=1"),
                url.replacingOccurrences(of: displayId, with: NewID.make()), "/display/\(displayId)/state",
                "/display/nope/state?exp=1&sig=x",
            ] {
                let reply = try await app.request(.get, bad)
                #expect(reply.status == 403, "\(bad)")
                #expect(reply.errorCode == "invalid_display_url", "\(bad)")
                #expect(reply["session"] == nil)
            }
            let rotated = try await app.request(.post, "/api/orgs/\(studio.orgId)/displays/\(displayId)/rotate", token: studio.ownerToken)
            #expect(try await app.request(.get, url).errorCode == "invalid_display_url", "rotation kills earlier URLs")
            let fresh = Self.path(try #require(rotated.string("url")))
            #expect(try await app.request(.get, fresh).status == 200)
            app.clock.advance(by: 366 * 86_400)
            #expect(try await app.request(.get, fresh).errorCode == "display_url_expired")
            app.clock.advance(by: -366 * 86_400)
            #expect(
                try await app.request(.post, "/api/orgs/\(studio.orgId)/displays/\(displayId)/revoke", token: studio.ownerToken).status
                    == 200)
            #expect(try await app.request(.get, fresh).errorCode == "display_revoked")
        }
    }

    @Test("only owner/admin manage displays; other orgs' locations and displays answer 404")
    func roles() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let other = try await app.studio()
            let (coachToken, _) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            #expect(
                try await app.request(
                    .post, "/api/orgs/\(studio.orgId)/displays", token: coachToken, body: ["locationId": studio.locationId]
                ).status == 403)
            #expect(
                try await app.request(
                    .post, "/api/orgs/\(studio.orgId)/displays", token: studio.ownerToken, body: ["locationId": other.locationId]
                ).status == 404)
            let theirs = try await app.request(
                .post, "/api/orgs/\(other.orgId)/displays", token: other.ownerToken, body: ["locationId": other.locationId])
            let theirId = try #require((theirs["display"] as? [String: Any])?["id"] as? String)
            #expect(
                try await app.request(.post, "/api/orgs/\(studio.orgId)/displays/\(theirId)/revoke", token: studio.ownerToken).status == 404
            )
            #expect(
                try await app.request(.get, "/api/orgs/\(studio.orgId)/displays/\(theirId)/url", token: studio.ownerToken).status == 404)
        }
    }
}
