import Foundation
import FrontdeskCore
import FrontdeskTestSupport
import SQLKit
import Testing

/// Issue 18: a class's places taken and waitlist length are kept on its row by the database's triggers
/// (migration 10), and the schedule shows them. Every way a booking moves keeps them equal to counting.
@Suite("A class's kept counts")
struct ClassCountsTests {
    /// The class's counts as the member's schedule shows them, and as kept on its row; both must equal counting.
    func counts(_ app: TestApp, _ session: String, token: String) async throws -> (booked: Int, waiting: Int) {
        let reply = try await app.request(.get, "/api/sessions/\(session)", token: token)
        try #require(reply.status == 200, "\(reply.text)")
        #expect(try await app.count(ClassCountsCheck.miscounted) == 0, "kept counts differ from the bookings")
        let kept = try await app.count("SELECT places_taken + 1000 * waitlist_length AS n FROM class_sessions WHERE id = '\(session)'")
        let shown = (reply["bookedCount"] as? Int ?? -1, reply["waitlistCount"] as? Int ?? -1)
        #expect(kept == shown.0 + 1000 * shown.1, "kept \(kept), shown \(shown)")
        return shown
    }

    @Test("bookings, waitlist, cancel with promotion, check-in, undo, no-show, staff override, class cancel and deletion")
    func everyMove() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = studio.ownerToken
            let start = app.clock.now().addingTimeInterval(20 * 60)  // check-in is open
            let id = try await app.session(studio, startsAt: start, extra: ["capacity": 2])
            let members = try await app.quickMembers(studio.orgId, count: 5)
            #expect(try await counts(app, id, token: owner) == (0, 0))

            var bookings: [String] = []
            for member in members.prefix(4) { bookings.append(try #require(try await app.book(id, token: member.token).string("id"))) }
            #expect(try await counts(app, id, token: members[0].token) == (2, 2), "two confirmed, two waiting")

            // A check-in moves a booking from confirmed to attended: still a place taken.
            #expect(
                try await app.request(.post, "/api/sessions/\(id)/checkin", token: owner, body: ["bookingId": bookings[0]]).status == 200)
            #expect(try await counts(app, id, token: owner) == (2, 2))
            #expect(try await app.request(.post, "/api/bookings/\(bookings[0])/undo-checkin", token: owner).status == 200)
            #expect(try await counts(app, id, token: owner) == (2, 2))

            // A cancel frees a place and promotes the first waiting member.
            #expect(try await app.cancelBooking(bookings[1], token: owner).status == 200)
            #expect(try await counts(app, id, token: owner) == (2, 1))
            // A waiting member's cancel shortens the waitlist.
            #expect(try await app.cancelBooking(bookings[3], token: owner).status == 200)
            #expect(try await counts(app, id, token: owner) == (2, 0))

            // A no-show gives its place back.
            #expect(try await app.request(.post, "/api/bookings/\(bookings[0])/no-show", token: owner).status == 200)
            #expect(try await counts(app, id, token: owner) == (1, 0))

            // Staff booking over capacity counts as a place taken.
            #expect(try await app.book(id, token: members[4].token).status == 201)
            let over = try await app.book(id, token: owner, body: ["membershipId": members[3].membershipId, "overrideCapacity": true])
            #expect(over.status == 201, "\(over.text)")
            #expect(try await counts(app, id, token: owner) == (3, 0))

            // Rows written or removed by hand (an older binary, an operator) are counted too.
            let waiting = try await app.insertBooking(session: id, membership: members[1].membershipId, status: "waitlisted", position: 1)
            #expect(try await counts(app, id, token: owner) == (3, 1))
            try await app.services.database.transaction { sql in
                try await sql.raw("DELETE FROM bookings WHERE id = \(bind: waiting)").run()
            }
            #expect(try await counts(app, id, token: owner) == (3, 0))

            // Cancelling the class cancels its bookings.
            #expect(try await app.request(.post, "/api/sessions/\(id)/cancel", token: owner, body: ["reason": "Storm"]).status == 200)
            #expect(try await counts(app, id, token: owner) == (0, 0))
        }
    }

    @Test("racing bookings and cancels of several classes keep every class's counts")
    func racing() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let start = app.clock.now().addingTimeInterval(3 * 3600)
            var made: [String] = []
            for offset in 0..<3 {
                made.append(
                    try await app.session(studio, startsAt: start.addingTimeInterval(Double(offset) * 7200), extra: ["capacity": 3]))
            }
            let classes = made
            let members = try await app.quickMembers(studio.orgId, count: 12)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, member) in members.enumerated() {
                    group.addTask {
                        let session = classes[index % classes.count]
                        let booked = try await app.book(session, token: member.token)
                        if index % 2 == 0, let booking = booked.string("id") {
                            _ = try await app.cancelBooking(booking, token: member.token)
                        }
                        _ = try await app.book(classes[(index + 1) % classes.count], token: member.token)
                    }
                }
                try await group.waitForAll()
            }
            for session in classes { try await app.checkInvariants(session: session) }
            #expect(try await app.count(ClassCountsCheck.miscounted) == 0)
            let kept = try await app.count("SELECT SUM(places_taken) AS n FROM class_sessions")
            #expect(kept == 9, "three classes of three places, all taken")
        }
    }
}
