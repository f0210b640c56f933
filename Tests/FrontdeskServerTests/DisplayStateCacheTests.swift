import Foundation
import FrontdeskCore
@testable import FrontdeskServer
@testable import FrontdeskStore
import FrontdeskTestSupport
import Testing

@Suite("Display state cache")
struct DisplayStateCacheTests {
    /// A studio with a display and a class at its location whose check-in window is open, one member
    /// booked into it; the clock at the start of a minute.
    struct Screen {
        let studio: StudioFixture
        let displayId: String
        let path: String
        let session: String
        let member: (token: String, membershipId: String)
        let booking: String
    }

    static func screen(_ app: TestApp) async throws -> Screen {
        let now = app.clock.now()
        app.clock.set(Date(epochSeconds: CheckinToken.windowStart(now) + CheckinToken.windowSeconds))
        let studio = try await app.studio()
        let created = try await app.request(
            .post, "/api/orgs/\(studio.orgId)/displays", token: studio.ownerToken, body: ["locationId": studio.locationId])
        let path = DisplayTests.path(try #require(created.string("url")))
        let displayId = try #require((created["display"] as? [String: Any])?["id"] as? String)
        let session = try await app.session(
            studio, startsAt: app.clock.now().addingTimeInterval(10 * 60), extra: ["locationId": studio.locationId])
        let member = try await app.quickMembers(studio.orgId, count: 1)[0]
        let booking = try #require(try await app.book(session, token: member.token).string("id"))
        return Screen(studio: studio, displayId: displayId, path: path, session: session, member: member, booking: booking)
    }

    /// A poll and the statements it sent.
    static func poll(_ app: TestApp, _ path: String) async throws -> (reply: Reply, statements: Int) {
        let before = app.services.database.statementCount
        let reply = try await app.request(.get, path)
        return (reply, app.services.database.statementCount - before)
    }

    static func token(_ reply: Reply) -> String? {
        ((reply["qr"] as? [String: Any])?["url"] as? String)?.components(separatedBy: "/c/").last
    }

    /// Polls until `done` holds for the answer, at most `seconds` (an event from another instance comes when it comes).
    static func poll(
        _ app: TestApp, _ path: String, within seconds: Double, until done: (Reply) -> Bool
    ) async throws -> Reply {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var reply = try await app.request(.get, path)
        while !done(reply), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            reply = try await app.request(.get, path)
        }
        return reply
    }

    @Test("a second poll in the same minute sends no statement and shows the same code; the minute's end changes the code")
    func sameMinute() async throws {
        try await TestApp.run { app in
            let screen = try await Self.screen(app)
            let first = try await Self.poll(app, screen.path)
            #expect(first.reply.status == 200)
            #expect(first.statements > 0)
            let code = try #require(Self.token(first.reply))
            app.clock.advance(by: 5)
            let second = try await Self.poll(app, screen.path)
            #expect(second.statements == 0, "served from the cache")
            #expect(Self.token(second.reply) == code)
            #expect((second.reply["session"] as? [String: Any])?["id"] as? String == screen.session)
            #expect(second.reply["now"] as? String != first.reply["now"] as? String, "the instant is the poll's own")
            // 59 s into the minute: the same code (read again, the cache's 10 s having passed); at 60 s a new one.
            app.clock.advance(by: 54)
            let last = try await Self.poll(app, screen.path)
            #expect(Self.token(last.reply) == code)
            #expect((last.reply["qr"] as? [String: Any])?["secondsUntilRotation"] as? Int == 1)
            app.clock.advance(by: 1)
            let next = try await Self.poll(app, screen.path)
            #expect(next.statements > 0, "a new minute reads the state again")
            #expect(Self.token(next.reply) != code)
            #expect((next.reply["qr"] as? [String: Any])?["secondsUntilRotation"] as? Int == 60)
        }
    }

