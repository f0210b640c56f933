import Foundation
import FrontdeskCore
import HTTPTypes
import Testing

@testable import FrontdeskServer

@Suite("Public schedule: the book link, universal links, origin rules")
struct PublicLinksTests {
    @Test("book: signed out → login and back; a member books through the member form; strangers and hidden classes")
    func bookFlow() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            try await app.publishSchedule(studio)
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400), extra: ["capacity": 1])
            let draft = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(90_000), publish: false)

            let guest = try await Browser(app: app, token: nil).get("/book/\(session)")
            #expect(guest.has("name=\"next\" value=\"/book/\(session)\""), "the login form comes back here")
            try await app.createUser("visitor@example.com", name: "Vera Visitor")
            let login = try await Browser(app: app, token: nil).post(
                "/login", ["email": "visitor@example.com", "password": "correct-horse", "next": "/book/\(session)"])
            #expect(login.location == "/book/\(session)")

            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            let browser = Browser(app: app, token: member.token)
            let page = try await browser.get("/book/\(session)")
            #expect(page.status == 200 && page.element("book-state") == "1 place left")
            #expect(page.has("action=\"/schedule/book\"") && page.has("name=\"session\" value=\"\(session)\""))
            let booked = try await browser.post("/schedule/book", ["org": studio.orgId, "session": session, "week": "2026-11-19"])
            #expect(booked.status == 303 && booked.location?.hasSuffix("done=booked") == true)
            let again = try await browser.get("/book/\(session)")
            #expect(again.element("book-state") == "You're booked" && !again.has("id=\"book-form\""))
            #expect(
                try await browser.post("/schedule/book", ["org": studio.orgId, "session": session], csrf: "forged-0123456789abc").status
                    == 403)

            #expect(try await browser.get("/book/\(draft)").status == 404, "a draft is not bookable by a member")
            #expect(try await browser.get("/book/\(NewID.make())").status == 404)
            #expect(try await browser.get("/book/nonsense").status == 404)

            // Signed in but not a member: told to join for a public class, 404 for anything else.
            let visitor = Browser(app: app, token: try await app.login("visitor@example.com"))
            let stranger = try await visitor.get("/book/\(session)")
            #expect(stranger.status == 403 && stranger.has("not a member of Studio"))
            #expect(try await visitor.get("/book/\(draft)").status == 404)
            let privateStudio = try await app.studio()
            let privateClass = try await app.session(privateStudio, startsAt: app.clock.now().addingTimeInterval(86_400))
            let hidden = try await visitor.get("/book/\(privateClass)")
            #expect(hidden.status == 404 && !hidden.has("Studio"), "a studio that does not publish is not revealed")
        }
    }

    @Test("universal links: 404 while unset; the iOS and Android association files from configuration")
    func universalLinks() async throws {
        try await TestApp.run { app in
            let apple = try await app.anonymous("/.well-known/apple-app-site-association")
            let android = try await app.anonymous("/.well-known/assetlinks.json")
            #expect(apple.status == 404 && android.status == 404)
        }
        let print = (0..<32).map { String(format: "%02X", $0 * 7 % 256) }.joined(separator: ":")
        try await TestApp.run(configure: {
            $0.appleAppIds = "ABCDE12345.com.frontdesk.app, XYZ9876543.de.studio.app"
            $0.androidPackage = "com.frontdesk.app"
            $0.androidCertFingerprints = print.lowercased()
        }) { app in
            let apple = try await app.anonymous("/.well-known/apple-app-site-association")
            #expect(apple.status == 200 && apple.headers[.contentType] == "application/json")
            let details = try #require((apple["applinks"] as? [String: Any])?["details"] as? [[String: Any]])
            #expect(details.first?["appIDs"] as? [String] == ["ABCDE12345.com.frontdesk.app", "XYZ9876543.de.studio.app"])
            let components = (details.first?["components"] as? [[String: Any]] ?? []).compactMap { $0["/"] as? String }
            #expect(components == ["/checkin*", "/c/*"])
            #expect(
                details.dropFirst().compactMap { $0["appID"] as? String } == ["ABCDE12345.com.frontdesk.app", "XYZ9876543.de.studio.app"])
            let android = try await app.anonymous("/.well-known/assetlinks.json")
            let statements = try #require(try JSONSerialization.jsonObject(with: Data(android.text.utf8)) as? [[String: Any]])
            let target = try #require(statements.first?["target"] as? [String: Any])
            #expect(statements.first?["relation"] as? [String] == ["delegate_permission/common.handle_all_urls"])
            #expect(target["package_name"] as? String == "com.frontdesk.app" && target["namespace"] as? String == "android_app")
            #expect(target["sha256_cert_fingerprints"] as? [String] == [print])
        }
    }

    @Test("universal link settings are checked when the server starts")
    func universalLinkValidation() throws {
        var good = ServerConfiguration()
        good.appleAppIds = "ABCDE12345.com.example.app"
        good.androidPackage = "com.example.app"
        good.androidCertFingerprints = Array(repeating: "AB", count: 32).joined(separator: ":")
        #expect(throws: Never.self) { try good.validated() }
        let bad: [(inout ServerConfiguration) -> Void] = [
            { $0.appleAppIds = "com.example.app" }, { $0.appleAppIds = "abcde12345.com.example.app" },
            { $0.appleAppIds = "ABCDE1234.com.example.app" }, { $0.appleAppIds = "ABCDE12345.com.exa mple" },
            { $0.androidPackage = "app" }, { $0.androidPackage = "com.1example.app" }, { $0.androidCertFingerprints = nil },
            { $0.androidCertFingerprints = Array(repeating: "AB", count: 31).joined(separator: ":") },
            { $0.androidCertFingerprints = Array(repeating: "ZZ", count: 32).joined(separator: ":") },
        ]
        for change in bad {
            var config = good
            change(&config)
            #expect(throws: ConfigurationError.self) { try config.validated() }
        }
    }

    @Test("embed origins: normalised, limits just inside and outside")
    func origins() throws {
        #expect(
            try EmbedOrigins.parse("HTTPS://WWW.Example.COM/ https://www.example.com:443, http://127.0.0.1:9000 http://[::1]:8080")
                == ["https://www.example.com", "http://127.0.0.1:9000", "http://[::1]:8080"])
        #expect(try EmbedOrigins.parse("   ") == [])
        #expect(try EmbedOrigins.parse((1...10).map { "https://s\($0).example" }.joined(separator: "\n")).count == 10)
        #expect(throws: DomainError.self) { try EmbedOrigins.parse((1...11).map { "https://s\($0).example" }.joined(separator: "\n")) }
        for bad in [
            "https://bücher.example", "https://example.com:0", "https://example.com:65536", "https://", "https://:443",
            "javascript:alert(1)",
            "https://exa_mple.com", "https://example.com#x", "http://192.168.1.10",
        ] {
            #expect(throws: DomainError.self, "\(bad)") { try EmbedOrigins.parse(bad) }
        }
        #expect(try EmbedOrigins.parse("https://example.com:65535") == ["https://example.com:65535"])
    }
}
