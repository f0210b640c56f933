import Foundation
import FrontdeskCore
import Testing

@Suite("Members")
struct MemberTests {
    @Test("add creates the user when new, links an existing one, refuses duplicates")
    func addMembers() async throws {
        try await TestApp.run { app in
            let (ownerToken, orgId) = try await app.owner()
            let created = try await app.request(.post, "/api/orgs/\(orgId)/members", token: ownerToken, body: [
                "email": "New.Person@Example.com", "name": "New Person", "password": "correct-horse",
            ])
            #expect(created.status == 201)
            #expect(created["createdUser"] as? Bool == true)
            #expect((created["member"] as? [String: Any])?["role"] as? String == "member")
            #expect(try await app.login("new.person@example.com").isEmpty == false)

            try await app.createUser("existing@example.com", name: "Existing")
            let linked = try await app.request(.post, "/api/orgs/\(orgId)/members", token: ownerToken, body: ["email": "existing@example.com", "role": "coach"])
            #expect(linked.status == 201)
            #expect(linked["createdUser"] as? Bool == false)

            let duplicate = try await app.request(.post, "/api/orgs/\(orgId)/members", token: ownerToken, body: ["email": "EXISTING@example.com"])
            #expect(duplicate.status == 409)
            #expect(duplicate.errorCode == "already_member")

            let noPassword = try await app.request(.post, "/api/orgs/\(orgId)/members", token: ownerToken, body: ["email": "fresh@example.com", "name": "Fresh"])
            #expect(noPassword.status == 400)
            #expect(noPassword.errorCode == "password_required")
            let badEmail = try await app.request(.post, "/api/orgs/\(orgId)/members", token: ownerToken, body: ["email": "not-an-email", "name": "X", "password": "correct-horse"])
            #expect(badEmail.status == 400)
            let badRole = try await app.request(.post, "/api/orgs/\(orgId)/members", token: ownerToken, body: ["email": "r@example.com", "name": "X", "password": "correct-horse", "role": "superuser"])
            #expect(badRole.status == 400)

            let list = try await app.request(.get, "/api/orgs/\(orgId)/members", token: ownerToken)
            #expect((list["members"] as? [Any])?.count == 3)
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
            #expect(try await app.request(.post, "/api/orgs/\(orgId)/members", token: coachToken, body: ["email": "x@example.com", "name": "X", "password": "correct-horse"]).status == 403)

            // Admin may manage coaches and members, not owners.
            let promote = try await app.request(.patch, "/api/orgs/\(orgId)/members/\(coachId)", token: adminToken, body: ["role": "admin"])
            #expect(promote.status == 200)
            #expect(promote.string("role") == "admin")
            #expect(try await app.request(.patch, "/api/orgs/\(orgId)/members/\(coachId)", token: adminToken, body: ["role": "owner"]).status == 403)
            let me = try await app.request(.get, "/api/me", token: ownerToken)
            let ownerMembership = try #require((me["memberships"] as? [[String: Any]])?.first?["membershipId"] as? String)
            #expect(try await app.request(.post, "/api/orgs/\(orgId)/members/\(ownerMembership)/suspend", token: adminToken).status == 403)
            #expect(try await app.request(.post, "/api/orgs/\(orgId)/members", token: adminToken, body: ["email": "o2@example.com", "name": "O", "password": "correct-horse", "role": "owner"]).status == 403)
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
            #expect(try await app.request(.post, "/api/orgs/\(orgId)/members/\(ownerId)/suspend", token: ownerToken).errorCode == "last_owner")

            _ = try await app.member(orgId, ownerToken: ownerToken, role: "owner")
            #expect(try await app.request(.patch, "/api/orgs/\(orgId)/members/\(ownerId)", token: ownerToken, body: ["role": "admin"]).status == 200)
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
                #expect(try await app.request(.patch, "/api/orgs/\(orgId)/members/\(id)", token: ownerToken, body: ["role": "coach"]).status == 404)
            }
            let unchanged = try await app.request(.get, "/api/orgs/\(otherOrg)/members/\(otherMember)", token: otherToken)
            #expect(unchanged.string("role") == "member")
        }
    }
}
