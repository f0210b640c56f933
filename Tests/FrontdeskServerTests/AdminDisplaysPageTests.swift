import Foundation
import FrontdeskCore
import FrontdeskStore
import FrontdeskTestSupport
import HTTPTypes
import Testing

@testable import FrontdeskServer

/// The back office's displays page: owners and admins only; create, rotate and revoke change the
/// database exactly as the API does (the old link stops working); the signed link and its QR code;
/// online/offline from the display's last poll or held stream, at the threshold's edge.
@Suite("Admin pages: displays")
struct AdminDisplaysPageTests {
    /// The state path of a signed display URL as the page shows it.
    static func statePath(_ url: String) -> String {
        String(url.dropFirst("https://studio.example".count)).replacingOccurrences(of: "?", with: "/state?")
    }

    static func lastSeen(_ app: TestApp, _ id: String) async throws -> Int64? {
        try await app.services.database.read { sql in
            let row = try await sql.raw("SELECT last_seen_at FROM displays WHERE id = \(bind: id)").first()
            return try row?.decode(column: "last_seen_at", as: Int64?.self) ?? nil
        }
    }

    @Test("owners see the page; coaches and members get the 403 page")
    func roles() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let page = try await Browser(app: app, token: studio.ownerToken).get("/admin/displays?org=\(studio.orgId)")
            #expect(page.status == 200)
            #expect(page.has("id=\"nav-displays\" aria-current=\"page\""))
            #expect(page.element("no-displays") != nil)
            #expect(page.has("<option value=\"\(studio.locationId)\">Loft</option>"))
            let admin = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "admin")
            #expect(try await Browser(app: app, token: admin.token).get("/admin/displays?org=\(studio.orgId)").status == 200)
            for role in ["coach", "member"] {
                let someone = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: role)
                let refused = try await Browser(app: app, token: someone.token).get("/admin/displays?org=\(studio.orgId)")
                #expect(refused.status == 403, "\(role)")
                #expect(refused.has("id=\"message-page\""))
                let post = try await Browser(app: app, token: someone.token).post(
                    "/admin/displays", ["org": studio.orgId, "location": studio.locationId])
                #expect(post.status == 403, "\(role) creating a display")
            }
            #expect(try await app.count("SELECT COUNT(*) AS n FROM displays") == 0)
        }
    }

    @Test("create shows the signed link and its QR; rotate ends the old link; revoke switches the screen off")
    func createRotateRevoke() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            let created = try await owner.post("/admin/displays", ["org": studio.orgId, "location": studio.locationId, "name": "Lobby TV"])
            #expect(created.status == 303)
            let id = try #require(
                try await app.services.database.read { sql in
                    try await sql.raw("SELECT id FROM displays WHERE name = 'Lobby TV'").first()?.decode(column: "id", as: String.self)
                })
            #expect(created.location == "/admin/displays?org=\(studio.orgId)&show=\(id)&done=created")
            let page = try await owner.get(try #require(created.location))
            #expect(page.element("flash")?.hasPrefix("Display created.") == true)
            #expect(page.has("id=\"setup-\(id)\" open") || page.has("open id=\"setup-\(id)\""))
            let url = try #require(page.element("url-\(id)"))
            #expect(url.hasPrefix("https://studio.example/display/\(id)?exp="))
            #expect(page.has("id=\"qr-\(id)\"><svg"))
            #expect(page.element("presence-\(id)") == "Never seen")
            #expect(try await app.request(.get, Self.statePath(url)).status == 200)

            // Rotate: a new key version, the old link refused, the new one shown works.
            let rotated = try await owner.post("/admin/displays/\(id)/rotate", ["org": studio.orgId])
            #expect(rotated.location == "/admin/displays?org=\(studio.orgId)&show=\(id)&done=rotated")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM displays WHERE id = '\(id)' AND key_version = 2") == 1)
            let old = try await app.request(.get, Self.statePath(url))
            #expect(old.status == 403)
            #expect(old.errorCode == "invalid_display_url")
            let rotatedPage = try await owner.get(try #require(rotated.location))
            let fresh = try #require(rotatedPage.element("url-\(id)"))
            #expect(fresh != url)
            #expect(try await app.request(.get, Self.statePath(fresh)).status == 200)

            // Revoke: switched off for good, listed under revoked, no link shown.
            let revoked = try await owner.post("/admin/displays/\(id)/revoke", ["org": studio.orgId])
            #expect(revoked.location == "/admin/displays?org=\(studio.orgId)&done=revoked")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM displays WHERE id = '\(id)' AND revoked_at IS NOT NULL") == 1)
            #expect(try await app.request(.get, Self.statePath(fresh)).errorCode == "display_revoked")
            let after = try await owner.get(try #require(revoked.location))
            #expect(after.has("id=\"revoked-displays\""))
            #expect(after.element("url-\(id)") == nil)
        }
    }

    @Test("refusals: missing or forged CSRF, another studio's display or location, a bad name; nothing changes")
    func refusals() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            let (_, id) = try await app.displayPath(studio)
            let state = "SELECT COUNT(*) AS n FROM displays WHERE key_version = 1 AND revoked_at IS NULL"

            var headers = owner.cookieHeader
            headers[.contentType] = "application/x-www-form-urlencoded"
            let missing = try await app.request(
                .post, "/admin/displays/\(id)/rotate", json: nil, headers: headers)
            #expect(missing.status == 403)
            let forged = try await owner.post("/admin/displays/\(id)/revoke", ["org": studio.orgId], csrf: "forged-token-0123456789")
            #expect(forged.status == 403)
            let noCSRFCreate = try await owner.post(
                "/admin/displays", ["org": studio.orgId, "location": studio.locationId], csrf: "")
            #expect(noCSRFCreate.status == 403)
            #expect(try await app.count(state) == 1)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM displays") == 1)

            // Another studio's display and location: the 404 page, nothing changed on either side.
            let other = try await app.studio()
            let (_, foreign) = try await app.displayPath(other)
            for action in ["rotate", "revoke"] {
                let reply = try await owner.post("/admin/displays/\(foreign)/\(action)", ["org": studio.orgId])
                #expect(reply.status == 404, "\(action)")
                #expect(reply.has("id=\"message-page\""))
                // Their own studio as the form's org: the owner is not a member there.
                #expect(try await owner.post("/admin/displays/\(foreign)/\(action)", ["org": other.orgId]).status == 404)
            }
            #expect(try await owner.post("/admin/displays/not-an-id/rotate", ["org": studio.orgId]).status == 404)
            let foreignLocation = try await owner.post("/admin/displays", ["org": studio.orgId, "location": other.locationId])
            #expect(foreignLocation.status == 404)
            #expect(try await app.count(state) == 2)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM displays") == 2)

            // A name with a control character: the page with the message, the typed text kept.
            let bad = try await owner.post("/admin/displays", ["org": studio.orgId, "location": studio.locationId, "name": "Bad\u{7}"])
            #expect(bad.status == 400)
            #expect(bad.element("flash")?.isEmpty == false)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM displays") == 2)
        }
    }

    @Test("online within two minutes of the last poll, at the edge; polls write last_seen_at at most once a minute")
    func presence() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            let (path, id) = try await app.displayPath(studio)
            let state = path.replacingOccurrences(of: "?", with: "/state?")
            let page = "/admin/displays?org=\(studio.orgId)"
            #expect(try await owner.get(page).element("presence-\(id)") == "Never seen")

            let seen = app.clock.now().epochSeconds
            #expect(try await app.request(.get, state).status == 200)
            #expect(try await Self.lastSeen(app, id) == seen)
            // Within a minute a poll writes nothing; at a minute it writes again.
            app.clock.advance(by: 59)
            _ = try await app.request(.get, state)
            #expect(try await Self.lastSeen(app, id) == seen)
            app.clock.advance(by: 1)
            _ = try await app.request(.get, state)
            #expect(try await Self.lastSeen(app, id) == seen + 60)

            // Exactly two minutes after the last write: online; one second more: offline with the time.
            app.clock.advance(by: 120)
            #expect(try await owner.get(page).element("presence-\(id)") == "Online")
            app.clock.advance(by: 1)
            let offline = try await owner.get(page)
            let at = Reply.berlin(Date(timeIntervalSince1970: TimeInterval(seen + 60)))
            #expect(offline.element("presence-\(id)") == "Offline, last seen today at \(at)")

            // The display page itself counts too.
            #expect(try await app.request(.get, path).status == 200)
            #expect(try await owner.get(page).element("presence-\(id)") == "Online")
        }
    }

    @Test("a held event stream counts as seen at each keep-alive re-check")
    func streamCountsAsSeen() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let (_, id) = try await app.displayPath(studio)
            let store = DisplaysStore(database: app.services.database)
            let service = DisplayService(services: app.services)
            let row = try #require(try await store.display(id: id))
            let watch = ServerSentEvents.DisplayWatch.link(of: row, store: store, logger: TestBackend.logger) { await service.seen($0) }
            #expect(await watch.stillValid())
            let first = app.clock.now().epochSeconds
            #expect(try await Self.lastSeen(app, id) == first)
            app.clock.advance(by: 90)
            #expect(await watch.stillValid())
            #expect(try await Self.lastSeen(app, id) == first + 90)
            // A rotated display's stream ends and is not counted.
            _ = try await store.rotate(orgId: studio.orgId, id: id, now: app.clock.now())
            app.clock.advance(by: 90)
            #expect(await watch.stillValid() == false)
            #expect(try await Self.lastSeen(app, id) == first + 90)
        }
    }
}
