import Foundation
import FrontdeskCore
@testable import FrontdeskServer
@testable import FrontdeskStore
import FrontdeskTestSupport
import Synchronization
import Testing

/// A cancel finds its class's lane and checks who may cancel from where the booking belongs, kept
/// for the bookings this process made or read (`BookingHomes`): no read of the booking before the
/// lane, which reads it under the class's lock.
@Suite("Where bookings belong")
struct BookingHomesTests {
    /// The same database served by services of their own (another process's memory, same rows).
    static func elsewhere<T: Sendable>(_ app: TestApp, _ body: @Sendable (TestApp) async throws -> T) async throws -> T {
        let other = AppServices(
            configuration: app.services.configuration, clock: app.clock, database: app.services.database, logger: TestBackend.logger)
        let built = buildApplication(services: other)
        let (routes, clock) = (built.routes, app.clock)
        let result = Mutex<T?>(nil)
        try await built.application().test(.router) { client in
            let value = try await body(TestApp(services: other, clock: clock, client: client, routes: routes))
            result.withLock { $0 = value }
        }
        return try #require(result.withLock { $0 })
    }

    /// A cancel through `app` and the statements it sent.
    static func cancel(_ app: TestApp, _ booking: String, token: String) async throws -> (reply: Reply, statements: Int) {
        let before = app.services.database.statementCount
        let reply = try await app.request(.post, "/api/bookings/\(booking)/cancel", token: token)
        return (reply, app.services.database.statementCount - before)
    }

    @Test("a cancel of a booking this process made reads no booking first; one it never saw reads it once; refusals unchanged")
    func cancelWithoutRead() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(3 * 86_400))
            let members = try await app.quickMembers(studio.orgId, count: 2)
            let (maya, noor) = (members[0], members[1])
            let week = "/api/orgs/\(studio.orgId)/sessions"
            #expect(try await app.request(.get, week, token: maya.token).status == 200)

            // Refusals of a booking whose home is held: another member, another studio's owner, unknown ids.
            let first = try #require(try await app.book(session, token: maya.token).string("id"))
            #expect(app.services.bookingHomes.home(of: first)?.sessionId == session)
            #expect(try await app.request(.post, "/api/bookings/\(first)/cancel", token: noor.token).errorCode == "not_found")
            let stranger = try await app.studio()
            #expect(try await app.request(.post, "/api/bookings/\(first)/cancel", token: stranger.ownerToken).errorCode == "not_found")
            #expect(try await app.request(.post, "/api/bookings/\(NewID.make())/cancel", token: maya.token).errorCode == "not_found")
            #expect(try await app.request(.post, "/api/bookings/nope/cancel", token: maya.token).status == 404)

            let here = try await Self.cancel(app, first, token: maya.token)
            #expect(here.reply.status == 200, "\(here.reply.text)")
            #expect(here.reply.string("status") == "cancelled")
            // Cancelled already: the lane's own read answers, as before.
            #expect(try await app.request(.post, "/api/bookings/\(first)/cancel", token: maya.token).errorCode == "already_cancelled")

            // The same cancel, of bookings made alike, one made here and one made by another process.
            let later = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(4 * 86_400))
            let known = try #require(try await app.book(session, token: maya.token).string("id"))
            let unknown = try await Self.elsewhere(app) { other in try #require(try await other.book(later, token: maya.token).string("id"))
            }
            #expect(app.services.bookingHomes.home(of: unknown) == nil)
            // Starting the other services wrote (their first writes may change anything): the look-ups warm again.
            #expect(try await app.request(.get, week, token: maya.token).status == 200)
            let counted = try await Self.cancel(app, known, token: maya.token)
            #expect(counted.reply.status == 200, "\(counted.reply.text)")
            let read = try await Self.cancel(app, unknown, token: maya.token)
            #expect(read.reply.status == 200, "\(read.reply.text)")
            #expect(read.statements == counted.statements + 1, "the booking read once where it was not known")
            #expect(app.services.bookingHomes.home(of: unknown)?.sessionId == later)
            // A staff member cancels on a member's behalf, from the held home.
            let third = try #require(try await app.book(session, token: noor.token).string("id"))
            #expect(try await app.request(.post, "/api/bookings/\(third)/cancel", token: studio.ownerToken).status == 200)
        }
    }

    @Test("the homes held are bounded: past the capacity it starts afresh")
    func bounded() {
        let homes = BookingHomes()
        let now = Date(epochSeconds: 1_800_000_000)
        func booking() -> Booking {
            Booking(
                id: NewID.make(), organizationId: "o", sessionId: "s", membershipId: "m", subscriptionId: nil, status: .confirmed,
                waitlistPosition: nil, creditCharged: false, lateCancel: false, capacityOverride: false, checkedInAt: nil,
                checkinMethod: nil,
                cancelledAt: nil, createdAt: now, updatedAt: now)
        }
        for _ in 0..<BookingHomes.capacity { homes.note(booking()) }
        #expect(homes.count == BookingHomes.capacity)
        let last = booking()
        homes.note(last)
        #expect(homes.count == 1)
        #expect(homes.home(of: last.id) == BookingHomes.Home(last))
    }
}
