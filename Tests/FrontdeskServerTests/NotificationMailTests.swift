import Foundation
import FrontdeskCore
import FrontdeskStore
import Testing
@testable import FrontdeskServer

/// The notification e-mails end to end: the outbox worker sends them over STARTTLS + AUTH to the real
/// SMTP server scripts/test.sh starts (aiosmtpd), which stores what it received.
@Suite("Notification e-mails over SMTP")
struct NotificationMailTests {
    @Test(
        "booking confirmed, waitlisted, cancelled, promoted and class cancelled arrive with recipient, subject and body",
        .enabled(if: TestServer.tlsAvailable, TestServer.skipReason))
    func everyEmailArrives() async throws {
        try await TestApp.run(configure: { config in
            config.emailTransport = .smtp
            config.smtpHost = "127.0.0.1"
            config.smtpPort = TestServer.startTLSPort ?? 0
            config.smtpSecurity = .startTLS
            config.smtpUsername = TestServer.user
            config.smtpPassword = TestServer.password
            config.smtpCAFile = TestServer.caFile
            config.emailFrom = "studio@frontdesk.example"
            config.emailFromName = "Loft Yoga"
        }) { app in
            let studio = try await app.studio()
            // Thursday 2026-11-19 18:00 Berlin, one place.
            let session = try await app.session(
                studio, startsAt: ISO8601DateFormatter().date(from: "2026-11-19T17:00:00Z")!,
                extra: ["capacity": 1, "locationId": studio.locationId])
            let members = try await app.quickMembers(studio.orgId, count: 2)
            let first = try #require(try await app.book(session, token: members[0].token).string("id"))
            #expect(try await app.book(session, token: members[1].token).string("status") == "waitlisted")
            #expect(try await app.cancelBooking(first, token: members[0].token).status == 200)  // promotes the second
            #expect(
                try await app.request(
                    .post, "/api/sessions/\(session)/cancel", token: studio.ownerToken,
                    body: ["reason": "Heating broken"]
                ).status == 200)

            let worker = OutboxWorker(services: app.services)
            let handled = try await worker.deliverDue()
            let rows = try await app.services.database.read { sql in
                try await sql.raw(
                    """
                    SELECT o.id, o.template, o.status, o.last_error, u.email FROM notification_outbox o JOIN users u ON u.id = o.user_id
                    WHERE o.channel = 'email' ORDER BY o.created_at, o.template
                    """
                ).all().map {
                    (
                        id: try $0.decode(column: "id", as: String.self), template: try $0.decode(column: "template", as: String.self),
                        status: try $0.decode(column: "status", as: String.self),
                        error: try $0.decode(column: "last_error", as: String?.self),
                        email: try $0.decode(column: "email", as: String.self)
                    )
                }
            }
            #expect(handled == rows.count)
            #expect(
                Set(rows.map(\.template)) == [
                    "booking_confirmed", "booking_waitlisted", "booking_cancelled", "booking_promoted", "class_cancelled",
                ])
            let expectations: [String: (subject: String, text: String, html: String)] = [
                "booking_confirmed": ("Booked: Vinyasa, Thursday 19 November, 18:00–19:00", "You're booked for Vinyasa", "You're booked"),
                "booking_waitlisted": (
                    "On the waitlist: Vinyasa, Thursday 19 November, 18:00–19:00", "number 1 on the waitlist", "on the waitlist"
                ),
                "booking_cancelled": ("Booking cancelled: Vinyasa, Thursday 19 November, 18:00–19:00", "is cancelled", "Booking cancelled"),
                "booking_promoted": ("You're in: Vinyasa, Thursday 19 November, 18:00–19:00", "it's yours", "you're in"),
                "class_cancelled": ("Class cancelled: Vinyasa, Thursday 19 November, 18:00–19:00", "(Heating broken)", "Heating broken"),
            ]
            for row in rows {
                #expect(row.status == "sent", "\(row.template): \(row.error ?? "")")
                let mail = try #require(try ReceivedMail.find("\(row.id)@frontdesk.example"), "\(row.template) did not arrive")
                let expected = try #require(expectations[row.template])
                #expect(mail.rcpt_tos == [row.email] && mail.mail_from == "studio@frontdesk.example", "\(row.template)")
                #expect(mail.tls && mail.authenticated, "\(row.template)")
                #expect(mail.subject == expected.subject, "\(row.template): \(mail.subject ?? "")")
                #expect(mail.from?.contains("Loft Yoga") == true)
                #expect(normalized(mail.text)?.contains(expected.text) == true, "\(row.template): \(mail.text ?? "")")
                #expect(normalized(mail.text)?.contains("Where: Loft") == true)
                // The catalogue's words are HTML-escaped in the HTML part (an apostrophe is &#39;).
                #expect(mail.html?.replacingOccurrences(of: "&#39;", with: "'").contains(expected.html) == true, "\(row.template)")
                #expect(mail.defects.isEmpty, "\(row.template): \(mail.defects)")
            }
        }
    }

    @Test(
        "a recipient the server refuses for good is dead at once; a temporary refusal is retried",
        .enabled(if: TestServer.plainAvailable, TestServer.skipReason))
    func refusals() async throws {
        try await TestApp.run(configure: { config in
            config.emailTransport = .smtp
            config.smtpHost = "127.0.0.1"
            config.smtpPort = TestServer.plainPort ?? 0
            config.smtpSecurity = .none
        }) { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400))
            for email in [TestServer.rejectPermanent, TestServer.rejectTransient] {
                let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member", email: email)
                #expect(try await app.book(session, token: member.token).status == 201)
            }
            #expect(try await OutboxWorker(services: app.services).deliverDue() == 2)
            #expect(try await app.outboxCount(status: "dead") == 1)
            #expect(try await app.outboxCount(status: "failed") == 1)
            let dead = try await app.services.database.read { sql in
                try await sql.raw("SELECT u.email FROM notification_outbox o JOIN users u ON u.id = o.user_id WHERE o.status = 'dead'")
                    .first()?
                    .decode(column: "email", as: String.self)
            }
            #expect(dead == TestServer.rejectPermanent)
        }
    }
}
