import Foundation
import FrontdeskCore
import FrontdeskStore
import Testing

@Suite("Bookings: capacity, waitlist, credits, cancellation, promotion")
struct BookingTests {
    @Test("confirmed until full, then waitlisted in order; notifications queued with the booking")
    func confirmedThenWaitlisted() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(2 * 86_400), extra: ["capacity": 2])
            let members = try await app.quickMembers(studio.orgId, count: 4)
            try await app.registerDevice(token: members[0].token)
            var statuses: [String] = []
            var positions: [Int?] = []
            for member in members {
                let reply = try await app.book(session, token: member.token)
                #expect(reply.status == 201, "\(reply.text)")
                statuses.append(reply.string("status") ?? "?")
                positions.append(reply["waitlistPosition"] as? Int)
            }
            #expect(statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"])
            #expect(positions == [nil, nil, 1, 2])
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM notification_outbox WHERE template = 'booking_confirmed'") == 3,
                "an e-mail each, a push only for the member with a device")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM notification_outbox WHERE template = 'booking_waitlisted'") == 2)
            let again = try await app.book(session, token: members[0].token)
            #expect(again.status == 409)
            #expect(again.errorCode == "already_booked")
            let view = try await app.request(.get, "/api/sessions/\(session)", token: members[3].token)
            #expect((view["myBooking"] as? [String: Any])?["waitlistPosition"] as? Int == 2)
            #expect(view["waitlistCount"] as? Int == 2)
            try await app.checkInvariants(session: session)
        }
    }

    @Test("limited plans are charged, early cancels refund, late cancels are refused or unrefunded")
    func creditsAndCancellation() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            _ = try await app.request(
                .patch, "/api/orgs/\(studio.orgId)", token: studio.ownerToken,
                body: ["paymentProvider": "stripe", "cancellationWindowHours": 12])
            let plan = try await app.plan(studio, ["name": "5 classes", "classCredits": 5])
            let (token, membership) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let far = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(2 * 86_400))
            let near = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(6 * 3600))

            let noPlan = try await app.book(far, token: token)
            #expect(noPlan.status == 402)
            #expect(noPlan.errorCode == "no_plan")
            let subscription = try await app.subscribe(studio, membership: membership, plan: plan, credits: 2)

            let booked = try await app.book(far, token: token)
            #expect(booked.status == 201)
            #expect(booked["creditCharged"] as? Bool == true)
            #expect(try await app.count("SELECT credits_remaining AS n FROM subscriptions WHERE id = '\(subscription)'") == 1)
            let early = try await app.cancelBooking(try #require(booked.string("id")), token: token)
            #expect(early.status == 200)
            #expect(early.string("status") == "cancelled")
            #expect(early["lateCancel"] as? Bool == false)
            #expect(try await app.count("SELECT credits_remaining AS n FROM subscriptions WHERE id = '\(subscription)'") == 2)

            let late = try await app.book(near, token: token)
            let lateId = try #require(late.string("id"))
            let refused = try await app.cancelBooking(lateId, token: token)
            #expect(refused.status == 409)
            #expect(refused.errorCode == "late_cancel_blocked")
            _ = try await app.request(.patch, "/api/orgs/\(studio.orgId)", token: studio.ownerToken, body: ["allowLateCancellation": true])
            let allowed = try await app.cancelBooking(lateId, token: token)
            #expect(allowed.status == 200)
            #expect(allowed["lateCancel"] as? Bool == true)
            #expect(try await app.count("SELECT credits_remaining AS n FROM subscriptions WHERE id = '\(subscription)'") == 1, "no refund")
            #expect(try await app.cancelBooking(lateId, token: token).errorCode == "already_cancelled")

            // Out of credits.
            let other = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(3 * 86_400))
            #expect(try await app.book(other, token: token).status == 201)
            let broke = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(4 * 86_400))
            let noCredits = try await app.book(broke, token: token)
            #expect(noCredits.status == 402)
            #expect(noCredits.errorCode == "no_credits")
            try await app.checkInvariants(session: far)
            let ledger = try await app.request(.get, "/api/orgs/\(studio.orgId)/subscriptions/\(subscription)/ledger", token: token)
            #expect((ledger["items"] as? [[String: Any]])?.compactMap { $0["amount"] as? Int } == [-1, 1, -1, -1])
        }
    }

    @Test("a freed place goes to the first still-eligible waitlisted member, who is charged; ineligible ones stay")
    func promotion() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            _ = try await app.request(.patch, "/api/orgs/\(studio.orgId)", token: studio.ownerToken, body: ["paymentProvider": "stripe"])
            let plan = try await app.plan(studio, ["name": "Pack", "classCredits": 10])
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(2 * 86_400), extra: ["capacity": 1])
            let members = try await app.quickMembers(studio.orgId, count: 4)
            var subscriptions: [String] = []
            for member in members {
                subscriptions.append(try await app.subscribe(studio, membership: member.membershipId, plan: plan, credits: 3))
            }
            let first = try await app.book(session, token: members[0].token)
            for member in members.dropFirst() { #expect(try await app.book(session, token: member.token).string("status") == "waitlisted") }
            // The second in line runs out of credits meanwhile: they must be skipped.
            _ = try await app.request(
                .post, "/api/orgs/\(studio.orgId)/subscriptions/\(subscriptions[1])/credits", token: studio.ownerToken,
                body: ["amount": -3, "reason": "refunded elsewhere"])

            #expect(try await app.cancelBooking(try #require(first.string("id")), token: members[0].token).status == 200)
            let states = try await app.services.database.read { sql in
                try await sql.raw(
                    "SELECT membership_id, status, waitlist_position, credit_charged FROM bookings WHERE session_id = \(bind: session)"
                )
                .all().map {
                    (
                        try $0.decode(column: "membership_id", as: String.self), try $0.decode(column: "status", as: String.self),
                        try $0.decode(column: "waitlist_position", as: Int?.self)
                    )
                }
            }
            let byMember = Dictionary(uniqueKeysWithValues: states.map { ($0.0, ($0.1, $0.2)) })
            #expect(byMember[members[1].membershipId]?.0 == "waitlisted")
            #expect(byMember[members[1].membershipId]?.1 == 1)
            #expect(byMember[members[2].membershipId]?.0 == "confirmed")
            #expect(byMember[members[3].membershipId]?.1 == 2)
            #expect(
                try await app.count("SELECT credits_remaining AS n FROM subscriptions WHERE id = '\(subscriptions[2])'") == 2,
                "charged on promotion")
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM notification_outbox WHERE template = 'booking_promoted'") == 1,
                "an e-mail; no push without a registered device")
            try await app.checkInvariants(session: session)

            // Raising the capacity promotes the next eligible one (member 3; member 1 still has no credits).
            let raised = try await app.request(.patch, "/api/sessions/\(session)", token: studio.ownerToken, body: ["capacity": 3])
            #expect(raised["bookedCount"] as? Int == 2)
            #expect(raised["waitlistCount"] as? Int == 1)
            try await app.checkInvariants(session: session)
        }
    }

    @Test("promotion looks past a chunk of ineligible members: the ninth in line, first of the second chunk, gets the place")
    func promotionPastIneligibleChunk() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            _ = try await app.request(.patch, "/api/orgs/\(studio.orgId)", token: studio.ownerToken, body: ["paymentProvider": "stripe"])
            let plan = try await app.plan(studio, ["name": "Pack", "classCredits": 10])
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(2 * 86_400), extra: ["capacity": 1])
            let members = try await app.quickMembers(studio.orgId, count: 11)
            var subscriptions: [String] = []
            for member in members {
                subscriptions.append(try await app.subscribe(studio, membership: member.membershipId, plan: plan, credits: 3))
            }
            let first = try await app.book(session, token: members[0].token)
            for member in members.dropFirst() { #expect(try await app.book(session, token: member.token).string("status") == "waitlisted") }
            // The first eight in line (one whole chunk of candidates read together) run out of credits.
            #expect(WaitlistRows.promotionChunk == 8)
            for subscription in subscriptions[1...8] {
                _ = try await app.request(
                    .post, "/api/orgs/\(studio.orgId)/subscriptions/\(subscription)/credits", token: studio.ownerToken,
                    body: ["amount": -3, "reason": "refunded elsewhere"])
            }
            #expect(try await app.cancelBooking(try #require(first.string("id")), token: members[0].token).status == 200)
            let statuses = try await app.services.database.read { sql in
                try await sql.raw("SELECT membership_id, status, waitlist_position FROM bookings WHERE session_id = \(bind: session)").all()
                    .map {
                        (
                            try $0.decode(column: "membership_id", as: String.self),
                            "\(try $0.decode(column: "status", as: String.self))\(try $0.decode(column: "waitlist_position", as: Int?.self).map { ":\($0)" } ?? "")"
                        )
                    }
            }
            let byMember = Dictionary(uniqueKeysWithValues: statuses)
            #expect(
                members.map { byMember[$0.membershipId] } == ["cancelled"] + (1...8).map { "waitlisted:\($0)" } + [
                    "confirmed", "waitlisted:9",
                ])
            try await app.checkInvariants(session: session)
        }
    }

    @Test("promotion stops waitlistCutoffMinutes before the start")
    func promotionCutoff() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            _ = try await app.request(
                .patch, "/api/orgs/\(studio.orgId)", token: studio.ownerToken,
                body: ["waitlistCutoffMinutes": 60, "allowLateCancellation": true])
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(2 * 3600), extra: ["capacity": 1])
            let members = try await app.quickMembers(studio.orgId, count: 2)
            let first = try await app.book(session, token: members[0].token)
            _ = try await app.book(session, token: members[1].token)
            app.clock.advance(by: 3600 + 1)  // 59:59 before the start: inside the cutoff
            #expect(try await app.cancelBooking(try #require(first.string("id")), token: members[0].token).status == 200)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE status = 'waitlisted'") == 1)
        }
    }

    @Test("Idempotency-Key: a replay returns the first result and changes nothing; reuse elsewhere is refused")
    func idempotency() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(2 * 86_400))
            let other = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(3 * 86_400))
            let (token, _) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let first = try await app.book(session, token: token, key: "book-123")
            #expect(first.status == 201)
            let replay = try await app.book(session, token: token, key: "book-123")
            #expect(replay.status == 200)
            #expect(replay.string("id") == first.string("id"))
            #expect(replay.headers[.init("Idempotent-Replayed")!] == "true")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings") == 1)
            #expect(try await app.book(other, token: token, key: "book-123").errorCode == "idempotency_key_reused")
            #expect(try await app.book(session, token: token, key: String(repeating: "k", count: 201)).status == 400)

            let bookingId = try #require(first.string("id"))
            let cancel = try await app.cancelBooking(bookingId, token: token, key: "cancel-1")
            #expect(cancel.status == 200)
            let cancelReplay = try await app.cancelBooking(bookingId, token: token, key: "cancel-1")
            #expect(cancelReplay.status == 200)
            #expect(cancelReplay.string("status") == "cancelled")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM notification_outbox WHERE template = 'booking_cancelled'") == 1)
        }
    }

    @Test("staff book on behalf and may override capacity (audited); members may not")
    func staffOnBehalf() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(2 * 86_400), extra: ["capacity": 1])
            let (coachToken, _) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let (memberToken, memberId) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let (_, otherId) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            #expect(try await app.book(session, token: memberToken, body: ["membershipId": otherId]).status == 403)
            #expect(try await app.book(session, token: memberToken, body: ["overrideCapacity": true]).status == 403)
            let onBehalf = try await app.book(session, token: coachToken, body: ["membershipId": memberId])
            #expect(onBehalf.status == 201)
            #expect(onBehalf["membershipId"] as? String == memberId)
            let waitlisted = try await app.book(session, token: coachToken, body: ["membershipId": otherId])
            #expect(waitlisted.string("status") == "waitlisted")
            _ = try await app.cancelBooking(try #require(waitlisted.string("id")), token: coachToken)
            let forced = try await app.book(session, token: coachToken, body: ["membershipId": otherId, "overrideCapacity": true])
            #expect(forced.string("status") == "confirmed")
            #expect(forced["capacityOverride"] as? Bool == true)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'booking.capacity_override'") == 1)
            #expect(try await app.book(session, token: coachToken, body: ["membershipId": NewID.make()]).status == 404)
            // Staff cancel on behalf; the member sees their booking, strangers do not.
            let bookingId = try #require(onBehalf.string("id"))
            #expect(try await app.request(.get, "/api/bookings/\(bookingId)", token: memberToken).status == 200)
            let (strangerToken, _) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            #expect(try await app.request(.get, "/api/bookings/\(bookingId)", token: strangerToken).status == 404)
            #expect(try await app.cancelBooking(bookingId, token: strangerToken).status == 404)
            #expect(try await app.cancelBooking(bookingId, token: coachToken).status == 200)
        }
    }

    @Test("booking a draft, deleted, started, cancelled or another org's session is refused and writes nothing")
    func refusals() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let other = try await app.studio()
            let (token, _) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let start = app.clock.now().addingTimeInterval(2 * 86_400)
            let draft = try await app.session(studio, startsAt: start, publish: false)
            let deleted = try await app.session(studio, startsAt: start)
            _ = try await app.request(.delete, "/api/sessions/\(deleted)", token: studio.ownerToken)
            let cancelled = try await app.session(studio, startsAt: start)
            _ = try await app.request(.post, "/api/sessions/\(cancelled)/cancel", token: studio.ownerToken)
            let soon = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(60))
            let feed = try await app.session(studio, startsAt: start, classTypeId: studio.feedClassTypeId)
            let foreign = try await app.session(other, startsAt: start)
            app.clock.advance(by: 61)
            let cases: [(String, Int, String)] = [
                (draft, 404, "not_found"), (deleted, 404, "not_found"), (cancelled, 409, "session_cancelled"),
                (soon, 409, "session_started"), (feed, 404, "not_found"), (foreign, 404, "not_found"),
                (NewID.make(), 404, "not_found"), ("not-an-id", 404, "not_found"),
            ]
            for (session, status, code) in cases {
                let reply = try await app.book(session, token: token)
                #expect(reply.status == status, "\(reply.text)")
                #expect(reply.errorCode == code, "\(reply.text)")
            }
            #expect(try await app.book(draft, token: studio.ownerToken).errorCode == "session_not_published")
            _ = try await app.request(.patch, "/api/orgs/\(studio.orgId)", token: studio.ownerToken, body: ["bookingOpensDaysBefore": 1])
            #expect(
                try await app.book(try await app.session(studio, startsAt: start.addingTimeInterval(86_400)), token: token).errorCode
                    == "booking_window_closed")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings") == 0)
            #expect(try await app.request(.post, "/api/sessions/\(soon)/bookings", token: token, json: "{bad").status == 400)
        }
    }

    @Test("my bookings: every org of the user, status groups, stable keyset pages, bounded limit")
    func myBookings() async throws {
        try await TestApp.run { app in
            let a = try await app.studio()
            let b = try await app.studio()
            let email = "multi-\(NewID.make())@example.com"
            let (token, _) = try await app.member(a.orgId, ownerToken: a.ownerToken, role: "member", email: email)
            _ = try await app.member(b.orgId, ownerToken: b.ownerToken, role: "member", email: email)
            var booked: [String] = []
            for day in 1...5 {
                let studio = day % 2 == 0 ? a : b
                let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(Double(day) * 86_400))
                booked.append(try #require(try await app.book(session, token: token).string("id")))
            }
            _ = try await app.cancelBooking(booked[4], token: token)
            var seen: [String] = []
            var cursor: String?
            repeat {
                let query = "/api/me/bookings?status=upcoming&limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await app.request(.get, query, token: token)
                #expect(page.status == 200)
                seen += (page["items"] as? [[String: Any]] ?? []).compactMap { ($0["booking"] as? [String: Any])?["id"] as? String }
                cursor = page.string("nextCursor")
            } while cursor != nil
            #expect(seen == Array(booked.prefix(4)), "soonest first, across both orgs, no repeats")
            let cancelled = try await app.request(.get, "/api/me/bookings?status=cancelled", token: token)
            #expect((cancelled["items"] as? [Any])?.count == 1)
            let all = try await app.request(.get, "/api/me/bookings?status=all&limit=100", token: token)
            #expect((all["items"] as? [Any])?.count == 5)
            app.clock.advance(by: 10 * 86_400)
            #expect(((try await app.request(.get, "/api/me/bookings?status=past", token: token))["items"] as? [Any])?.count == 4)
            for bad in [
                "limit=0", "limit=101", "limit=ten", "status=soon", "cursor=garbage", "cursor=" + String(repeating: "A", count: 300),
                "from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z", "from=yesterday",
            ] {
                let reply = try await app.request(.get, "/api/me/bookings?\(bad)", token: token)
                #expect(reply.status == 400, "\(bad) → \(reply.text)")
            }
            #expect(try await app.request(.get, "/api/me/bookings").status == 401)
        }
    }
}
