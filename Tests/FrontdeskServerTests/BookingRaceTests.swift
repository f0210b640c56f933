import Foundation
import FrontdeskCore
import Testing

/// Real races: many concurrent requests through the whole stack on the test database (SQLite or
/// PostgreSQL, see scripts/test.sh). The two-process PostgreSQL race is scripts/race-two-instances.sh.
@Suite("Booking races")
struct BookingRaceTests {
    @Test("hundreds of concurrent bookings for a small class: exactly capacity confirmed, dense waitlist, credits consistent")
    func rush() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            _ = try await app.request(.patch, "/api/orgs/\(studio.orgId)", token: studio.ownerToken, body: ["paymentProvider": "stripe"])
            let plan = try await app.plan(studio, ["name": "Pack", "classCredits": 5])
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(2 * 86_400), extra: ["capacity": 12])
            let members = try await app.quickMembers(studio.orgId, count: 150)
            for member in members { _ = try await app.subscribe(studio, membership: member.membershipId, plan: plan, credits: 1) }
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for member in members {
                    group.addTask {
                        let reply = try await app.book(session, token: member.token)
                        return (reply.status, reply.string("status"))
                    }
                }
                return try await group.reduce(into: [(Int, String?)]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0.0 == 201 }, "every request answered 201: \(Set(statuses.map(\.0)))")
            #expect(statuses.filter { $0.1 == "confirmed" }.count == 12)
            #expect(statuses.filter { $0.1 == "waitlisted" }.count == 138)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM credit_ledger WHERE kind = 'charge'") == 12)
            try await app.checkInvariants(session: session)
        }
    }

    @Test("concurrent cancels and bookings interleaved keep every invariant")
    func interleaved() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            _ = try await app.request(.patch, "/api/orgs/\(studio.orgId)", token: studio.ownerToken, body: ["paymentProvider": "stripe"])
            let plan = try await app.plan(studio, ["name": "Pack", "classCredits": 5])
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(2 * 86_400), extra: ["capacity": 8])
            let members = try await app.quickMembers(studio.orgId, count: 60)
            for member in members { _ = try await app.subscribe(studio, membership: member.membershipId, plan: plan, credits: 2) }
            var first: [String] = []
            for member in members.prefix(20) { first.append(try #require(try await app.book(session, token: member.token).string("id"))) }
            let firstIds = first
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, member) in members.enumerated() {
                    group.addTask {
                        if index < 20 {
                            let reply = try await app.cancelBooking(firstIds[index], token: member.token)
                            #expect(reply.status == 200, "\(reply.text)")
                            if index % 2 == 0 {  // and book again at once
                                let again = try await app.book(session, token: member.token)
                                #expect(again.status == 201 || again.status == 402, "\(again.text)")
                            }
                        } else {
                            let reply = try await app.book(session, token: member.token)
                            #expect(reply.status == 201 || reply.status == 402, "\(reply.text)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE session_id = '\(session)' AND status = 'confirmed'") == 8)
            try await app.checkInvariants(session: session)
        }
    }
}
