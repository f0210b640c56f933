import Foundation
import FrontdeskCore
import FrontdeskStore
import Testing

@testable import FrontdeskServer

/// A studio with a door kiosk at its location and a class there whose check-in window is open.
struct KioskFixture: Sendable {
    let studio: StudioFixture
    /// The kiosk's path and signed query ("/kiosk/<id>?exp=…&sig=…").
    let path: String
    let kioskId: String
    let session: String

    var membersPath: String { path.replacingOccurrences(of: "?", with: "/members?") }
    var checkinPath: String { path.replacingOccurrences(of: "?", with: "/checkin?") }
}

/// A member of the fixture's studio, signed in.
struct KioskMember: Sendable {
    let token: String
    let membershipId: String
    let email: String
}

extension TestApp {
    /// The start of a minute, so per-minute windows do not roll over in the middle of a test.
    static let kioskStart = Date(timeIntervalSince1970: 1_795_000_020)

    /// A studio, a kiosk made through the back office, and a class at its location starting in 10
    /// minutes (check-in opens 30 minutes before).
    func kioskFixture() async throws -> KioskFixture {
        clock.set(Self.kioskStart)
        let studio = try await studio()
        let (path, id) = try await enrolKiosk(studio)
        let session = try await session(studio, startsAt: clock.now().addingTimeInterval(10 * 60), extra: ["locationId": studio.locationId])
        return KioskFixture(studio: studio, path: path, kioskId: id, session: session)
    }

    /// Creates a kiosk on `/admin/kiosks` as the owner and reads its signed link off the page.
    func enrolKiosk(_ studio: StudioFixture, location: String? = nil) async throws -> (path: String, id: String) {
        let owner = Browser(app: self, token: studio.ownerToken)
        let created = try await owner.post(
            "/admin/kiosks", ["org": studio.orgId, "location": location ?? studio.locationId, "name": "Front door"])
        try #require(created.status == 303, "\(created.text)")
        let id = try #require(created.location?.components(separatedBy: "show=").last?.components(separatedBy: "&").first)
        let page = try await owner.get("/admin/kiosks?org=\(studio.orgId)&show=\(id)")
        let url = try #require(page.element("url-\(id)"))
        return (String(url.dropFirst("https://studio.example".count)), id)
    }

    /// A member of the studio called `name`, signed in.
    func namedMember(_ studio: StudioFixture, _ name: String) async throws -> KioskMember {
        let email = "k-\(NewID.make())@example.com"
        let (summary, _) = try await services.organizations.addMember(orgId: studio.orgId, email: email, role: .member, now: clock.now()) {
            (name, services.passwords.hashNow("correct-horse"))
        }
        return KioskMember(token: try await login(email), membershipId: summary.membership.id, email: email)
    }

    /// Sets the member's PIN through the form on My bookings.
    func setPin(_ member: KioskMember, _ pin: String) async throws {
        let reply = try await Browser(app: self, token: member.token).post("/me/kiosk-pin", ["pin": pin, "pinRepeat": pin])
        try #require(reply.status == 303, "\(reply.text)")
    }

    /// A member called `name` with PIN `pin` and a confirmed booking in the fixture's class; the booking id.
    func bookedMember(_ kiosk: KioskFixture, _ name: String, pin: String? = "2580") async throws -> (KioskMember, booking: String) {
        let member = try await namedMember(kiosk.studio, name)
        if let pin { try await setPin(member, pin) }
        let booking = try await insertBooking(session: kiosk.session, membership: member.membershipId, status: "confirmed")
        return (member, booking)
    }

    func kioskCheckin(_ kiosk: KioskFixture, booking: String, pin: String) async throws -> Reply {
        try await request(.post, kiosk.checkinPath, body: ["bookingId": booking, "pin": pin])
    }

    func bookingStatus(_ booking: String) async throws -> String {
        try await services.database.read { sql in
            try await sql.raw("SELECT status FROM bookings WHERE id = \(bind: booking)").first()!.decode(column: "status", as: String.self)
        }
    }

    func auditCount(_ action: String, subject: String? = nil) async throws -> Int {
        let filter = subject.map { " AND subject_membership_id = '\($0)'" } ?? ""
        return try await count("SELECT COUNT(*) AS n FROM audit_logs WHERE action = '\(action)'\(filter)")
    }
}

