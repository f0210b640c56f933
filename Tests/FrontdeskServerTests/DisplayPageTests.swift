import Foundation
import FrontdeskCore
@testable import FrontdeskServer
import HTTPTypes
import Testing

@Suite("Display screen page")
struct DisplayPageTests {
    @Test("a running class: name, time, coach, the QR code, count against capacity and the checked-in names")
    func runningClass() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let display = try await app.displayPath(studio)
            let startsAt = app.clock.now().addingTimeInterval(600)
            let session = try await app.session(studio, startsAt: startsAt, extra: ["locationId": studio.locationId])
            let members = try await app.quickMembers(studio.orgId, count: 2)
            _ = try await app.book(session, token: members[0].token)
            let checkin = try await app.request(
                .post, "/api/sessions/\(session)/self-checkin", token: members[0].token,
                body: ["token": try await app.checkinToken(session)])
            #expect(checkin.status == 200)

            let page = try await app.request(.get, display.path)
            #expect(page.status == 200)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.element("class-name") == "Vinyasa")
            #expect(page.element("class-time") == "\(Reply.berlin(startsAt))–\(Reply.berlin(startsAt.addingTimeInterval(3600)))")
            #expect(page.element("checked-in-count") == "1")
            #expect(page.element("capacity") == "12")
            #expect(page.element("names") == "Rusher 0.")
            #expect(page.has("<svg xmlns=\"http://www.w3.org/2000/svg\""))
            #expect(page.has("data-valid-until=\""))
            #expect(page.has("id=\"idle\" hidden"))
            #expect(page.has("data-events-url=\"/display/\(display.id)/events?exp="))
            // A wall screen: no referrer leaks the signed URL, strict CSP, never framed.
            #expect(page.headers[.init("Referrer-Policy")!] == "no-referrer")
            let csp = try #require(page.headers[.contentSecurityPolicy])
            #expect(csp.contains("default-src 'self'") && csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"))
            #expect(!page.has("<script>"), "no inline scripts")
            #expect(!page.has("http://") || page.has("xmlns=\"http://www.w3.org/2000/svg\""), "no third-party assets")
        }
    }

    @Test("no class in the window: the next class, or that nothing more is scheduled")
    func idleStates() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let display = try await app.displayPath(studio)
            let nothing = try await app.request(.get, display.path)
            #expect(nothing.status == 200)
            #expect(nothing.has("id=\"current\" hidden"))
            #expect(nothing.element("next") == "No more classes scheduled here")

            let startsAt = app.clock.now().addingTimeInterval(3 * 3600)
            _ = try await app.session(studio, startsAt: startsAt, extra: ["locationId": studio.locationId])
            let later = try await app.request(.get, display.path)
            #expect(later.element("next") == "Next: Vinyasa at \(Reply.berlin(startsAt))")
            #expect(!later.has("<svg"), "no QR code before check-in opens")
        }
    }

    @Test("tampered, expired and revoked links get a full-screen message and no data")
    func badLinks() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let display = try await app.displayPath(studio)
            _ = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(600), extra: ["locationId": studio.locationId])
            let tampered = try await app.request(.get, display.path.replacingOccurrences(of: "sig=k1.", with: "sig=k1.A"))
            #expect(tampered.status == 403)
            #expect(tampered.element("display-error")?.hasPrefix("This screen's link is not valid") == true)
            #expect(!tampered.has("Vinyasa") && !tampered.has("<svg"))
            #expect(tampered.headers[.init("Referrer-Policy")!] == "no-referrer")

            app.clock.advance(by: 400 * 86_400)
            let expired = try await app.request(.get, display.path)
            #expect(expired.status == 403)
            #expect(expired.element("display-error")?.hasPrefix("This screen's link has expired") == true)

            app.clock.advance(by: -400 * 86_400)
            #expect(
                try await app.request(.post, "/api/orgs/\(studio.orgId)/displays/\(display.id)/revoke", token: studio.ownerToken).status
                    == 200)
            let revoked = try await app.request(.get, display.path)
            #expect(revoked.status == 403)
            #expect(revoked.element("display-error")?.hasPrefix("This screen has been switched off") == true)
            #expect(try await app.request(.get, display.path.replacingOccurrences(of: "?", with: "/events?")).status == 403)
        }
    }

    @Test("an hour of rotation keeps the QR cache at the current and previous window of each class, each code made once")
    func cacheStaysBounded() throws {
        let cache = QRSVGCache()
        var made = 0
        for minute in Int64(0)..<60 {
            let window = 1_795_000_020 + minute * 60
            for session in ["a", "b"] {
                for _ in 0..<3 {
                    let start = Date(timeIntervalSince1970: TimeInterval(window))
                    let code = try cache.code(
                        key: QRSVGCache.Key(sessionId: session, window: window, keyId: "k1", graceSeconds: 30), window: window,
                        text: {
                            made += 1
                            return "https://studio.example/checkin?session=\(session)&token=\(window)"
                        },
                        rendered: {
                            RenderedCode(
                                sessionId: session, url: $0, windowStart: start, expiresAt: start.addingTimeInterval(60),
                                validUntil: start.addingTimeInterval(90))
                        })
                    #expect(code.text.hasSuffix("session=\(session)&token=\(window)"))
                    #expect(code.svg.text.hasPrefix("<svg"))
                }
            }
            #expect(cache.count <= 4)
        }
        #expect(cache.count == 4)
        #expect(made == 120)
    }

    @Test("check-in events are written as server-sent events with the session and kind")
    func eventFormat() {
        let event = CheckinEvent(organizationId: "o", sessionId: "s", bookingId: "b", kind: .checkedIn, at: Date(timeIntervalSince1970: 0))
        #expect(
            ServerSentEvents.message(event) == "event: checkin\ndata: {\"bookingId\":\"b\",\"kind\":\"checked_in\",\"sessionId\":\"s\"}\n\n"
        )
    }
}
