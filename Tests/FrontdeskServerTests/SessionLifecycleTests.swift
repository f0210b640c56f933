import Foundation
import FrontdeskCore
import Testing

@Suite("Session lifecycle and roles")
struct SessionLifecycleTests {
    @Test("create defaults capacity and duration from the class type and starts as a draft")
    func createDefaults() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let start = app.clock.now().addingTimeInterval(86_400)
            let reply = try await app.request(
                .post, "/api/orgs/\(studio.orgId)/sessions", token: studio.ownerToken,
                body: [
                    "classTypeId": studio.classTypeId, "startsAt": ISO8601DateFormatter().string(from: start),
                    "locationId": studio.locationId,
                ])
            #expect(reply.status == 201, "\(reply.text)")
            #expect(reply.string("status") == "draft")
            #expect(reply["capacity"] as? Int == 12)
            #expect(reply["durationMin"] as? Int == 60)
            #expect((reply["location"] as? [String: Any])?["name"] as? String == "Loft")
            #expect((reply["program"] as? [String: Any])?["deliveryMode"] as? String == "schedule")
            #expect(reply["bookingEligibility"] == nil, "staff get no eligibility payload")
        }
    }

    /// SPEC §2 rows about sessions, each role × each action.
    @Test("each role × each session action", arguments: ["owner", "admin", "coach", "member"])
    func roleMatrix(role: String) async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let token: String
            if role == "owner" {
                token = studio.ownerToken
            } else {
                token = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: role).token
            }
            let staff = role != "member"
            let manager = role == "owner" || role == "admin"
            let start = ISO8601DateFormatter().string(from: app.clock.now().addingTimeInterval(2 * 86_400))

            let create = try await app.request(
                .post, "/api/orgs/\(studio.orgId)/sessions", token: token,
                body: ["classTypeId": studio.classTypeId, "startsAt": start])
            #expect(create.status == (staff ? 201 : 403))
            let id = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(3 * 86_400), publish: false)

            #expect(
                try await app.request(.patch, "/api/sessions/\(id)", token: token, body: ["capacity": 15]).status == (staff ? 200 : 403))
            let workout = try await app.request(.post, "/api/sessions/\(id)/workouts/inline", token: token, body: ["title": "AMRAP 20"])
            #expect(workout.status == (staff ? 201 : 403))
            #expect(
                try await app.request(.get, "/api/sessions/\(id)", token: token).status == (staff ? 200 : 404), "members never see drafts")

            for action in ["publish", "unpublish"] {
                let reply = try await app.request(.post, "/api/sessions/\(id)/\(action)", token: token)
                #expect(reply.status == (manager ? 200 : 403), "\(action) as \(role): \(reply.text)")
            }
            try #require(try await app.request(.post, "/api/sessions/\(id)/publish", token: studio.ownerToken).status == 200)
            // Coaches edit drafts only.
            #expect(
                try await app.request(.patch, "/api/sessions/\(id)", token: token, body: ["capacity": 14]).status == (manager ? 200 : 403))
            let cancel = try await app.request(.post, "/api/sessions/\(id)/cancel", token: token, body: ["reason": "Coach ill"])
            #expect(cancel.status == (manager ? 200 : 403), "cancel as \(role): \(cancel.text)")
            let delete = try await app.request(.delete, "/api/sessions/\(id)", token: token)
            #expect(delete.status == (manager ? 204 : 403))
        }
    }

    @Test("publish, unpublish and cancel move the status; a cancelled session stays cancelled")
    func transitions() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let id = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400), publish: false)
            let token = studio.ownerToken
            #expect(try await app.request(.post, "/api/sessions/\(id)/cancel", token: token).errorCode == "not_published")
            #expect(try await app.request(.post, "/api/sessions/\(id)/publish", token: token).string("status") == "published")
            #expect(try await app.request(.post, "/api/sessions/\(id)/publish", token: token).string("status") == "published")
            #expect(try await app.request(.post, "/api/sessions/\(id)/unpublish", token: token).string("status") == "draft")
            _ = try await app.request(.post, "/api/sessions/\(id)/publish", token: token)
            let cancelled = try await app.request(.post, "/api/sessions/\(id)/cancel", token: token, body: ["reason": "Snow storm"])
            #expect((cancelled["session"] as? [String: Any])?["status"] as? String == "cancelled")
            #expect((cancelled["session"] as? [String: Any])?["cancelReason"] as? String == "Snow storm")
            #expect(try await app.request(.post, "/api/sessions/\(id)/cancel", token: token).status == 200, "cancel is idempotent")
            #expect(try await app.request(.post, "/api/sessions/\(id)/publish", token: token).errorCode == "session_cancelled")
            #expect(
                try await app.request(.patch, "/api/sessions/\(id)", token: token, body: ["capacity": 3]).errorCode == "session_cancelled")
        }
    }

    @Test("cancelling cancels bookings, refunds charged credits and queues class-cancelled e-mails, in one go")
    func cancelWithBookings() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let id = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400))
            let (_, maya) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let (_, jonas) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let (_, aiko) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let subscription = try await app.insertSubscription(org: studio.orgId, membership: maya, credits: 4)
            try await app.insertBooking(session: id, membership: maya, status: "confirmed", subscription: subscription, charged: true)
            try await app.insertBooking(session: id, membership: jonas, status: "confirmed")
            try await app.insertBooking(session: id, membership: aiko, status: "waitlisted", position: 1)
            // Aiko opted out of class e-mails.
            try await app.services.database.transaction { sql in
                try await sql.raw(
                    """
                    INSERT INTO notification_preferences (user_id, channel, category, enabled, updated_at)
                    SELECT user_id, 'email', 'class', \(bind: false), 0 FROM memberships WHERE id = \(bind: aiko)
                    """
                ).run()
            }

            let reply = try await app.request(
                .post, "/api/sessions/\(id)/cancel", token: studio.ownerToken, body: ["reason": "Flooded studio"])
            #expect(reply.status == 200)
            #expect(reply["cancelledBookings"] as? Int == 3)
            #expect(reply["refundedCredits"] as? Int == 1)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE status = 'cancelled'") == 3)
            #expect(try await app.count("SELECT credits_remaining AS n FROM subscriptions WHERE id = '\(subscription)'") == 5)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM credit_ledger WHERE kind = 'refund' AND amount = 1") == 1)
            #expect(
                try await app.count(
                    "SELECT COUNT(*) AS n FROM notification_outbox WHERE template = 'class_cancelled' AND channel = 'email'") == 2)
            // A repeat changes nothing.
            _ = try await app.request(.post, "/api/sessions/\(id)/cancel", token: studio.ownerToken)
            #expect(try await app.count("SELECT credits_remaining AS n FROM subscriptions WHERE id = '\(subscription)'") == 5)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM notification_outbox") == 2)
        }
    }

    @Test("soft delete: gone from every read, its bookings cancelled; a second delete is 404")
    func softDelete() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let start = app.clock.now().addingTimeInterval(86_400)
            let id = try await app.session(studio, startsAt: start)
            let (memberToken, maya) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            try await app.insertBooking(session: id, membership: maya, status: "confirmed")
            #expect(try await app.request(.delete, "/api/sessions/\(id)", token: studio.ownerToken).status == 204)
            #expect(try await app.request(.get, "/api/sessions/\(id)", token: studio.ownerToken).status == 404)
            #expect(try await app.request(.delete, "/api/sessions/\(id)", token: studio.ownerToken).status == 404)
            #expect(try await app.request(.patch, "/api/sessions/\(id)", token: studio.ownerToken, body: ["capacity": 3]).status == 404)
            for token in [studio.ownerToken, memberToken] {
                let list = try await app.request(.get, "/api/orgs/\(studio.orgId)/sessions", token: token)
                #expect(TestApp.ids(list).isEmpty)
            }
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE status = 'cancelled'") == 1)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE deleted_at IS NOT NULL") == 1)
        }
    }

    @Test("capacity below the confirmed count is refused unless forced")
    func capacityRules() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let id = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400))
            for _ in 0..<3 {
                let (_, member) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
                try await app.insertBooking(session: id, membership: member, status: "confirmed")
            }
            let refused = try await app.request(.patch, "/api/sessions/\(id)", token: studio.ownerToken, body: ["capacity": 2])
            #expect(refused.status == 409)
            #expect(refused.errorCode == "capacity_below_booked")
            #expect(try await app.request(.get, "/api/sessions/\(id)", token: studio.ownerToken)["capacity"] as? Int == 12)
            #expect(try await app.request(.patch, "/api/sessions/\(id)", token: studio.ownerToken, body: ["capacity": 3]).status == 200)
            let forced = try await app.request(
                .patch, "/api/sessions/\(id)", token: studio.ownerToken, body: ["capacity": 1, "force": true])
            #expect(forced.status == 200)
            #expect(forced["capacity"] as? Int == 1)
            #expect(forced["spotsLeft"] as? Int == 0)
            #expect(forced["bookedCount"] as? Int == 3)
            for bad in [0, -1, 1001] {
                #expect(
                    try await app.request(.patch, "/api/sessions/\(id)", token: studio.ownerToken, body: ["capacity": bad]).status == 400)
            }
        }
    }
}
