import Foundation
import FrontdeskCore
import Testing

@Suite("Schedule read: visibility, eligibility, bad input")
struct ScheduleReadTests {
    @Test("members see published schedule-mode sessions and what they are booked into; staff see everything")
    func memberVisibility() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let day = app.clock.now().addingTimeInterval(86_400)
            let draft = try await app.session(studio, startsAt: day, publish: false)
            let published = try await app.session(studio, startsAt: day.addingTimeInterval(3600))
            let feed = try await app.session(studio, startsAt: day.addingTimeInterval(7200), classTypeId: studio.feedClassTypeId)
            let bookedFeed = try await app.session(studio, startsAt: day.addingTimeInterval(10_800), classTypeId: studio.feedClassTypeId)
            let (memberToken, maya) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let (coachToken, _) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            try await app.insertBooking(session: bookedFeed, membership: maya, status: "confirmed")

            let memberList = try await app.request(.get, "/api/orgs/\(studio.orgId)/sessions", token: memberToken)
            #expect(memberList.status == 200)
            #expect(TestApp.ids(memberList) == [published, bookedFeed])
            for token in [studio.ownerToken, coachToken] {
                #expect(
                    TestApp.ids(try await app.request(.get, "/api/orgs/\(studio.orgId)/sessions", token: token)) == [
                        draft, published, feed, bookedFeed,
                    ])
            }
            #expect(try await app.request(.get, "/api/sessions/\(draft)", token: memberToken).status == 404)
            #expect(try await app.request(.get, "/api/sessions/\(feed)", token: memberToken).status == 404)
            let mine = try await app.request(.get, "/api/sessions/\(bookedFeed)", token: memberToken)
            #expect(mine.status == 200)
            #expect((mine["myBooking"] as? [String: Any])?["status"] as? String == "confirmed")
            #expect(mine["bookedCount"] as? Int == 1)

            // Another org's member sees nothing of this org.
            let (otherToken, _) = try await app.owner(org: "Other")
            #expect(try await app.request(.get, "/api/sessions/\(published)", token: otherToken).status == 404)
            #expect(try await app.request(.get, "/api/orgs/\(studio.orgId)/sessions", token: otherToken).status == 404)
        }
    }

    @Test("bookingEligibility for members: eligible without a provider, no_plan with one, full, already_booked, closed")
    func eligibilityPayload() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let start = app.clock.now().addingTimeInterval(86_400)
            let open = try await app.session(studio, startsAt: start)
            let full = try await app.session(studio, startsAt: start.addingTimeInterval(7200), extra: ["capacity": 1])
            let booked = try await app.session(studio, startsAt: start.addingTimeInterval(14_400))
            let (memberToken, maya) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let (_, jonas) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            try await app.insertBooking(session: full, membership: jonas, status: "confirmed")
            try await app.insertBooking(session: booked, membership: maya, status: "confirmed")

            func statuses() async throws -> [String: [String: Any]] {
                let list = try await app.request(.get, "/api/orgs/\(studio.orgId)/sessions", token: memberToken)
                var result: [String: [String: Any]] = [:]
                for item in list["items"] as? [[String: Any]] ?? [] {
                    result[item["id"] as! String] = item["bookingEligibility"] as? [String: Any]
                }
                return result
            }
            var e = try await statuses()
            #expect(e[open]?["status"] as? String == "eligible")
            #expect((e[open]?["plans"] as? [Any])?.isEmpty == true)
            #expect(e[full]?["status"] as? String == "full")
            #expect(e[booked]?["status"] as? String == "already_booked")

            _ = try await app.request(.patch, "/api/orgs/\(studio.orgId)", token: studio.ownerToken, body: ["paymentProvider": "stripe"])
            _ = try await app.insertSubscription(org: studio.orgId, membership: jonas, credits: 5)  // a plan exists to be offered
            e = try await statuses()
            #expect(e[open]?["status"] as? String == "no_plan")
            #expect((e[open]?["plans"] as? [[String: Any]])?.first?["name"] as? String == "Ten pack")

            let subscription = try await app.insertSubscription(org: studio.orgId, membership: maya, credits: 0)
            e = try await statuses()
            #expect(e[open]?["status"] as? String == "no_credits")
            try await app.services.database.transaction { sql in
                try await sql.raw("UPDATE subscriptions SET credits_remaining = 3 WHERE id = \(bind: subscription)").run()
            }
            e = try await statuses()
            #expect(e[open]?["status"] as? String == "eligible")

            app.clock.advance(by: 86_400 + 60)  // the first session has started
            e = try await statuses()
            #expect(e[open] == nil || e[open]?["status"] as? String == "closed")
            let started = try await app.request(.get, "/api/sessions/\(open)", token: memberToken)
            #expect((started["bookingEligibility"] as? [String: Any])?["status"] as? String == "closed")
        }
    }

    @Test(
        "bad ranges and parameters answer 400 with a code",
        arguments: [
            ("from=2026-11-20&to=2026-11-19", "invalid_range"),
            ("from=2026-11-20T10:00:00Z&to=2026-11-20T10:00:00Z", "invalid_range"),
            ("from=2026-01-01&to=2026-03-15", "range_too_long"),
            ("from=yesterday", "invalid_query"),
            ("from=2026-02-30", "invalid_query"),
            ("to=2026-13-01", "invalid_query"),
        ])
    func badRanges(query: String, code: String) async throws {
        try await TestApp.run { app in
            let (token, orgId) = try await app.owner()
            let reply = try await app.request(.get, "/api/orgs/\(orgId)/sessions?\(query)", token: token)
            #expect(reply.status == 400, "\(query) → \(reply.text)")
            #expect(reply.errorCode == code, "\(query) → \(reply.text)")
        }
    }

    @Test("a 62-day range is fine")
    func longestRange() async throws {
        try await TestApp.run { app in
            let (token, orgId) = try await app.owner()
            #expect(try await app.request(.get, "/api/orgs/\(orgId)/sessions?from=2026-01-01&to=2026-03-03", token: token).status == 200)
        }
    }

    @Test("create with unknown or another org's class type, location or coach answers 404 and writes nothing")
    func createReferences() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let other = try await app.studio()
            let (_, memberId) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let start = ISO8601DateFormatter().string(from: app.clock.now().addingTimeInterval(86_400))
            let cases: [([String: any Sendable], Int, String)] = [
                (["classTypeId": other.classTypeId, "startsAt": start], 404, "not_found"),
                (["classTypeId": NewID.make(), "startsAt": start], 404, "not_found"),
                (["classTypeId": "garbage", "startsAt": start], 404, "not_found"),
                (["classTypeId": studio.classTypeId, "startsAt": start, "locationId": other.locationId], 404, "not_found"),
                (["classTypeId": studio.classTypeId, "startsAt": start, "coachMembershipId": NewID.make()], 404, "not_found"),
                (["classTypeId": studio.classTypeId, "startsAt": start, "coachMembershipId": memberId], 400, "invalid_coach"),
                (["classTypeId": studio.classTypeId, "startsAt": "tomorrow"], 400, "invalid_field"),
                (["classTypeId": studio.classTypeId, "startsAt": "2300-01-01T00:00:00Z"], 400, "invalid_field"),
                (["classTypeId": studio.classTypeId, "startsAt": start, "durationMin": 0], 400, "invalid_field"),
                (["classTypeId": studio.classTypeId, "startsAt": start, "capacity": 100_000], 400, "invalid_field"),
                (["startsAt": start], 400, "missing_field"),
            ]
            for (body, status, code) in cases {
                let reply = try await app.request(.post, "/api/orgs/\(studio.orgId)/sessions", token: studio.ownerToken, body: body)
                #expect(reply.status == status, "\(body) → \(reply.text)")
                #expect(reply.errorCode == code, "\(body) → \(reply.text)")
            }
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions") == 0)
            // PATCH with another org's location changes nothing either.
            let id = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400))
            #expect(
                try await app.request(.patch, "/api/sessions/\(id)", token: studio.ownerToken, body: ["locationId": other.locationId])
                    .status == 404)
            #expect(try await app.request(.get, "/api/sessions/\(id)", token: studio.ownerToken)["location"] == nil)
        }
    }
}
