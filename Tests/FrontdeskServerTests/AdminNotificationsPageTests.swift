import Foundation
import FrontdeskCore
import FrontdeskStore
import HTTPTypes
import Testing

/// The back office's notifications page: per-template counts by status, the studio's messages not
/// sent, and retry (one failed or dead message, or every dead one) limited to the studio's own.
@Suite("Admin pages: notifications")
struct AdminNotificationsPageTests {
    /// An outbox row of `orgId` to the user behind `membershipId`, in `status`; returns its id.
    static func message(
        _ app: TestApp, orgId: String, membershipId: String, template: String, status: String, attempts: Int = 8,
        error: String? = "550 mailbox unavailable"
    ) async throws -> String {
        let id = NewID.make()
        let now = app.clock.now().epochSeconds
        try await app.services.database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO notification_outbox (id, organization_id, user_id, channel, template, payload, dedupe_key, status, attempts,
                    available_at, last_error, created_at)
                SELECT \(bind: id), \(bind: orgId), m.user_id, 'email', \(bind: template), '{}', \(bind: "test:" + id), \(bind: status),
                    \(bind: attempts), \(bind: now + 600), \(bind: error), \(bind: now)
                FROM memberships m WHERE m.id = \(bind: membershipId)
                """
            ).run()
        }
        return id
    }

    static func status(_ app: TestApp, _ id: String) async throws -> String? {
        try await app.services.database.read { sql in
            try await sql.raw("SELECT status FROM notification_outbox WHERE id = \(bind: id)").first()?.decode(
                column: "status", as: String.self)
        }
    }

    @Test("owners see counts per template and the messages not sent; coaches and members get the 403 page")
    func countsAndRoles() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let dead = try await Self.message(
                app, orgId: studio.orgId, membershipId: member.membershipId, template: "booking_confirmed", status: "dead")
            _ = try await Self.message(
                app, orgId: studio.orgId, membershipId: member.membershipId, template: "booking_confirmed", status: "sent", error: nil)
            let failed = try await Self.message(
                app, orgId: studio.orgId, membershipId: member.membershipId, template: "class_cancelled", status: "failed", attempts: 2,
                error: "connection reset")
            let pending = try await Self.message(
                app, orgId: studio.orgId, membershipId: member.membershipId, template: "class_cancelled", status: "pending", attempts: 0,
                error: nil)
            // Another studio's message is neither counted nor listed.
            let other = try await app.studio()
            let otherMember = try await app.member(other.orgId, ownerToken: other.ownerToken, role: "member")
            let foreign = try await Self.message(
                app, orgId: other.orgId, membershipId: otherMember.membershipId, template: "booking_confirmed", status: "dead")

            let owner = Browser(app: app, token: studio.ownerToken)
            let page = try await owner.get("/admin/notifications?org=\(studio.orgId)")
            #expect(page.status == 200)
            #expect(page.has("id=\"nav-notifications\" aria-current=\"page\""))
            #expect(page.has("<tr data-template=\"booking_confirmed\"><th scope=\"row\">Booking confirmed</th>"))
            #expect(page.element("total-dead") == "1")
            #expect(page.element("total-sent") == "1")
            #expect(page.element("total-failed") == "1")
            #expect(page.element("total-pending") == "1")
            for id in [dead, failed, pending] { #expect(page.has("data-message-id=\"\(id)\""), "\(id) listed") }
            #expect(!page.has(foreign))
            #expect(page.has("id=\"retry-\(dead)\""))
            #expect(page.has("id=\"retry-\(failed)\""))
            #expect(!page.has("id=\"retry-\(pending)\""))
            #expect(page.has("550 mailbox unavailable"))
            #expect(page.element("retry-dead") == "Retry every dead message (1)")
            let onlyDead = try await owner.get("/admin/notifications?org=\(studio.orgId)&status=dead")
            #expect(onlyDead.has("data-message-id=\"\(dead)\""))
            #expect(!onlyDead.has("data-message-id=\"\(failed)\""))

            for role in ["coach", "member"] {
                let someone = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: role)
                let browser = Browser(app: app, token: someone.token)
                #expect(try await browser.get("/admin/notifications?org=\(studio.orgId)").status == 403, "\(role)")
                #expect(try await browser.post("/admin/notifications/retry", ["org": studio.orgId, "message": dead]).status == 403)
            }
            #expect(try await Self.status(app, dead) == "dead")
        }
    }

    @Test("retry one: the dead message is pending again with fresh attempts; another studio's id is 404 and unchanged")
    func retryOne() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let dead = try await Self.message(
                app, orgId: studio.orgId, membershipId: member.membershipId, template: "booking_confirmed", status: "dead")
            let other = try await app.studio()
            let otherMember = try await app.member(other.orgId, ownerToken: other.ownerToken, role: "member")
            let foreign = try await Self.message(
                app, orgId: other.orgId, membershipId: otherMember.membershipId, template: "booking_confirmed", status: "dead")
            let owner = Browser(app: app, token: studio.ownerToken)

            let retried = try await owner.post("/admin/notifications/retry", ["org": studio.orgId, "message": dead])
            #expect(retried.status == 303)
            #expect(retried.location == "/admin/notifications?org=\(studio.orgId)&done=retried")
            #expect(
                try await owner.get(try #require(retried.location)).element("flash")?.hasPrefix("The notification is back in line") == true)
            let now = app.clock.now().epochSeconds
            #expect(
                try await app.count(
                    """
                    SELECT COUNT(*) AS n FROM notification_outbox
                    WHERE id = '\(dead)' AND status = 'pending' AND attempts = 0 AND last_error IS NULL AND available_at = \(now)
                    """) == 1)
            // Retrying it again: it is pending, nothing to do (409 with the reason), nothing changes.
            let again = try await owner.post("/admin/notifications/retry", ["org": studio.orgId, "message": dead])
            #expect(again.status == 409)
            #expect(again.element("flash")?.contains("pending") == true)

            // Another studio's message, with this studio or theirs as the form's org: 404, still dead.
            let foreignReply = try await owner.post("/admin/notifications/retry", ["org": studio.orgId, "message": foreign])
            #expect(foreignReply.status == 404)
            #expect(foreignReply.has("id=\"message-page\""))
            #expect(try await owner.post("/admin/notifications/retry", ["org": other.orgId, "message": foreign]).status == 404)
            #expect(try await owner.post("/admin/notifications/retry", ["org": studio.orgId, "message": "nope"]).status == 404)
            #expect(try await Self.status(app, foreign) == "dead")
        }
    }

    @Test("retry every dead message of the studio, not another studio's; missing CSRF changes nothing")
    func retryAllDead() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            var dead: [String] = []
            for template in ["booking_confirmed", "class_cancelled", "booking_promoted"] {
                dead.append(
                    try await Self.message(app, orgId: studio.orgId, membershipId: member.membershipId, template: template, status: "dead"))
            }
            let failed = try await Self.message(
                app, orgId: studio.orgId, membershipId: member.membershipId, template: "booking_confirmed", status: "failed", attempts: 2)
            let other = try await app.studio()
            let otherMember = try await app.member(other.orgId, ownerToken: other.ownerToken, role: "member")
            let foreign = try await Self.message(
                app, orgId: other.orgId, membershipId: otherMember.membershipId, template: "booking_confirmed", status: "dead")
            let owner = Browser(app: app, token: studio.ownerToken)

            var headers = owner.cookieHeader
            headers[.contentType] = "application/x-www-form-urlencoded"
            let missing = try await app.request(
                .post, "/admin/notifications/retry-dead", json: nil, headers: headers)
            #expect(missing.status == 403)
            let forged = try await owner.post("/admin/notifications/retry-dead", ["org": studio.orgId], csrf: "forged-token-0123456789")
            #expect(forged.status == 403)
            #expect(try await app.outboxCount(status: "dead") == 4)

            let all = try await owner.post("/admin/notifications/retry-dead", ["org": studio.orgId])
            #expect(all.location == "/admin/notifications?org=\(studio.orgId)&count=3&done=retried-dead")
            #expect(try await owner.get(try #require(all.location)).element("flash") == "3 dead notifications are back in line.")
            for id in dead { #expect(try await Self.status(app, id) == "pending") }
            #expect(try await Self.status(app, failed) == "failed")
            #expect(try await Self.status(app, foreign) == "dead")
        }
    }
}