    @Test("a check-in here changes the next poll; an unannounced change shows after 10 s, not at 9")
    func localChanges() async throws {
        try await TestApp.run { app in
            let screen = try await Self.screen(app)
            let before = try await Self.poll(app, screen.path)
            #expect(before.reply["checkedInCount"] as? Int == 0)
            let code = try #require(Self.token(before.reply))
            let checkin = try await app.request(
                .post, "/api/sessions/\(screen.session)/self-checkin", token: screen.member.token, body: ["token": code])
            #expect(checkin.status == 200, "\(checkin.text)")
            let after = try await app.request(.get, screen.path)
            #expect(after["checkedInCount"] as? Int == 1)
            #expect((after["checkedIn"] as? [String])?.count == 1)

            // A rename straight in the database announces nothing: trusted for 10 s.
            try await app.services.database.transaction { sql in
                try await sql.raw("UPDATE displays SET name = 'Hall' WHERE id = \(bind: screen.displayId)").run()
            }
            #expect(try await app.request(.get, screen.path)["displayName"] as? String == "Check-in screen")
            app.clock.advance(by: 9)
            #expect(try await app.request(.get, screen.path)["displayName"] as? String == "Check-in screen")
            app.clock.advance(by: 1)
            #expect(try await app.request(.get, screen.path)["displayName"] as? String == "Hall")

            // A class cancelled through the API shows at once.
            let cancelled = try await app.request(.post, "/api/sessions/\(screen.session)/cancel", token: screen.studio.ownerToken)
            #expect(cancelled.status == 200, "\(cancelled.text)")
            let gone = try await app.request(.get, screen.path)
            #expect(gone["session"] == nil && gone["qr"] == nil)
        }
    }

    @Test("a check-in changes only its class's names: a member's own comes with its name (no statement), staff's is read by its key")
    func namesOnly() async throws {
        try await TestApp.run { app in
            let screen = try await Self.screen(app)
            let other = try await app.quickMembers(screen.studio.orgId, count: 1)[0]
            let otherBooking = try #require(try await app.book(screen.session, token: other.token).string("id"))
            let before = try await Self.poll(app, screen.path)
            let code = try #require(Self.token(before.reply))
            #expect(try await Self.poll(app, screen.path).statements == 0)

            app.clock.advance(by: 1)
            let checkin = try await app.request(
                .post, "/api/sessions/\(screen.session)/self-checkin", token: screen.member.token, body: ["token": code])
            #expect(checkin.status == 200, "\(checkin.text)")
            let own = try await Self.poll(app, screen.path)
            #expect(own.statements == 0, "the name came with the check-in")
            #expect(CheckedInRostersTests.names(own.reply) == (try await CheckedInRostersTests.fresh(app, screen)))
            #expect(CheckedInRostersTests.names(own.reply).count == 1)
            #expect(Self.token(own.reply) == code)

            app.clock.advance(by: 1)
            let staff = try await app.request(
                .post, "/api/sessions/\(screen.session)/checkin", token: screen.studio.ownerToken, body: ["bookingId": otherBooking])
            #expect(staff.status == 200, "\(staff.text)")
            let byStaff = try await Self.poll(app, screen.path)
            #expect(byStaff.statements == 1, "the announced booking, by its key")
            #expect(CheckedInRostersTests.names(byStaff.reply) == (try await CheckedInRostersTests.fresh(app, screen)))
            #expect(CheckedInRostersTests.names(byStaff.reply).count == 2)
            #expect(try await Self.poll(app, screen.path).statements == 0, "the names are current again")

            // A check-in to a class the screen does not show changes nothing on it.
            app.services.displayStates.apply(
                CheckinEvent(
                    organizationId: screen.studio.orgId, sessionId: NewID.make(), bookingId: NewID.make(), kind: .checkedIn,
                    at: app.clock.now()))
            #expect(try await Self.poll(app, screen.path).statements == 0)

            // An undo drops the class's names: read in full, once.
            let undone = try await app.request(.post, "/api/bookings/\(screen.booking)/undo-checkin", token: screen.studio.ownerToken)
            #expect(undone.status == 200, "\(undone.text)")
            let undo = try await Self.poll(app, screen.path)
            #expect(undo.statements == 1)
            #expect(CheckedInRostersTests.names(undo.reply) == (try await CheckedInRostersTests.fresh(app, screen)))
            #expect(undo.reply["checkedInCount"] as? Int == 1)
            #expect(Self.token(undo.reply) == code)
        }
    }

