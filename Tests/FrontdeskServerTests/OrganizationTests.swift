import Foundation
import FrontdeskCore
import Testing

@Suite("Organizations")
struct OrganizationTests {
    @Test("create makes the caller owner with spec defaults; get and patch round-trip")
    func createGetPatch() async throws {
        try await TestApp.run { app in
            let (token, orgId) = try await app.owner()
            let org = try await app.request(.get, "/api/orgs/\(orgId)", token: token)
            #expect(org.status == 200)
            #expect(org.string("timezone") == "Europe/Berlin")
            #expect(org["cancellationWindowHours"] as? Int == 12)
            #expect(org["allowLateCancellation"] as? Bool == false)
            #expect(org["paymentProvider"] == nil)
            #expect(org["checkinOpensMinutesBefore"] as? Int == 30)

            let me = try await app.request(.get, "/api/me", token: token)
            let memberships = try #require(me["memberships"] as? [[String: Any]])
            #expect(memberships.first?["role"] as? String == "owner")
            #expect(memberships.first?["organizationId"] as? String == orgId)

            let patched = try await app.request(
                .patch, "/api/orgs/\(orgId)", token: token,
                body: [
                    "timezone": "America/New_York", "cancellationWindowHours": 6, "allowLateCancellation": true,
                    "paymentProvider": "stripe", "latitude": 40.7, "longitude": -74.0, "primaryColor": "#FF8800",
                    "bookingOpensDaysBefore": 14, "gpsMaxMeters": 250,
                ])
            #expect(patched.status == 200, "\(patched.text)")
            #expect(patched.string("primaryColor") == "#ff8800")
            let again = try await app.request(.get, "/api/orgs/\(orgId)", token: token)
            #expect(again.string("timezone") == "America/New_York")
            #expect(again["cancellationWindowHours"] as? Int == 6)
            #expect(again["paymentProvider"] as? String == "stripe")
            #expect(again["bookingOpensDaysBefore"] as? Int == 14)
            #expect(again["latitude"] as? Double == 40.7)

            // null clears nullable settings; absent fields stay.
            let cleared = try await app.request(
                .patch, "/api/orgs/\(orgId)", token: token, json: #"{"paymentProvider":null,"bookingOpensDaysBefore":null}"#)
            #expect(cleared.status == 200)
            #expect(cleared["paymentProvider"] == nil)
            #expect(cleared["bookingOpensDaysBefore"] == nil)
            #expect(cleared.string("timezone") == "America/New_York")
        }
    }

    @Test(
        "invalid settings answer 400 with a code and change nothing",
        arguments: [
            #"{"timezone":"Mars/Olympus"}"#, #"{"timezone":"CEST"}"#, #"{"cancellationWindowHours":-1}"#,
            #"{"cancellationWindowHours":100000}"#, #"{"primaryColor":"red"}"#, #"{"latitude":91,"longitude":0}"#,
            #"{"latitude":45}"#, #"{"paymentProvider":"bitcoin-wallet"}"#, #"{"name":""}"#, #"{"name":null}"#,
            #"{"gpsMaxMeters":0}"#, #"{"timezone":12}"#, #"{"allowLateCancellation":"yes"}"#,
        ])
    func invalidSettings(body: String) async throws {
        try await TestApp.run { app in
            let (token, orgId) = try await app.owner()
            let before = try await app.request(.get, "/api/orgs/\(orgId)", token: token)
            let reply = try await app.request(.patch, "/api/orgs/\(orgId)", token: token, json: body)
            #expect(reply.status == 400, "\(body) → \(reply.text)")
            #expect(reply.errorCode != nil)
            #expect(reply.errorMessage?.isEmpty == false)
            let after = try await app.request(.get, "/api/orgs/\(orgId)", token: token)
            #expect(before.text == after.text)
        }
    }

    @Test("create needs name and a valid timezone")
    func createValidation() async throws {
        try await TestApp.run(configure: { $0.orgCreation = .anyone }) { app in
            try await app.createUser("a@example.com")
            let token = try await app.login("a@example.com")
            let missing = try await app.request(.post, "/api/orgs", token: token, body: ["name": "X"])
            #expect(missing.status == 400)
            #expect(missing.errorCode == "missing_field")
            let badZone = try await app.request(.post, "/api/orgs", token: token, body: ["name": "X", "timezone": "Nowhere"])
            #expect(badZone.status == 400)
            #expect(badZone.errorCode == "invalid_field")
            #expect(try await app.request(.post, "/api/orgs", body: ["name": "X", "timezone": "UTC"]).status == 401)
        }
    }

    @Test("roles: members read the org, coaches and members cannot change it; other orgs answer 404")
    func rolesAndIsolation() async throws {
        try await TestApp.run { app in
            let (ownerToken, orgId) = try await app.owner()
            let (adminToken, _) = try await app.member(orgId, ownerToken: ownerToken, role: "admin")
            let (coachToken, _) = try await app.member(orgId, ownerToken: ownerToken, role: "coach")
            let (memberToken, _) = try await app.member(orgId, ownerToken: ownerToken, role: "member")
            for token in [adminToken, coachToken, memberToken] {
                #expect(try await app.request(.get, "/api/orgs/\(orgId)", token: token).status == 200)
            }
            #expect(try await app.request(.patch, "/api/orgs/\(orgId)", token: adminToken, body: ["name": "Admin renamed"]).status == 200)
            for token in [coachToken, memberToken] {
                let reply = try await app.request(.patch, "/api/orgs/\(orgId)", token: token, body: ["name": "Nope"])
                #expect(reply.status == 403)
                #expect(reply.errorCode == "forbidden")
            }

            let (otherToken, otherOrg) = try await app.owner(org: "Other")
            for path in ["/api/orgs/\(orgId)", "/api/orgs/\(orgId)/members", "/api/orgs/\(orgId)/programs"] {
                let reply = try await app.request(.get, path, token: otherToken)
                #expect(reply.status == 404, "\(path)")
                #expect(reply.errorCode == "not_found")
            }
            #expect(try await app.request(.patch, "/api/orgs/\(orgId)", token: otherToken, body: ["name": "Hijack"]).status == 404)
            // Unknown and malformed org ids look exactly like another org's.
            #expect(try await app.request(.get, "/api/orgs/\(NewID.make())", token: otherToken).status == 404)
            #expect(try await app.request(.get, "/api/orgs/not-an-id", token: otherToken).status == 404)
            #expect(try await app.request(.get, "/api/orgs/\(otherOrg)", token: ownerToken).status == 404)
        }
    }
}
