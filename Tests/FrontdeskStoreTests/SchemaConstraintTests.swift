import Foundation
import FrontdeskCore
import FrontdeskStore
import FrontdeskTestSupport
import SQLKit
import Testing

@Suite("Schema constraints")
struct SchemaConstraintTests {
    /// Seeds an org, a user with a membership, a class type and a session; returns (sessionId, membershipId).
    static func seedSession(_ database: any FrontdeskDatabase) async throws -> (String, String) {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let user = try await AccountsStore(database: database).createUser(email: "a@example.com", name: "A", passwordHash: "x", now: now)
        let org = Organization(id: NewID.make(), name: "Org", timezone: "Europe/Berlin", createdAt: now, updatedAt: now)
        let (_, membership) = try await OrganizationsStore(database: database).create(org, ownerUserId: user.id)
        let catalog = CatalogStore(database: database)
        let program = Program(id: NewID.make(), organizationId: org.id, name: "P", deliveryMode: .schedule, createdAt: now)
        try await catalog.save(program, now: now)
        let type = ClassType(
            id: NewID.make(), organizationId: org.id, programId: program.id, name: "T", description: nil,
            defaultCapacity: 10, defaultDurationMin: 60, color: "#000000", createdAt: now)
        try await catalog.save(type, now: now)
        let session = ClassSession(
            id: NewID.make(), organizationId: org.id, classTypeId: type.id, locationId: nil, coachMembershipId: nil,
            startsAt: now.addingTimeInterval(86_400), durationMin: 60, capacity: 10, status: .published,
            createdAt: now, updatedAt: now)
        try await SessionsStore(database: database).insert([session], createdBy: membership.id)
        return (session.id, membership.id)
    }

    static func insertBooking(_ database: any FrontdeskDatabase, session: String, membership: String, status: String) async throws {
        try await database.transaction { sql in
            let org = try await sql.raw("SELECT organization_id FROM class_sessions WHERE id = \(bind: session)").first()!
                .decode(column: "organization_id", as: String.self)
            try await sql.raw(
                """
                INSERT INTO bookings (id, organization_id, session_id, membership_id, status, created_at, updated_at)
                VALUES (\(bind: NewID.make()), \(bind: org), \(bind: session), \(bind: membership), \(bind: status), 0, 0)
                """
            ).run()
        }
    }

    @Test("the database allows one active booking per session and membership")
    func oneActiveBooking() async throws {
        try await withTestDatabase { database in
            let (session, membership) = try await Self.seedSession(database)
            try await Self.insertBooking(database, session: session, membership: membership, status: "cancelled")
            try await Self.insertBooking(database, session: session, membership: membership, status: "confirmed")
            for status in ["confirmed", "waitlisted", "attended"] {
                do {
                    try await Self.insertBooking(database, session: session, membership: membership, status: status)
                    Issue.record("a second active booking (\(status)) was accepted")
                } catch {
                    #expect(DatabaseErrors.isUniqueViolation(error), "\(error)")
                }
            }
            try await Self.insertBooking(database, session: session, membership: membership, status: "cancelled")
        }
    }

    @Test("foreign keys and checks are enforced")
    func foreignKeysAndChecks() async throws {
        try await withTestDatabase { database in
            let (session, _) = try await Self.seedSession(database)
            do {
                try await Self.insertBooking(database, session: session, membership: NewID.make(), status: "confirmed")
                Issue.record("a booking for an unknown membership was accepted")
            } catch {
                #expect(DatabaseErrors.isConstraintViolation(error), "\(error)")
            }
            do {
                try await database.transaction { sql in
                    try await sql.raw("UPDATE class_sessions SET capacity = 0 WHERE id = \(bind: session)").run()
                }
                Issue.record("capacity 0 was accepted")
            } catch {
                #expect(DatabaseErrors.isConstraintViolation(error), "\(error)")
            }
        }
    }

    @Test("e-mail addresses are unique whatever their case")
    func caseInsensitiveEmail() async throws {
        try await withTestDatabase { database in
            let accounts = AccountsStore(database: database)
            _ = try await accounts.createUser(email: "Maya@Example.com", name: "Maya", passwordHash: "x", now: Date())
            await #expect(throws: DomainError(.emailTaken, "A user with this e-mail address already exists.")) {
                _ = try await accounts.createUser(email: "maya@example.COM", name: "Other", passwordHash: "y", now: Date())
            }
            #expect(try await accounts.credentials(email: "MAYA@example.com")?.user.name == "Maya")
        }
    }

    @Test("rate limit windows count per key and reset in the next window")
    func rateLimitWindows() async throws {
        try await withTestDatabase { database in
            let limits = RateLimitStore(database: database)
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            var hits: [Int] = []
            for _ in 1...3 { hits.append(try await limits.hit("k", windowSeconds: 900, now: now)) }
            #expect(hits == [1, 2, 3])
            let same = try await limits.count("k", windowSeconds: 900, now: now)
            let other = try await limits.count("other", windowSeconds: 900, now: now)
            let next = try await limits.count("k", windowSeconds: 900, now: now.addingTimeInterval(900))
            #expect(same == 3)
            #expect(other == 0)
            #expect(next == 0)
        }
    }
}