    @Test("names read while another check-in came stay marked as changed; a read of the studio under way is not kept")
    func namesOvertaken() throws {
        let cache = DisplayStateCache()
        let now = Date(epochSeconds: 1_795_000_020)
        let orgId = NewID.make()
        let session = ClassSession(
            id: NewID.make(), organizationId: orgId, classTypeId: NewID.make(), locationId: nil, coachMembershipId: nil,
            startsAt: now.addingTimeInterval(300), durationMin: 60, capacity: 12, status: .published, cancelReason: nil,
            createdAt: now, updatedAt: now)
        var entry = Self.entry(orgId: orgId, now: now)
        entry = DisplayStateCache.Entry(
            display: entry.display, organization: entry.organization,
            current: DisplaySession(
                session: session, className: "Flow", color: "#000", coachName: nil, locationName: "Hall", checkedIn: []),
            next: nil, now: now)
        cache.store(entry, ticket: cache.ticket())
        cache.namesChanged(organizationId: orgId, sessionId: session.id)
        let taken = try #require(cache.entry(displayId: entry.display.id, now: now))
        #expect(taken.namesChanged == 1)
        cache.namesChanged(organizationId: orgId, sessionId: session.id)  // while `taken`'s names are read
        let served = cache.names(of: taken, names: ["Maya L."], readAt: now, now: now)
        #expect(served.current?.checkedIn == ["Maya L."] && served.namesChanged == 0)
        let held = try #require(cache.entry(displayId: entry.display.id, now: now))
        #expect(held.namesChanged != 0, "the later check-in is still to be read")
        #expect(held.current?.checkedIn == ["Maya L."])
        let again = cache.names(of: held, names: ["Maya L.", "Noor K."], readAt: now, now: now)
        #expect(again.namesChanged == 0)
        #expect(try #require(cache.entry(displayId: entry.display.id, now: now)).namesChanged == 0)

        // A read of the studio that started before a check-in is not kept.
        let ticket = cache.ticket()
        cache.namesChanged(organizationId: orgId, sessionId: session.id)
        let other = Self.entry(orgId: orgId, now: now)
        cache.store(other, ticket: ticket)
        #expect(cache.entry(displayId: other.display.id, now: now) == nil)
    }

