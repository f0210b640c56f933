import Foundation
import FrontdeskCore
import Testing

@Suite("Programs, class types, locations")
struct CatalogTests {
    @Test("owner creates, reads, updates and soft-deletes programs, class types and locations")
    func crud() async throws {
        try await TestApp.run { app in
            let (token, orgId) = try await app.owner()
            let base = "/api/orgs/\(orgId)"
            let program = try await app.request(
                .post, "\(base)/programs", token: token, body: ["name": "Yoga", "deliveryMode": "schedule"])
            #expect(program.status == 201)
            let programId = try #require(program.string("id"))

            let type = try await app.request(
                .post, "\(base)/class-types", token: token,
                body: [
                    "programId": programId, "name": "Vinyasa", "defaultCapacity": 16, "defaultDurationMin": 60, "color": "#0F766E",
                ])
            #expect(type.status == 201, "\(type.text)")
            #expect(type.string("color") == "#0f766e")
            let typeId = try #require(type.string("id"))

            let location = try await app.request(
                .post, "\(base)/locations", token: token, body: ["name": "Loft", "latitude": 52.53, "longitude": 13.4])
            #expect(location.status == 201)
            let locationId = try #require(location.string("id"))

            let renamed = try await app.request(.patch, "\(base)/class-types/\(typeId)", token: token, body: ["defaultCapacity": 20])
            #expect(renamed["defaultCapacity"] as? Int == 20)
            #expect(renamed.string("name") == "Vinyasa")
            let moved = try await app.request(
                .patch, "\(base)/locations/\(locationId)", token: token, json: #"{"latitude":null,"longitude":null,"address":"Torstr. 1"}"#)
            #expect(moved.status == 200)
            #expect(moved["latitude"] == nil)
            #expect(moved.string("address") == "Torstr. 1")

            #expect(((try await app.request(.get, "\(base)/class-types", token: token))["items"] as? [Any])?.count == 1)

            // A program with class types cannot go; once they are gone it can.
            let inUse = try await app.request(.delete, "\(base)/programs/\(programId)", token: token)
            #expect(inUse.status == 409)
            #expect(inUse.errorCode == "program_in_use")
            #expect(try await app.request(.delete, "\(base)/class-types/\(typeId)", token: token).status == 204)
            #expect(try await app.request(.get, "\(base)/class-types/\(typeId)", token: token).status == 404)
            #expect(try await app.request(.delete, "\(base)/class-types/\(typeId)", token: token).status == 404)
            #expect(try await app.request(.delete, "\(base)/programs/\(programId)", token: token).status == 204)
            #expect(try await app.request(.delete, "\(base)/locations/\(locationId)", token: token).status == 204)
            #expect(((try await app.request(.get, "\(base)/locations", token: token))["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test(
        "out-of-range and malformed fields answer 400",
        arguments: [
            ("class-types", ##"{"programId":"P","name":"T","defaultCapacity":0}"##),
            ("class-types", ##"{"programId":"P","name":"T","defaultCapacity":-5}"##),
            ("class-types", ##"{"programId":"P","name":"T","defaultDurationMin":1441}"##),
            ("class-types", ##"{"programId":"P","name":"T","defaultDurationMin":0}"##),
            ("class-types", ##"{"programId":"P","name":"T","color":"#12345"}"##),
            ("class-types", ##"{"programId":"P","name":"T","color":"blue"}"##),
            ("class-types", ##"{"programId":"P","name":"T","defaultCapacity":"ten"}"##),
            ("class-types", ##"{"programId":"P","name":"T","defaultCapacity":1e30}"##),
            ("class-types", ##"{"programId":"P"}"##),
            ("locations", ##"{"name":"L","latitude":90.5,"longitude":0}"##),
            ("locations", ##"{"name":"L","latitude":0,"longitude":-180.01}"##),
            ("locations", ##"{"name":"L","latitude":10}"##),
            ("locations", ##"{"name":"   "}"##),
            ("programs", ##"{"name":"P","deliveryMode":"broadcast"}"##),
            ("programs", ##"{}"##),
            ("programs", ##"[]"##),
        ])
    func validation(resource: String, body: String) async throws {
        try await TestApp.run { app in
            let (token, orgId) = try await app.owner()
            let program = try await app.request(.post, "/api/orgs/\(orgId)/programs", token: token, body: ["name": "Yoga"])
            let programId = try #require(program.string("id"))
            let reply = try await app.request(
                .post, "/api/orgs/\(orgId)/\(resource)", token: token,
                json: body.replacingOccurrences(of: #""P""#, with: "\"\(programId)\""))
            #expect(reply.status == 400, "\(body) → \(reply.text)")
            #expect(reply.errorCode != nil)
            let list = try await app.request(.get, "/api/orgs/\(orgId)/\(resource)", token: token)
            #expect((list["items"] as? [Any])?.count == (resource == "programs" ? 1 : 0))
        }
    }

    @Test("coaches read the catalog but cannot change it; members cannot read it")
    func roles() async throws {
        try await TestApp.run { app in
            let (ownerToken, orgId) = try await app.owner()
            let (coachToken, _) = try await app.member(orgId, ownerToken: ownerToken, role: "coach")
            let (memberToken, _) = try await app.member(orgId, ownerToken: ownerToken, role: "member")
            let base = "/api/orgs/\(orgId)"
            #expect(try await app.request(.get, "\(base)/programs", token: coachToken).status == 200)
            #expect(try await app.request(.get, "\(base)/locations", token: coachToken).status == 200)
            #expect(try await app.request(.post, "\(base)/programs", token: coachToken, body: ["name": "X"]).status == 403)
            #expect(try await app.request(.post, "\(base)/locations", token: coachToken, body: ["name": "X"]).status == 403)
            #expect(try await app.request(.get, "\(base)/programs", token: memberToken).status == 403)
        }
    }

    @Test("another org's program id in a class type, and another org's ids in paths, answer 404 and change nothing")
    func crossOrg() async throws {
        try await TestApp.run { app in
            let (ownerToken, orgId) = try await app.owner()
            let (otherToken, otherOrg) = try await app.owner(org: "Other")
            let foreignProgram = try await app.request(.post, "/api/orgs/\(otherOrg)/programs", token: otherToken, body: ["name": "Theirs"])
            let foreignProgramId = try #require(foreignProgram.string("id"))
            let foreignLocation = try #require(
                try await app.request(.post, "/api/orgs/\(otherOrg)/locations", token: otherToken, body: ["name": "Theirs"]).string("id"))

            let reply = try await app.request(
                .post, "/api/orgs/\(orgId)/class-types", token: ownerToken, body: ["programId": foreignProgramId, "name": "Sneaky"])
            #expect(reply.status == 404)
            #expect(reply.errorCode == "not_found")
            for path in ["programs/\(foreignProgramId)", "locations/\(foreignLocation)"] {
                #expect(try await app.request(.get, "/api/orgs/\(orgId)/\(path)", token: ownerToken).status == 404)
                #expect(
                    try await app.request(.patch, "/api/orgs/\(orgId)/\(path)", token: ownerToken, body: ["name": "Mine now"]).status == 404
                )
                #expect(try await app.request(.delete, "/api/orgs/\(orgId)/\(path)", token: ownerToken).status == 404)
            }
            let still = try await app.request(.get, "/api/orgs/\(otherOrg)/programs/\(foreignProgramId)", token: otherToken)
            #expect(still.string("name") == "Theirs")
        }
    }
}
