import Foundation
import FrontdeskCore
import FrontdeskStore
import Testing

/// Attendance analytics (SPEC §9) against hand-computed figures. The suite runs under
/// TZ=Asia/Kolkata and TZ=UTC, so org-local days cannot lean on the host's zone.
@Suite("Attendance analytics")
struct AnalyticsTests {
    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    /// Berlin, the week around the end of summer time (Sunday 2026-10-25); "now" is Tuesday 27 October 13:00.
    struct Week {
        let studio: StudioFixture
        let coachMembership: String
        let otherLocation: String
        let otherProgram: String
        let otherType: String
    }

    static func week(_ app: TestApp) async throws -> Week {
        app.clock.set(at("2026-10-01T10:00:00Z"))
        let studio = try await app.studio()
        let base = "/api/orgs/\(studio.orgId)"
        let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
        let otherLocation = try #require(
            try await app.request(.post, "\(base)/locations", token: studio.ownerToken, body: ["name": "Garden"]).string("id"))
        let otherProgram = try #require(
            try await app.request(.post, "\(base)/programs", token: studio.ownerToken, body: ["name": "Strength"]).string("id"))
        let otherType = try #require(
            try await app.request(
                .post, "\(base)/class-types", token: studio.ownerToken,
                body: [
                    "programId": otherProgram, "name": "Barbell", "defaultCapacity": 8, "defaultDurationMin": 60,
                ]
            ).string("id"))
        let members = try await app.quickMembers(studio.orgId, count: 8).map(\.membershipId)
        func session(_ start: String, capacity: Int, publish: Bool = true, extra: [String: any Sendable] = [:]) async throws -> String {
            var body: [String: any Sendable] = ["capacity": capacity, "locationId": studio.locationId]
            for (key, value) in extra { body[key] = value }
            return try await app.session(studio, startsAt: at(start), publish: publish, extra: body)
        }
        func book(_ session: String, _ statuses: [String]) async throws {
            for (index, status) in statuses.enumerated() {
                try await app.insertBooking(
                    session: session, membership: members[index], status: status, position: status == "waitlisted" ? 1 : nil)
            }
        }
        // Sat 24 Oct 18:00 (summer time): 3 attended, 1 no-show, 1 still confirmed, 1 late cancel, 1 waitlisted.
        let saturday = try await session("2026-10-24T16:00:00Z", capacity: 10, extra: ["coachMembershipId": coach.membershipId])
        try await book(saturday, ["attended", "attended", "attended", "no_show", "confirmed", "cancelled", "waitlisted"])
        try await app.services.database.transaction { sql in
            try await sql.raw(
                "UPDATE bookings SET late_cancel = \(bind: true) WHERE session_id = \(bind: saturday) AND status = 'cancelled'"
            ).run()
        }
        // Sun 25 Oct (the 25-hour day) 23:30 local = 22:30Z: 2 attended.
        try await book(try await session("2026-10-25T22:30:00Z", capacity: 5), ["attended", "attended"])
        // Mon 26 Oct 00:30 local = 23:30Z on the 25th in UTC: 1 attended, 1 no-show.
        try await book(try await session("2026-10-25T23:30:00Z", capacity: 4), ["attended", "no_show"])
        // Mon 26 Oct 10:00, another location, program and class type: 4 attended.
        try await book(
            try await session("2026-10-26T09:00:00Z", capacity: 8, extra: ["classTypeId": otherType, "locationId": otherLocation]),
            ["attended", "attended", "attended", "attended"])
        // Tue 20 Oct: only inside an 8-day window.
        try await book(try await session("2026-10-20T16:00:00Z", capacity: 6), ["attended", "attended"])
        // Not counted: a cancelled class, a deleted one, a draft, and tonight's class that has not happened yet.
        let cancelled = try await session("2026-10-24T08:00:00Z", capacity: 10)
        try await book(cancelled, ["confirmed", "confirmed"])
        #expect(try await app.request(.post, "/api/sessions/\(cancelled)/cancel", token: studio.ownerToken).status == 200)
        let deleted = try await session("2026-10-23T08:00:00Z", capacity: 10)
        try await book(deleted, ["confirmed"])
        try await app.services.database.transaction { sql in
            try await sql.raw("UPDATE bookings SET status = 'attended' WHERE session_id = \(bind: deleted)").run()
        }
        #expect(try await app.request(.delete, "/api/sessions/\(deleted)", token: studio.ownerToken).status == 204)
        _ = try await session("2026-10-22T08:00:00Z", capacity: 10, publish: false)
        try await book(try await session("2026-10-27T19:00:00Z", capacity: 10), ["confirmed", "confirmed"])
        app.clock.set(at("2026-10-27T12:00:00Z"))
        return Week(
            studio: studio, coachMembership: coach.membershipId, otherLocation: otherLocation, otherProgram: otherProgram,
            otherType: otherType)
    }

    static func figures(_ object: [String: Any]?) -> [Int] {
        ["sessions", "capacity", "booked", "attended", "noShows"].map { object?[$0] as? Int ?? -1 }
    }

    @Test("summary and daily match the hand count, days add up to the summary, each filter narrows")
    func handCounted() async throws {
        try await TestApp.run { app in
            let w = try await Self.week(app)
            let base = "/api/orgs/\(w.studio.orgId)/analytics/attendance"
            let summary = try await app.request(.get, "\(base)/summary?days=7", token: w.studio.ownerToken)
            #expect(summary.status == 200, "\(summary.text)")
            #expect(
                summary.string("from") == "2026-10-21" && summary.string("to") == "2026-10-27"
                    && summary.string("timezone") == "Europe/Berlin")
            let totals = summary["summary"] as? [String: Any]
            #expect(Self.figures(totals) == [4, 27, 13, 10, 2])
            #expect(
                totals?["averageAttendance"] as? Double == 2.5 && totals?["fillPercent"] as? Double == 48.1
                    && totals?["noShowPercent"] as? Double == 15.4)

            let daily = try await app.request(.get, "\(base)/daily?days=7", token: w.studio.ownerToken)
            let items = daily["items"] as? [[String: Any]] ?? []
            #expect(items.compactMap { $0["date"] as? String } == (21...27).map { "2026-10-\($0)" })
            let byDate = Dictionary(uniqueKeysWithValues: items.map { ($0["date"] as? String ?? "", Self.figures($0)) })
            #expect(byDate["2026-10-24"] == [1, 10, 5, 3, 1])
            #expect(byDate["2026-10-25"] == [1, 5, 2, 2, 0], "the 25-hour day")
            #expect(byDate["2026-10-26"] == [2, 12, 6, 5, 1], "00:30 local belongs to Monday, not to Sunday in UTC")
            #expect(byDate["2026-10-21"] == [0, 0, 0, 0, 0] && byDate["2026-10-27"] == [0, 0, 0, 0, 0])
            let summed = (0..<5).map { index in items.reduce(0) { $0 + Self.figures($1)[index] } }
            #expect(summed == Self.figures(totals), "the days add up to the summary")

            let eight = try await app.request(.get, "\(base)/summary?days=8", token: w.studio.ownerToken)
            #expect(Self.figures(eight["summary"] as? [String: Any]) == [5, 33, 15, 12, 2])
            let filters: [(String, [Int])] = [
                ("locationId=\(w.otherLocation)", [1, 8, 4, 4, 0]),
                ("programId=\(w.otherProgram)", [1, 8, 4, 4, 0]),
                ("classTypeId=\(w.studio.classTypeId)", [3, 19, 9, 6, 2]),
                ("coachId=\(w.coachMembership)", [1, 10, 5, 3, 1]),
                ("locationId=\(w.studio.locationId)&classTypeId=\(w.otherType)", [0, 0, 0, 0, 0]),
            ]
            for (filter, expected) in filters {
                let reply = try await app.request(.get, "\(base)/summary?days=7&\(filter)", token: w.studio.ownerToken)
                #expect(Self.figures(reply["summary"] as? [String: Any]) == expected, "\(filter)")
            }

            let csv = try await app.request(.get, "\(base)/daily?days=7&format=csv", token: w.studio.ownerToken)
            #expect(csv.status == 200 && csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = csv.text.split(separator: "\r\n").map(String.init)
            #expect(lines.count == 8 && lines[0].hasPrefix("date,sessions,capacity,booked,attended,no_shows"))
            #expect(lines.contains("2026-10-26,2,12,6,5,1,2.5,50.0,16.7"))
        }
    }

    @Test("days must be 1…366; coaches and members are refused; other orgs and their ids are 404")
    func boundsAndRoles() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let base = "/api/orgs/\(studio.orgId)/analytics/attendance"
            for days in ["0", "367", "-1", "abc", "1.5", "99999999999999999999"] {
                for kind in ["summary", "daily"] {
                    let reply = try await app.request(.get, "\(base)/\(kind)?days=\(days)", token: studio.ownerToken)
                    #expect(reply.status == 400 && reply.errorCode == "invalid_query", "\(kind) days=\(days)")
                }
            }
            #expect(try await app.request(.get, "\(base)/daily?days=366", token: studio.ownerToken).status == 200)
            #expect(((try await app.request(.get, "\(base)/daily", token: studio.ownerToken))["items"] as? [Any])?.count == 30)
            #expect(try await app.request(.get, "\(base)/summary?format=xml", token: studio.ownerToken).status == 400)
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            #expect(try await app.request(.get, "\(base)/summary", token: coach.token).status == 403)
            #expect(try await app.request(.get, "\(base)/daily", token: member.token).status == 403)
            let other = try await app.studio()
            #expect(try await app.request(.get, "\(base)/summary", token: other.ownerToken).status == 404)
            #expect(try await app.request(.get, "\(base)/summary?locationId=\(other.locationId)", token: studio.ownerToken).status == 404)
            #expect(try await app.request(.get, "\(base)/summary?programId=nope", token: studio.ownerToken).status == 404)
            #expect(try await app.request(.get, "\(base)/summary").status == 401)
        }
    }

    @Test("the owner dashboard shows the KPIs, the daily chart, classes by fill rate and the CSV link")
    func dashboard() async throws {
        try await TestApp.run { app in
            let w = try await Self.week(app)
            let owner = Browser(app: app, token: w.studio.ownerToken)
            let page = try await owner.get("/admin/analytics?org=\(w.studio.orgId)&days=7")
            #expect(page.status == 200, "\(page.text)")
            #expect(page.element("range")?.hasPrefix("2026-10-21 to 2026-10-27") == true)
            #expect(page.has("<p class=\"kpi__value\">4</p>") && page.has("<p class=\"kpi__value\">2.5</p>"))
            #expect(page.has("<p class=\"kpi__value\">48.1 %</p>") && page.has("<p class=\"kpi__value\">15.4 %</p>"))
            #expect(page.has("<svg") && page.has("<title>2026-10-26: 5 attended, 1 no-shows</title>"))
            // Barbell filled 4 of 8 (50 %), Vinyasa 9 of 19 (47.4 %): Barbell first.
            let barbell = try #require(page.text.range(of: "<td>Barbell</td>")),
                vinyasa = try #require(page.text.range(of: "<td>Vinyasa</td>"))
            #expect(barbell.lowerBound < vinyasa.lowerBound)
            #expect(page.has("href=\"/api/orgs/\(w.studio.orgId)/analytics/attendance/daily?days=7&amp;format=csv\""))
            let csv = try await owner.get("/api/orgs/\(w.studio.orgId)/analytics/attendance/daily?days=7&format=csv")
            #expect(csv.status == 200 && csv.text.hasPrefix("date,sessions"))
            let coach = try await app.member(w.studio.orgId, ownerToken: w.studio.ownerToken, role: "coach")
            #expect(try await Browser(app: app, token: coach.token).get("/admin/analytics").status == 403)
            #expect(try await Browser(app: app, token: nil).get("/admin/analytics").has("id=\"login-form\""))
        }
    }
}
