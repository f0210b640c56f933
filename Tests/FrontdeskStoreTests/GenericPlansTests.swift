import Foundation
import FrontdeskCore
import FrontdeskTestSupport
import SQLKit
import Testing

@testable import FrontdeskStore

/// The batched statements of the hot paths on PostgreSQL are planned once per connection, not at
/// every batch: one text whatever the batch's size, and plans that PostgreSQL can keep generic.
@Suite("PostgreSQL batches planned once")
struct GenericPlansTests {
    /// Prepared statements on the connection `sql` runs on whose text contains `fragment`.
    static func prepared(
        _ sql: any SQLDatabase, containing fragment: String
    ) async throws -> [(
        statement: String, generic: Int, custom: Int
    )] {
        try await sql.raw(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE \(bind: "%\(fragment)%")"
        ).all().map {
            (
                try $0.decode(column: "statement", as: String.self), try $0.decode(column: "generic_plans", as: Int.self),
                try $0.decode(column: "custom_plans", as: Int.self)
            )
        }
    }

    @Test("login look-ups of any batch size share one statement, and PostgreSQL settles on its generic plan")
    func loginLookupsPlannedGenerically() async throws {
        guard TestBackend.current == .postgres else { return }
        try await withTestDatabase(connections: (1, 1)) { database in
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            // A studio's logins, with statistics: with empty tables every plan is cheap and any would do.
            try await database.transaction { sql in
                try await sql.raw(
                    """
                    INSERT INTO users (id, email, email_normalized, name, password_hash, created_at, updated_at)
                    SELECT 'user-' || g, 'm' || g || '@example.test', 'm' || g || '@example.test', 'Member', 'x', 0, 0
                    FROM generate_series(1, 3000) g
                    """
                ).run()
                try await sql.raw(
                    """
                    INSERT INTO auth_sessions (id, user_id, token_hash, created_at, expires_at, last_used_at)
                    SELECT 'session-' || g, 'user-' || g, 'hash-' || g, 0, 4000000000, 0 FROM generate_series(1, 3000) g
                    """
                ).run()
            }
            try await database.transaction { sql in try await sql.raw("ANALYZE").run() }
            // Small batches, the rush's and the check-in's: a custom plan costs them below the generic one.
            for round in 0..<12 {
                let lookups = (0...(round % 4)).map { LoginLookup(tokenHash: "hash-\(round * 4 + $0 + 1)", sessionId: nil, now: now) }
                let found = try await LoginLookups.read(lookups, database: database)
                #expect(found.map { $0?.login.user.id } == lookups.indices.map { "user-\(round * 4 + $0 + 1)" })
            }
            let statements = try await database.read { sql in try await Self.prepared(sql, containing: "q_index") }
            #expect(statements.count == 1, "\(statements.map(\.statement))")
            let plans = try #require(statements.first)
            // PostgreSQL tries five custom plans, then keeps the generic one when it costs no more.
            #expect(plans.custom <= 5)
            #expect(plans.generic >= 3)
        }
    }

    @Test("check-in batches of any size are one statement on PostgreSQL")
    func checkinBatchesOneText() async throws {
        guard TestBackend.current == .postgres else { return }
        try await withTestDatabase(connections: (1, 1)) { database in
            let created = Date(timeIntervalSince1970: 1_800_000_000)
            let org = Organization(id: NewID.make(), name: "Studio", timezone: "Europe/Berlin", createdAt: created, updatedAt: created)
            for size in [2, 3, 5, 8, 2, 13, 4, 6] {
                let batch = (0..<size).map { _ in
                    FastCheckin(
                        org: org, sessionId: NewID.make(), membershipId: NewID.make(), method: .qr,
                        actorMembershipId: NewID.make(), now: created)
                }
                // No such bookings: every guard fails, every answer is nil (the caller then takes the locked path).
                let answers = await CheckinBatcher.perform(batch, database: database)
                #expect(answers.count == size)
                #expect(answers.allSatisfy { (try? $0.get()) == .some(nil) })
            }
            let statements = try await database.transaction { sql in try await Self.prepared(sql, containing: "arrivals") }
            #expect(statements.count == 1, "\(statements.map(\.statement))")
            // Named once the text was seen often enough, then every batch ran it by name.
            let named = statements.first.map { $0.generic + $0.custom } ?? 0
            #expect(named >= 8 - PreparedStatements.promoteAfter && named <= 8)
        }
    }

    @Test("a batch's members' facts, of any size, are one statement on PostgreSQL, and PostgreSQL settles on its generic plan")
    func memberFactsOneText() async throws {
        guard TestBackend.current == .postgres else { return }
        try await withTestDatabase(connections: (1, 1)) { database in
            // Sizes a class release's batches have; unknown ids, so every answer is empty.
            for size in [1, 3, 7, 2, 12, 5, 1, 9, 4, 6, 2, 8, 3, 11] {
                let (classes, facts) = try await database.transaction { sql in
                    try await BatchMemberFacts.readWithClasses(
                        sql, membershipIds: (0..<size).map { _ in NewID.make() }, sessionIds: (0...(size % 3)).map { _ in NewID.make() })
                }
                #expect(classes.isEmpty && facts.members.isEmpty)
            }
            let statements = try await database.transaction { sql in try await Self.prepared(sql, containing: "AS fact") }
            #expect(statements.count == 1, "\(statements.map(\.statement))")
            let plans = try #require(statements.first)
            // Named after `promoteAfter` runs; five custom plans, then the generic one, which costs the same.
            let named = plans.generic + plans.custom
            #expect(named >= 14 - PreparedStatements.promoteAfter && named <= 14)
            #expect(plans.custom <= 5)
            #expect(plans.generic >= 4)
        }
    }
}
