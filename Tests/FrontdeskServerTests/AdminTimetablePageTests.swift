import Foundation
import FrontdeskCore
import HTTPTypes
import NIOCore
import Testing

/// The back office's timetable (issue 17): the week view in the studio's zone, creating and editing
/// classes and series, ending a series and adding a closure through their previews, bulk changes of
/// ticked classes; each form's refusals (roles, CSRF, other studios' ids) change nothing. The tests
/// start on Wed 2026-11-18 12:06:40 Berlin.
@Suite("Admin pages: timetable")
struct AdminTimetablePageTests {
    static func classId(_ app: TestApp, where condition: String) async throws -> String {
        try #require(
            try await app.services.database.read { sql in
                try await sql.raw("SELECT id FROM class_sessions WHERE \(unsafeRaw: condition)").first()?.decode(
                    column: "id", as: String.self)
            })
    }

    @Test("week view: classes sit in their local day's column with counts; 23:30 on Sunday in New York stays on Sunday")
    func weekView() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio(timezone: "America/New_York")
            let owner = Browser(app: app, token: studio.ownerToken)
            // Sunday 2026-11-22 23:30 EST is Monday 04:30 UTC.
            let late = try await app.session(studio, startsAt: iso("2026-11-23T04:30:00Z"), extra: ["locationId": studio.locationId])
            let draft = try await app.session(studio, startsAt: iso("2026-11-19T14:00:00Z"), publish: false)
            for status in ["confirmed", "confirmed", "waitlisted"] {
                let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
                try await app.insertBooking(session: late, membership: member.membershipId, status: status)
            }
            let page = try await owner.get("/admin/timetable?org=\(studio.orgId)&week=2026-11-18")
            #expect(page.status == 200)
            #expect(page.has("id=\"nav-timetable\" aria-current=\"page\""))
            let sunday = try #require(page.element("day-2026-11-22"))
            #expect(sunday.contains("23:30–00:30") && sunday.contains("Vinyasa"), "\(sunday)")
            #expect(sunday.contains("2/12 booked") && sunday.contains("1 waiting") && sunday.contains("Published"), "\(sunday)")
            #expect(page.element("day-2026-11-16")?.contains("No classes") == true)
            let thursday = try #require(page.element("day-2026-11-19"))
            #expect(thursday.contains("09:00") && thursday.contains("Draft"))
            #expect(page.has("data-session-id=\"\(draft)\""))
            #expect(page.has("id=\"select-\(late)\""), "owners can tick classes")
            #expect(page.has("<style nonce="), "class-type colours come in a nonce'd style")
            let next = try await owner.get("/admin/timetable?org=\(studio.orgId)&week=2026-11-23")
            #expect(!next.has("data-session-id=\"\(late)\""), "not on the next Monday")

            // The location filter: a class elsewhere disappears.
            let other = try #require(
                try await app.request(.post, "/api/orgs/\(studio.orgId)/locations", token: studio.ownerToken, body: ["name": "Park"])
                    .string("id"))
            let filtered = try await owner.get("/admin/timetable?org=\(studio.orgId)&week=2026-11-18&location=\(other)")
            #expect(!filtered.has("data-session-id=\"\(late)\""))
            #expect(filtered.has("<option value=\"\(other)\" selected>Park</option>"))

            // Coaches see the week without the bulk boxes; members get a 403 page.
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let coachPage = try await Browser(app: app, token: coach.token).get("/admin/timetable?org=\(studio.orgId)&week=2026-11-18")
            #expect(coachPage.status == 200 && coachPage.has("data-session-id=\"\(late)\""))
            #expect(!coachPage.has("id=\"select-form\"") && !coachPage.has("id=\"series-form\""))
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let refused = try await Browser(app: app, token: member.token).get("/admin/timetable?org=\(studio.orgId)")
            #expect(refused.status == 403)
            #expect(
                try await Browser(app: app, token: member.token).get("/admin/timetable/classes/\(late)?org=\(studio.orgId)").status == 403)
        }
    }

    @Test("create a class (owners may publish it, coaches make drafts); edit one class; coaches edit drafts only")
    func createAndEditClass() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            let base = ["org": studio.orgId, "classType": studio.classTypeId, "classLocation": studio.locationId, "week": "2026-11-18"]
            var fields = base
            fields.merge(["date": "2026-11-20", "time": "07:15", "capacity": "8", "publish": "on"]) { $1 }
            let created = try await owner.post("/admin/timetable/classes", fields)
            #expect(created.location == "/admin/timetable?org=\(studio.orgId)&week=2026-11-16&done=class-published")
            let id = try await Self.classId(app, where: "capacity = 8")
            let start = Int(iso("2026-11-20T06:15:00Z").timeIntervalSince1970)
            #expect(try await app.count("SELECT starts_at AS n FROM class_sessions WHERE id = '\(id)'") == start)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE id = '\(id)' AND status = 'published'") == 1)
            #expect(try await owner.get(try #require(created.location)).element("flash") == "Class created and published.")

            // Coaches: a draft yes, publishing no.
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let coachBrowser = Browser(app: app, token: coach.token)
            var coachFields = base
            coachFields.merge(["date": "2026-11-21", "time": "10:00", "capacity": "9", "publish": "on"]) { $1 }
            let coachPublish = try await coachBrowser.post("/admin/timetable/classes", coachFields)
            #expect(coachPublish.status == 403)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE capacity = 9") == 0)
            coachFields["publish"] = nil
            #expect(try await coachBrowser.post("/admin/timetable/classes", coachFields).status == 303)
            let draft = try await Self.classId(app, where: "capacity = 9")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE id = '\(draft)' AND status = 'draft'") == 1)

            // Owner edits one class: time and places; below the booked count needs "save anyway".
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            try await app.insertBooking(session: id, membership: member.membershipId, status: "confirmed")
            try await app.insertBooking(
                session: id, membership: try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member").membershipId,
                status: "confirmed")
            let classPage = try await owner.get("/admin/timetable/classes/\(id)?org=\(studio.orgId)")
            #expect(classPage.status == 200)
            #expect(classPage.element("class-counts") == "2 of 8 places booked; 0 on the waitlist")
            #expect(classPage.has("href=\"/admin/audit?org=\(studio.orgId)&amp;session=\(id)\" id=\"class-audit\""))
            #expect(classPage.has("id=\"edit-time\" name=\"time\" type=\"time\" required value=\"07:15\""))
            var edit = base
            edit.merge(["date": "2026-11-20", "time": "08:00", "duration": "60", "capacity": "1"]) { $1 }
            let tooSmall = try await owner.post("/admin/timetable/classes/\(id)", edit)
            #expect(tooSmall.status == 409)
            #expect(tooSmall.has("id=\"edit-force\""), "the refusal offers to save anyway")
            #expect(try await app.count("SELECT starts_at AS n FROM class_sessions WHERE id = '\(id)'") == start, "nothing changed")
            edit["force"] = "on"
            let saved = try await owner.post("/admin/timetable/classes/\(id)", edit)
            #expect(saved.location == "/admin/timetable/classes/\(id)?org=\(studio.orgId)&done=saved")
            #expect(try await app.count("SELECT capacity AS n FROM class_sessions WHERE id = '\(id)'") == 1)
            #expect(try await app.count("SELECT starts_at AS n FROM class_sessions WHERE id = '\(id)'") == start + 45 * 60)
            #expect(try await app.outboxCount(status: "pending", template: "class_changed") == 2, "both booked members told")

            // The coach edits the draft, not the published class.
            var coachEdit = base
            coachEdit.merge(["date": "2026-11-21", "time": "11:00", "duration": "45", "capacity": "9"]) { $1 }
            #expect(try await coachBrowser.post("/admin/timetable/classes/\(draft)", coachEdit).status == 303)
            #expect(try await app.count("SELECT duration_min AS n FROM class_sessions WHERE id = '\(draft)'") == 45)
            let lockedPage = try await coachBrowser.get("/admin/timetable/classes/\(id)?org=\(studio.orgId)")
            #expect(lockedPage.element("class-locked")?.contains("Coaches edit draft classes only") == true)
            #expect(!lockedPage.has("id=\"edit-form\""))
            #expect(!lockedPage.has("id=\"class-audit\""), "the audit log is for owners and admins")
            var coachOnPublished = edit
            coachOnPublished["capacity"] = "5"
            let refused = try await coachBrowser.post("/admin/timetable/classes/\(id)", coachOnPublished)
            #expect(refused.status == 403)
            #expect(refused.element("flash")?.contains("Coaches edit draft classes only") == true)
            #expect(try await app.count("SELECT capacity AS n FROM class_sessions WHERE id = '\(id)'") == 1)
            #expect(try await coachBrowser.post("/admin/timetable/classes/\(id)/publish", ["org": studio.orgId]).status == 403)

            // Publish the draft, then cancel the booked class with a reason: its bookings go.
            #expect(try await owner.post("/admin/timetable/classes/\(draft)/publish", ["org": studio.orgId]).status == 303)
            let confirm = try await owner.get("/admin/timetable/classes/\(id)/cancel?org=\(studio.orgId)")
            #expect(confirm.element("cancel-summary")?.contains("cancels 2 confirmed and 0 waitlisted") == true)
            #expect(confirm.element("affected-members")?.contains("Person member") == true)
            let cancelled = try await owner.post("/admin/timetable/classes/\(id)/cancel", ["org": studio.orgId, "reason": "Coach ill"])
            #expect(cancelled.location?.contains("done=cancelled&bookings=2") == true)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE id = '\(id)' AND cancel_reason = 'Coach ill'") == 1)
        }
    }

    @Test("refusals: missing CSRF changes nothing, another studio's class is 404")
    func refusals() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            let id = try await app.session(studio, startsAt: iso("2026-11-20T17:00:00Z"))
            let fields = [
                "org": studio.orgId, "classType": studio.classTypeId, "date": "2026-11-20", "time": "07:15", "capacity": "8",
            ]
            #expect(try await owner.post("/admin/timetable/classes", fields, csrf: "forged").status == 403)
            #expect(try await owner.post("/admin/timetable/classes", fields, csrf: "").status == 403)
            var edit = fields
            edit["time"] = "09:00"
            #expect(try await owner.post("/admin/timetable/classes/\(id)", edit, csrf: "forged").status == 403)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions") == 1)
            #expect(try await app.count("SELECT capacity AS n FROM class_sessions WHERE id = '\(id)'") == 12)

            let other = try await app.studio()
            let foreign = Browser(app: app, token: other.ownerToken)
            #expect(try await foreign.get("/admin/timetable/classes/\(id)?org=\(other.orgId)").status == 404)
            var foreignEdit = edit
            foreignEdit["org"] = other.orgId
            foreignEdit["classType"] = other.classTypeId
            #expect(try await foreign.post("/admin/timetable/classes/\(id)", foreignEdit).status == 404)
            #expect(try await foreign.post("/admin/timetable/classes/\(id)/cancel", ["org": other.orgId]).status == 404)
            // Another studio's class type in this studio's form.
            var wrongType = fields
            wrongType["classType"] = other.classTypeId
            #expect(try await owner.post("/admin/timetable/classes", wrongType).status == 404)
            // Ticking another studio's class for a bulk change.
            let bulk = try await foreign.postPairs(
                "/admin/timetable/bulk/preview", [("org", other.orgId), ("action", "select"), ("sessions[]", id)])
            #expect(bulk.status == 404)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE status = 'published'") == 1)
            #expect(try await owner.get("/admin/timetable/classes/not-an-id?org=\(studio.orgId)").status == 404)
        }
    }

    @Test("series: create → the horizon's classes; edit this and following tells the booked member; end it via its preview")
    func series() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            let created = try await owner.postPairs(
                "/admin/timetable/series",
                [
                    ("org", studio.orgId), ("classType", studio.classTypeId), ("classLocation", studio.locationId),
                    ("weekdays[]", "1"), ("time", "18:00"), ("firstDate", "2026-11-23"), ("publish", "on"), ("week", "2026-11-18"),
                ])
            // Mondays from 2026-11-23 up to the horizon's last day, Wed 2027-01-13: eight.
            #expect(created.location == "/admin/timetable?org=\(studio.orgId)&week=2026-11-23&done=series-created&made=8")
            let seriesId = try #require(
                try await app.services.database.read { sql in
                    try await sql.raw("SELECT id FROM class_series").first()?.decode(column: "id", as: String.self)
                })
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE series_id = '\(seriesId)' AND status = 'published'")
                    == 8)
            let week = try await owner.get(try #require(created.location))
            #expect(week.element("flash") == "Weekly series created: 8 classes made up to the horizon.")
            #expect(week.element("day-2026-11-23")?.contains("Series") == true)

            // A member books the 2026-12-07 class; the class page leads to "this and following".
            let booked = try await Self.classId(app, where: "series_id = '\(seriesId)' AND series_date = '2026-12-07'")
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            try await app.insertBooking(session: booked, membership: member.membershipId, status: "confirmed")
            let classPage = try await owner.get("/admin/timetable/classes/\(booked)?org=\(studio.orgId)")
            let followingLink = "/admin/timetable/series/\(seriesId)?org=\(studio.orgId)&amp;from=2026-12-07"
            #expect(classPage.has("href=\"\(followingLink)\""))
            let form = try await owner.get("/admin/timetable/series/\(seriesId)?org=\(studio.orgId)&from=2026-12-07")
            #expect(form.status == 200)
            #expect(form.has("id=\"edit-time\" name=\"time\" type=\"time\" required value=\"18:00\""))
            #expect(form.has("id=\"edit-day-1\" type=\"checkbox\" name=\"weekdays[]\" value=\"1\" checked"))
            let fields: [(String, String)] = [
                ("org", studio.orgId), ("from", "2026-12-07"), ("classType", studio.classTypeId), ("classLocation", studio.locationId),
                ("coach", ""), ("weekdays[]", "1"), ("time", "19:00"), ("lastDate", ""), ("duration", "60"), ("capacity", "12"),
                ("publish", "on"),
            ]
            let edited = try await owner.postPairs("/admin/timetable/series/\(seriesId)", fields)
            let location = try #require(edited.location)
            #expect(location.contains("done=series-edited&from=2026-12-07&changed=6&removed=0&created=0&notified=1"), "\(location)")
            #expect(try await app.outboxCount(status: "pending", template: "class_changed") == 1)
            let newSeries = try #require(
                try await app.services.database.read { sql in
                    try await sql.raw("SELECT id FROM class_series WHERE split_from_series_id = \(bind: seriesId)").first()?
                        .decode(column: "id", as: String.self)
                })
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE series_id = '\(seriesId)' AND deleted_at IS NULL") == 2)
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE series_id = '\(newSeries)' AND deleted_at IS NULL") == 6
            )

            // Dropping Monday for Tuesday while the 12-07 class is booked is refused, naming it.
            var tuesday = fields.filter { $0.0 != "weekdays[]" }
            tuesday.append(("weekdays[]", "2"))
            let refused = try await owner.postPairs("/admin/timetable/series/\(newSeries)", tuesday)
            #expect(refused.status == 409)
            #expect(refused.element("flash")?.contains("2026-12-07 19:00") == true)

            // End it from 2026-12-21: preview, a stale fingerprint shows the new preview, the right one ends it.
            let preview = try await owner.get("/admin/timetable/series/\(newSeries)/end?org=\(studio.orgId)&from=2026-12-21")
            #expect(preview.status == 200)
            #expect(preview.element("preview-totals")?.hasPrefix("4 classes") == true)
            let fingerprint = try #require(preview.hidden("fingerprint"))
            let stale = try await owner.post(
                "/admin/timetable/series/\(newSeries)/end", ["org": studio.orgId, "from": "2026-12-21", "fingerprint": "stale"])
            #expect(stale.status == 409)
            #expect(stale.hidden("fingerprint") == fingerprint)
            let ended = try await owner.post(
                "/admin/timetable/series/\(newSeries)/end", ["org": studio.orgId, "from": "2026-12-21", "fingerprint": fingerprint])
            #expect(ended.location?.contains("done=series-ended&changed=4&bookings=0") == true, "\(ended.text)")
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE series_id = '\(newSeries)' AND deleted_at IS NULL") == 2
            )

            // Coaches cannot open the series pages.
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let coachBrowser = Browser(app: app, token: coach.token)
            #expect(try await coachBrowser.get("/admin/timetable/series/\(newSeries)?org=\(studio.orgId)").status == 403)
            #expect(try await coachBrowser.postPairs("/admin/timetable/series/\(newSeries)", fields).status == 403)
        }
    }

    @Test("closure: preview lists the classes and members, confirm cancels them; remove it")
    func closure() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            let id = try await app.session(studio, startsAt: iso("2026-11-30T17:00:00Z"), extra: ["locationId": studio.locationId])
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member", email: "ada@example.com")
            try await app.insertBooking(session: id, membership: member.membershipId, status: "confirmed")
            let fields = ["org": studio.orgId, "classLocation": "", "from": "2026-11-30", "to": "2026-12-01", "reason": "Holiday"]
            let preview = try await owner.post("/admin/timetable/closures/preview", fields)
            #expect(preview.status == 200)
            #expect(preview.element("preview-totals")?.hasPrefix("1 class") == true)
            #expect(preview.element("affected-members")?.contains("ada@example.com") == true)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM closures") == 0, "a preview changes nothing")
            var confirm = fields
            confirm["fingerprint"] = try #require(preview.hidden("fingerprint"))
            let added = try await owner.post("/admin/timetable/closures", confirm)
            #expect(added.location == "/admin/timetable/closures?org=\(studio.orgId)&done=added&changed=1&bookings=1")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE id = '\(id)' AND status = 'cancelled'") == 1)
            #expect(try await app.outboxCount(status: "pending", template: "class_cancelled") == 1)
            let list = try await owner.get(try #require(added.location))
            #expect(list.element("closures")?.contains("2026-11-30 to 2026-12-01") == true)
            let closure = try await Self.closureId(app)
            // Coaches read the list but cannot remove it.
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            #expect(try await Browser(app: app, token: coach.token).get("/admin/timetable/closures?org=\(studio.orgId)").status == 200)
            #expect(
                try await Browser(app: app, token: coach.token).post("/admin/timetable/closures/\(closure)/delete", ["org": studio.orgId])
                    .status == 403)
            let removed = try await owner.post("/admin/timetable/closures/\(closure)/delete", ["org": studio.orgId])
            #expect(removed.location?.contains("done=removed") == true)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM closures WHERE deleted_at IS NULL") == 0)
        }
    }

    static func closureId(_ app: TestApp) async throws -> String {
        try #require(
            try await app.services.database.read { sql in
                try await sql.raw("SELECT id FROM closures").first()?.decode(column: "id", as: String.self)
            })
    }

    @Test("bulk: ticked classes → preview lists the affected member → confirm cancel")
    func bulkSelection() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            let first = try await app.session(studio, startsAt: iso("2026-11-19T17:00:00Z"))
            let second = try await app.session(studio, startsAt: iso("2026-11-20T17:00:00Z"))
            let untouched = try await app.session(studio, startsAt: iso("2026-11-21T17:00:00Z"))
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member", email: "grace@example.com")
            try await app.insertBooking(session: second, membership: member.membershipId, status: "waitlisted", position: 1)
            let preview = try await owner.postPairs(
                "/admin/timetable/bulk/preview",
                [
                    ("org", studio.orgId), ("week", "2026-11-16"), ("location", ""), ("action", "select"), ("sessions[]", first),
                    ("sessions[]", second),
                ])
            #expect(preview.status == 200, "\(preview.text)")
            #expect(preview.element("preview-totals")?.hasPrefix("2 classes") == true)
            #expect(preview.element("affected-members")?.contains("grace@example.com") == true)
            #expect(!preview.has("data-session-id=\"\(untouched)\""))
            let filter = try #require(preview.hidden("filter"))
            let fingerprint = try #require(preview.hidden("fingerprint"))
            let done = try await owner.post(
                "/admin/timetable/bulk/confirm",
                [
                    "org": studio.orgId, "filter": filter, "fingerprint": fingerprint, "action": "cancel", "reason": "Storm",
                    "week": "2026-11-16",
                ])
            #expect(
                done.location
                    == "/admin/timetable?org=\(studio.orgId)&week=2026-11-16&done=bulk&action=cancel&changed=2&skipped=0&bookings=1")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE status = 'cancelled'") == 2)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE id = '\(untouched)' AND status = 'published'") == 1)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE status = 'cancelled'") == 1)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'sessions.bulk_cancel'") == 1)
            let week = try await owner.get(try #require(done.location))
            #expect(week.element("flash") == "2 classes cancelled, 0 skipped; 1 booking cancelled and refunded.")

            // The filter form reaches the same path; nothing ticked is a refusal; coaches get 403.
            let byFilter = try await owner.postPairs(
                "/admin/timetable/bulk/preview",
                [("org", studio.orgId), ("from", "2026-11-16"), ("to", "2026-11-22"), ("status[]", "published"), ("weekdays[]", "6")])
            #expect(byFilter.element("preview-totals")?.hasPrefix("1 class") == true)
            #expect(byFilter.has("data-session-id=\"\(untouched)\""))
            let nothing = try await owner.postPairs("/admin/timetable/bulk/preview", [("org", studio.orgId), ("action", "select")])
            #expect(nothing.status == 400)
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let coachTry = try await Browser(app: app, token: coach.token).post(
                "/admin/timetable/bulk/confirm", ["org": studio.orgId, "filter": filter, "fingerprint": fingerprint, "action": "delete"])
            #expect(coachTry.status == 403)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE deleted_at IS NOT NULL") == 0)
        }
    }
}

extension Browser {
    /// Posts repeated form fields (`sessions[]`, `weekdays[]`) in order, with the CSRF field.
    func postPairs(_ path: String, _ fields: [(String, String)]) async throws -> Reply {
        func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
        let body = (fields + [("csrf", csrf)]).map { "\(encoded($0.0))=\(encoded($0.1))" }.joined(separator: "&")
        var headers = cookieHeader
        headers[.contentType] = "application/x-www-form-urlencoded"
        let response = try await app.client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        return Reply(status: Int(response.status.code), headers: response.headers, text: String(buffer: response.body))
    }
}

extension Reply {
    /// The value of the hidden input `name`, entities decoded.
    func hidden(_ name: String) -> String? {
        guard let start = text.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = text[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end]).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
