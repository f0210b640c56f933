import Foundation
import FrontdeskCore
import FrontdeskStore
import Testing

@testable import FrontdeskServer

/// Closures (issue 17): dates on which the studio or a location holds no classes. Adding one cancels
/// its classes through the bulk path; series make nothing on its dates; removing it lets them again.
@Suite("Closures")
struct ClosureTests {
    static func range(_ studio: StudioFixture, _ from: String, _ to: String, location: String? = nil) -> [String: any Sendable] {
        var body: [String: any Sendable] = ["from": from, "to": to]
        if let location { body["locationId"] = location }
        return body
    }

    @Test("a closure cancels its classes with refunds and e-mails, and the series skip its dates from then on")
    func closeDates() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let created = try await SeriesTests.create(
                app, studio, ["weekdays": [1, 2, 3, 4, 5, 6, 7], "startTime": "18:00", "firstDate": "2026-12-20", "publish": true])
            let series = try SeriesTests.seriesId(created)
            let drafts = try await SeriesTests.create(
                app, studio, ["weekdays": [5], "startTime": "07:00", "firstDate": "2026-12-20"])
            let draftSeries = try SeriesTests.seriesId(drafts)
            let christmas = try #require(try await SeriesTests.classes(app, series: series).first { $0.date == "2026-12-25" })
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let subscription = try await app.insertSubscription(org: studio.orgId, membership: member.membershipId, credits: 3)
            try await app.insertBooking(
                session: christmas.id, membership: member.membershipId, status: "confirmed", subscription: subscription, charged: true)

