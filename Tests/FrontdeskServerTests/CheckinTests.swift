import Foundation
import FrontdeskCore
import Testing

@Suite("Check-in: QR, proof of scan, GPS, staff, roster")
struct CheckinTests {
    /// A studio whose location has coordinates, a class starting in 10 minutes, a booked member and a walk-in candidate.
    struct Floor {
        let studio: StudioFixture
        let session: String
        let member: (token: String, membershipId: String)
        let other: (token: String, membershipId: String)
        let bookingId: String
    }

    static let loft = (latitude: 52.5299, longitude: 13.4010)

    func floor(_ app: TestApp, capacity: Int = 10) async throws -> Floor {
        let studio = try await app.studio()
        _ = try await app.request(
            .patch, "/api/orgs/\(studio.orgId)/locations/\(studio.locationId)", token: studio.ownerToken,
            body: ["latitude": Self.loft.latitude, "longitude": Self.loft.longitude])
        let session = try await app.session(
            studio, startsAt: app.clock.now().addingTimeInterval(600),
            extra: ["locationId": studio.locationId, "capacity": capacity])
        let members = try await app.quickMembers(studio.orgId, count: 2)
        let booked = try await app.book(session, token: members[0].token)
        return Floor(studio: studio, session: session, member: members[0], other: members[1], bookingId: try #require(booked.string("id")))
    }

    func token(_ app: TestApp, _ session: String) async throws -> String {
        CheckinToken.issue(sessionId: session, at: app.clock.now(), keys: try await app.services.keyRing.ring(now: app.clock.now()))
    }

    func selfCheckin(_ app: TestApp, _ session: String, _ token: String, _ body: [String: any Sendable]) async throws -> Reply {
        try await app.request(.post, "/api/sessions/\(session)/self-checkin", token: token, body: body)
    }

    @Test("QR: a valid token checks in; a repeat is idempotent; expired, foreign and forged tokens are refused")
    func qr() async throws {
        try await TestApp.run { app in
            let f = try await floor(app)
            let qr = try await token(app, f.session)
            let first = try await selfCheckin(app, f.session, f.member.token, ["token": qr])
            #expect(first.status == 200, "\(first.text)")
            let booking = try #require(first["booking"] as? [String: Any])
            #expect(booking["status"] as? String == "attended")
            #expect(booking["checkinMethod"] as? String == "qr")
            #expect(first["alreadyCheckedIn"] as? Bool == false)
            let repeatReply = try await selfCheckin(app, f.session, f.member.token, ["token": qr])
            #expect(repeatReply.status == 200)
            #expect(repeatReply["alreadyCheckedIn"] as? Bool == true)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE status = 'attended'") == 1)

            let other = try await app.session(f.studio, startsAt: app.clock.now().addingTimeInterval(900))
            #expect(
                try await selfCheckin(app, f.session, f.other.token, ["token": try await token(app, other)]).errorCode == "invalid_token")
            #expect(try await selfCheckin(app, f.session, f.other.token, ["token": "k1.123.forged"]).errorCode == "invalid_token")
            #expect(
                try await selfCheckin(app, f.session, f.other.token, ["token": String(repeating: "x", count: 5000)]).errorCode
                    == "invalid_token")
            app.clock.advance(by: 75)  // past the window and the 10 s grace
            let expired = try await selfCheckin(app, f.session, f.other.token, ["token": qr])
            #expect(expired.status == 409)
            #expect(expired.errorCode == "token_expired")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE status = 'attended'") == 1)
        }
    }

    @Test("the check-in window: too early and after the end are refused")
    func window() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(3600))
            let (token, _) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            _ = try await app.book(session, token: token)
            let early = try await selfCheckin(app, session, token, ["token": try await self.token(app, session)])
            #expect(early.errorCode == "checkin_not_open")
            app.clock.advance(by: 3600 + 3600)  // the class (60 min) has ended
            #expect(try await selfCheckin(app, session, token, ["token": try await self.token(app, session)]).errorCode == "checkin_closed")
        }
    }

    @Test("walk-in: a member without a booking gets in when a place is free, not when the class is full")
    func walkIn() async throws {
        try await TestApp.run { app in
            let f = try await floor(app, capacity: 1)
            let full = try await selfCheckin(app, f.session, f.other.token, ["token": try await token(app, f.session)])
            #expect(full.status == 409)
            #expect(full.errorCode == "class_full")
            let g = try await floor(app, capacity: 5)
            let reply = try await selfCheckin(app, g.session, g.other.token, ["token": try await token(app, g.session)])
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply["walkIn"] as? Bool == true)
            #expect((reply["booking"] as? [String: Any])?["status"] as? String == "attended")
        }
    }

    @Test("GPS: near passes, far fails, org coordinates stand in, none at all fails, feed programs refuse, bad input is 400")
    func gps() async throws {
        try await TestApp.run { app in
            let f = try await floor(app)
            let near: [String: any Sendable] = ["latitude": 52.5301, "longitude": 13.4012, "accuracyMeters": 15.0]
            let far: [String: any Sendable] = ["latitude": 52.5200, "longitude": 13.4050, "accuracyMeters": 15.0]
            #expect(try await selfCheckin(app, f.session, f.other.token, far).errorCode == "too_far")
            let ok = try await selfCheckin(app, f.session, f.member.token, near)
            #expect(ok.status == 200, "\(ok.text)")
            #expect((ok["booking"] as? [String: Any])?["checkinMethod"] as? String == "gps")
            for (body, code) in [
                (["latitude": 95.0, "longitude": 13.4, "accuracyMeters": 10.0], "invalid_coordinates"),
                (["latitude": 52.5, "longitude": -181.0, "accuracyMeters": 10.0], "invalid_coordinates"),
                (["latitude": 52.5301, "longitude": 13.4012, "accuracyMeters": 5000.0], "accuracy_too_low"),
                (["latitude": 52.5301, "longitude": 13.4012], "missing_field"),
                ([:], "missing_field"),
            ] as [([String: any Sendable], String)] {
                #expect(try await selfCheckin(app, f.session, f.other.token, body).errorCode == code, "\(body)")
            }
            // A location without coordinates falls back to the org's; with neither: location_has_no_coordinates.
            let bare = try #require(
                try await app.request(
                    .post, "/api/orgs/\(f.studio.orgId)/locations", token: f.studio.ownerToken,
                    body: ["name": "Park"]
                ).string("id"))
            let outdoor = try await app.session(f.studio, startsAt: app.clock.now().addingTimeInterval(600), extra: ["locationId": bare])
            #expect(try await selfCheckin(app, outdoor, f.other.token, near).errorCode == "location_has_no_coordinates")
            _ = try await app.request(
                .patch, "/api/orgs/\(f.studio.orgId)", token: f.studio.ownerToken,
                body: ["latitude": Self.loft.latitude, "longitude": Self.loft.longitude])
            #expect(try await selfCheckin(app, outdoor, f.other.token, near).status == 200)
            let feed = try await app.session(
                f.studio, startsAt: app.clock.now().addingTimeInterval(600), classTypeId: f.studio.feedClassTypeId,
                extra: ["locationId": f.studio.locationId, "force": true])  // the same room as the floor's class
            #expect(try await selfCheckin(app, feed, f.other.token, near).errorCode == "gps_not_allowed")
        }
    }

    @Test("proof of scan: accepted for ten minutes, for its session only")
    func proof() async throws {
        try await TestApp.run { app in
            let f = try await floor(app)
            let ring = try await app.services.keyRing.ring(now: app.clock.now())
            let proof = ProofOfScan.issue(sessionId: f.session, at: app.clock.now(), keys: ring)
            app.clock.advance(by: 300)
            #expect(try await selfCheckin(app, f.session, f.member.token, ["proof": proof]).status == 200)
            app.clock.advance(by: 301)
            #expect(try await selfCheckin(app, f.session, f.other.token, ["proof": proof]).errorCode == "token_expired")
        }
    }

    @Test("staff: check-in by booking or member, undo, no-show, walk-in over capacity (audited), roster; members and other orgs cannot")
    func staff() async throws {
        try await TestApp.run { app in
            let f = try await floor(app, capacity: 1)
            let (coachToken, _) = try await app.member(f.studio.orgId, ownerToken: f.studio.ownerToken, role: "coach")
            let path = "/api/sessions/\(f.session)/checkin"
            #expect(try await app.request(.post, path, token: f.member.token, body: ["bookingId": f.bookingId]).status == 403)
            let checked = try await app.request(.post, path, token: coachToken, body: ["bookingId": f.bookingId])
            #expect(checked.status == 200)
            #expect((checked["booking"] as? [String: Any])?["checkinMethod"] as? String == "manual")
            let undone = try await app.request(.post, "/api/bookings/\(f.bookingId)/undo-checkin", token: coachToken)
            #expect(undone.string("status") == "confirmed")
            #expect(undone["checkedInAt"] == nil)
            #expect(try await app.request(.post, "/api/bookings/\(f.bookingId)/no-show", token: coachToken).string("status") == "no_show")
            #expect(
                try await app.request(.post, "/api/bookings/\(f.bookingId)/undo-checkin", token: coachToken).errorCode
                    == "invalid_transition")
            #expect(try await app.request(.post, "/api/bookings/\(f.bookingId)/no-show", token: f.member.token).status == 403)

            // A no-show frees the place: a walk-in takes it. The next walk-in needs an explicit override.
            let walkIn = try await app.request(.post, path, token: coachToken, body: ["membershipId": f.other.membershipId])
            #expect(walkIn["walkIn"] as? Bool == true, "\(walkIn.text)")
            let third = try await app.quickMembers(f.studio.orgId, count: 1)[0]
            #expect(
                try await app.request(.post, path, token: coachToken, body: ["membershipId": third.membershipId]).errorCode == "class_full")
            let forced = try await app.request(
                .post, path, token: coachToken, body: ["membershipId": third.membershipId, "overrideCapacity": true])
            #expect(forced.status == 200, "\(forced.text)")
            #expect((forced["booking"] as? [String: Any])?["capacityOverride"] as? Bool == true)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'checkin.capacity_override'") == 1)

            let roster = try await app.request(.get, "/api/sessions/\(f.session)/roster", token: coachToken)
            let entries = try #require(roster["items"] as? [[String: Any]])
            #expect(entries.count == 3)
            #expect(entries.first.flatMap { ($0["booking"] as? [String: Any])?["status"] as? String } == "attended")
            #expect(try await app.request(.get, "/api/sessions/\(f.session)/roster", token: f.member.token).status == 403)

            let (otherOwner, _) = try await app.owner(org: "Other")
            #expect(try await app.request(.get, "/api/sessions/\(f.session)/roster", token: otherOwner).status == 404)
            #expect(try await app.request(.post, path, token: otherOwner, body: ["bookingId": f.bookingId]).status == 404)
            #expect(try await app.request(.post, "/api/bookings/\(f.bookingId)/no-show", token: otherOwner).status == 404)
        }
    }

    @Test("the same member checking in 50 times at once ends with one attended booking")
    func race() async throws {
        try await TestApp.run { app in
            let f = try await floor(app)
            let qr = try await token(app, f.session)
            for member in [f.member, f.other] {  // one booked, one walk-in
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<50 {
                        group.addTask { try await selfCheckin(app, f.session, member.token, ["token": qr]).status }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0 == 200 || $0 == 429 }, "\(Set(statuses))")
                #expect(
                    try await app.count(
                        """
                        SELECT COUNT(*) AS n FROM bookings WHERE membership_id = '\(member.membershipId)' AND status = 'attended'
                        """) == 1)
                #expect(
                    try await app.count(
                        """
                        SELECT COUNT(*) AS n FROM bookings WHERE membership_id = '\(member.membershipId)' AND checked_in_at IS NOT NULL
                        """) == 1)
            }
        }
    }

    @Test("self check-in is rate limited per member")
    func rateLimited() async throws {
        try await TestApp.run { app in
            let f = try await floor(app)
            var last = 0
            for _ in 0..<21 { last = try await selfCheckin(app, f.session, f.other.token, ["token": "bad"]).status }
            #expect(last == 429)
        }
    }
}
