import Foundation
import FrontdeskCore
import HTTPTypes
import Testing

@Suite("Coach tablet page")
struct CoachPageTests {
    @Test("staff only: signed out gets the login form, a member gets a plain refusal")
    func access() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let guest = try await Browser(app: app, token: nil).get("/coach")
            #expect(guest.status == 200)
            #expect(guest.has("id=\"login-form\"") && guest.has("name=\"next\" value=\"/coach\""))
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            let refused = try await Browser(app: app, token: member.token).get("/coach")
            #expect(refused.status == 403)
            #expect(refused.has("This page is for studio staff"))
        }
    }

    @Test("today's classes and the roster: check in, undo, no-show, walk-in by name, counts")
    func roster() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(
                studio, startsAt: app.clock.now().addingTimeInterval(900),
                extra: ["locationId": studio.locationId, "capacity": 2])
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let members = try await app.quickMembers(studio.orgId, count: 5)
            let first = try #require(try await app.book(session, token: members[0].token).string("id"))
            let second = try #require(try await app.book(session, token: members[1].token).string("id"))
            _ = try await app.book(session, token: members[2].token)  // waitlisted
            let tablet = Browser(app: app, token: coach.token)

            let page = try await tablet.get("/coach")
            #expect(page.status == 200, "\(page.text)")
            #expect(page.has("data-session-id=\"\(session)\""))
            #expect(page.element("roster-counts") == "0 checked in · 2/2 booked · 1 on waitlist")
            #expect(page.has("data-booking-id=\"\(first)\" data-status=\"confirmed\""))
            #expect(page.has("status--waitlisted"))
            #expect(page.has("data-events-url=\"/coach/events?org=\(studio.orgId)\""))

            let form = ["org": studio.orgId, "location": studio.locationId, "session": session]
            let checked = try await tablet.post("/coach/checkin", form.merging(["bookingId": first]) { $1 })
            #expect(checked.status == 303)
            #expect(checked.location?.hasSuffix("&done=checked_in") == true)
            let after = try await tablet.get(try #require(checked.location))
            #expect(after.element("flash") == "Checked in.")
            #expect(after.has("data-booking-id=\"\(first)\" data-status=\"attended\""))
            #expect(after.element("roster-counts") == "1 checked in · 2/2 booked · 1 on waitlist")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE id = '\(first)' AND checkin_method = 'manual'") == 1)

            #expect(try await tablet.post("/coach/undo", form.merging(["bookingId": first]) { $1 }).status == 303)
            #expect(try await tablet.post("/coach/no-show", form.merging(["bookingId": second]) { $1 }).status == 303)
            let fragment = try await tablet.get("/coach/roster?org=\(studio.orgId)&location=\(studio.locationId)&session=\(session)")
            #expect(fragment.status == 200)
            #expect(!fragment.has("<html"), "a fragment, not a page")
            #expect(fragment.has("data-booking-id=\"\(first)\" data-status=\"confirmed\""))
            #expect(fragment.has("data-booking-id=\"\(second)\" data-status=\"no_show\""))

            // Walk-in search by name finds a member without a place; the no-show freed one, so they walk in.
            let search = try await tablet.get("/coach?org=\(studio.orgId)&location=\(studio.locationId)&session=\(session)&q=rusher%203")
            #expect(search.has("name=\"membershipId\" value=\"\(members[3].membershipId)\""))
            #expect(search.has(">Walk in</button>"))
            let walkIn = try await tablet.post("/coach/checkin", form.merging(["membershipId": members[3].membershipId]) { $1 })
            #expect(walkIn.location?.hasSuffix("&done=walk_in") == true)
            // Now full: the next walk-in needs the explicit capacity override.
            let fullSearch = try await tablet.get(
                "/coach?org=\(studio.orgId)&location=\(studio.locationId)&session=\(session)&q=rusher%204")
            #expect(fullSearch.has("Add over capacity"))
            let refused = try await tablet.post("/coach/checkin", form.merging(["membershipId": members[4].membershipId]) { $1 })
            #expect(refused.status == 409)
            #expect(refused.element("flash")?.contains("full") == true)
            let forced = try await tablet.post(
                "/coach/checkin", form.merging(["membershipId": members[4].membershipId, "override": "1"]) { $1 })
            #expect(forced.location?.hasSuffix("&done=walk_in") == true)

            // Another org's booking id is not found; a post without the CSRF token changes nothing.
            let other = try await app.studio()
            #expect(try await tablet.post("/coach/checkin", ["org": other.orgId, "session": session, "bookingId": first]).status == 404)
            #expect(try await tablet.post("/coach/checkin", form.merging(["bookingId": first]) { $1 }, csrf: "nope").status == 403)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE id = '\(first)' AND status = 'attended'") == 0)
        }
    }

    @Test("around midnight the tablet lists the class still running and the next one whose check-in is open")
    func midnight() async throws {
        try await TestApp.run { app in
            // 23:20 in Berlin (22:20 UTC in winter); check-in opens 30 minutes before a class; classes last 60 minutes.
            app.clock.set(try #require(ISO8601DateFormatter().date(from: "2026-12-01T22:20:00Z")))
            let studio = try await app.studio()
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let late = try await app.session(
                studio, startsAt: app.clock.now().addingTimeInterval(10 * 60),  // 23:30–00:30
                extra: ["locationId": studio.locationId])
            let early = try await app.session(
                studio, startsAt: app.clock.now().addingTimeInterval(55 * 60),  // 00:15, overlapping the 23:30 class on purpose
                extra: ["locationId": studio.locationId, "force": true])
            let morning = try await app.session(
                studio, startsAt: app.clock.now().addingTimeInterval(10 * 3600),  // 09:20
                extra: ["locationId": studio.locationId])
            let tablet = Browser(app: app, token: coach.token)
            let path = "/coach?org=\(studio.orgId)&location=\(studio.locationId)"

            app.clock.advance(by: 30 * 60)  // 23:50: tomorrow's 00:15 is open for check-in, 09:20 is not
            let before = try await tablet.get(path)
            #expect(before.status == 200, "\(before.text)")
            #expect(before.has("data-session-id=\"\(late)\"") && before.has("data-session-id=\"\(early)\""))
            #expect(!before.has("data-session-id=\"\(morning)\""))

            app.clock.advance(by: 30 * 60)  // 00:20: yesterday's 23:30 class is still running
            let after = try await tablet.get(path)
            #expect(after.has("data-session-id=\"\(late)\"") && after.has("data-session-id=\"\(early)\""))
            #expect(after.has("data-session-id=\"\(morning)\""))
        }
    }

    @Test("the tablet opens its location's check-in screen")
    func openDisplay() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let tablet = Browser(app: app, token: coach.token)
            let none = try await tablet.get("/coach/display?org=\(studio.orgId)&location=\(studio.locationId)")
            #expect(none.status == 404)
            let display = try await app.displayPath(studio)
            let open = try await tablet.get("/coach/display?org=\(studio.orgId)&location=\(studio.locationId)")
            #expect(open.status == 303)
            #expect(open.location?.hasPrefix("/display/\(display.id)?exp=") == true)
            #expect(try await app.request(.get, try #require(open.location)).status == 200)
        }
    }
}
