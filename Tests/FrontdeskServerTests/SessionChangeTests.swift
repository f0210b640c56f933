import Foundation
import FrontdeskCore
@testable import FrontdeskServer
import Testing

/// Issue 17: editing a class — who may, what booked members are told, and coach/room double-booking.
@Suite("Session changes: notices, edit rights, unpublish, coach and room conflicts")
struct SessionChangeTests {
    /// Tomorrow 18:00 in Berlin (17:00 UTC in winter).
    static let evening = iso("2026-11-19T17:00:00Z")

    func optOut(_ app: TestApp, membership: String, channels: [String]) async throws {
        try await app.services.database.transaction { sql in
            for channel in channels {
                try await sql.raw(
                    """
                    INSERT INTO notification_preferences (user_id, channel, category, enabled, updated_at)
                    SELECT user_id, \(bind: channel), 'class', \(bind: false), 0 FROM memberships WHERE id = \(bind: membership)
                    """
                ).run()
            }
        }
    }

    func changed(_ app: TestApp, channel: String) async throws -> Int {
        try await app.count("SELECT COUNT(*) AS n FROM notification_outbox WHERE template = 'class_changed' AND channel = '\(channel)'")
    }

    @Test("moving a booked class tells confirmed and waitlisted members by e-mail and push; opt-outs and cancelled bookings are left out")
    func classChangedNotices() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let base = "/api/orgs/\(studio.orgId)"
            let annex = try #require(
                try await app.request(.post, "\(base)/locations", token: studio.ownerToken, body: ["name": "Annex"]).string("id"))
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let id = try await app.session(studio, startsAt: Self.evening, extra: ["locationId": studio.locationId])
            let members = try await app.quickMembers(studio.orgId, count: 4)
            try await app.registerDevice(token: members[0].token)
            try await app.registerDevice(token: members[2].token)
            try await app.insertBooking(session: id, membership: members[0].membershipId, status: "confirmed")
            try await app.insertBooking(session: id, membership: members[1].membershipId, status: "waitlisted", position: 1)
            try await app.insertBooking(session: id, membership: members[2].membershipId, status: "confirmed")
            try await app.insertBooking(session: id, membership: members[3].membershipId, status: "cancelled")
            try await optOut(app, membership: members[2].membershipId, channels: ["email", "push"])

            // A capacity-only edit tells nobody (lowered to the places taken, so the waitlist stays).
            #expect(try await app.request(.patch, "/api/sessions/\(id)", token: studio.ownerToken, body: ["capacity": 2]).status == 200)
            #expect(try await changed(app, channel: "email") == 0)

            let later = Self.evening.addingTimeInterval(3600)
            let moved = try await app.request(
                .patch, "/api/sessions/\(id)", token: studio.ownerToken,
                body: ["startsAt": ISO8601DateFormatter().string(from: later)])
            #expect(moved.status == 200, "\(moved.text)")
            #expect(try await changed(app, channel: "email") == 2, "the confirmed and the waitlisted member")
            #expect(try await changed(app, channel: "push") == 1, "only the one with a device who did not opt out")
            #expect(
                try await app.count(
                    """
                    SELECT COUNT(*) AS n FROM notification_outbox o JOIN memberships m ON m.user_id = o.user_id
                    WHERE o.template = 'class_changed' AND m.id IN ('\(members[2].membershipId)', '\(members[3].membershipId)')
                    """) == 0)

            // The words: what changed, old and new.
            let mail = RecordingMail(), push = RecordingPush()
            #expect(try await app.worker(mail: mail, push: push).deliverDue() == 3)
            let text = try #require(mail.sent.first?.message.textBody)
            #expect(text.contains("New time: Thursday 19 November, 19:00 (was Thursday 19 November, 18:00)"), "\(text)")
            #expect(mail.sent.first?.message.subject.hasPrefix("Class changed: Vinyasa") == true)
            #expect(push.sent.first?.body.contains("New time") == true)

            // A second change (place and coach) tells them again.
            app.clock.advance(by: 60)
            let again = try await app.request(
                .patch, "/api/sessions/\(id)", token: studio.ownerToken,
                body: ["locationId": annex, "coachMembershipId": coach.membershipId])
            #expect(again.status == 200, "\(again.text)")
            #expect(try await changed(app, channel: "email") == 4)
            #expect(try await changed(app, channel: "push") == 2)
            #expect(try await app.worker(mail: mail, push: push).deliverDue() == 3)
            let second = try #require(mail.sent.last?.message.textBody)
            #expect(second.contains("New place: Annex (was Loft)"), "\(second)")
            #expect(second.contains("New coach: Person coach"), "\(second)")
            // Saving the same values again changes nothing and tells nobody.
            app.clock.advance(by: 60)
            #expect(
                try await app.request(.patch, "/api/sessions/\(id)", token: studio.ownerToken, body: ["locationId": annex]).status == 200)
            #expect(try await changed(app, channel: "email") == 4)
        }
    }

    @Test("a held studio's mail stays unsent for class changes and cancellations too")
    func heldMail() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let id = try await app.session(studio, startsAt: Self.evening)
            let members = try await app.quickMembers(studio.orgId, count: 1)
            try await app.insertBooking(session: id, membership: members[0].membershipId, status: "confirmed")
            try await app.services.database.transaction { sql in
                try await sql.raw("UPDATE organizations SET mail_held = \(bind: true) WHERE id = \(bind: studio.orgId)").run()
            }
            let moved = try await app.request(
                .patch, "/api/sessions/\(id)", token: studio.ownerToken,
                body: ["startsAt": ISO8601DateFormatter().string(from: Self.evening.addingTimeInterval(1800))])
            #expect(moved.status == 200)
            #expect(try await changed(app, channel: "email") == 0)
            // Cancelling it queues no class-cancelled e-mail either.
            #expect(try await app.request(.post, "/api/sessions/\(id)/cancel", token: studio.ownerToken).status == 200)
            #expect(try await app.outboxCount(status: "pending", template: "class_cancelled") == 0)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE session_id = '\(id)' AND status = 'cancelled'") == 1)
        }
    }

    @Test("unpublishing a class with bookings is refused; without them it is fine")
    func unpublishWithBookings() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let id = try await app.session(studio, startsAt: Self.evening)
            let members = try await app.quickMembers(studio.orgId, count: 1)
            let booking = try await app.insertBooking(session: id, membership: members[0].membershipId, status: "waitlisted", position: 1)
            let refused = try await app.request(.post, "/api/sessions/\(id)/unpublish", token: studio.ownerToken)
            #expect(refused.status == 409)
            #expect(refused.errorCode == "session_has_bookings")
            #expect(refused.errorMessage?.contains("cancel it instead") == true)
            #expect(try await app.request(.get, "/api/sessions/\(id)", token: studio.ownerToken).string("status") == "published")

            #expect(try await app.cancelBooking(booking, token: studio.ownerToken).status == 200)
            let unpublished = try await app.request(.post, "/api/sessions/\(id)/unpublish", token: studio.ownerToken)
            #expect(unpublished.status == 200, "\(unpublished.text)")
            #expect(unpublished.string("status") == "draft")
            let empty = try await app.session(studio, startsAt: Self.evening.addingTimeInterval(86_400))
            #expect(try await app.request(.post, "/api/sessions/\(empty)/unpublish", token: studio.ownerToken).status == 200)
        }
    }

    @Test("coaches edit drafts only; owners and admins edit published classes")
    func coachEditsDrafts() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let admin = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "admin")
            let id = try await app.session(studio, startsAt: Self.evening, publish: false)
            #expect(try await app.request(.patch, "/api/sessions/\(id)", token: coach.token, body: ["capacity": 8]).status == 200)
            #expect(try await app.request(.post, "/api/sessions/\(id)/publish", token: studio.ownerToken).status == 200)
            let refused = try await app.request(.patch, "/api/sessions/\(id)", token: coach.token, body: ["capacity": 9])
            #expect(refused.status == 403)
            #expect(refused.errorCode == "coach_edits_drafts_only")
            #expect(try await app.count("SELECT capacity AS n FROM class_sessions WHERE id = '\(id)'") == 8)
            #expect(try await app.request(.patch, "/api/sessions/\(id)", token: studio.ownerToken, body: ["capacity": 10]).status == 200)
            #expect(try await app.request(.patch, "/api/sessions/\(id)", token: admin.token, body: ["capacity": 11]).status == 200)
            _ = try await app.request(.post, "/api/sessions/\(id)/cancel", token: studio.ownerToken)
            #expect(
                try await app.request(.patch, "/api/sessions/\(id)", token: coach.token, body: ["capacity": 9]).errorCode
                    == "session_cancelled")
        }
    }

    @Test("coach_busy and room_busy: touching classes are fine, a minute's overlap is not, force is audited")
    func conflicts() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let base = "/api/orgs/\(studio.orgId)"
            let annex = try #require(
                try await app.request(.post, "\(base)/locations", token: studio.ownerToken, body: ["name": "Annex"]).string("id"))
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            func create(_ start: Date, location: String?, coach: String?, force: Bool = false) async throws -> Reply {
                var body: [String: any Sendable] = [
                    "classTypeId": studio.classTypeId, "startsAt": ISO8601DateFormatter().string(from: start),
                ]
                if let location { body["locationId"] = location }
                if let coach { body["coachMembershipId"] = coach }
                if force { body["force"] = true }
                return try await app.request(.post, "\(base)/sessions", token: studio.ownerToken, body: body)
            }
            let first = try #require(
                try await create(Self.evening, location: studio.locationId, coach: coach.membershipId).string("id"))  // 18:00–19:00
            // Ending exactly when the other starts, or starting when it ends, is no conflict.
            let next = try await create(Self.evening.addingTimeInterval(3600), location: studio.locationId, coach: coach.membershipId)
            #expect(next.status == 201, "\(next.text)")
            let before = try await create(Self.evening.addingTimeInterval(-3600), location: studio.locationId, coach: coach.membershipId)
            #expect(before.status == 201, "\(before.text)")

            let coachBusy = try await create(Self.evening.addingTimeInterval(-3540), location: annex, coach: coach.membershipId)
            #expect(coachBusy.status == 409)
            #expect(coachBusy.errorCode == "coach_busy")
            #expect(coachBusy.errorMessage?.contains("2026-11-19 17:00–18:00") == true, "\(coachBusy.errorMessage ?? "")")
            let roomBusy = try await create(Self.evening.addingTimeInterval(3540), location: studio.locationId, coach: nil)
            #expect(roomBusy.errorCode == "room_busy")
            #expect(roomBusy.errorMessage?.contains("18:00–19:00") == true, "\(roomBusy.errorMessage ?? "")")
            #expect(try await create(Self.evening.addingTimeInterval(3540), location: annex, coach: nil).status == 201)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'session.conflict_override'") == 0)

            // Moving or re-assigning: the same rule; force goes through and leaves an audit row.
            let nextId = try #require(next.string("id"))
            let move = ["startsAt": ISO8601DateFormatter().string(from: Self.evening.addingTimeInterval(3540))]
            #expect(
                try await app.request(.patch, "/api/sessions/\(nextId)", token: studio.ownerToken, body: move).errorCode == "coach_busy")
            let longer = try await app.request(.patch, "/api/sessions/\(first)", token: studio.ownerToken, body: ["durationMin": 61])
            #expect(longer.errorCode == "coach_busy")
            var body: [String: any Sendable] = move
            body["force"] = true
            #expect(try await app.request(.patch, "/api/sessions/\(nextId)", token: studio.ownerToken, body: body).status == 200)
            let audit = try await app.services.database.read { sql in
                try await sql.raw(
                    "SELECT entity_id, payload, actor_membership_id FROM audit_logs WHERE action = 'session.conflict_override'"
                ).all()
            }
            #expect(audit.count == 1)
            #expect(try audit.first?.decode(column: "entity_id", as: String.self) == nextId)
            #expect(try audit.first?.decode(column: "payload", as: String.self).contains("\"conflict\":\"coach_busy\"") == true)
            #expect(try audit.first?.decode(column: "actor_membership_id", as: String?.self) != nil)
            #expect(try await create(Self.evening, location: studio.locationId, coach: nil, force: true).status == 201)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'session.conflict_override'") == 2)

            // A cancelled class holds nothing.
            let beforeId = try #require(before.string("id"))
            _ = try await app.request(.post, "/api/sessions/\(beforeId)/publish", token: studio.ownerToken)
            _ = try await app.request(.post, "/api/sessions/\(beforeId)/cancel", token: studio.ownerToken)
            let again = try await create(Self.evening.addingTimeInterval(-3600), location: studio.locationId, coach: coach.membershipId)
            #expect(again.status == 201, "\(again.text)")
        }
    }

    @Test("a class of a series edited on its own leaves the series")
    func leavesSeries() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let id = try await app.session(studio, startsAt: Self.evening)
            let series = NewID.make()
            try await app.services.database.transaction { sql in
                try await sql.raw(
                    """
                    INSERT INTO class_series (id, organization_id, class_type_id, capacity, duration_min, weekdays, start_time, first_date,
                        created_at, updated_at)
                    VALUES (\(bind: series), \(bind: studio.orgId), \(bind: studio.classTypeId), 12, 60, '4', '18:00', '2026-11-19', 0, 0)
                    """
                ).run()
                try await sql.raw(
                    "UPDATE class_sessions SET series_id = \(bind: series), series_date = '2026-11-19' WHERE id = \(bind: id)"
                ).run()
            }
            let detached = "SELECT COUNT(*) AS n FROM class_sessions WHERE id = '\(id)' AND series_detached"
            #expect(try await app.count(detached) == 0)
            #expect(try await app.request(.patch, "/api/sessions/\(id)", token: studio.ownerToken, body: ["capacity": 14]).status == 200)
            #expect(try await app.count(detached) == 1)
        }
    }
}
