import Foundation
import FrontdeskCore
import FrontdeskFixtures
import FrontdeskStore
import FrontdeskTestSupport
import SQLKit
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test("apply from empty, then nothing is pending and a second run applies nothing")
    func appliesFromEmptyAndIsIdempotent() async throws {
        try await withTestDatabase(migrate: false) { database in
            let migrator = Migrator(database: database)
            let before = try await migrator.status()
            #expect(before.applied.isEmpty)
            #expect(before.pending == Migrator.all.map(\.version))

            let applied = try await migrator.migrate(now: Date())
            #expect(applied == Migrator.all.map(\.version))
            #expect(try await migrator.migrate(now: Date()).isEmpty)
            let after = try await migrator.status()
            #expect(after.pending.isEmpty)
            #expect(after.applied == Migrator.all.map(\.version))

            // Every table of SPEC §1 exists and is queryable.
            let tables = [
                "organizations", "users", "memberships", "programs", "class_types", "locations", "class_sessions",
                "bookings", "plans", "subscriptions", "credit_ledger", "workouts", "session_workouts",
                "daily_programming", "audit_logs", "displays", "notification_outbox", "notification_preferences",
                "push_tokens", "auth_sessions", "signing_keys", "idempotency_keys", "rate_limit_buckets",
            ]
            for table in tables {
                let row = try await database.read { sql in
                    try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()
                }
                #expect(try row?.decode(column: "n", as: Int.self) == 0, "table \(table)")
            }
        }
    }

    @Test("concurrent migrators take turns and apply each step once")
    func concurrentMigrators() async throws {
        try await withTestDatabase(migrate: false) { database in
            let results = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 { group.addTask { try await Migrator(database: database).migrate(now: Date()) } }
                return try await group.reduce(into: [[Int]]()) { $0.append($1) }
            }
            #expect(results.flatMap { $0 }.sorted() == Migrator.all.map(\.version))
            let count = try await database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM schema_migrations").first()?.decode(column: "n", as: Int.self)
            }
            #expect(count == Migrator.all.count)
        }
    }

    @Test("migration 10 counts the places taken and waitlists of the classes that exist, then keeps them")
    func classCountsBackfill() async throws {
        try await withTestDatabase(migrate: false) { database in
            let before = Array(Migrator.all.prefix { $0.version < 10 })
            try await Migrator(database: database, migrations: before).migrate(now: Date())
            let booked = try await RushFixture.create(database: database, members: 7, capacity: 10, now: Date(), booked: true)
            let empty = try await RushFixture.create(database: database, members: 2, capacity: 10, now: Date())
            try await database.transaction { sql in
                // Two of the booked class's members waiting instead, one cancelled.
                try await sql.raw(
                    """
                    UPDATE bookings SET status = 'waitlisted', waitlist_position = 1 WHERE id IN (
                        SELECT id FROM bookings WHERE session_id = \(bind: booked.sessionId) ORDER BY id LIMIT 2)
                    """
                ).run()
                try await sql.raw(
                    """
                    UPDATE bookings SET status = 'cancelled' WHERE id IN (
                        SELECT id FROM bookings WHERE session_id = \(bind: booked.sessionId) AND status = 'confirmed' ORDER BY id LIMIT 1)
                    """
                ).run()
            }
            let through10 = Array(Migrator.all.prefix { $0.version <= 10 })
            #expect(try await Migrator(database: database, migrations: through10).migrate(now: Date()) == [10])
            func kept(_ session: String) async throws -> [Int] {
                try await database.read { sql in
                    let row = try await sql.raw(
                        "SELECT places_taken, waitlist_length FROM class_sessions WHERE id = \(bind: session)"
                    ).first()
                    return [
                        try row?.decode(column: "places_taken", as: Int.self) ?? -1,
                        try row?.decode(column: "waitlist_length", as: Int.self) ?? -1,
                    ]
                }
            }
            #expect(try await kept(booked.sessionId) == [4, 2])
            #expect(try await kept(empty.sessionId) == [0, 0])
            // From now on the triggers keep them.
            try await database.transaction { sql in
                try await sql.raw("UPDATE bookings SET status = 'confirmed', waitlist_position = NULL WHERE status = 'waitlisted'").run()
            }
            #expect(try await kept(booked.sessionId) == [6, 0])
            let miscounted = try await database.read { sql in
                try await sql.raw(SQLQueryString(ClassCountsCheck.miscounted)).first()?.decode(column: "n", as: Int.self)
            }
            #expect(miscounted == 0)
        }
    }

    @Test("a recorded migration that differs from the binary stops everything")
    func checksumMismatch() async throws {
        try await withTestDatabase { database in
            try await database.transaction { sql in
                try await sql.raw("UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1").run()
            }
            await #expect(throws: MigrationMismatch.self) { try await Migrator(database: database).status() }
            await #expect(throws: MigrationMismatch.self) { try await Migrator(database: database).migrate(now: Date()) }
        }
    }

    @Test("a database migrated by a newer binary is refused")
    func unknownMigration() async throws {
        try await withTestDatabase { database in
            try await database.transaction { sql in
                try await sql.raw("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, 'future', 'x', 0)")
                    .run()
            }
            await #expect(throws: MigrationMismatch.self) { try await Migrator(database: database).status() }
        }
    }
}
