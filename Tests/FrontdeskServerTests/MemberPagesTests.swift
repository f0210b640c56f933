import Foundation
import FrontdeskCore
import HTTPTypes
import Testing

@Suite("Login form, schedule and my bookings pages")
struct MemberPagesTests {
    @Test("the login form signs in with cookies and goes back to a local page only")
    func loginForm() async throws {
        try await TestApp.run { app in
            try await app.createUser("lena@example.com", name: "Lena Berg")
            let guest = Browser(app: app, token: nil)
            let wrong = try await guest.post("/login", ["email": "lena@example.com", "password": "nope", "next": "/me/bookings"])
            #expect(wrong.status == 401)
            #expect(wrong.element("login-error") == "The e-mail address or password is wrong.")
            let right = try await guest.post("/login", ["email": "lena@example.com", "password": "correct-horse", "next": "/me/bookings"])
            #expect(right.status == 303)
            #expect(right.location == "/me/bookings")
            let cookies = right.headers[values: .setCookie].joined(separator: "\n")
            #expect(cookies.contains("fd_session=") && cookies.contains("HttpOnly"))
            let evil = try await guest.post(
                "/login", ["email": "lena@example.com", "password": "correct-horse", "next": "//evil.example/x"])
            #expect(evil.location == "/schedule")
            let forged = try await guest.post("/login", ["email": "lena@example.com", "password": "correct-horse"], csrf: "other")
            #expect(forged.status == 403)
        }
    }

    @Test("schedule week: book, join the waitlist, cancel; my bookings lists them")
    func bookAndCancel() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400), extra: ["capacity": 1])
            let members = try await app.quickMembers(studio.orgId, count: 2)
            let first = Browser(app: app, token: members[0].token)
            let week = try await first.get("/schedule")
            #expect(week.status == 200)
            #expect(week.has("data-session-id=\"\(session)\""))
            #expect(week.has("1 place left"))

            let booked = try await first.post("/schedule/book", ["org": studio.orgId, "session": session])
            #expect(booked.status == 303)
            let after = try await first.get(try #require(booked.location))
            #expect(after.element("flash") == "Booked — see you there.")
            #expect(after.has("state--booked"))

            let second = Browser(app: app, token: members[1].token)
            let waiting = try await second.post("/schedule/book", ["org": studio.orgId, "session": session])
            #expect(waiting.location?.hasSuffix("done=waitlisted") == true)
            #expect(try await second.get("/schedule").has("Waitlist #1"))

            let mine = try await first.get("/me/bookings")
            let bookingId = try #require(
                try await app.request(.get, "/api/me/bookings", token: members[0].token).json["items"]
                    .flatMap { ($0 as? [[String: Any]])?.first?["booking"] as? [String: Any] }?["id"] as? String)
            #expect(mine.has("data-booking-id=\"\(bookingId)\""))
            let cancelled = try await first.post("/schedule/cancel", ["org": studio.orgId, "booking": bookingId, "from": "bookings"])
            #expect(cancelled.location == "/me/bookings?done=cancelled")
            #expect(try await first.get("/me/bookings").element("no-upcoming") != nil)
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE status = 'confirmed'") == 1,
                "the waitlisted member was promoted")

            // Someone else's booking cannot be cancelled from the page.
            let third = Browser(app: app, token: try await app.quickMembers(studio.orgId, count: 1)[0].token)
            let refused = try await third.post("/schedule/cancel", ["org": studio.orgId, "booking": bookingId])
            #expect(refused.status == 404)
        }
    }
}
