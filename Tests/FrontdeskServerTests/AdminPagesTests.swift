import Foundation
import FrontdeskCore
import HTTPTypes
import NIOCore
import Testing

/// The back office's admin shell and its members pages: who sees what, and every form's success
/// and refusal (missing CSRF, another studio's ids, invalid input, a role the API refuses).
@Suite("Admin pages: shell and members")
struct AdminPagesTests {
    @Test("the shell's navigation follows the role: owners see every section, coaches theirs, members a 403")
    func shellByRole() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            let page = try await owner.get("/admin/members?org=\(studio.orgId)")
            #expect(page.status == 200)
            for section in [
                "timetable", "members", "plans", "catalog", "settings", "displays", "notifications", "audit", "batches", "dashboard",
            ] {
                #expect(page.has("id=\"nav-\(section)\""), "owner misses \(section)")
            }
            #expect(page.has("id=\"nav-members\" aria-current=\"page\""))
            #expect(page.has("href=\"/admin/batches?org=\(studio.orgId)\""))
            #expect(!page.has("id=\"studio-picker\""), "one studio: no picker")

            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let coachPage = try await Browser(app: app, token: coach.token).get("/admin/members?org=\(studio.orgId)")
            #expect(coachPage.status == 200)
            for section in ["timetable", "members", "catalog", "coach"] { #expect(coachPage.has("id=\"nav-\(section)\"")) }
            for section in ["plans", "settings", "displays", "notifications", "audit", "batches", "dashboard"] {
                #expect(!coachPage.has("id=\"nav-\(section)\""), "coach sees \(section)")
            }
            for path in ["/admin/plans", "/admin/settings", "/admin/batches", "/admin/analytics"] {
                #expect(try await Browser(app: app, token: coach.token).get(path).status == 403, "\(path) for a coach")
            }

            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let browser = Browser(app: app, token: member.token)
            for path in ["/admin/members", "/admin/members/\(member.membershipId)", "/admin/plans", "/admin/catalog", "/admin/settings"] {
                let refused = try await browser.get(path)
                #expect(refused.status == 403, "\(path) for a member")
                #expect(refused.has("id=\"message-page\""))
            }
            #expect(try await Browser(app: app, token: nil).get("/admin/members").has("id=\"login-form\""))

            // The existing owner pages sit in the same shell.
            let batches = try await owner.get("/admin/batches?org=\(studio.orgId)")
            #expect(batches.has("id=\"nav-batches\" aria-current=\"page\""))
            let dashboard = try await owner.get("/admin/analytics?org=\(studio.orgId)")
            #expect(dashboard.has("id=\"nav-dashboard\" aria-current=\"page\""))
        }
    }

    @Test("the studio picker lists every studio the user is on the staff of, and switches between them")
    func studioPicker() async throws {
        try await TestApp.run { app in
            let email = "two-studios@example.com"
            let first = try await app.owner(email, org: "North")
            let now = app.clock.now()
            let user = try #require(try await app.services.accounts.user(email: email))
            let (second, _) = try await app.services.organizations.create(
                Organization(id: NewID.make(), name: "South", timezone: "Europe/Berlin", createdAt: now, updatedAt: now),
                ownerUserId: user.id)
            let owner = Browser(app: app, token: first.token)
            let page = try await owner.get("/admin/members?org=\(second.id)")
            #expect(page.has("id=\"studio-picker\""))
            #expect(page.has("<option value=\"\(second.id)\" selected>South</option>"))
            #expect(page.has("<option value=\"\(first.orgId)\">North</option>"))
        }
    }

    @Test("members: search and pages of 25")
    func searchAndPages() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            _ = try await app.quickMembers(studio.orgId, count: 30)
            let owner = Browser(app: app, token: studio.ownerToken)
            let first = try await owner.get("/admin/members?org=\(studio.orgId)")
            #expect(first.element("member-count") == "1–25 of 31")
            #expect(first.has("id=\"next-page\""))
            let second = try await owner.get("/admin/members?org=\(studio.orgId)&page=2")
            #expect(second.element("member-count") == "26–31 of 31")
            #expect(second.has("id=\"previous-page\""))
            let found = try await owner.get("/admin/members?org=\(studio.orgId)&q=Rusher%2012")
            #expect(found.element("member-count") == "1–1 of 1")
            let none = try await owner.get("/admin/members?org=\(studio.orgId)&q=nobody-like-this")
            #expect(none.element("no-members") != nil)
        }
    }

    @Test("invite: an invitation and its e-mail; refusals change nothing")
    func invite() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            let invitations = "SELECT COUNT(*) AS n FROM invitations WHERE status = 'pending'"
            let mails = "SELECT COUNT(*) AS n FROM notification_outbox WHERE template = 'invitation'"

            let sent = try await owner.post(
                "/admin/members/invite", ["org": studio.orgId, "email": "new.person@example.com", "name": "New Person", "role": "coach"])
            #expect(sent.status == 303)
            #expect(sent.location == "/admin/members?org=\(studio.orgId)&done=invited")
            #expect(try await owner.get(try #require(sent.location)).element("flash") == "Invitation sent.")
            #expect(try await app.count(invitations) == 1)
            #expect(try await app.count(mails) == 1)
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM invitations WHERE role = 'coach' AND email = 'new.person@example.com'") == 1)

            // Invalid input: 400 with the message, the typed address kept, nothing stored.
            let invalid = try await owner.post("/admin/members/invite", ["org": studio.orgId, "email": "not-an-address", "role": "member"])
            #expect(invalid.status == 400)
            #expect(invalid.element("flash")?.isEmpty == false)
            #expect(invalid.has("value=\"not-an-address\""))
            // The same address again: the service's 409.
            let twice = try await owner.post(
                "/admin/members/invite", ["org": studio.orgId, "email": "new.person@example.com", "role": "member"])
            #expect(twice.status == 409)
            // No CSRF field, or a forged one: 403 before anything happens.
            let forged = try await owner.post("/admin/members/invite", ["org": studio.orgId, "email": "x@example.com"], csrf: "forged")
            #expect(forged.status == 403)
            var headers = owner.cookieHeader
            headers[.contentType] = "application/x-www-form-urlencoded"
            let missing = try await app.request(.post, "/admin/members/invite", json: nil, headers: headers)
            #expect(missing.status == 403)
            // Another studio's id: the 404 page.
            let other = try await app.owner()
            let foreign = try await owner.post("/admin/members/invite", ["org": other.orgId, "email": "y@example.com"])
            #expect(foreign.status == 404)
            #expect(foreign.has("id=\"message-page\""))
            // An admin cannot invite an owner (the API's rule); a coach cannot invite at all.
            let admin = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "admin")
            let ownerInvite = try await Browser(app: app, token: admin.token).post(
                "/admin/members/invite", ["org": studio.orgId, "email": "boss@example.com", "role": "owner"])
            #expect(ownerInvite.status == 403)
            #expect(ownerInvite.element("flash") == "Only an owner can invite another owner.")
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let coachInvite = try await Browser(app: app, token: coach.token).post(
                "/admin/members/invite", ["org": studio.orgId, "email": "z@example.com"])
            #expect(coachInvite.status == 403)
            #expect(try await app.count(invitations) == 1)
            #expect(try await app.count(mails) == 1)
        }
    }

    @Test("pending invitations: re-send and revoke")
    func resendAndRevoke() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            _ = try await owner.post("/admin/members/invite", ["org": studio.orgId, "email": "pending@example.com", "role": "member"])
            let id = try #require(
                try await app.request(.get, "/api/orgs/\(studio.orgId)/invitations", token: studio.ownerToken)
                    .json["invitations"].flatMap { ($0 as? [[String: Any]])?.first?["id"] as? String })
            let list = try await owner.get("/admin/members?org=\(studio.orgId)")
            #expect(list.has("data-invitation-id=\"\(id)\""))
            let resent = try await owner.post("/admin/members/invitations/resend", ["org": studio.orgId, "invitation": id])
            #expect(resent.location?.hasSuffix("done=resent") == true)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM notification_outbox WHERE template = 'invitation'") == 2)
            let revoked = try await owner.post("/admin/members/invitations/revoke", ["org": studio.orgId, "invitation": id])
            #expect(revoked.location?.hasSuffix("done=revoked") == true)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM invitations WHERE status = 'revoked'") == 1)
            #expect(try await owner.get("/admin/members?org=\(studio.orgId)").element("no-invitations") != nil)
            let unknown = try await owner.post("/admin/members/invitations/revoke", ["org": studio.orgId, "invitation": NewID.make()])
            #expect(unknown.status == 404)
        }
    }

    @Test("role, suspend, reactivate: the API's rules, another studio's member is not found")
    func roleAndStatus() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let role = try await owner.post(
                "/admin/members/role", ["org": studio.orgId, "membership": member.membershipId, "role": "coach"])
            #expect(role.location == "/admin/members?org=\(studio.orgId)&done=role")
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM memberships WHERE id = '\(member.membershipId)' AND role = 'coach'") == 1)

            let suspended = try await owner.post(
                "/admin/members/suspend", ["org": studio.orgId, "membership": member.membershipId, "back": "member"])
            #expect(suspended.location == "/admin/members/\(member.membershipId)?org=\(studio.orgId)&done=suspended")
            #expect(try await owner.get(try #require(suspended.location)).element("member-suspended") == "Suspended")
            #expect(
                try await app.count(
                    "SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'member.suspend' AND actor_user_id IS NOT NULL") == 1,
                "the page's change is audited with its actor")
            let reactivated = try await owner.post("/admin/members/reactivate", ["org": studio.orgId, "membership": member.membershipId])
            #expect(reactivated.status == 303)
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM memberships WHERE id = '\(member.membershipId)' AND status = 'active'") == 1)

            // An admin may not touch an owner; the last owner stays.
            let admin = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "admin")
            let ownerMembership = try #require(
                try await app.services.organizations.members(orgId: studio.orgId).first { $0.membership.role == .owner }?.membership.id)
            let refused = try await Browser(app: app, token: admin.token).post(
                "/admin/members/suspend", ["org": studio.orgId, "membership": ownerMembership])
            #expect(refused.status == 403)
            #expect(refused.element("flash") == "Only an owner can change an owner or grant the owner role.")
            let last = try await owner.post("/admin/members/role", ["org": studio.orgId, "membership": ownerMembership, "role": "admin"])
            #expect(last.status == 409)
            #expect(last.element("flash")?.isEmpty == false)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM memberships WHERE id = '\(ownerMembership)' AND role = 'owner'") == 1)
            let invalid = try await owner.post(
                "/admin/members/role", ["org": studio.orgId, "membership": member.membershipId, "role": "boss"])
            #expect(invalid.status == 400)

            let other = try await app.studio()
            let stranger = try await app.member(other.orgId, ownerToken: other.ownerToken, role: "member")
            let foreign = try await owner.post("/admin/members/suspend", ["org": studio.orgId, "membership": stranger.membershipId])
            #expect(foreign.status == 404)
            #expect(try await owner.get("/admin/members/\(stranger.membershipId)?org=\(studio.orgId)").status == 404)
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM memberships WHERE id = '\(stranger.membershipId)' AND status = 'active'")
                    == 1)
            let forged = try await owner.post(
                "/admin/members/suspend", ["org": studio.orgId, "membership": member.membershipId], csrf: "forged")
            #expect(forged.status == 403)
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM memberships WHERE id = '\(member.membershipId)' AND status = 'active'") == 1)
        }
    }
}
