import Foundation
import FrontdeskCore
@testable import FrontdeskServer
@testable import FrontdeskStore
import FrontdeskTestSupport
import SQLKit
import Testing

/// Issue 18: a screen's names are read in full at most 10 s apart and in between only the bookings
/// announced as checked in; what a screen shows always equals reading the names afresh, except what
/// announces nothing (a renamed member), which shows within 10 s of the last full read.
@Suite("Checked-in names of a screen")
struct CheckedInRostersTests {
    /// The names as a fresh read of the database finds them (no rosters).
    static func fresh(_ app: TestApp, _ screen: DisplayStateCacheTests.Screen) async throws -> [String] {
        let org = try #require(try await app.services.organizations.organization(id: screen.studio.orgId))
        let read = try await DisplaysStore(database: app.services.database).screen(
            org: org, locationId: screen.studio.locationId, now: app.clock.now())
        return read.current?.checkedIn ?? []
    }

    static func names(_ reply: Reply) -> [String] { reply["checkedIn"] as? [String] ?? [] }

    @Test("check-ins, an out-of-order commit, undo and no-show: every poll shows what a fresh read shows")
    func pollsEqualFreshReads() async throws {
        try await TestApp.run { app in
            let screen = try await DisplayStateCacheTests.screen(app)
            let owner = screen.studio.ownerToken
            let members = try await app.quickMembers(screen.studio.orgId, count: 4)
            var booked = [screen.booking]
            for member in members { booked.append(try #require(try await app.book(screen.session, token: member.token).string("id"))) }
            let bookings = booked
            #expect(Self.names(try await app.request(.get, screen.path)).isEmpty)

            for booking in bookings.prefix(3) {
                app.clock.advance(by: 1)
                let checkin = try await app.request(
                    .post, "/api/sessions/\(screen.session)/checkin", token: owner, body: ["bookingId": booking])
                #expect(checkin.status == 200, "\(checkin.text)")
                let shown = Self.names(try await app.request(.get, screen.path))
                #expect(shown == (try await Self.fresh(app, screen)))
            }
            #expect(Self.names(try await app.request(.get, screen.path)).count == 3)

            // A check-in committed with an earlier time than the last shown (another instance's clock)
            // takes its place in check-in order.
            let early = app.clock.now().addingTimeInterval(-60)
            try await app.services.database.transaction { sql in
                try await sql.raw(
                    "UPDATE bookings SET status = 'attended', checked_in_at = \(bind: early.epochSeconds) WHERE id = \(bind: bookings[3])"
                ).run()
            }
            app.services.displayStates.apply(
                CheckinEvent(
                    organizationId: screen.studio.orgId, sessionId: screen.session, bookingId: bookings[3], kind: .checkedIn,
                    at: early, origin: "elsewhere"))
            let reordered = Self.names(try await app.request(.get, screen.path))
            #expect(reordered.count == 4)
            #expect(reordered == (try await Self.fresh(app, screen)))

            // An undo and a no-show take the name away at the next poll.
            #expect(try await app.request(.post, "/api/bookings/\(bookings[1])/undo-checkin", token: owner).status == 200)
            #expect(Self.names(try await app.request(.get, screen.path)) == (try await Self.fresh(app, screen)))
            #expect(Self.names(try await app.request(.get, screen.path)).count == 3)
            #expect(try await app.request(.post, "/api/bookings/\(bookings[1])/no-show", token: owner).status == 200)
            #expect(Self.names(try await app.request(.get, screen.path)) == (try await Self.fresh(app, screen)))
            let checkin = try await app.request(
                .post, "/api/sessions/\(screen.session)/checkin", token: owner, body: ["bookingId": bookings[4]])
            #expect(checkin.status == 200, "\(checkin.text)")
            let last = Self.names(try await app.request(.get, screen.path))
            #expect(last.count == 4)
            #expect(last == (try await Self.fresh(app, screen)))
        }
    }

    @Test("between full reads only announced bookings are read: a rename announces nothing and shows at 10 s, not at 9")
    func renameShowsAfterMaxAge() async throws {
        try await TestApp.run { app in
            let screen = try await DisplayStateCacheTests.screen(app)
            let owner = screen.studio.ownerToken
            let other = try await app.quickMembers(screen.studio.orgId, count: 1)[0]
            let second = try #require(try await app.book(screen.session, token: other.token).string("id"))
            #expect(
                try await app.request(.post, "/api/sessions/\(screen.session)/checkin", token: owner, body: ["bookingId": screen.booking])
                    .status == 200)
            let first = Self.names(try await app.request(.get, screen.path))  // the full read, now
            #expect(first.count == 1)
            try await app.services.database.transaction { sql in
                try await sql.raw(
                    """
                    UPDATE users SET name = 'Zelda Quist' WHERE id = (
                        SELECT user_id FROM memberships WHERE id = \(bind: screen.member.membershipId))
                    """
                ).run()
            }
            app.clock.advance(by: 9)
            #expect(
                try await app.request(.post, "/api/sessions/\(screen.session)/checkin", token: owner, body: ["bookingId": second])
                    .status == 200)
            let ninth = Self.names(try await app.request(.get, screen.path))
            #expect(ninth.count == 2)
            #expect(ninth.first == first.first, "the second check-in was read by its key; the first name as read 9 s ago")
            app.clock.advance(by: 1)
            let tenth = Self.names(try await app.request(.get, screen.path))
            #expect(tenth.contains("Zelda Q."), "10 s after the full read: read in full again")
            #expect(tenth == (try await Self.fresh(app, screen)))
        }
    }

