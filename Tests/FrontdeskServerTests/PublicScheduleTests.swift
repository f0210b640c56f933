import Foundation
import FrontdeskCore
import HTTPTypes
import Testing

@testable import FrontdeskServer

@Suite("Public schedule: what strangers see, JSON and page")
struct PublicScheduleTests {
    @Test("only published classes of schedule programs, with places left; no members, e-mails or other studios")
    func whatStrangersSee() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach", email: "coach-secret@example.com")
            let start = app.clock.now().addingTimeInterval(86_400)
            let open = try await app.session(studio, startsAt: start, extra: ["capacity": 2, "coachMembershipId": coach.membershipId])
            let draft = try await app.session(studio, startsAt: start.addingTimeInterval(7_200), publish: false)
            let feed = try await app.session(studio, startsAt: start.addingTimeInterval(14_400), classTypeId: studio.feedClassTypeId)
            let cancelled = try await app.session(studio, startsAt: start.addingTimeInterval(21_600))
            #expect(try await app.request(.post, "/api/sessions/\(cancelled)/cancel", token: studio.ownerToken).status == 200)
            let members = try await app.quickMembers(studio.orgId, count: 1)
            #expect(try await app.book(open, token: members[0].token).status == 201)
            let other = try await app.studio()
            try await app.publishSchedule(other)
            let foreign = try await app.session(other, startsAt: start)

            // Not published yet: the same 404 as an unknown studio.
            let hidden = try await app.anonymous("/api/public/orgs/\(studio.orgId)/schedule")
            let unknown = try await app.anonymous("/api/public/orgs/\(NewID.make())/schedule")
            #expect(hidden.status == 404 && unknown.status == 404)
            #expect(hidden.errorCode == unknown.errorCode && hidden.errorMessage == unknown.errorMessage)
            #expect(try await app.anonymous("/api/public/orgs/not-an-id/schedule").status == 404)
            #expect(try await app.anonymous("/studios/\(studio.orgId)/schedule").status == 404)

            try await app.publishSchedule(studio)
            let reply = try await app.anonymous("/api/public/orgs/\(studio.orgId)/schedule")
            #expect(reply.status == 200)
            #expect(reply.headers[.accessControlAllowOrigin] == "*")
            let ids = reply.publicClasses.compactMap { $0["id"] as? String }
            #expect(ids == [open])
            let item = try #require(reply.publicClasses.first)
            #expect(item["spotsLeft"] as? Int == 1 && item["capacity"] as? Int == 2 && item["full"] as? Bool == false)
            #expect(item["coach"] as? String == "Person coach")
            #expect(item["bookUrl"] as? String == "https://studio.example/book/\(open)")
            #expect((item["startsAt"] as? String)?.hasSuffix("+01:00") == true, "local offset: \(item["startsAt"] ?? "")")
            for secret in [
                draft, feed, cancelled, foreign, "coach-secret@example.com", "Rusher 0", "@example.com", members[0].membershipId,
            ] {
                #expect(!reply.text.contains(secret), "the public schedule shows \(secret)")
            }

            let page = try await app.anonymous("/studios/\(studio.orgId)/schedule")
            #expect(page.status == 200)
            #expect(page.has("data-session-id=\"\(open)\"") && page.has("1 place left") && page.has("href=\"/book/\(open)\""))
            for secret in [draft, feed, cancelled, foreign, "coach-secret", "Rusher 0"] { #expect(!page.has(secret)) }
            #expect(page.headers[.setCookie] == nil, "a cacheable page sets no cookie")
        }
    }

    @Test("range limits: from today to a year ahead, 1–31 days; bad values answer 400 and the JSON error shape")
    func rangeLimits() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            try await app.publishSchedule(studio)
            let base = "/api/public/orgs/\(studio.orgId)/schedule"
            // The test clock is Wednesday 2026-11-18 in Berlin.
            for (query, status) in [
                ("days=1", 200), ("days=31", 200), ("days=0", 400), ("days=32", 400), ("days=-1", 400), ("days=abc", 400),
                ("days=99999999999999999999", 400), ("from=2026-11-18", 200), ("from=2026-11-17", 400), ("from=2027-11-18", 200),
                ("from=2027-11-19", 400), ("from=2026-13-01", 400), ("from=yesterday", 400),
            ] {
                let reply = try await app.anonymous("\(base)?\(query)")
                #expect(reply.status == status, "\(query): \(reply.text)")
                if status == 400 { #expect(reply.errorCode != nil && reply.errorMessage != nil) }
            }
            let week = try await app.anonymous("\(base)?from=2026-11-20&days=3")
            #expect(week.string("from") == "2026-11-20" && week.string("to") == "2026-11-23")
        }
    }

    @Test("ETag and Cache-Control: 304 while nothing changed; a booking or a class edit changes the ETag")
    func caching() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            try await app.publishSchedule(studio)
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400), extra: ["capacity": 3])
            for path in [
                "/api/public/orgs/\(studio.orgId)/schedule", "/studios/\(studio.orgId)/schedule", "/studios/\(studio.orgId)/widget",
            ] {
                let first = try await app.anonymous(path)
                let tag = try #require(first.etag)
                #expect(first.headers[.cacheControl] == "public, max-age=30")
                let again = try await app.anonymous(path, headers: [.ifNoneMatch: tag])
                #expect(again.status == 304 && again.text.isEmpty && again.etag == tag)
                #expect(try await app.anonymous(path, headers: [.ifNoneMatch: "W/\(tag)"]).status == 304)
                #expect(try await app.anonymous(path, headers: [.ifNoneMatch: "\"other\", \(tag)"]).status == 304)
                #expect(try await app.anonymous(path, headers: [.ifNoneMatch: "\"other\""]).status == 200)
            }
            let path = "/api/public/orgs/\(studio.orgId)/schedule"
            let before = try #require(try await app.anonymous(path).etag)
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            let booked = try await app.book(session, token: member.token)
            #expect(booked.status == 201)
            let afterBooking = try await app.anonymous(path, headers: [.ifNoneMatch: before])
            #expect(afterBooking.status == 200 && afterBooking.etag != before)
            #expect(afterBooking.publicClasses.first?["spotsLeft"] as? Int == 2)
            let bookingId = try #require((booked["booking"] as? [String: Any])?["id"] as? String ?? booked.string("id"))
            #expect(try await app.cancelBooking(bookingId, token: member.token).status == 200)
            #expect(try await app.anonymous(path).etag == before, "the same schedule again: the same ETag")
            #expect(
                try await app.request(.patch, "/api/sessions/\(session)", token: studio.ownerToken, body: ["capacity": 5]).status == 200)
            let afterEdit = try await app.anonymous(path, headers: [.ifNoneMatch: before])
            #expect(afterEdit.status == 200 && afterEdit.publicClasses.first?["spotsLeft"] as? Int == 5)
        }
    }

    @Test("the public routes are limited per client address: 120 a minute, the 121st answers 429")
    func rateLimit() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            try await app.publishSchedule(studio)
            let path = "/studios/\(studio.orgId)/widget.js"
            for _ in 0..<PublicSchedule.requestsPerMinute {
                #expect(try await app.anonymous(path).status == 200)
            }
            let refused = try await app.anonymous(path)
            #expect(refused.status == 429 && refused.errorCode == "rate_limited")
            #expect(try await app.anonymous("/studios/\(studio.orgId)/schedule").status == 429)
            app.clock.advance(by: 60)
            #expect(try await app.anonymous(path).status == 200)
        }
    }
}
