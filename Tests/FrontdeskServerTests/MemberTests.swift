import Foundation
import FrontdeskCore
import Testing

@Suite("Members")
struct MemberTests {
    @Test("add sends an invitation: no account is made or linked, no password chosen, nothing revealed")
    func addMembers() async throws {
        try await TestApp.run { app in
            let (ownerToken, orgId) = try await app.owner()
            let withPassword = try await app.request(
                .post, "/api/orgs/\(orgId)/members", token: ownerToken,
                body: [
                    "email": "New.Person@Example.com", "name": "New Person", "password": "correct-horse",
                ])
            #expect(withPassword.status == 400)
            #expect(withPassword.errorCode == "password_not_allowed")

            let invited = try await app.request(
                .post, "/api/orgs/\(orgId)/members", token: ownerToken,
                body: [
                    "email": "New.Person@Example.com", "name": "New Person",
                ])
            #expect(invited.status == 201, "\(invited.text)")
            let invitation = try #require(invited["invitation"] as? [String: Any])
            #expect(invitation["status"] as? String == "pending")
            #expect(invitation["role"] as? String == "member")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM users WHERE email_normalized = 'new.person@example.com'") == 0)

            // An existing account: the answer names neither it nor its id, and links nothing.
            let existing = try await app.createUser("existing@example.com", name: "Secret Name")
            let linked = try await app.request(
                .post, "/api/orgs/\(orgId)/members", token: ownerToken, body: ["email": "existing@example.com", "role": "coach"])
            #expect(linked.status == 201)
            #expect(!linked.text.contains("Secret Name") && !linked.text.contains(existing.id))
            #expect(try await app.count("SELECT COUNT(*) AS n FROM memberships WHERE user_id = '\(existing.id)'") == 0)

            let duplicate = try await app.request(
                .post, "/api/orgs/\(orgId)/members", token: ownerToken, body: ["email": "EXISTING@example.com"])
            #expect(duplicate.status == 409)
            #expect(duplicate.errorCode == "already_invited")

            let badEmail = try await app.request(
                .post, "/api/orgs/\(orgId)/members", token: ownerToken, body: ["email": "not-an-email", "name": "X"])
            #expect(badEmail.status == 400)
            let badRole = try await app.request(
                .post, "/api/orgs/\(orgId)/members", token: ownerToken, body: ["email": "r@example.com", "role": "superuser"])
            #expect(badRole.status == 400)

            let list = try await app.request(.get, "/api/orgs/\(orgId)/members", token: ownerToken)
            #expect((list["members"] as? [Any])?.count == 1)
            let pending = try await app.request(.get, "/api/orgs/\(orgId)/invitations", token: ownerToken)
            #expect((pending["invitations"] as? [Any])?.count == 2)
        }
    }

    @Test("roles: coaches list but cannot add; members cannot list; admins cannot touch owners")
    func memberRoles() async throws {
        try await TestApp.run { app in
            let (ownerToken, orgId) = try await app.owner()
            let (adminToken, adminId) = try await app.member(orgId, ownerToken: ownerToken, role: "admin")
            let (coachToken, coachId) = try await app.member(orgId, ownerToken: ownerToken, role: "coach")
            let (memberToken, _) = try await app.member(orgId, ownerToken: ownerToken, role: "member")

            #expect(try await app.request(.get, "/api/orgs/\(orgId)/members", token: coachToken).status == 200)
            #expect(try await app.request(.get, "/api/orgs/\(orgId)/members", token: memberToken).status == 403)
            #expect(
                try await app.request(
                    .post, "/api/orgs/\(orgId)/members", token: coachToken, body: ["email": "x@example.com", "name": "X"]
                ).status == 403)

            // Admin may manage coaches and members, not owners.
            let promote = try await app.request(.patch, "/api/orgs/\(orgId)/members/\(coachId)", token: adminToken, body: ["role": "admin"])
            #expect(promote.status == 200)
            #expect(promote.string("role") == "admin")
            #expect(
                try await app.request(.patch, "/api/orgs/\(orgId)/members/\(coachId)", token: adminToken, body: ["role": "owner"]).status
                    == 403)
            let me = try await app.request(.get, "/api/me", token: ownerToken)
            let ownerMembership = try #require((me["memberships"] as? [[String: Any]])?.first?["membershipId"] as? String)
            #expect(try await app.request(.post, "/api/orgs/\(orgId)/members/\(ownerMembership)/suspend", token: adminToken).status == 403)
            #expect(
                try await app.request(
                    .post, "/api/orgs/\(orgId)/members", token: adminToken, body: ["email": "o2@example.com", "name": "O", "role": "owner"]
                ).status == 403)
            _ = adminId
        }
    }

    @Test("suspend locks the member out of the org; reactivate lets them back")
    func suspendAndReactivate() async throws {
        try await TestApp.run { app in
            let (ownerToken, orgId) = try await app.owner()
            let (memberToken, memberId) = try await app.member(orgId, ownerToken: ownerToken, role: "member")
            let suspended = try await app.request(.post, "/api/orgs/\(orgId)/members/\(memberId)/suspend", token: ownerToken)
            #expect(suspended.status == 200)
            #expect(suspended.string("status") == "suspended")
            let locked = try await app.request(.get, "/api/orgs/\(orgId)", token: memberToken)
            #expect(locked.status == 403)
            #expect(locked.errorCode == "membership_suspended")
            #expect(try await app.request(.post, "/api/orgs/\(orgId)/members/\(memberId)/reactivate", token: ownerToken).status == 200)
            #expect(try await app.request(.get, "/api/orgs/\(orgId)", token: memberToken).status == 200)
        }
    }

    @Test("the last active owner cannot be demoted or suspended; with two owners one can step down")
    func lastOwner() async throws {
        try await TestApp.run { app in
            let (ownerToken, orgId) = try await app.owner()
            let me = try await app.request(.get, "/api/me", token: ownerToken)
            let ownerId = try #require((me["memberships"] as? [[String: Any]])?.first?["membershipId"] as? String)
            let demote = try await app.request(.patch, "/api/orgs/\(orgId)/members/\(ownerId)", token: ownerToken, body: ["role": "admin"])
            #expect(demote.status == 409)
            #expect(demote.errorCode == "last_owner")
            #expect(
                try await app.request(.post, "/api/orgs/\(orgId)/members/\(ownerId)/suspend", token: ownerToken).errorCode == "last_owner")

            _ = try await app.member(orgId, ownerToken: ownerToken, role: "owner")
            #expect(
                try await app.request(.patch, "/api/orgs/\(orgId)/members/\(ownerId)", token: ownerToken, body: ["role": "admin"]).status
                    == 200)
        }
    }

    @Test("member ids of another org, unknown and malformed ids answer 404")
    func crossOrgMember() async throws {
        try await TestApp.run { app in
            let (ownerToken, orgId) = try await app.owner()
            let (otherToken, otherOrg) = try await app.owner(org: "Other")
            let (_, otherMember) = try await app.member(otherOrg, ownerToken: otherToken, role: "member")
            for id in [otherMember, NewID.make(), "1%20OR%201=1"] {
                #expect(try await app.request(.get, "/api/orgs/\(orgId)/members/\(id)", token: ownerToken).status == 404)
                #expect(
                    try await app.request(.patch, "/api/orgs/\(orgId)/members/\(id)", token: ownerToken, body: ["role": "coach"]).status
                        == 404)
            }
            let unchanged = try await app.request(.get, "/api/orgs/\(otherOrg)/members/\(otherMember)", token: otherToken)
            #expect(unchanged.string("role") == "member")
        }
    }
}
