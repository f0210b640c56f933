import Foundation
import FrontdeskCore
import FrontdeskFixtures
import FrontdeskStore
import FrontdeskTestSupport
import Testing

/// The benchmark fixtures and the demo generator write straight into the tables: they must keep up
/// with the schema.
@Suite("Fixtures")
struct FixtureTests {
    @Test("a rush fixture holds one class, its members and their places")
    func rush() async throws {
        try await withTestDatabase { database in
            let fixture = try await RushFixture.create(database: database, members: 5, capacity: 3, now: Date(), booked: true)
            #expect(fixture.tokens.count == 5)
            let outcome = try await RushFixture.outcome(database: database, sessionId: fixture.sessionId)
            #expect(outcome.confirmed == 5 && outcome.waitlisted == 0 && outcome.membersTwice == 0 && outcome.waitlistDense)
        }
    }

    @Test("a bulk fixture spans its classes' dates")
    func bulk() async throws {
        try await withTestDatabase { database in
            let fixture = try await BulkFixture.create(database: database, sessions: 12, members: 2, now: Date())
            let preview = try await BulkSessionsStore(database: database).preview(
                org: fixture.organization, filter: BulkFilter(from: fixture.from, to: fixture.to), maximum: 100)
            #expect(preview.totals.sessions == 12)
        }
    }

    @Test("the demo history fills a year of classes")
    func demoHistory() async throws {
        try await withTestDatabase { database in
            let history = try await DemoHistory.create(
                database: database, years: 1, locations: 1, members: 40, membersPerClass: 2, now: Date())
            #expect(history.sessions > 2_000 && history.bookings >= history.sessions)
        }
    }
}
