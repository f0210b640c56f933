import Foundation
import FrontdeskCore
import FrontdeskStore
import Testing

@testable import FrontdeskServer

/// The weekly timetable (issue 17): series keep their classes made `scheduleHorizonWeeks` ahead in the
/// studio's zone, edits of this and following classes split the series and tell booked members, and
/// ending a series goes through the bulk path. The tests start on Wed 2026-11-18 12:06:40 Berlin.
@Suite("Series")
struct SeriesTests {
    static func create(_ app: TestApp, _ studio: StudioFixture, _ body: [String: any Sendable], token: String? = nil) async throws -> Reply
    {
        var full: [String: any Sendable] = ["classTypeId": studio.classTypeId, "locationId": studio.locationId]
        for (key, value) in body { full[key] = value }
        return try await app.request(.post, "/api/orgs/\(studio.orgId)/series", token: token ?? studio.ownerToken, body: full)
    }

    static func seriesId(_ reply: Reply) throws -> String {
        try #require((reply["series"] as? [String: Any])?["id"] as? String, "\(reply.text)")
    }

    /// (local date, local time, status) of the live classes of a series, in order.
    static func classes(_ app: TestApp, series: String) async throws -> [(date: String, time: String, status: String, id: String)] {
        let rows = try await app.services.database.read { sql in
            try await sql.raw(
                """
                SELECT id, series_date, starts_at, status FROM class_sessions
                WHERE series_id = \(bind: series) AND deleted_at IS NULL ORDER BY starts_at
                """
            ).all()
        }
        let berlin = OrgCalendar(timezone: "Europe/Berlin")
        return try rows.map { row in
            let start = Date(epochSeconds: try row.decode(column: "starts_at", as: Int64.self))
            let date = try row.decode(column: "series_date", as: String.self)
            #expect(berlin.localDateString(start) == date, "a class sits on its series date")
            return (
                date, berlin.localTimeString(start), try row.decode(column: "status", as: String.self),
                try row.decode(column: "id", as: String.self)
            )
        }
    }

    @Test("a weekly series makes exactly the classes of the 8-week horizon: the horizon's last day in, the next day out")
    func horizon() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            // Wednesdays and Thursdays 18:00 from today: the horizon (today + 8 weeks) ends on Wed 2027-01-13, so 8 weeks
            // of two classes and that Wednesday.
            let reply = try await Self.create(
                app, studio, ["weekdays": [3, 4], "startTime": "18:00", "firstDate": "2026-11-18", "publish": true])
            #expect(reply.status == 201, "\(reply.text)")
            #expect(reply["createdSessions"] as? Int == 17)
            let id = try Self.seriesId(reply)
            let made = try await Self.classes(app, series: id)
            #expect(made.count == 17)
            #expect(made.first?.date == "2026-11-18" && made.last?.date == "2027-01-13", "the horizon's last day is in")
            #expect(!made.contains { $0.date == "2027-01-14" }, "the day after the horizon is out")
            #expect(made.allSatisfy { $0.time == "18:00" && $0.status == "published" })
            // The class types' defaults; the studio's location.
            let capacity = try await app.count("SELECT MIN(capacity) AS n FROM class_sessions WHERE series_id = '\(id)'")
            #expect(capacity == 12)