            let base = "/api/orgs/\(studio.orgId)/closures"
            let body = Self.range(studio, "2026-12-24", "2026-12-26")
            let preview = try await app.request(.post, "\(base)/preview", token: studio.ownerToken, body: body)
            #expect(preview.status == 200, "\(preview.text)")
            let totals = try #require(preview["totals"] as? [String: Any])
            #expect(totals["published"] as? Int == 3 && totals["drafts"] as? Int == 1 && totals["confirmed"] as? Int == 1)
            var confirm = body
            confirm["confirm"] = true
            confirm["fingerprint"] = preview.string("fingerprint")
            confirm["reason"] = "Holidays"
            let closed = try await app.request(.post, base, token: studio.ownerToken, body: confirm)
            #expect(closed.status == 201, "\(closed.text)")
            let batch = try #require(closed["batch"] as? [String: Any])
            #expect(
                batch["changedSessions"] as? Int == 4 && batch["cancelledBookings"] as? Int == 1 && batch["refundedCredits"] as? Int == 1)
            let statuses = try await SeriesTests.classes(app, series: series).filter { ("2026-12-24"..."2026-12-26").contains($0.date) }
            #expect(statuses.map(\.status) == ["cancelled", "cancelled", "cancelled"])
            #expect(try await SeriesTests.classes(app, series: draftSeries).allSatisfy { $0.date != "2026-12-25" }, "the draft is deleted")
            #expect(try await app.outboxCount(status: "pending", template: "class_cancelled") == 1)
            #expect(try await app.count("SELECT credits_remaining AS n FROM subscriptions WHERE id = '\(subscription)'") == 4, "refunded")
            // The day before and the day after the closure keep their classes.
            let around = try await SeriesTests.classes(app, series: series).filter { ["2026-12-23", "2026-12-27"].contains($0.date) }
            #expect(around.map(\.status) == ["published", "published"])

            // A new series and the horizon job make nothing in the closure.
            let later = try await SeriesTests.create(
                app, studio, ["weekdays": [1, 2, 3, 4, 5, 6, 7], "startTime": "12:00", "firstDate": "2026-12-22", "publish": true])
            let laterDates = try await SeriesTests.classes(app, series: try SeriesTests.seriesId(later)).map(\.date)
            #expect(laterDates.contains("2026-12-23") && !laterDates.contains("2026-12-24") && !laterDates.contains("2026-12-26"))
            #expect(laterDates.contains("2026-12-27"))

            // The list shows it; removing it fills the freed dates of the later series (the cancelled classes stay cancelled).
            let list = try await app.request(.get, base, token: studio.ownerToken)
            let closureId = try #require((list["items"] as? [[String: Any]])?.first?["id"] as? String)
            #expect((list["items"] as? [[String: Any]])?.first?["reason"] as? String == "Holidays")
            let reopened = try await app.request(.delete, "\(base)/\(closureId)", token: studio.ownerToken)
            #expect(reopened.status == 200, "\(reopened.text)")
            #expect(
                reopened["createdSessions"] as? Int == 3, "the later series' three days; the deleted draft stays deleted: \(reopened.text)")
            let again = try await SeriesTests.classes(app, series: series).filter { $0.date == "2026-12-25" }
            #expect(again.map(\.status) == ["cancelled"], "never made twice")
        }
    }

    @Test("a location's closure leaves the other location's classes alone")
    func locationClosure() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let garden = try #require(
                try await app.request(.post, "/api/orgs/\(studio.orgId)/locations", token: studio.ownerToken, body: ["name": "Garden"])
                    .string("id"))
            let loft = try SeriesTests.seriesId(
                try await SeriesTests.create(
                    app, studio, ["weekdays": [4], "startTime": "18:00", "firstDate": "2026-12-03", "publish": true]))
            let outside = try SeriesTests.seriesId(
                try await SeriesTests.create(
                    app, studio,
                    ["weekdays": [4], "startTime": "18:00", "firstDate": "2026-12-03", "publish": true, "locationId": garden]))
            let base = "/api/orgs/\(studio.orgId)/closures"
            let body = Self.range(studio, "2026-12-03", "2026-12-03", location: garden)
            let preview = try await app.request(.post, "\(base)/preview", token: studio.ownerToken, body: body)
            var confirm = body
            confirm["confirm"] = true
            confirm["fingerprint"] = preview.string("fingerprint")
            #expect(try await app.request(.post, base, token: studio.ownerToken, body: confirm).status == 201)
            #expect(try await SeriesTests.classes(app, series: loft).first?.status == "published")
            #expect(try await SeriesTests.classes(app, series: outside).first?.status == "cancelled")
        }
    }

    @Test("refusals: roles, another studio's location, malformed and reversed dates, a stale preview, too long")
    func refusals() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let other = try await app.studio()
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let base = "/api/orgs/\(studio.orgId)/closures"
            let good = Self.range(studio, "2026-12-24", "2026-12-26")
            #expect(try await app.request(.post, "\(base)/preview", token: coach.token, body: good).status == 403)
            #expect(try await app.request(.get, base, token: coach.token).status == 200)
            let foreign = Self.range(studio, "2026-12-24", "2026-12-26", location: other.locationId)
            #expect(try await app.request(.post, "\(base)/preview", token: studio.ownerToken, body: foreign).status == 404)
            for body in [
                Self.range(studio, "2026-12-26", "2026-12-24"), Self.range(studio, "2026-12-24", "24.12.2026"),
                Self.range(studio, "2026-11-17", "2026-11-20"),
                Self.range(studio, "2026-12-01", "2027-12-02"),
            ] {
                #expect(try await app.request(.post, "\(base)/preview", token: studio.ownerToken, body: body).status == 400)
            }
            // 366 days is the longest: 2026-12-01 … 2027-12-02 is 367 days, 2026-12-01 … 2027-12-01 is in.
            #expect(
                try await app.request(
                    .post, "\(base)/preview", token: studio.ownerToken, body: Self.range(studio, "2026-12-01", "2027-12-01")
                )
                .status == 200)
            // From today is in (yesterday, above, is out).
            #expect(
                try await app.request(
                    .post, "\(base)/preview", token: studio.ownerToken, body: Self.range(studio, "2026-11-18", "2026-11-20")
                )
                .status == 200)
            // A class added after the preview changes the fingerprint: 409 with the new preview, nothing closed.
            let preview = try await app.request(.post, "\(base)/preview", token: studio.ownerToken, body: good)
            _ = try await app.session(studio, startsAt: try #require(ISO8601DateFormatter().date(from: "2026-12-24T17:00:00Z")))
            var confirm = good
            confirm["confirm"] = true
            confirm["fingerprint"] = preview.string("fingerprint")
            let stale = try await app.request(.post, base, token: studio.ownerToken, body: confirm)
            #expect(stale.status == 409 && stale.errorCode == "preview_changed")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM closures") == 0)
            let missing = try await app.request(.delete, "\(base)/\(NewID.make())", token: studio.ownerToken)
            #expect(missing.status == 404)
        }
    }
}