    static func entry(_ id: String, _ at: Int64) -> CheckedIn {
        CheckedIn(bookingId: id, at: Date(epochSeconds: at), name: id)
    }

    @Test("plans: one full read at a time, announced bookings merged in order, dropped and abandoned reads, age and capacity")
    func plans() {
        let rosters = CheckedInRosters(maxAge: 10)
        let now = Date(epochSeconds: 1_000_000)
        guard case .full(let serial?) = rosters.plan(sessionId: "a", now: now) else {
            Issue.record("first ask reads in full")
            return
        }
        // While the full read is under way another request reads too but keeps nothing; an announcement waits.
        guard case .full(nil) = rosters.plan(sessionId: "a", now: now) else {
            Issue.record("a second full read keeps nothing")
            return
        }
        rosters.checkedIn(sessionId: "a", bookingId: "c")
        #expect(
            rosters.keep(sessionId: "a", serial: serial, full: [Self.entry("b", 5), Self.entry("a", 5)]).map(\.bookingId) == ["a", "b"])
        guard case .announced(let announced, let again) = rosters.plan(sessionId: "a", now: now) else {
            Issue.record("the announcement made during the full read is read next")
            return
        }
        #expect(announced == ["c"] && again == serial)
        rosters.checkedIn(sessionId: "a", bookingId: "d")  // while "c" is read
        let merged = rosters.keep(sessionId: "a", serial: serial, announced: announced, read: [Self.entry("c", 4), Self.entry("a", 5)])
        #expect(merged?.0.map(\.bookingId) == ["c", "a", "b"], "in check-in order, no duplicate")
        guard case .announced(["d"], _) = rosters.plan(sessionId: "a", now: now) else {
            Issue.record("only what was read is taken off the announced")
            return
        }
        _ = rosters.keep(sessionId: "a", serial: serial, announced: ["d"], read: [])
        guard case .held(let held, let readAt) = rosters.plan(sessionId: "a", now: now.addingTimeInterval(9)) else {
            Issue.record("9 s after the full read the names are held")
            return
        }
        #expect(held.map(\.bookingId) == ["c", "a", "b"] && readAt == now.epochSeconds)
        guard case .full(_?) = rosters.plan(sessionId: "a", now: now.addingTimeInterval(10)) else {
            Issue.record("10 s after the full read: read in full")
            return
        }

        // A drop (undo) during a full read: the read is answered but not kept.
        guard case .full(let dropped?) = rosters.plan(sessionId: "b", now: now) else { return }
        rosters.drop(sessionId: "b")
        #expect(rosters.keep(sessionId: "b", serial: dropped, full: [Self.entry("x", 1)]).count == 1)
        guard case .full(_?) = rosters.plan(sessionId: "b", now: now) else {
            Issue.record("nothing kept after the drop")
            return
        }
        // A failed full read lets the next request read again (and keep it).
        guard case .full(let failed?) = rosters.plan(sessionId: "c", now: now) else { return }
        rosters.abandon(sessionId: "c", serial: failed)
        guard case .full(_?) = rosters.plan(sessionId: "c", now: now) else {
            Issue.record("after a failed read the next one reads and keeps")
            return
        }

        // Up to `maxAnnounced` check-ins since the last read are read by key; one more, in full.
        guard case .full(let rush?) = rosters.plan(sessionId: "d", now: now) else { return }
        _ = rosters.keep(sessionId: "d", serial: rush, full: [])
        for index in 0..<CheckedInRosters.maxAnnounced { rosters.checkedIn(sessionId: "d", bookingId: "b\(index)") }
        guard case .announced(let many, _) = rosters.plan(sessionId: "d", now: now) else {
            Issue.record("at the limit the announced are read by key")
            return
        }
        #expect(many.count == CheckedInRosters.maxAnnounced)
        rosters.checkedIn(sessionId: "d", bookingId: "one more")
        guard case .full(_?) = rosters.plan(sessionId: "d", now: now) else {
            Issue.record("past the limit the class is read in full")
            return
        }

        // At most `capacity` classes: the oldest read goes first.
        let bounded = CheckedInRosters(maxAge: 10)
        for index in 0..<(CheckedInRosters.capacity + 1) {
            _ = bounded.plan(sessionId: "s\(index)", now: now.addingTimeInterval(Double(index % 5)))
        }
        #expect(bounded.count == CheckedInRosters.capacity)
    }
}
