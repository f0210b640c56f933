import Foundation
import FrontdeskStore
import FrontdeskCore
import HTTPTypes
import Testing

@testable import FrontdeskServer

@Suite("Public schedule widget: framing, settings and the embed script")
struct PublicWidgetTests {
    @Test("frame-ancestors allows exactly the listed origins on the widget; every other page refuses framing")
    func framing() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            try await app.publishSchedule(studio)
            let widget = "/studios/\(studio.orgId)/widget"
            let closed = try await app.anonymous(widget)
            #expect(closed.status == 200)
            #expect(closed.csp.hasSuffix("frame-ancestors 'none'") && closed.headers[.xFrameOptions] == "DENY")

            try await app.publishSchedule(
                studio, origins: "https://www.yoga-loft.example\nHTTP://LOCALHOST:8000/, https://shop.example:443")
            let open = try await app.anonymous(widget)
            #expect(open.csp.hasSuffix("frame-ancestors https://www.yoga-loft.example http://localhost:8000 https://shop.example"))
            #expect(open.headers[.xFrameOptions] == nil)
            let closedTag = try #require(closed.etag)
            let revalidated = try await app.anonymous(widget, headers: [.ifNoneMatch: closedTag])
            #expect(revalidated.status == 200, "new origins are never answered 304 with the old tag")
            #expect(!open.csp.contains("evil.example"), "an unlisted origin is not in the header set")
            // The full page, the login form and the settings page still refuse every frame.
            for path in ["/studios/\(studio.orgId)/schedule", "/login"] {
                let page = try await app.anonymous(path)
                #expect(page.csp.hasSuffix("frame-ancestors 'none'") && page.headers[.xFrameOptions] == "DENY", "\(path)")
            }
            let settings = try await Browser(app: app, token: studio.ownerToken).get("/admin/settings?org=\(studio.orgId)")
            #expect(settings.csp.contains("frame-ancestors 'none'"))
            // The widget's only inline style (the brand colour) is the one its CSP hash allows.
            let style = try #require(open.text.range(of: #"<style[^>]*>([^<]*)</style>"#, options: .regularExpression))
            let css = String(open.text[style]).replacingOccurrences(of: #"<style[^>]*>|</style>"#, with: "", options: .regularExpression)
            #expect(open.csp.contains("'sha256-\(PublicCaching.digestBase64(css))'"), "\(css)")
            #expect(open.has("target=\"_blank\""), "booking leaves the frame")
        }
    }

    @Test("the settings form: saved with an audit row, shows the snippet; bad origins refused with nothing changed")
    func settingsForm() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            let ten = (1...10).map { "https://site\($0).example" }.joined(separator: "\n")
            try await app.publishSchedule(studio, origins: ten)
            let page = try await owner.get("/admin/settings?org=\(studio.orgId)&done=public_saved")
            #expect(page.element("flash") == "Public schedule settings saved.")
            #expect(
                page.has("&lt;script src=&quot;https://studio.example/studios/\(studio.orgId)/widget.js&quot; async&gt;&lt;/script&gt;"))
            #expect(page.has("https://site10.example"))
            #expect(try await app.count("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'public_schedule.update'") == 1)

            let host63 = String(repeating: "a", count: 63)
            let long200 = "https://" + [host63, host63, String(repeating: "b", count: 56)].joined(separator: ".") + ".example"
            #expect(long200.count == 200)
            try await app.publishSchedule(studio, origins: long200)
            for bad in [
                ten + "\nhttps://site11.example", long200 + "x", "ftp://files.example", "https://site.example/path",
                "https://*.site.example",
                "http://site.example", "https://site.example:99999", "https://user@site.example",
                "site.example", "https://site.example?x=1", "https://-bad-.example", "https://a..example",
                "https://site.example; script-src *", String(repeating: "https://a.example ", count: 300),
            ] {
                let refused = try await owner.post("/admin/settings/public", ["org": studio.orgId, "enabled": "on", "embedOrigins": bad])
                #expect(refused.status == 400, "\(bad.prefix(80)): \(refused.status)")
                #expect(refused.element("flash")?.contains("embedOrigins") == true)
            }
            let stored = try await PublicScheduleStoreProbe.origins(app, studio.orgId)
            #expect(stored == [long200])
        }
    }

    @Test("the settings form refuses a forged CSRF token, coaches, members and other studios' owners")
    func settingsRefusals() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            let fields = ["org": studio.orgId, "enabled": "on", "embedOrigins": "https://evil.example"]
            #expect(try await owner.post("/admin/settings/public", fields, csrf: "forged-token-0123456789").status == 403)
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            #expect(try await Browser(app: app, token: coach.token).post("/admin/settings/public", fields).status == 403)
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            #expect(try await Browser(app: app, token: member.token).post("/admin/settings/public", fields).status == 403)
            let other = try await app.studio()
            #expect(try await Browser(app: app, token: other.ownerToken).post("/admin/settings/public", fields).status == 404)
            let signedOut = try await Browser(app: app, token: nil).post("/admin/settings/public", fields)
            #expect(signedOut.status == 200 && signedOut.has("name=\"password\""), "the login form")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM public_schedules") == 0)
            #expect(try await app.anonymous("/api/public/orgs/\(studio.orgId)/schedule").status == 404)
        }
    }

    @Test("widget.js inserts the iframe; the studio's name cannot break out of the script; 404 while not public")
    func embedScript() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let path = "/studios/\(studio.orgId)/widget.js"
            #expect(try await app.anonymous(path).status == 404)
            #expect(
                try await app.request(.patch, "/api/orgs/\(studio.orgId)", token: studio.ownerToken, body: ["name": "Loft</script>\"'"])
                    .status == 200)
            try await app.publishSchedule(studio)
            let script = try await app.anonymous(path)
            #expect(script.status == 200 && script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(script.has("frame.src = \"https://studio.example/studios/\(studio.orgId)/widget\""))
            #expect(script.has("event.origin !== \"https://studio.example\""))
            #expect(!script.has("</script>") && script.has("Loft\\u003c/script\\u003e\\\"\\u0027"))
            let tag = try #require(script.etag)
            #expect(try await app.anonymous(path, headers: [.ifNoneMatch: tag]).status == 304)
            #expect(script.headers[.cacheControl] == "public, max-age=300")
        }
    }
}

/// Reads what the store holds, for checking that a refusal changed nothing.
enum PublicScheduleStoreProbe {
    static func origins(_ app: TestApp, _ orgId: String) async throws -> [String] {
        try await FrontdeskStore.PublicScheduleStore(database: app.services.database).settings(orgId: orgId).embedOrigins
    }
}