    @Test("a revoked display is refused at once, a rotated link too, and a bad signature is refused however warm the cache")
    func refusals() async throws {
        try await TestApp.run { app in
            let screen = try await Self.screen(app)
            #expect(try await app.request(.get, screen.path).status == 200)
            let tampered = screen.path.replacingOccurrences(of: "sig=", with: "sig=x")
            for _ in 0..<2 {
                let (reply, _) = try await Self.poll(app, tampered)
                #expect(reply.errorCode == "invalid_display_url")
            }
            let (expired, _) = try await Self.poll(app, screen.path.replacingOccurrences(of: "exp=", with: "exp=1"))
            #expect(expired.status == 403)
            #expect(try await app.request(.get, screen.path).status == 200, "refusals did not touch the good link")

            let base = "/api/orgs/\(screen.studio.orgId)/displays/\(screen.displayId)"
            let rotated = try await app.request(.post, "\(base)/rotate", token: screen.studio.ownerToken)
            #expect(try await app.request(.get, screen.path).errorCode == "invalid_display_url")
            let fresh = DisplayTests.path(try #require(rotated.string("url")))
            #expect(try await app.request(.get, fresh).status == 200)
            #expect(try await app.request(.post, "\(base)/revoke", token: screen.studio.ownerToken).status == 200)
            for _ in 0..<2 {
                #expect(try await app.request(.get, fresh).errorCode == "display_revoked")
            }
        }
    }

    @Test(
        "on PostgreSQL a check-in and a revocation on another instance reach this one's cache",
        .enabled(if: TestBackend.current == .postgres))
    func otherInstance() async throws {
        try await TestApp.run { app in
            let screen = try await Self.screen(app)
            let other = CheckinEventBus(database: app.services.database, logger: TestBackend.logger)
            // This instance's LISTEN starts asynchronously: wait until it hears the other instance.
            try await CheckinEventTests.untilListening(app.services.checkinEvents, hears: other)

            #expect(try await app.request(.get, screen.path)["checkedInCount"] as? Int == 0)
            // The other instance checks the member in and announces it.
            let at = app.clock.now()
            try await app.services.database.transaction { sql in
                try await sql.raw(
                    "UPDATE bookings SET status = 'attended', checked_in_at = \(bind: at.epochSeconds) WHERE id = \(bind: screen.booking)"
                ).run()
            }
            #expect(try await app.request(.get, screen.path)["checkedInCount"] as? Int == 0, "no event yet: the cached state")
            await other.publish(
                CheckinEvent(
                    organizationId: screen.studio.orgId, sessionId: screen.session, bookingId: screen.booking, kind: .checkedIn, at: at))
            let heard = try await Self.poll(app, screen.path, within: 10) { $0["checkedInCount"] as? Int == 1 }
            #expect(heard["checkedInCount"] as? Int == 1)

            // The other instance revokes the display.
            let revoked = try await DisplaysStore(database: app.services.database).revoke(
                orgId: screen.studio.orgId, id: screen.displayId, now: at)
            #expect(try await app.request(.get, screen.path).status == 200, "no event yet: the cached row")
            await other.publish(.displayChanged(revoked, at: at))
            let refused = try await Self.poll(app, screen.path, within: 10) { $0.status != 200 }
            #expect(refused.errorCode == "display_revoked")
        }
    }

    /// An entry for a display of `orgId`, read at `now`.
    static func entry(orgId: String, now: Date) -> DisplayStateCache.Entry {
        let display = Display(
            id: NewID.make(), organizationId: orgId, locationId: NewID.make(), name: "Screen", keyVersion: 1, revokedAt: nil,
            createdAt: now)
        let org = Organization(id: orgId, name: "Studio", timezone: "Europe/Berlin", createdAt: now, updatedAt: now)
        return DisplayStateCache.Entry(display: display, organization: org, current: nil, next: nil, now: now)
    }

    @Test("the cache holds at most its capacity, and a read overtaken by an invalidation is not kept")
    func bounds() {
        let cache = DisplayStateCache()
        let now = Date(epochSeconds: 1_795_000_020)
        for _ in 0..<(DisplayStateCache.capacity + 10) {
            cache.store(Self.entry(orgId: NewID.make(), now: now), ticket: cache.ticket())
        }
        #expect(cache.count == DisplayStateCache.capacity)

        let orgId = NewID.make()
        let overtaken = Self.entry(orgId: orgId, now: now)
        let ticket = cache.ticket()
        cache.invalidate(organizationId: orgId)  // a check-in while the read was under way
        cache.store(overtaken, ticket: ticket)
        #expect(cache.entry(displayId: overtaken.display.id, now: now) == nil)
        cache.store(overtaken, ticket: cache.ticket())
        #expect(cache.entry(displayId: overtaken.display.id, now: now) != nil)
        // Fresh for 10 s within its minute, then gone.
        #expect(cache.entry(displayId: overtaken.display.id, now: now.addingTimeInterval(9)) != nil)
        #expect(cache.entry(displayId: overtaken.display.id, now: now.addingTimeInterval(10)) == nil)
    }
}