@Suite("Door kiosk: check-in by name and PIN")
struct KioskTests {
    @Test("a booked member checks in with the right PIN; the wall display shows it and the audit log records it")
    func success() async throws {
        try await TestApp.run { app in
            let kiosk = try await app.kioskFixture()
            let (display, _) = try await app.displayPath(kiosk.studio)
            let (member, booking) = try await app.bookedMember(kiosk, "Maya Lindqvist")
            let reply = try await app.kioskCheckin(kiosk, booking: booking, pin: "2580")
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply["checkedIn"] as? Bool == true && reply["alreadyCheckedIn"] as? Bool == false)
            #expect(reply.string("name") == "Maya L." && reply.string("className") == "Vinyasa")
            #expect(reply.headers[.cacheControl] == "no-store" && reply.headers[.init("Referrer-Policy")!] == "no-referrer")
            #expect(try await app.bookingStatus(booking) == "attended")
            #expect(try await app.auditCount("kiosk.check_in", subject: member.membershipId) == 1)
            let state = try await app.request(.get, display.replacingOccurrences(of: "?", with: "/state?"))
            #expect(state["checkedIn"] as? [String] == ["Maya L."], "\(state.text)")
            // A repeat is harmless, as any check-in.
            let again = try await app.kioskCheckin(kiosk, booking: booking, pin: "2580")
            #expect(again.status == 200 && again["alreadyCheckedIn"] as? Bool == true)
        }
    }

    @Test("a wrong PIN is 401 and changes nothing but the audit log")
    func wrongPin() async throws {
        try await TestApp.run { app in
            let kiosk = try await app.kioskFixture()
            let (member, booking) = try await app.bookedMember(kiosk, "Maya Lindqvist")
            let reply = try await app.kioskCheckin(kiosk, booking: booking, pin: "2581")
            #expect(reply.status == 401 && reply.errorCode == "invalid_credentials", "\(reply.text)")
            #expect(try await app.bookingStatus(booking) == "confirmed")
            #expect(try await app.auditCount("kiosk.pin_failed", subject: member.membershipId) == 1)
            #expect(try await app.auditCount("kiosk.check_in") == 0)
            // Not four digits: refused before anything is compared or counted.
            for pin in ["258", "25800", "abcd", "２５８０", ""] {
                let bad = try await app.kioskCheckin(kiosk, booking: booking, pin: pin)
                #expect(bad.status == 400 && bad.errorCode == "invalid_field", "\(pin): \(bad.text)")
            }
            #expect(try await app.auditCount("kiosk.pin_failed") == 1)
        }
    }

    @Test("four wrong PINs do not lock; the fifth locks for 15 minutes, even against the right PIN")
    func lockoutEdges() async throws {
        try await TestApp.run { app in
            let kiosk = try await app.kioskFixture()
            let (_, first) = try await app.bookedMember(kiosk, "Ada Byron")
            for _ in 1..<KioskPin.failuresBeforeLock {
                #expect(try await app.kioskCheckin(kiosk, booking: first, pin: "1111").status == 401)
            }
            #expect(try await app.kioskCheckin(kiosk, booking: first, pin: "2580").status == 200, "K-1 wrong PINs do not lock")

            app.clock.advance(by: 60)
            let (locked, second) = try await app.bookedMember(kiosk, "Bea Chen")
            for attempt in 1...KioskPin.failuresBeforeLock {
                let reply = try await app.kioskCheckin(kiosk, booking: second, pin: "1111")
                if attempt < KioskPin.failuresBeforeLock {
                    #expect(reply.status == 401)
                } else {
                    #expect(reply.status == 429 && reply.errorCode == "rate_limited", "the K-th wrong PIN locks: \(reply.text)")
                }
            }
            let refused = try await app.kioskCheckin(kiosk, booking: second, pin: "2580")
            #expect(refused.status == 429 && refused.errorMessage?.contains("15 minutes") == true, "\(refused.text)")
            #expect(try await app.bookingStatus(second) == "confirmed")
            #expect(try await app.auditCount("kiosk.pin_locked", subject: locked.membershipId) == 1)
            #expect(try await app.auditCount("kiosk.pin_failed", subject: locked.membershipId) == KioskPin.failuresBeforeLock + 1)

            app.clock.advance(by: Double(KioskPin.lockSeconds) - 1)
            #expect(try await app.kioskCheckin(kiosk, booking: second, pin: "2580").status == 429, "one second before the lock ends")
            app.clock.advance(by: 1)
            let after = try await app.kioskCheckin(kiosk, booking: second, pin: "2580")
            #expect(after.status == 200, "\(after.text)")
        }
    }

    @Test("a kiosk takes 10 PIN attempts a minute; the 11th is 429 whatever it holds, and the next minute is open again")
    func kioskThrottle() async throws {
        try await TestApp.run { app in
            let kiosk = try await app.kioskFixture()
            let (_, booking) = try await app.bookedMember(kiosk, "Maya Lindqvist")
            for _ in 1...KioskPin.attemptsPerKioskPerMinute {
                #expect(try await app.kioskCheckin(kiosk, booking: NewID.make(), pin: "2580").status == 404)
            }
            let limited = try await app.kioskCheckin(kiosk, booking: booking, pin: "2580")
            #expect(limited.status == 429 && limited.errorCode == "rate_limited", "\(limited.text)")
            #expect(try await app.bookingStatus(booking) == "confirmed")
            // Another kiosk of the studio has its own budget.
            let (other, otherId) = try await app.enrolKiosk(kiosk.studio)
            let otherKiosk = KioskFixture(studio: kiosk.studio, path: other, kioskId: otherId, session: kiosk.session)
            #expect(try await app.kioskCheckin(otherKiosk, booking: NewID.make(), pin: "2580").status == 404)
            app.clock.advance(by: 60)
            #expect(try await app.kioskCheckin(kiosk, booking: booking, pin: "2580").status == 200)
        }
    }

    @Test("revoked, rotated, expired, forged and display links do not open a kiosk")
    func links() async throws {
        try await TestApp.run { app in
            let kiosk = try await app.kioskFixture()
            let (_, booking) = try await app.bookedMember(kiosk, "Maya Lindqvist")
            let owner = Browser(app: app, token: kiosk.studio.ownerToken)
            #expect(try await app.request(.get, kiosk.membersPath + "&q=ma").status == 200)

            let forged = kiosk.membersPath.replacingOccurrences(of: "sig=", with: "sig=x") + "&q=ma"
            #expect(try await app.request(.get, forged).errorCode == "invalid_display_url")
            let noSig = "/kiosk/\(kiosk.kioskId)/members?q=ma"
            #expect(try await app.request(.get, noSig).errorCode == "invalid_display_url")
            let later = kiosk.checkinPath.replacingOccurrences(of: "exp=", with: "exp=9")
            #expect(try await app.request(.post, later, body: ["bookingId": booking, "pin": "2580"]).errorCode == "invalid_display_url")
            // A display's signature is another domain: it does not open a kiosk of the same id shape.
            let (display, displayId) = try await app.displayPath(kiosk.studio)
            let swapped = display.replacingOccurrences(of: "/display/\(displayId)", with: "/kiosk/\(kiosk.kioskId)/members") + "&q=ma"
            #expect(try await app.request(.get, swapped).errorCode == "invalid_display_url")
            // Another kiosk's id under this kiosk's signature.
            let (_, otherId) = try await app.enrolKiosk(kiosk.studio)
            #expect(
                try await app.request(.get, kiosk.membersPath.replacingOccurrences(of: kiosk.kioskId, with: otherId) + "&q=ma").status
                    == 403)

            #expect(try await owner.post("/admin/kiosks/\(kiosk.kioskId)/rotate", ["org": kiosk.studio.orgId]).status == 303)
            let rotated = try await app.request(.get, kiosk.membersPath + "&q=ma")
            #expect(rotated.status == 403 && rotated.errorCode == "invalid_display_url")
            let (fresh, _) = try await app.enrolKiosk(kiosk.studio)
            #expect(try await app.request(.get, fresh.replacingOccurrences(of: "?", with: "/members?") + "&q=ma").status == 200)

            let page = try await owner.get("/admin/kiosks?org=\(kiosk.studio.orgId)&show=\(kiosk.kioskId)")
            let newPath = String(try #require(page.element("url-\(kiosk.kioskId)")).dropFirst("https://studio.example".count))
            let newKiosk = KioskFixture(studio: kiosk.studio, path: newPath, kioskId: kiosk.kioskId, session: kiosk.session)
            #expect(try await app.request(.get, newKiosk.membersPath + "&q=ma").status == 200)
            #expect(try await owner.post("/admin/kiosks/\(kiosk.kioskId)/revoke", ["org": kiosk.studio.orgId]).status == 303)
            let revoked = try await app.kioskCheckin(newKiosk, booking: booking, pin: "2580")
            #expect(revoked.status == 403 && revoked.errorCode == "display_revoked", "\(revoked.text)")
            #expect(try await app.bookingStatus(booking) == "confirmed")

            app.clock.advance(by: Double(KioskService.urlLifetimeDays) * 86_400)
            let expired = try await app.request(.get, fresh.replacingOccurrences(of: "?", with: "/members?") + "&q=ma")
            #expect(expired.status == 403 && expired.errorCode == "display_url_expired", "\(expired.text)")
        }
    }

    @Test("another studio's member or kiosk, a member without a booking here, a cancelled booking: 404")
    func strangers() async throws {
        try await TestApp.run { app in
            let kiosk = try await app.kioskFixture()
            let (_, mine) = try await app.bookedMember(kiosk, "Maya Lindqvist")
            // Another studio, its own kiosk and a booked member with a PIN.
            let other = try await app.studio()
            let (otherPath, otherId) = try await app.enrolKiosk(other)
            let otherSession = try await app.session(
                other, startsAt: app.clock.now().addingTimeInterval(600), extra: ["locationId": other.locationId])
            let otherKiosk = KioskFixture(studio: other, path: otherPath, kioskId: otherId, session: otherSession)
            let (_, theirs) = try await app.bookedMember(otherKiosk, "Mara Other")
            #expect(try await app.kioskCheckin(kiosk, booking: theirs, pin: "2580").status == 404)
            #expect(try await app.kioskCheckin(otherKiosk, booking: mine, pin: "2580").status == 404)
            #expect(try await app.bookingStatus(theirs) == "confirmed")
            #expect(try await app.bookingStatus(mine) == "confirmed")
            let search = try await app.request(.get, kiosk.membersPath + "&q=ma")
            #expect(TestApp.names(search) == ["Maya L."], "\(search.text)")

            // Booked at another location of the studio: not this kiosk's.
            let hall = try #require(
                try await app.request(
                    .post, "/api/orgs/\(kiosk.studio.orgId)/locations", token: kiosk.studio.ownerToken, body: ["name": "Hall"]
                )
                .string("id"))
            let hallSession = try await app.session(
                kiosk.studio, startsAt: app.clock.now().addingTimeInterval(600), extra: ["locationId": hall])
            let elsewhere = try await app.namedMember(kiosk.studio, "Max Hall")
            try await app.setPin(elsewhere, "2580")
            let hallBooking = try await app.insertBooking(session: hallSession, membership: elsewhere.membershipId, status: "confirmed")
            #expect(try await app.kioskCheckin(kiosk, booking: hallBooking, pin: "2580").status == 404)

            // No booking at all, a cancelled or waitlisted one: not listed, and 404 (never a walk-in).
            _ = try await app.namedMember(kiosk.studio, "Mads Nobooking")
            let cancelled = try await app.namedMember(kiosk.studio, "Mat Cancelled")
            try await app.setPin(cancelled, "2580")
            let gone = try await app.insertBooking(session: kiosk.session, membership: cancelled.membershipId, status: "cancelled")
            let waiting = try await app.namedMember(kiosk.studio, "Mia Waiting")
            try await app.setPin(waiting, "2580")
            let queued = try await app.insertBooking(
                session: kiosk.session, membership: waiting.membershipId, status: "waitlisted", position: 1)
            #expect(TestApp.names(try await app.request(.get, kiosk.membersPath + "&q=m")) == [], "one letter is too few")
            #expect(TestApp.names(try await app.request(.get, kiosk.membersPath + "&q=ma")) == ["Maya L."])
            #expect(TestApp.names(try await app.request(.get, kiosk.membersPath + "&q=mi")) == [])
            #expect(try await app.kioskCheckin(kiosk, booking: gone, pin: "2580").status == 404)
            #expect(try await app.kioskCheckin(kiosk, booking: queued, pin: "2580").status == 404)
            #expect(try await app.kioskCheckin(kiosk, booking: "not-an-id", pin: "2580").status == 404)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE status = 'attended'") == 0)
        }
    }

    @Test("outside the check-in window: not listed, and the right PIN answers the self check-in refusal")
    func outsideWindow() async throws {
        try await TestApp.run { app in
            let kiosk = try await app.kioskFixture()
            let later = try await app.session(
                kiosk.studio, startsAt: app.clock.now().addingTimeInterval(31 * 60),
                extra: ["locationId": kiosk.studio.locationId, "force": true])
            let member = try await app.namedMember(kiosk.studio, "Lena Later")
            try await app.setPin(member, "2580")
            let booking = try await app.insertBooking(session: later, membership: member.membershipId, status: "confirmed")
            #expect(TestApp.names(try await app.request(.get, kiosk.membersPath + "&q=le")) == [])
            let early = try await app.kioskCheckin(kiosk, booking: booking, pin: "2580")
            #expect(early.status == 409 && early.errorCode == "checkin_not_open", "\(early.text)")
            #expect(try await app.auditCount("kiosk.check_in_refused", subject: member.membershipId) == 1)
            app.clock.advance(by: 60)
            #expect(
                TestApp.names(try await app.request(.get, kiosk.membersPath + "&q=le")) == ["Lena L."], "the window opens 30 min before")

            // The fixture's class (starts in 10, lasts 60 minutes) has ended 71 minutes from the start.
            let (_, ended) = try await app.bookedMember(kiosk, "Otto Ended")
            app.clock.advance(by: 70 * 60)
            #expect(TestApp.names(try await app.request(.get, kiosk.membersPath + "&q=ot")) == [])
            let closed = try await app.kioskCheckin(kiosk, booking: ended, pin: "2580")
            #expect(closed.status == 409 && closed.errorCode == "checkin_closed", "\(closed.text)")
            #expect(try await app.bookingStatus(ended) == "confirmed")
        }
    }

    @Test("a member without a PIN cannot check in at the kiosk (403, audited)")
    func noPin() async throws {
        try await TestApp.run { app in
            let kiosk = try await app.kioskFixture()
            let (member, booking) = try await app.bookedMember(kiosk, "Nina Nopin", pin: nil)
            let reply = try await app.kioskCheckin(kiosk, booking: booking, pin: "2580")
            #expect(reply.status == 403 && reply.errorCode == "forbidden", "\(reply.text)")
            #expect(try await app.bookingStatus(booking) == "confirmed")
            #expect(try await app.auditCount("kiosk.pin_failed", subject: member.membershipId) == 1)
        }
    }

    @Test("bad bodies are 400 and change nothing")
    func badBodies() async throws {
        try await TestApp.run { app in
            let kiosk = try await app.kioskFixture()
            let (_, booking) = try await app.bookedMember(kiosk, "Maya Lindqvist")
            for body in [
                "", "{", "[]", #"{"bookingId": 5, "pin": "2580"}"#, #"{"bookingId": "\#(booking)", "pin": 2580}"#, #"{"pin": "2580"}"#,
            ] {
                let reply = try await app.request(.post, kiosk.checkinPath, json: body)
                #expect(reply.status == 400, "\(body): \(reply.text)")
            }
            let form = try await app.request(
                .post, kiosk.checkinPath, headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(form.status == 400 || form.status == 415, "\(form.text)")
            let huge = try await app.request(
                .post, kiosk.checkinPath, json: #"{"bookingId": "\#(String(repeating: "a", count: 2_000_000))", "pin": "2580"}"#)
            #expect(huge.status == 413, "\(huge.status)")
            #expect(try await app.bookingStatus(booking) == "confirmed")
        }
    }
}

extension TestApp {
    /// The names a kiosk search listed.
    static func names(_ reply: Reply) -> [String] {
        (reply["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }
}
