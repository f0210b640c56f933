import Foundation
import FrontdeskCore
import FrontdeskStore
import Testing
@testable import FrontdeskServer

/// Reminders and the no-show sweep, driven by the injected clock (SPEC §7).
@Suite("Reminders and no-show sweep")
struct ScheduledJobsTests {
    @Test("a reminder 30 minutes before, once per confirmed booking, across restarts and instances")
    func reminders() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let start = app.clock.now().addingTimeInterval(3_600)
            let session = try await app.session(studio, startsAt: start, extra: ["capacity": 2, "locationId": studio.locationId])
            let members = try await app.quickMembers(studio.orgId, count: 4)
            for member in members { try await app.registerDevice(token: member.token) }
            #expect(try await app.book(session, token: members[0].token).status == 201)
            #expect(try await app.book(session, token: members[1].token).status == 201)
            #expect(try await app.book(session, token: members[2].token).status == 201)  // waitlisted: no reminder
            #expect(try await app.request(.put, "/api/me/notification-prefs", token: members[1].token, body: ["push": false]).status == 200)
            let jobs = BackgroundJobs(services: app.services)

            app.clock.set(start.addingTimeInterval(-31 * 60))
            #expect(await jobs.runOnce().reminders == 0, "31 minutes before: not yet")
            app.clock.set(start.addingTimeInterval(-30 * 60))
            #expect(await jobs.runOnce().reminders == 1, "only the confirmed member with push on")
            #expect(await jobs.runOnce().reminders == 0, "once")
            #expect(await BackgroundJobs(services: app.services).runOnce().reminders == 0, "another instance or a restart: still once")
            app.clock.set(start.addingTimeInterval(-5 * 60))
            #expect(await jobs.runOnce().reminders == 0)

            let push = RecordingPush()
            #expect(try await app.worker(push: push).deliverDue() >= 1)
            let reminder = try #require(push.sent.first { $0.data["template"] == "class_reminder" })
            #expect(reminder.title.hasPrefix("Starting at ") && reminder.title.hasSuffix(": Vinyasa"))
            #expect(reminder.body.contains("Loft"))
            #expect(try await app.count("SELECT COUNT(*) AS n FROM notification_outbox WHERE template = 'class_reminder'") == 1)

            // A class that already started gets none.
            app.clock.set(start.addingTimeInterval(60))
            #expect(await jobs.runOnce().reminders == 0)
        }
    }

    @Test("the sweep marks confirmed, unchecked bookings no-show after the end plus the org's grace; nothing else")
    func noShowSweep() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let start = app.clock.now().addingTimeInterval(3_600)
            let session = try await app.session(studio, startsAt: start)  // 60 minutes
            let later = try await app.session(studio, startsAt: start.addingTimeInterval(7_200))
            let members = try await app.quickMembers(studio.orgId, count: 3)
            let absent = try #require(try await app.book(session, token: members[0].token).string("id"))
            let present = try #require(try await app.book(session, token: members[1].token).string("id"))
            let cancelled = try #require(try await app.book(session, token: members[2].token).string("id"))
            let future = try #require(try await app.book(later, token: members[0].token).string("id"))
            #expect(try await app.cancelBooking(cancelled, token: studio.ownerToken).status == 200)
            app.clock.set(start.addingTimeInterval(60))
            #expect(
                try await app.request(
                    .post, "/api/sessions/\(session)/checkin", token: studio.ownerToken,
                    body: ["bookingId": present]
                ).status == 200)
            let jobs = BackgroundJobs(services: app.services)

            app.clock.set(start.addingTimeInterval(3_600 + 29 * 60))  // ended 29 minutes ago; grace is 30
            #expect(await jobs.runOnce().noShows == 0)
            app.clock.set(start.addingTimeInterval(3_600 + 30 * 60))
            #expect(await jobs.runOnce().noShows == 1)
            #expect(await jobs.runOnce().noShows == 0)
            func status(_ id: String) async throws -> String? {
                try await app.services.database.read { sql in
                    try await sql.raw("SELECT status FROM bookings WHERE id = \(bind: id)").first()?.decode(
                        column: "status", as: String.self)
                }
            }
            #expect(try await status(absent) == "no_show")
            #expect(try await status(present) == "attended")
            #expect(try await status(cancelled) == "cancelled")
            #expect(try await status(future) == "confirmed")

            // The org's grace applies: with 0 minutes the later class sweeps right at its end.
            #expect(
                try await app.request(.patch, "/api/orgs/\(studio.orgId)", token: studio.ownerToken, body: ["noShowGraceMinutes": 0]).status
                    == 200)
            app.clock.set(start.addingTimeInterval(7_200 + 3_600))
            #expect(await jobs.runOnce().noShows == 1)
            #expect(try await status(future) == "no_show")
        }
    }
}