            // A week later the job adds one week; running again adds nothing.
            app.clock.advance(by: 7 * 86_400)
            let jobs = BackgroundJobs(services: app.services)
            #expect(await jobs.runOnce().classes == 2)
            #expect(await jobs.runOnce().classes == 0)
            let later = try await Self.classes(app, series: id)
            #expect(later.last?.date == "2027-01-20" && later.count == 19)
        }
    }

    @Test("a series starting in the past makes no class that has started; drafts unless published")
    func noPastClasses() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            // Wednesdays 08:00 from last week: today's 08:00 class has started, so the first is next week's.
            let reply = try await Self.create(app, studio, ["weekdays": [3], "startTime": "08:00", "firstDate": "2026-11-11"])
            #expect(reply.status == 201, "\(reply.text)")
            let made = try await Self.classes(app, series: try Self.seriesId(reply))
            #expect(made.first?.date == "2026-11-25")
            #expect(made.allSatisfy { $0.status == "draft" })
            // It is 12:06:40: a 12:07 class today has not started and is made; a 12:06 one has and is not.
            let soon = try await Self.create(app, studio, ["weekdays": [3], "startTime": "12:07", "firstDate": "2026-11-18"])
            #expect(try await Self.classes(app, series: try Self.seriesId(soon)).first?.date == "2026-11-18")
            let started = try await Self.create(
                app, studio, ["weekdays": [3], "startTime": "12:06", "firstDate": "2026-11-18", "force": true])
            #expect(try await Self.classes(app, series: try Self.seriesId(started)).first?.date == "2026-11-25")
        }
    }

    @Test("instances generating at once make every class once")
    func concurrentGeneration() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let reply = try await Self.create(
                app, studio, ["weekdays": [1, 2, 3, 4, 5, 6, 7], "startTime": "07:00", "firstDate": "2026-11-19", "publish": true])
            let id = try Self.seriesId(reply)
            app.clock.advance(by: 28 * 86_400)
            let store = SeriesStore(database: app.services.database)
            let now = app.clock.now()
            let made = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 { group.addTask { try await store.materialiseAll(now: now, horizonWeeks: 8) } }
                return try await group.reduce(0, +)
            }
            #expect(made == 28, "four more weeks of daily classes, made once between the eight runs")
            let duplicates = try await app.count(
                """
                SELECT COUNT(*) AS n FROM (SELECT series_date FROM class_sessions WHERE series_id = '\(id)'
                GROUP BY series_date HAVING COUNT(*) > 1) d
                """)
            #expect(duplicates == 0)
        }
    }

    @Test("across Berlin's spring-forward the timetable keeps its wall-clock time; 02:30 on the skipped hour is 03:30")
    func acrossDST() async throws {
        try await TestApp.run { app in
            app.clock.set(try #require(ISO8601DateFormatter().date(from: "2027-03-15T12:00:00Z")))
            let studio = try await app.studio()
            let evening = try await Self.create(
                app, studio, ["weekdays": [7], "startTime": "18:00", "firstDate": "2027-03-21", "lastDate": "2027-04-04"])
            let early = try await Self.create(
                app, studio,
                ["weekdays": [7], "startTime": "02:30", "firstDate": "2027-03-21", "lastDate": "2027-04-04", "durationMin": 30])
            #expect(try await Self.classes(app, series: try Self.seriesId(evening)).map(\.time) == ["18:00", "18:00", "18:00"])
            #expect(try await Self.classes(app, series: try Self.seriesId(early)).map(\.time) == ["02:30", "03:30", "02:30"])
        }
    }

    @Test("who may manage series, and refusals that change nothing")
    func refusals() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let other = try await app.studio()
            let good: [String: any Sendable] = ["weekdays": [1], "startTime": "18:00", "firstDate": "2026-11-23"]
            #expect(try await Self.create(app, studio, good, token: member.token).status == 403)
            #expect(try await Self.create(app, studio, good, token: coach.token).status == 403)
            var foreign = good
            foreign["classTypeId"] = other.classTypeId
            #expect(try await Self.create(app, studio, foreign).status == 404)
            for (field, value) in [
                ("weekdays", [0] as any Sendable), ("weekdays", [] as [Int]), ("startTime", "24:00"), ("firstDate", "2026-13-01"),
                ("capacity", 0), ("durationMin", 1441), ("lastDate", "2026-11-22"),
            ] {
                var body = good
                body[field] = value
                let reply = try await Self.create(app, studio, body)
                #expect(reply.status == 400, "\(field): \(reply.text)")
            }
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_series") == 0)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions") == 0)
            // Staff read; another org's series is unknown.
            let made = try await Self.create(app, studio, good)
            let id = try Self.seriesId(made)
            #expect(try await app.request(.get, "/api/orgs/\(studio.orgId)/series/\(id)", token: coach.token).status == 200)
            #expect(try await app.request(.get, "/api/orgs/\(studio.orgId)/series", token: member.token).status == 403)
            #expect(try await app.request(.get, "/api/orgs/\(other.orgId)/series/\(id)", token: other.ownerToken).status == 404)
            let patch = try await app.request(
                .patch, "/api/orgs/\(other.orgId)/series/\(id)", token: other.ownerToken,
                body: ["from": "2026-11-30", "startTime": "19:00"])
            #expect(patch.status == 404)
        }
    }

    @Test("this and following: the series splits, later classes move in place, the booked member is told")
    func editFollowing() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let reply = try await Self.create(
                app, studio, ["weekdays": [1], "startTime": "18:00", "firstDate": "2026-11-23", "publish": true])
            let id = try Self.seriesId(reply)
            let before = try await Self.classes(app, series: id)
            let third = try #require(before.first { $0.date == "2026-12-07" })
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            try await app.insertBooking(session: third.id, membership: member.membershipId, status: "confirmed")

            let edit = try await app.request(
                .patch, "/api/orgs/\(studio.orgId)/series/\(id)", token: studio.ownerToken,
                body: ["from": "2026-12-07", "startTime": "19:00", "capacity": 15])
            #expect(edit.status == 200, "\(edit.text)")
            #expect(edit["notifiedBookings"] as? Int == 1)
            let newId = try #require((edit["series"] as? [String: Any])?["id"] as? String)
            #expect(newId != id)
            #expect((edit["endedSeries"] as? [String: Any])?["lastDate"] as? String == "2026-12-06")
            let old = try await Self.classes(app, series: id)
            #expect(old.map(\.date) == ["2026-11-23", "2026-11-30"] && old.allSatisfy { $0.time == "18:00" })
            let new = try await Self.classes(app, series: newId)
            #expect(new.first?.id == third.id, "the booked class changed in place")
            #expect(new.allSatisfy { $0.time == "19:00" })
            #expect(new.count == before.count - 2)
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE session_id = '\(third.id)' AND status = 'confirmed'") == 1)
            #expect(try await app.outboxCount(status: "pending", template: "class_changed") == 1, "one e-mail; no device, no push")
            #expect(try await app.count("SELECT MIN(capacity) AS n FROM class_sessions WHERE series_id = '\(newId)'") == 15)
        }
    }

    @Test("dropping a weekday deletes its unbooked classes and refuses while one is booked")
    func dropWeekday() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let reply = try await Self.create(
                app, studio, ["weekdays": [1, 3], "startTime": "18:00", "firstDate": "2026-11-23", "publish": true])
            let id = try Self.seriesId(reply)
            let wednesday = try #require(try await Self.classes(app, series: id).first { $0.date == "2026-12-09" })
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            try await app.insertBooking(session: wednesday.id, membership: member.membershipId, status: "waitlisted", position: 1)
            let path = "/api/orgs/\(studio.orgId)/series/\(id)"
            let refused = try await app.request(.patch, path, token: studio.ownerToken, body: ["from": "2026-11-23", "weekdays": [1]])
            #expect(refused.status == 409 && refused.errorCode == "series_day_has_bookings", "\(refused.text)")
            #expect(refused.errorMessage?.contains("2026-12-09") == true)
            #expect(try await Self.classes(app, series: id).count == 16, "nothing changed")
            // From the day after the booked Wednesday it goes through.
            let done = try await app.request(.patch, path, token: studio.ownerToken, body: ["from": "2026-12-10", "weekdays": [1]])
            #expect(done.status == 200, "\(done.text)")
            #expect(done["removedSessions"] as? Int == 5)
        }
    }

    @Test("ending a series: preview with the bookings, confirm deletes with refunds and e-mails, undo gives it back")
    func endSeries() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let reply = try await Self.create(
                app, studio, ["weekdays": [1], "startTime": "18:00", "firstDate": "2026-11-23", "publish": true])
            let id = try Self.seriesId(reply)
            let booked = try #require(try await Self.classes(app, series: id).first { $0.date == "2026-12-14" })
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let subscription = try await app.insertSubscription(org: studio.orgId, membership: member.membershipId, credits: 4)
            try await app.insertBooking(
                session: booked.id, membership: member.membershipId, status: "confirmed", subscription: subscription, charged: true)
            let base = "/api/orgs/\(studio.orgId)/series/\(id)/end"
            let preview = try await app.request(.post, "\(base)/preview", token: studio.ownerToken, body: ["from": "2026-12-14"])
            #expect(preview.status == 200, "\(preview.text)")
            let totals = try #require(preview["totals"] as? [String: Any])
            #expect(totals["sessions"] as? Int == 5 && totals["confirmed"] as? Int == 1)
            let fingerprint = try #require(preview.string("fingerprint"))
            #expect(
                try await app.request(.post, base, token: studio.ownerToken, body: ["from": "2026-12-14", "confirm": true]).status == 400)
            let stale = try await app.request(
                .post, base, token: studio.ownerToken, body: ["from": "2026-12-07", "confirm": true, "fingerprint": fingerprint])
            #expect(stale.status == 409 && stale.errorCode == "preview_changed")
            let ended = try await app.request(
                .post, base, token: studio.ownerToken, body: ["from": "2026-12-14", "confirm": true, "fingerprint": fingerprint])
            #expect(ended.status == 200, "\(ended.text)")
            #expect(ended["changedSessions"] as? Int == 5 && ended["cancelledBookings"] as? Int == 1)
            #expect(try await Self.classes(app, series: id).map(\.date) == ["2026-11-23", "2026-11-30", "2026-12-07"])
            #expect(try await app.outboxCount(status: "pending", template: "class_cancelled") == 1)
            #expect(try await app.count("SELECT credits_remaining AS n FROM subscriptions WHERE id = '\(subscription)'") == 5, "refunded")
            let series = try await app.request(.get, "/api/orgs/\(studio.orgId)/series/\(id)", token: studio.ownerToken)
            #expect(series.string("lastDate") == "2026-12-13")
            // The horizon job makes nothing after the end.
            app.clock.advance(by: 21 * 86_400)
            #expect(await BackgroundJobs(services: app.services).runOnce().classes == 0)
            // Undo: the classes come back (the cancelled booking stays cancelled) and the series is open again.
            let batch = try #require(ended.string("batchId"))
            let undo = try await app.request(.post, "/api/orgs/\(studio.orgId)/audit/batches/\(batch)/undo", token: studio.ownerToken)
            #expect(undo.status == 200, "\(undo.text)")
            let reopened = try await app.request(.get, "/api/orgs/\(studio.orgId)/series/\(id)", token: studio.ownerToken)
            #expect(reopened["lastDate"] == nil || reopened["lastDate"] is NSNull)
        }
    }

    @Test("ending from the first date deletes the series")
    func endWholeSeries() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let id = try Self.seriesId(
                try await Self.create(app, studio, ["weekdays": [2], "startTime": "18:00", "firstDate": "2026-11-24"]))
            let base = "/api/orgs/\(studio.orgId)/series/\(id)/end"
            let preview = try await app.request(.post, "\(base)/preview", token: studio.ownerToken, body: ["from": "2026-11-24"])
            let ended = try await app.request(
                .post, base, token: studio.ownerToken,
                body: ["from": "2026-11-24", "confirm": true, "fingerprint": preview.string("fingerprint")!])
            #expect(ended.status == 200, "\(ended.text)")
            #expect(try await app.request(.get, "/api/orgs/\(studio.orgId)/series/\(id)", token: studio.ownerToken).status == 404)
            #expect(try await Self.classes(app, series: id).isEmpty)
        }
    }
    @Test("a series that double-books its coach answers coach_busy unless forced; forcing is audited")
    func coachClash() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let garden = try #require(
                try await app.request(.post, "/api/orgs/\(studio.orgId)/locations", token: studio.ownerToken, body: ["name": "Garden"])
                    .string("id"))
            // Mon 2026-11-30 18:00–19:00 Berlin in the Loft with the coach.
            _ = try await app.session(
                studio, startsAt: iso("2026-11-30T17:00:00Z"),
                extra: ["coachMembershipId": coach.membershipId, "locationId": studio.locationId])
            // 19:00 in the Garden starts as the other ends: no clash.
            let after = try await Self.create(
                app, studio,
                [
                    "weekdays": [1], "startTime": "19:00", "firstDate": "2026-11-30", "lastDate": "2026-11-30",
                    "coachMembershipId": coach.membershipId, "locationId": garden,
                ])
            #expect(after.status == 201, "\(after.text)")
            // 18:59 in the Garden overlaps the 18:00 class by a minute: the coach is busy.
            var body: [String: any Sendable] = [
                "weekdays": [1], "startTime": "18:59", "firstDate": "2026-11-23", "coachMembershipId": coach.membershipId,
                "locationId": garden,
            ]
            let busy = try await Self.create(app, studio, body)
            #expect(busy.status == 409 && busy.errorCode == "coach_busy", "\(busy.text)")
            #expect(busy.errorMessage?.contains("2026-11-30 18:00") == true)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_series") == 1, "nothing made")
            body["force"] = true
            #expect(try await Self.create(app, studio, body).status == 201)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'session.conflict_override'") == 1)
        }
    }
    @Test("this and following from today never moves today's class to a time that has passed")
    func editTodayIntoThePast() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            // It is 12:06:40 on Wednesday 2026-11-18; today's 13:00 class has not started.
            let id = try Self.seriesId(
                try await Self.create(app, studio, ["weekdays": [3], "startTime": "13:00", "firstDate": "2026-11-18", "publish": true]))
            let edit = try await app.request(
                .patch, "/api/orgs/\(studio.orgId)/series/\(id)", token: studio.ownerToken,
                body: ["from": "2026-11-18", "startTime": "12:00"])
            #expect(edit.status == 200, "\(edit.text)")
            let classes = try await Self.classes(app, series: id)
            #expect(classes.first?.date == "2026-11-18" && classes.first?.time == "13:00", "12:00 today has passed: it stays at 13:00")
            #expect(classes.dropFirst().allSatisfy { $0.time == "12:00" })
            // 12:07 today is still ahead: moving to it works.
            let later = try await app.request(
                .patch, "/api/orgs/\(studio.orgId)/series/\(id)", token: studio.ownerToken,
                body: ["from": "2026-11-18", "startTime": "12:07"])
            #expect(later.status == 200, "\(later.text)")
            #expect(try await Self.classes(app, series: id).first?.time == "12:07")
        }
    }
}
