import Foundation
import FrontdeskCore
import FrontdeskStore
import FrontdeskTestSupport
import Testing

/// A lane's book set reads the classes and the members' bookings in one statement
/// (`BatchMemberFacts.readWithClasses`): the bookings of a span around the classes, of which the rules
/// look at those in a class's own week. The week's edges, from the database (each booking in its own
/// batch): a class at the week's first half hour counts against one at its last hour, both ways, and
/// a class half an hour before the week does not.
@Suite("Class lane: a class's week from one read")
struct ClassLaneWindowTests {
    @Test("a weekly quota sees a booking at the other end of the week, both ways, and not one just before it")
    func weekEdges() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            // A studio that sells plans (without a payment provider its classes are open to everyone).
            _ = try await app.request(.patch, "/api/orgs/\(studio.orgId)", token: studio.ownerToken, body: ["paymentProvider": "stripe"])
            let weekly = try await app.plan(studio, ["name": "Once a week", "maxBookingsPerWeek": 1])
            let people = try await app.quickMembers(studio.orgId, count: 2)
            var bookers: [ClassLaneTests.Booker] = []
            for person in people {
                bookers.append(try await ClassLaneTests.booker(app, studio.orgId, person))
                _ = try await app.subscribe(studio, membership: person.membershipId, plan: weekly)
            }
            let org = try #require(try await app.services.organizations.organization(id: studio.orgId))
            // Two Mondays (00:00 in the studio's zone) at least two weeks ahead, a week apart.
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = try #require(TimeZone(identifier: "Europe/Berlin"))
            calendar.firstWeekday = 2
            let monday = try #require(calendar.dateInterval(of: .weekOfYear, for: app.clock.now().addingTimeInterval(15 * 86_400))?.start)
            func at(_ days: Int, _ hour: Int, _ minute: Int, from start: Date = monday) throws -> Date {
                let day = try #require(calendar.date(byAdding: .day, value: days, to: start))
                return try #require(calendar.date(bySettingHour: hour, minute: minute, second: 0, of: day))
            }
            let first = try await app.session(studio, startsAt: try at(0, 0, 30))  // Monday 00:30
            let last = try await app.session(studio, startsAt: try at(6, 23, 0))  // Sunday 23:00, ends at midnight
            let before = try await app.session(studio, startsAt: try at(-1, 23, 0))  // the Sunday before, 23:00
            let lanes = ClassLanes(database: app.services.database, logger: TestBackend.logger)
            func book(_ session: String, _ who: ClassLaneTests.Booker) async throws -> String {
                let replies = lanes.enqueue([ClassLaneTests.book(app, org, session, who)])
                return ClassLaneTests.code(try #require(try await ClassLaneTests.answers(replies).first))
            }
            // Early first: the last hour of the week sees it.
            #expect(try await book(first, bookers[0]) == "confirmed", "first 0")
            #expect(try await book(last, bookers[0]) == "quota_week", "last 0")
            #expect(try await book(before, bookers[0]) == "confirmed", "before 0")
            // Late first: the first half hour of the week sees it.
            #expect(try await book(last, bookers[1]) == "confirmed", "last 1")
            #expect(try await book(first, bookers[1]) == "quota_week", "first 1")
            #expect(try await book(before, bookers[1]) == "confirmed", "before 1")
        }
    }
}
