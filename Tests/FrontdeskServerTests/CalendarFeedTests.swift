import Foundation
import FrontdeskCore
import FrontdeskStore
import HTTPTypes
import Testing

@testable import FrontdeskServer

/// Calendar feeds through HTTP (issue 19): a member's secret feed of their bookings and a coach's
/// feed of the classes they teach — made, fetched, revoked and turned off from the pages with the
/// CSRF token; forged, malformed and revoked URLs all 404; another member's and another studio's
/// data never appear; updates keep the UID and raise SEQUENCE; cancellations are STATUS:CANCELLED.
@Suite(.serialized) struct CalendarFeedTests {
    /// Thursday 2026-11-19 18:00 in Berlin.
    static let evening = iso("2026-11-19T17:00:00Z")

    /// The feed URL (path only) shown on a page that answers the post making it.
    static func feedPath(_ page: Reply) throws -> String {
        let range = try #require(
            page.text.range(of: "https://studio.example/calendar/[0-9a-f-]{36}/[A-Za-z0-9_-]{43}\\.ics", options: .regularExpression))
        return String(page.text[range].dropFirst("https://studio.example".count))
    }

    /// Events of a feed: UID → the event's lines.
    static func events(_ text: String) -> [String: [String]] {
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        var events: [String: [String]] = [:]
        for chunk in unfolded.components(separatedBy: "BEGIN:VEVENT\r\n").dropFirst() {
            let lines = chunk.components(separatedBy: "\r\n")
            if let uid = lines.first(where: { $0.hasPrefix("UID:") }) { events[String(uid.dropFirst(4))] = lines }
        }
        return events
    }

    static func value(_ lines: [String]?, _ name: String) -> String? {
        lines?.first { $0.hasPrefix(name + ":") || $0.hasPrefix(name + ";") }.map { line in
            String(line[line.index(after: line.firstIndex(of: ":")!)...])
        }
    }

    @Test("a member makes a feed link on My bookings and subscribes: their bookings, in the studio's zone, cached by ETag")
    func memberFeed() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: Self.evening, extra: ["locationId": studio.locationId])
            let members = try await app.quickMembers(studio.orgId, count: 2)
            let booking = try #require(try await app.book(session, token: members[0].token).string("id"))
            let browser = Browser(app: app, token: members[0].token)

            let before = try await browser.get("/me/bookings")
            #expect(before.element("calendar-feed-state")?.contains("private link") == true)
            #expect(before.text.contains("action=\"/me/bookings/calendar-feed\""))

            let made = try await browser.post("/me/bookings/calendar-feed", ["action": "new"])
            #expect(made.status == 200)
            #expect(made.headers[.cacheControl] == "no-store")
            #expect(made.headers[.init("Referrer-Policy")!] == "no-referrer")
            let path = try Self.feedPath(made)
            #expect(made.text.contains("id=\"calendar-feed-copy\""))
            #expect(made.text.contains("webcal://studio.example/calendar/"))
            #expect(try await app.count("SELECT COUNT(*) AS n FROM calendar_feeds WHERE secret_hash <> ''") == 1)
            let secret = String(path.split(separator: "/").last!.dropLast(4))
            #expect(try await app.count("SELECT COUNT(*) AS n FROM calendar_feeds WHERE secret_hash = '\(SecretToken.hash(secret))'") == 1)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM calendar_feeds WHERE secret_hash = '\(secret)'") == 0)

            // Shown once: My bookings later says the feed is on, without the URL.
            let later = try await browser.get("/me/bookings")
            #expect(later.element("calendar-feed-state")?.contains("is on") == true)
            #expect(!later.text.contains(path))

            // Fetched without any login.
            let feed = try await app.request(.get, path)
            #expect(feed.status == 200, "\(feed.text)")
            #expect(feed.headers[.contentType] == "text/calendar; charset=utf-8")
            #expect(feed.headers[.cacheControl] == "private, max-age=300")
            let events = Self.events(feed.text)
            let event = try #require(events["booking-\(booking)@frontdesk"])
            #expect(events.count == 1)
            #expect(Self.value(event, "STATUS") == "CONFIRMED")
            #expect(Self.value(event, "SEQUENCE") == "0")
            #expect(event.contains("DTSTART;TZID=Europe/Berlin:20261119T180000"))
            #expect(event.contains("DTEND;TZID=Europe/Berlin:20261119T190000"))
            #expect(Self.value(event, "SUMMARY") == "Vinyasa")
            #expect(Self.value(event, "LOCATION") == "Loft")
            #expect(feed.text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"))

            // The same bytes again: same ETag, and 304 when the client has it.
            let tag = try #require(feed.headers[.eTag])
            #expect(try await app.request(.get, path).headers[.eTag] == tag)
            let cached = try await app.request(.get, path, headers: [.ifNoneMatch: tag])
            #expect(cached.status == 304)
            #expect(cached.text.isEmpty)
            #expect(try await app.request(.get, path, headers: [.ifNoneMatch: "\"other\""]).status == 200)
        }
    }

    @Test("moving a class keeps the UID and raises SEQUENCE; a cancelled booking or class is STATUS:CANCELLED")
    func updatesAndCancellations() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let first = try await app.session(studio, startsAt: Self.evening)
            let second = try await app.session(studio, startsAt: Self.evening.addingTimeInterval(86_400))
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            let booking = try #require(try await app.book(first, token: member.token).string("id"))
            let other = try #require(try await app.book(second, token: member.token).string("id"))
            let path = try Self.feedPath(
                try await Browser(app: app, token: member.token).post("/me/bookings/calendar-feed", ["action": "new"]))
            let uid = "booking-\(booking)@frontdesk"

            #expect(Self.value(Self.events(try await app.request(.get, path).text)[uid], "SEQUENCE") == "0")
            // Unchanged: read again, still 0.
            #expect(Self.value(Self.events(try await app.request(.get, path).text)[uid], "SEQUENCE") == "0")

            app.clock.advance(by: 60)
            let moved = try await app.request(
                .patch, "/api/sessions/\(first)", token: studio.ownerToken,
                body: ["startsAt": ISO8601DateFormatter().string(from: Self.evening.addingTimeInterval(3600))])
            #expect(moved.status == 200, "\(moved.text)")
            let afterMove = Self.events(try await app.request(.get, path).text)[uid]
            #expect(Self.value(afterMove, "SEQUENCE") == "1")
            #expect(afterMove?.contains("DTSTART;TZID=Europe/Berlin:20261119T190000") == true)

            app.clock.advance(by: 60)
            #expect(try await app.cancelBooking(booking, token: member.token).status == 200)
            let afterCancel = Self.events(try await app.request(.get, path).text)[uid]
            #expect(Self.value(afterCancel, "STATUS") == "CANCELLED")
            #expect(Self.value(afterCancel, "SEQUENCE") == "2")
            #expect(Self.value(afterCancel, "SUMMARY") == "Cancelled: Vinyasa")

            app.clock.advance(by: 60)
            let cancelled = try await app.request(
                .post, "/api/sessions/\(second)/cancel", token: studio.ownerToken, body: ["reason": "Heating; broken"])
            #expect(cancelled.status == 200)
            let classGone = Self.events(try await app.request(.get, path).text)["booking-\(other)@frontdesk"]
            #expect(Self.value(classGone, "STATUS") == "CANCELLED")
            #expect(Self.value(classGone, "SEQUENCE") == "1")
            #expect(Self.value(classGone, "DESCRIPTION")?.contains("Heating\\; broken") == true)

            // A cancellation stays in the feed for 30 days after it happened, then leaves it.
            let within = Self.events(try await app.request(.get, path).text)
            #expect(within.count == 2)
            app.clock.advance(by: 30 * 86_400 + 3600)
            #expect(Self.events(try await app.request(.get, path).text).isEmpty)
        }
    }

    @Test("a new link kills the old URL at once; turning off kills both; forged and malformed URLs are 404")
    func revocationAndForgery() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            let browser = Browser(app: app, token: member.token)
            let old = try Self.feedPath(try await browser.post("/me/bookings/calendar-feed", ["action": "new"]))
            #expect(try await app.request(.get, old).status == 200)
            let new = try Self.feedPath(try await browser.post("/me/bookings/calendar-feed", ["action": "new"]))
            #expect(new != old)
            #expect(old.split(separator: "/")[1] == new.split(separator: "/")[1], "same feed, new secret")
            let refused = try await app.request(.get, old)
            #expect(refused.status == 404)
            #expect(refused.errorCode == "not_found")
            #expect(try await app.request(.get, new).status == 200)

            // Forged: right feed id with another well-formed secret; the right secret on another feed id.
            let feedId = String(new.split(separator: "/")[1])
            let secret = String(new.split(separator: "/")[2].dropLast(4))
            for path in [
                "/calendar/\(feedId)/\(SecretToken.generate()).ics", "/calendar/\(NewID.make())/\(secret).ics",
                "/calendar/\(feedId)/\(secret)", "/calendar/\(feedId)/\(secret).ics.ics", "/calendar/\(feedId)/\(secret.dropLast()).ics",
                "/calendar/\(feedId)/\(secret)A.ics", "/calendar/not-an-id/\(secret).ics", "/calendar/\(feedId)/\(secret.uppercased()).ics",
                "/calendar/\(feedId)/\(String(repeating: "A", count: 5000)).ics",
            ] {
                let reply = try await app.request(.get, path)
                #expect(reply.status == 404, "\(path): \(reply.status)")
                #expect(reply.errorCode == "not_found")
            }
            // Upper-case id of the real feed is the same feed.
            #expect(try await app.request(.get, "/calendar/\(feedId.uppercased())/\(secret).ics").status == 200)

            // Turned off: 404, and My bookings offers a new link.
            let off = try await browser.post("/me/bookings/calendar-feed", ["action": "off"])
            #expect(off.status == 303)
            #expect(off.location == "/me/bookings?done=calendar_off")
            #expect(try await app.request(.get, new).status == 404)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM calendar_feeds") == 0)
            let page = try await browser.get("/me/bookings?done=calendar_off")
            #expect(page.has("Calendar link turned off"))
            #expect(page.element("calendar-feed-new") == "Get a calendar link")
        }
    }

    @Test("the feed posts need the login and the CSRF token; bad actions are 400; nothing changes")
    func postRefusals() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            let browser = Browser(app: app, token: member.token)
            #expect(try await browser.post("/me/bookings/calendar-feed", ["action": "new"], csrf: "").status == 403)
            #expect(
                try await browser.post("/me/bookings/calendar-feed", ["action": "new"], csrf: "forged-csrf-token-0123456789").status == 403)
            let anonymous = try await Browser(app: app, token: nil).post("/me/bookings/calendar-feed", ["action": "new"])
            // Not signed in: the sign-in form, and no feed.
            #expect(anonymous.status == 200 && anonymous.has("type=\"password\""), "\(anonymous.status)")
            #expect(try await browser.post("/me/bookings/calendar-feed", ["action": "delete-everything"]).status == 400)
            #expect(try await browser.post("/me/bookings/calendar-feed", [:]).status == 400)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM calendar_feeds") == 0)
            // A member is not staff: no teaching feed, in their studio or another.
            let other = try await app.studio()
            #expect(try await browser.post("/coach/calendar-feed", ["action": "new", "org": studio.orgId]).status == 403)
            #expect(try await browser.post("/coach/calendar-feed", ["action": "new", "org": other.orgId]).status == 404)
            #expect(try await browser.post("/coach/calendar-feed", ["action": "new", "org": "nonsense"]).status == 404)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM calendar_feeds") == 0)
        }
    }

    @Test("another member's and another studio's bookings never appear in a member's feed")
    func isolation() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let elsewhere = try await app.studio()
            let session = try await app.session(studio, startsAt: Self.evening)
            let foreign = try await app.session(elsewhere, startsAt: Self.evening)
            let members = try await app.quickMembers(studio.orgId, count: 2)
            let strangers = try await app.quickMembers(elsewhere.orgId, count: 1)
            let mine = try #require(try await app.book(session, token: members[0].token).string("id"))
            let theirs = try #require(try await app.book(session, token: members[1].token).string("id"))
            let stranger = try #require(try await app.book(foreign, token: strangers[0].token).string("id"))
            let path = try Self.feedPath(
                try await Browser(app: app, token: members[0].token).post("/me/bookings/calendar-feed", ["action": "new"]))
            let text = try await app.request(.get, path).text
            #expect(Set(Self.events(text).keys) == ["booking-\(mine)@frontdesk"])
            #expect(!text.contains(theirs) && !text.contains(stranger) && !text.contains(foreign))
        }
    }

    @Test("a coach's feed holds the published classes they teach; it ends when they no longer teach there")
    func coachFeed() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let taught = try await app.session(studio, startsAt: Self.evening, extra: ["coachMembershipId": coach.membershipId])
            let draft = try await app.session(
                studio, startsAt: Self.evening.addingTimeInterval(7200), publish: false, extra: ["coachMembershipId": coach.membershipId])
            let notMine = try await app.session(studio, startsAt: Self.evening.addingTimeInterval(3600))
            let browser = Browser(app: app, token: coach.token)

            let tablet = try await browser.get("/coach?org=\(studio.orgId)")
            #expect(tablet.status == 200)
            #expect(tablet.element("calendar-feed-new") == "Get a calendar link")
            let made = try await browser.post(
                "/coach/calendar-feed", ["action": "new", "org": studio.orgId, "location": studio.locationId])
            #expect(made.status == 200, "\(made.text)")
            #expect(made.headers[.init("Referrer-Policy")!] == "no-referrer")
            let path = try Self.feedPath(made)
            let text = try await app.request(.get, path).text
            let events = Self.events(text)
            #expect(Set(events.keys) == ["class-\(taught)@frontdesk"])
            #expect(!text.contains(draft) && !text.contains(notMine))
            #expect(text.contains("X-WR-CALNAME:Classes I teach · Studio"))

            // A member's booking of the taught class names its coach and its place with the address; one
            // without a coach names none.
            let address = try await app.request(
                .patch, "/api/orgs/\(studio.orgId)/locations/\(studio.locationId)", token: studio.ownerToken,
                body: ["address": "Hauptstr. 1"])
            #expect(address.status == 200, "\(address.text)")
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            let withCoach = try #require(try await app.book(taught, token: member.token).string("id"))
            let withoutCoach = try #require(try await app.book(notMine, token: member.token).string("id"))
            let placed = try await app.session(
                studio, startsAt: Self.evening.addingTimeInterval(10_800),
                extra: ["coachMembershipId": coach.membershipId, "locationId": studio.locationId])
            let withPlace = try #require(try await app.book(placed, token: member.token).string("id"))
            let memberPath = try Self.feedPath(
                try await Browser(app: app, token: member.token).post("/me/bookings/calendar-feed", ["action": "new"]))
            let memberEvents = Self.events(try await app.request(.get, memberPath).text)
            let coached = try #require(memberEvents["booking-\(withCoach)@frontdesk"])
            let uncoached = try #require(memberEvents["booking-\(withoutCoach)@frontdesk"])
            #expect(Self.value(coached, "DESCRIPTION")?.contains("Coach: ") == true, "\(coached)")
            #expect(Self.value(uncoached, "DESCRIPTION")?.contains("Coach: ") != true, "\(uncoached)")
            #expect(Self.value(coached, "LOCATION") == nil)
            let located = try #require(memberEvents["booking-\(withPlace)@frontdesk"])
            #expect(Self.value(located, "LOCATION") == "Loft\\, Hauptstr. 1")
            #expect(Self.value(located, "DESCRIPTION")?.contains("Coach: ") == true)

            // Suspended: the teaching feed answers 404 like a wrong secret.
            try await app.services.database.transaction { sql in
                try await sql.raw("UPDATE memberships SET status = 'suspended' WHERE id = \(bind: coach.membershipId)").run()
            }
            #expect(try await app.request(.get, path).status == 404)
            try await app.services.database.transaction { sql in
                try await sql.raw("UPDATE memberships SET status = 'active' WHERE id = \(bind: coach.membershipId)").run()
            }
            #expect(try await app.request(.get, path).status == 200)
            let off = try await browser.post("/coach/calendar-feed", ["action": "off", "org": studio.orgId, "location": studio.locationId])
            #expect(off.status == 303)
            #expect(try await app.request(.get, path).status == 404)
        }
    }

    @Test("fetches are rate limited per feed: 30 a minute pass, the 31st is 429, the next minute passes again")
    func rateLimit() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            let path = try Self.feedPath(
                try await Browser(app: app, token: member.token).post("/me/bookings/calendar-feed", ["action": "new"]))
            // Start at a minute boundary so the window does not roll over mid-test.
            let now = app.clock.now().timeIntervalSince1970
            app.clock.advance(by: 60 - now.truncatingRemainder(dividingBy: 60))
            for _ in 0..<CalendarFeedRoutes.fetchesPerFeedPerMinute {
                #expect(try await app.request(.get, path).status == 200)
            }
            let limited = try await app.request(.get, path)
            #expect(limited.status == 429)
            #expect(limited.errorCode == "rate_limited")
            app.clock.advance(by: 60)
            #expect(try await app.request(.get, path).status == 200)
        }
    }

    @Test("the booking-confirmed e-mail carries the booking as an .ics with the feed's UID and SEQUENCE")
    func mailAttachment() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: Self.evening, extra: ["capacity": 1])
            let members = try await app.quickMembers(studio.orgId, count: 2)
            let booking = try #require(try await app.book(session, token: members[0].token).string("id"))
            #expect(try await app.book(session, token: members[1].token).string("status") == "waitlisted")
            let mail = RecordingMail()
            #expect(try await app.worker(mail: mail).deliverDue() >= 2)
            let confirmed = try #require(mail.sent.first { $0.message.subject.hasPrefix("Booked:") })
            let waitlisted = try #require(mail.sent.first { $0.message.subject.hasPrefix("On the waitlist:") })
            #expect(waitlisted.message.attachments.isEmpty)
            let attachment = try #require(confirmed.message.attachments.first)
            #expect(attachment.contentType == "text/calendar; charset=UTF-8; method=PUBLISH")
            #expect(attachment.filename == "class.ics")
            let ics = String(decoding: attachment.data, as: UTF8.self)
            let event = try #require(Self.events(ics)["booking-\(booking)@frontdesk"])
            #expect(Self.value(event, "STATUS") == "CONFIRMED")
            #expect(ics.contains("METHOD:PUBLISH\r\n"))
            #expect(event.contains("DTSTART;TZID=Europe/Berlin:20261119T180000"))

            // The same event in the member's feed: same UID and SEQUENCE.
            let path = try Self.feedPath(
                try await Browser(app: app, token: members[0].token).post("/me/bookings/calendar-feed", ["action": "new"]))
            let inFeed = Self.events(try await app.request(.get, path).text)["booking-\(booking)@frontdesk"]
            #expect(Self.value(inFeed, "SEQUENCE") == Self.value(event, "SEQUENCE"))

            // On the wire: multipart/mixed with the text part and a base64 text/calendar part.
            let wire = MIME.render(confirmed.message, date: app.clock.now(), messageID: confirmed.messageID)
            #expect(wire.contains("Content-Type: multipart/mixed; boundary="))
            #expect(wire.contains("Content-Type: multipart/alternative; boundary="))
            #expect(wire.contains("Content-Type: text/calendar; charset=UTF-8; method=PUBLISH; name=\"class.ics\"\r\n"))
            #expect(wire.contains("Content-Disposition: attachment; filename=\"class.ics\"\r\n"))
            #expect(wire.contains(Data(attachment.data).base64EncodedString().prefix(76) + "\r\n"))
        }
    }

    @Test("a batch of booking e-mails reads its .ics together: each its own booking's event, the same statements for one or four")
    func mailAttachmentsOfABatch() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: Self.evening, extra: ["capacity": 5])
            let members = try await app.quickMembers(studio.orgId, count: 6)
            var bookings: [String] = []
            for member in members.prefix(5) { bookings.append(try #require(try await app.book(session, token: member.token).string("id"))) }
            #expect(try await app.book(session, token: members[5].token).string("status") == "waitlisted")

            let builder = CalendarFeedBuilder(services: app.services)
            func statements(_ ids: [String]) async throws -> (documents: [String: String], count: Int) {
                let before = app.services.database.statementCount
                let documents = try await builder.bookings(ids)
                return (documents, app.services.database.statementCount - before)
            }
            // New events: the bookings, their versions, then BEGIN, the new versions, their read, COMMIT
            // (and one time in fifty the old versions' pruning) — for one booking as for four.
            let one = try await statements([bookings[0]])
            let four = try await statements(Array(bookings[1...]) + [bookings[1], NewID.make(), "not-an-id"])
            #expect((6...7).contains(one.count))
            #expect((6...7).contains(four.count))
            // Known events: the bookings and their versions only.
            let again = try await statements(bookings)
            #expect(again.count == 2)
            #expect(Set(four.documents.keys) == Set(bookings[1...]))
            for id in bookings {
                let document = try #require(again.documents[id])
                let event = try #require(Self.events(document)["booking-\(id)@frontdesk"])
                #expect(Self.value(event, "SEQUENCE") == "0")
                #expect(Self.value(event, "STATUS") == "CONFIRMED")
            }

            // Through the worker: each confirmed e-mail carries its own booking, the waitlisted one none.
            let mail = RecordingMail()
            #expect(try await app.worker(mail: mail).deliverDue() >= 6)
            let confirmed = mail.sent.filter { $0.message.subject.hasPrefix("Booked:") }
            #expect(confirmed.count == 5)
            var carried: Set<String> = []
            for sent in confirmed {
                let attachment = try #require(sent.message.attachments.first)
                let uids = Self.events(String(decoding: attachment.data, as: UTF8.self)).keys
                #expect(uids.count == 1)
                carried.formUnion(uids)
            }
            #expect(carried == Set(bookings.map { "booking-\($0)@frontdesk" }))
            #expect(mail.sent.first { $0.message.subject.hasPrefix("On the waitlist:") }?.message.attachments.isEmpty == true)
        }
    }
}
