import Foundation
import FrontdeskCore
import FrontdeskStore
import Testing
@testable import FrontdeskServer

/// The outbox worker (SPEC §7): delivery, retries with back-off, dead letters, leases, two workers.
@Suite("Outbox delivery")
struct OutboxTests {
    @Test("a booking's e-mail and push are delivered once, with the class in the org's local time")
    func deliversBooking() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            // Thursday 2026-11-19 18:00 in Berlin.
            let session = try await app.session(
                studio, startsAt: ISO8601DateFormatter().date(from: "2026-11-19T17:00:00Z")!,
                extra: ["locationId": studio.locationId])
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            let device = try await app.registerDevice(token: member.token)
            #expect(try await app.book(session, token: member.token).status == 201)
            let mail = RecordingMail(), push = RecordingPush()
            let worker = app.worker(mail: mail, push: push)
            #expect(try await worker.deliverDue() == 2)
            #expect(try await worker.deliverDue() == 0, "nothing is delivered twice")

            let email = try #require(mail.sent.first)
            #expect(mail.sent.count == 1)
            #expect(email.message.to.hasPrefix("rush-0-") && email.message.subject == "Booked: Vinyasa, Thursday 19 November, 18:00–19:00")
            #expect(email.message.textBody.contains("Hi Rusher,") && email.message.textBody.contains("Where: Loft"))
            // The catalogue's words, HTML-escaped in the HTML part.
            #expect(email.message.htmlBody.map { $0.contains("You&#39;re booked") || $0.contains("You're booked") } == true)
            #expect(email.message.textBody.contains("https://studio.example/me/bookings"))
            #expect(email.messageID.hasSuffix("@localhost>"))
            #expect(push.sent.map(\.to) == [device])
            #expect(push.sent.first?.title == email.message.subject)
            #expect(try await app.outboxCount(status: "sent") == 2)
        }
    }

    @Test("every template renders, text unescaped and HTML escaped")
    func templates() async throws {
        try await TestApp.run { app in
            let renderer = NotificationRenderer(templates: app.services.pages, publicBaseURL: "https://studio.example")
            let context = NotificationContext.sample()
            for kind in NotificationRenderer.kinds.sorted() {
                let content = try renderer.render(.sample(kind, at: app.clock.now()), context: context, now: app.clock.now())
                #expect(content.subject.contains("Yin & Restore"), "\(kind)")
                #expect(
                    content.text.contains("Hi Ana,") && content.text.contains("Yin & Restore") && content.text.contains("Garden <Room>"),
                    "\(kind)")
                #expect(
                    content.html.contains("Yin &amp; Restore") && content.html.contains("Garden &lt;Room&gt;")
                        && !content.html.contains("<Room>"), "\(kind)")
                #expect(content.html.contains("Loft &amp; Garden"), "\(kind)")
                #expect(!content.pushBody.isEmpty)
            }
            let waitlisted = OutboxItem.sample("booking_waitlisted", at: app.clock.now())
            #expect(try renderer.render(waitlisted, context: context, now: app.clock.now()).text.contains("number 3 on the waitlist"))
            let cancelled = OutboxItem.sample("class_cancelled", at: app.clock.now())
            #expect(try renderer.render(cancelled, context: context, now: app.clock.now()).text.contains("(Coach ill)"))
        }
    }

    @Test("a failure is retried with growing back-off, then dead; a permanent refusal is dead at once")
    func retriesAndDeadLetters() async throws {
        try await TestApp.run(configure: { $0.outboxMaxAttempts = 3 }) { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400))
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            #expect(try await app.book(session, token: member.token).status == 201)
            let mail = RecordingMail()
            mail.fail(with: Flaky())
            let worker = app.worker(mail: mail)

            #expect(try await worker.deliverDue() == 1)
            #expect(try await app.outboxCount(status: "failed") == 1)
            #expect(try await worker.deliverDue() == 0, "not due again before its back-off")
            var delays: [Int] = []
            for _ in 0..<2 {
                let due = try await app.count("SELECT available_at AS n FROM notification_outbox WHERE status = 'failed'")
                delays.append(due - Int(app.clock.now().timeIntervalSince1970))
                app.clock.set(Date(timeIntervalSince1970: TimeInterval(due)))
                #expect(try await worker.deliverDue() == 1)
            }
            #expect((24...36).contains(delays[0]) && (48...72).contains(delays[1]), "back-off 30 s then 60 s ±20 %: \(delays)")
            #expect(try await app.outboxCount(status: "dead") == 1)
            #expect(try await app.count("SELECT attempts AS n FROM notification_outbox WHERE status = 'dead'") == 3)
            let lastError = try await app.services.database.read { sql in
                try await sql.raw("SELECT last_error FROM notification_outbox WHERE status = 'dead'").first()?.decode(
                    column: "last_error", as: String.self)
            }
            #expect(lastError == "connection reset")

            // Operators put it back in line; it goes out once the transport works.
            #expect(try await OutboxStore(database: app.services.database).retry(id: nil, now: app.clock.now()) == 1)
            mail.fail(with: nil)
            #expect(try await worker.deliverDue() == 1)
            let sentCount = try await app.outboxCount(status: "sent")
            #expect(mail.sent.count == 1 && sentCount == 1)

            // A message whose recipient address the server refuses for good is dead on the first try.
            let other = try await app.quickMembers(studio.orgId, count: 1)[0]
            #expect(try await app.book(session, token: other.token).status == 201)
            mail.fail(with: OutboxWorker.Permanent(description: "550 no such user"))
            #expect(try await worker.deliverDue() == 1)
            #expect(try await app.outboxCount(status: "dead") == 1)
        }
    }

    @Test("a worker that dies loses its lease; shutdown gives claimed rows back")
    func leasesAndRelease() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400))
            for member in try await app.quickMembers(studio.orgId, count: 3) {
                #expect(try await app.book(session, token: member.token).status == 201)
            }
            let store = OutboxStore(database: app.services.database)
            let crashed = try await store.claim(worker: "crashed", limit: 2, leaseSeconds: 120, now: app.clock.now())
            #expect(crashed.count == 2)
            let mail = RecordingMail()
            let worker = app.worker(mail: mail)
            #expect(try await worker.deliverDue() == 1, "rows under another worker's lease are left alone")
            app.clock.advance(by: 121)
            #expect(try await worker.deliverDue() == 2, "an expired lease is claimable again")
            #expect(Set(mail.sent.map(\.messageID)).count == 3)

            let more = try await app.quickMembers(studio.orgId, count: 1)[0]
            #expect(try await app.book(session, token: more.token).status == 201)
            let held = try await store.claim(worker: "leaving", limit: 5, leaseSeconds: 120, now: app.clock.now())
            #expect(held.count == 1 && held[0].attempts == 1)
            try await store.release(worker: "leaving")
            #expect(try await app.outboxCount(status: "pending") == 1)
            #expect(try await app.count("SELECT attempts AS n FROM notification_outbox WHERE status = 'pending'") == 0)
        }
    }

    @Test("a rolled-back change queues nothing")
    func rollbackQueuesNothing() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            let userId = try await app.services.database.read { sql in
                try await sql.raw("SELECT user_id FROM memberships WHERE id = \(bind: member.membershipId)").first()!.decode(
                    column: "user_id", as: String.self)
            }
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await app.services.database.transaction { sql in
                    try await OutboxRows.enqueue(
                        sql,
                        [
                            OutboxMessage(
                                organizationId: studio.orgId, userId: userId, channel: "email",
                                template: "booking_confirmed", payload: [:], dedupeKey: "rolled-back")
                        ], now: app.clock.now())
                    throw Abort()
                }
            }
            #expect(try await app.count("SELECT COUNT(*) AS n FROM notification_outbox") == 0)
            #expect(try await app.worker().deliverDue() == 0)
        }
    }

    @Test("two workers drain a backlog of 1,000 with no message sent twice and none lost")
    func twoWorkers() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            let userId = try await app.services.database.read { sql in
                try await sql.raw("SELECT user_id FROM memberships WHERE id = \(bind: member.membershipId)").first()!.decode(
                    column: "user_id", as: String.self)
            }
            try await app.services.database.transaction { sql in
                try await OutboxRows.enqueue(
                    sql,
                    (0..<1_000).map { index in
                        OutboxMessage(
                            organizationId: studio.orgId, userId: userId, channel: "email", template: "booking_confirmed",
                            payload: [:], dedupeKey: "backlog-\(index)")
                    }, now: app.clock.now())
            }
            let first = RecordingMail(), second = RecordingMail()
            let workers = [app.worker(mail: first), app.worker(mail: second)]
            let handled = try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in workers { group.addTask { try await worker.deliverDue() } }
                return try await group.reduce(0, +)
            }
            let ids = (first.sent + second.sent).map(\.messageID)
            #expect(handled == 1_000 && ids.count == 1_000 && Set(ids).count == 1_000)
            #expect(!first.sent.isEmpty && !second.sent.isEmpty, "both workers took part: \(first.sent.count) / \(second.sent.count)")
            #expect(try await app.outboxCount(status: "sent") == 1_000)
        }
    }

    @Test("outbox counts per status are in /metrics")
    func metrics() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400))
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            #expect(try await app.book(session, token: member.token).status == 201)
            let text = try await app.request(.get, "/metrics").text
            #expect(text.contains("frontdesk_outbox_messages{status=\"pending\"}"))
            #expect(text.contains("frontdesk_outbox_backlog"))
        }
    }
}
