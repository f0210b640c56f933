import Foundation
import FrontdeskCore
import FrontdeskTestSupport
import SQLKit
import Testing

@testable import FrontdeskStore

/// SQLKit's statements on PostgreSQL run as named prepared statements once frequent
/// (`PostgresPreparedSQL`): the answers are those of unnamed statements, and what PostgresNIO keeps
/// about a connection's prepared statements never turns into an error the statement would not have
/// had unprepared.
@Suite("PostgreSQL statements prepared once frequent")
struct PreparedStatementsTests {
    /// A backend of one write and one read connection in a schema of its own (so every statement of
    /// the test meets the same connection's prepared statements), dropped after.
    static func withOneConnection(_ body: (PostgresBackend) async throws -> Void) async throws {
        try await withTestDatabase(migrate: false, connections: (1, 1)) { database in
            try await body(try #require(database as? PostgresBackend))
        }
    }

    /// The statements of this backend prepared on its read connection.
    static func preparedOnReader(_ database: PostgresBackend) async throws -> [String] {
        try await database.read { sql in
            try await sql.raw("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'frontdesk_sql_%'").all()
                .map { try $0.decode(column: "statement", as: String.self) }
        }
    }

    @Test("a text run often is prepared on its connection; every answer, NULLs and types included, is the unnamed one's")
    func preparedAnswers() async throws {
        guard TestBackend.current == .postgres else { return }
        try await Self.withOneConnection { database in
            let text = "SELECT CAST(\u{24}1 AS BIGINT) + 1 AS n, \u{24}2 AS t, \u{24}3 AS flag"
            for round in 0..<(PreparedStatements.promoteAfter + 3) {
                let label: String? = round.isMultiple(of: 2) ? "even \(round)" : nil
                let row = try await database.read { sql in
                    try await sql.raw("SELECT CAST(\(bind: round) AS BIGINT) + 1 AS n, \(bind: label) AS t, \(bind: round > 2) AS flag")
                        .first()!
                }
                #expect(try row.decode(column: "n", as: Int.self) == round + 1)
                #expect(try row.decode(column: "t", as: String?.self) == label)
                #expect(try row.decode(column: "flag", as: Bool.self) == (round > 2))
                #expect(try row.decodeNil(column: "t") == (label == nil))
                #expect(try row.decodeNil(column: "absent"))
                #expect(throws: (any Error).self) { try row.decode(column: "absent", as: Int.self) }
            }
            // Once with a text, once with NULL in the second place: two statements, each with its own parameter types.
            let prepared = try await Self.preparedOnReader(database)
            #expect(prepared.filter { $0 == text }.count == 2, "\(prepared)")
            // A statement run fewer times stays unnamed.
            _ = try await database.read { sql in try await sql.raw("SELECT \(bind: 1) AS rare").all() }
            #expect(try await Self.preparedOnReader(database).contains { $0.contains("rare") } == false)
        }
    }

    @Test("a statement first prepared in a failed transaction does not stay broken on its connection")
    func preparedInFailedTransaction() async throws {
        guard TestBackend.current == .postgres else { return }
        try await Self.withOneConnection { database in
            try await database.writeStatement { sql in try await sql.raw("CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT)").run() }
            @Sendable func note(_ sql: any SQLDatabase, _ id: Int) async throws -> String? {
                try await sql.raw("SELECT body FROM notes WHERE id = \(bind: id)").first()?.decode(column: "body", as: String?.self)
            }
            try await database.writeStatement { sql in try await sql.raw("INSERT INTO notes VALUES (\(bind: 1), \(bind: "one"))").run() }
            // Counted towards being prepared, not yet prepared.
            for _ in 1..<PreparedStatements.promoteAfter { #expect(try await database.writeStatement { try await note($0, 1) } == "one") }
            // The transaction fails, then the statement's first preparation is refused ("current transaction is aborted").
            do {
                _ = try await database.transaction { sql in
                    do {
                        try await sql.raw("SELECT 1 / \(bind: 0) AS boom").run()
                        Issue.record("a division by zero succeeded")
                    } catch {
                        #expect(DatabaseErrors.sqlState(error) == "22012")
                    }
                    return try await note(sql, 1)
                }
                Issue.record("a statement in a failed transaction succeeded")
            } catch {
                #expect(DatabaseErrors.sqlState(error) == "25P02")
            }
            for _ in 0..<3 { #expect(try await database.writeStatement { try await note($0, 1) } == "one") }
        }
    }

    @Test("a prepared SELECT * whose table gains a column answers with the column, alone and in a transaction")
    func stalePlan() async throws {
        guard TestBackend.current == .postgres else { return }
        try await Self.withOneConnection { database in
            try await database.writeStatement { sql in
                try await sql.raw("CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT)").run()
                try await sql.raw("INSERT INTO notes VALUES (\(bind: 1), \(bind: "one"))").run()
            }
            @Sendable func columns(_ sql: any SQLDatabase) async throws -> [String] {
                try await sql.raw("SELECT * FROM notes WHERE id = \(bind: 1)").first()!.allColumns
            }
            for _ in 0..<(PreparedStatements.promoteAfter + 1) {
                #expect(try await database.read(columns) == ["id", "body"])
                #expect(try await database.transaction(columns) == ["id", "body"])
            }
            // A migration of a newer version, run while this process serves.
            try await database.writeStatement { sql in try await sql.raw("ALTER TABLE notes ADD COLUMN pinned BOOLEAN").run() }
            #expect(try await database.read(columns) == ["id", "body", "pinned"])
            #expect(try await database.transaction(columns) == ["id", "body", "pinned"])
        }
    }
}
