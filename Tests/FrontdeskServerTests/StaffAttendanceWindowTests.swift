import Foundation
import FrontdeskCore
import Testing

/// Issue 17: staff change attendance from the check-in window's opening until 24 hours after the
/// class ends, never on a cancelled class — through the API and the coach tablet alike.
@Suite("Staff attendance window")
struct StaffAttendanceWindowTests {
    struct Class {
        let studio: StudioFixture
        let session: String
        let start: Date
        let end: Date
        let bookings: [String]
        let members: [(token: String, membershipId: String)]
    }

    /// A published 60-minute class starting in two hours with three booked members.
    func bookedClass(_ app: TestApp) async throws -> Class {
        let studio = try await app.studio()
        let start = app.clock.now().addingTimeInterval(7200)
        let session = try await app.session(studio, startsAt: start, extra: ["locationId": studio.locationId])
        let members = try await app.quickMembers(studio.orgId, count: 3)
        var bookings: [String] = []
        for member in members {
            bookings.append(try #require(try await app.book(session, token: member.token).string("id")))
        }
        return Class(
            studio: studio, session: session, start: start, end: start.addingTimeInterval(3600), bookings: bookings, members: members)
    }

    func checkIn(_ app: TestApp, _ c: Class, _ booking: String) async throws -> Reply {
        try await app.request(.post, "/api/sessions/\(c.session)/checkin", token: c.studio.ownerToken, body: ["bookingId": booking])
    }

    @Test("API: one second before the window → attendance_not_open; at the opening, and until end + 24 h, fine; a second later closed")
    func apiEdges() async throws {
        try await TestApp.run { app in
            let c = try await bookedClass(app)
            let opens = c.start.addingTimeInterval(-30 * 60)
            app.clock.set(opens.addingTimeInterval(-1))
            let early = try await checkIn(app, c, c.bookings[0])
            #expect(early.status == 409)
            #expect(early.errorCode == "attendance_not_open")
            #expect(early.errorMessage?.contains("30 minutes") == true)
            let earlyNoShow = try await app.request(.post, "/api/bookings/\(c.bookings[1])/no-show", token: c.studio.ownerToken)
            #expect(earlyNoShow.errorCode == "attendance_not_open")

            app.clock.set(opens)
            #expect(try await checkIn(app, c, c.bookings[0]).status == 200)
            let closes = c.end.addingTimeInterval(24 * 3600)
            app.clock.set(closes)
            let undo = try await app.request(.post, "/api/bookings/\(c.bookings[0])/undo-checkin", token: c.studio.ownerToken)
            #expect(undo.status == 200, "\(undo.text)")
            let noShow = try await app.request(.post, "/api/bookings/\(c.bookings[1])/no-show", token: c.studio.ownerToken)
            #expect(noShow.status == 200, "\(noShow.text)")
            #expect(try await checkIn(app, c, c.bookings[2]).status == 200)

            app.clock.set(closes.addingTimeInterval(1))
            let late = try await checkIn(app, c, c.bookings[0])
            #expect(late.status == 409)
            #expect(late.errorCode == "attendance_closed")
            let lateUndo = try await app.request(.post, "/api/bookings/\(c.bookings[2])/undo-checkin", token: c.studio.ownerToken)
            #expect(lateUndo.errorCode == "attendance_closed")
            let lateNoShow = try await app.request(.post, "/api/bookings/\(c.bookings[0])/no-show", token: c.studio.ownerToken)
            #expect(lateNoShow.errorCode == "attendance_closed")
            let walkIn = try await app.request(
                .post, "/api/sessions/\(c.session)/checkin", token: c.studio.ownerToken,
                body: ["membershipId": try await app.quickMembers(c.studio.orgId, count: 1)[0].membershipId])
            #expect(walkIn.errorCode == "attendance_closed")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE id = '\(c.bookings[0])' AND status = 'confirmed'") == 1)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE id = '\(c.bookings[2])' AND status = 'attended'") == 1)
        }
    }

    @Test("a cancelled class takes no attendance change")
    func cancelledClass() async throws {
        try await TestApp.run { app in
            let c = try await bookedClass(app)
            app.clock.set(c.start)
            #expect(try await checkIn(app, c, c.bookings[0]).status == 200)
            #expect(try await app.request(.post, "/api/sessions/\(c.session)/cancel", token: c.studio.ownerToken).status == 200)
            #expect(try await checkIn(app, c, c.bookings[1]).errorCode == "session_cancelled")
            let undo = try await app.request(.post, "/api/bookings/\(c.bookings[0])/undo-checkin", token: c.studio.ownerToken)
            #expect(undo.status == 409)
            #expect(undo.errorCode == "session_cancelled")
            #expect(
                try await app.request(.post, "/api/bookings/\(c.bookings[0])/no-show", token: c.studio.ownerToken).errorCode
                    == "session_cancelled")
        }
    }

    @Test("the coach tablet shows the refusal in words, at both edges")
    func tablet() async throws {
        try await TestApp.run { app in
            let c = try await bookedClass(app)
            let coach = try await app.member(c.studio.orgId, ownerToken: c.studio.ownerToken, role: "coach")
            let tablet = Browser(app: app, token: coach.token)
            let form = ["org": c.studio.orgId, "location": c.studio.locationId, "session": c.session]

            app.clock.set(c.start.addingTimeInterval(-30 * 60 - 1))
            let early = try await tablet.post("/coach/checkin", form.merging(["bookingId": c.bookings[0]]) { $1 })
            #expect(early.status == 409)
            #expect(early.element("flash")?.contains("opens 30 minutes before") == true, "\(early.element("flash") ?? early.text)")

            app.clock.set(c.start.addingTimeInterval(-30 * 60))
            #expect(try await tablet.post("/coach/checkin", form.merging(["bookingId": c.bookings[0]]) { $1 }).status == 303)

            app.clock.set(c.end.addingTimeInterval(24 * 3600))
            #expect(try await tablet.post("/coach/no-show", form.merging(["bookingId": c.bookings[1]]) { $1 }).status == 303)
            app.clock.advance(by: 1)
            let late = try await tablet.post("/coach/undo", form.merging(["bookingId": c.bookings[0]]) { $1 })
            #expect(late.status == 409)
            #expect(late.element("flash")?.contains("closed 24 hours after") == true, "\(late.element("flash") ?? late.text)")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE id = '\(c.bookings[0])' AND status = 'attended'") == 1)
        }
    }

    @Test("the rule itself: both edges included")
    func rule() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let end = start.addingTimeInterval(3600)
        func check(_ at: Date) throws {
            try AttendanceRules.requireOpen(now: at, startsAt: start, endsAt: end, opensMinutesBefore: 15, hoursAfterEnd: 2)
        }
        #expect(throws: DomainError.self) { try check(start.addingTimeInterval(-15 * 60 - 1)) }
        try check(start.addingTimeInterval(-15 * 60))
        try check(end.addingTimeInterval(7200))
        #expect(throws: DomainError.self) { try check(end.addingTimeInterval(7201)) }
    }
}
