import Foundation
import FrontdeskTestSupport
import SQLKit
import Testing

@testable import FrontdeskStore

/// INSERTs held in a class lane's batch (`PendingInserts`) and sent together: one statement on
/// PostgreSQL, the same rows as one statement each.
@Suite("Pending inserts")
struct PendingInsertsTests {
    static let tables = [
        "CREATE TABLE parents (id TEXT PRIMARY KEY, name TEXT NOT NULL)",
        "CREATE TABLE children (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES parents(id))",
    ]

    static func count(_ database: any FrontdeskDatabase, _ table: String) async throws -> Int {
        try await database.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()!.decode(column: "n", as: Int.self)
        }
    }

    @Test("held INSERTs go as one statement on PostgreSQL: a child's parent in an earlier part, a repeated key inserted once")
    func oneStatement() async throws {
        try await withTestDatabase(migrate: false) { database in
            try await database.transaction { sql in
                for table in Self.tables { try await sql.raw(SQLQueryString(table)).run() }
            }
            let before = database.statementCount
            try await database.transaction { sql in
                try await PendingInserts.collecting(sql) {
                    try await PendingInserts.add(sql, ["INSERT INTO parents (id, name) VALUES (\(bind: "p1"), \(bind: "one"))"])
                    try await PendingInserts.add(sql, ["INSERT INTO children (id, parent_id) VALUES (\(bind: "c1"), \(bind: "p1"))"])
                    try await PendingInserts.add(
                        sql,
                        [
                            "INSERT INTO parents (id, name) VALUES (\(bind: "p2"), \(bind: "two")) ON CONFLICT (id) DO NOTHING",
                            "INSERT INTO parents (id, name) VALUES (\(bind: "p2"), \(bind: "again")) ON CONFLICT (id) DO NOTHING",
                        ])
                }
            }
            // BEGIN, the inserts, COMMIT.
            let sent = database.statementCount - before - 2
            #expect(sent == (database.backend == .postgres ? 1 : 4))
            #expect(try await Self.count(database, "parents") == 2)
            #expect(try await Self.count(database, "children") == 1)
            let name = try await database.read { sql in
                try await sql.raw("SELECT name FROM parents WHERE id = 'p2'").first()!.decode(column: "name", as: String.self)
            }
            // Which of the two stays is not fixed on PostgreSQL (the parts run in no set order).
            #expect(database.backend == .postgres ? ["two", "again"].contains(name) : name == "two")
        }
    }

    @Test("a flush sends what is held, so a read after it sees the rows; a failing part undoes the whole transaction")
    func flushAndFailure() async throws {
        try await withTestDatabase(migrate: false) { database in
            try await database.transaction { sql in
                for table in Self.tables { try await sql.raw(SQLQueryString(table)).run() }
            }
            let seen = try await database.transaction { sql in
                try await PendingInserts.collecting(sql) {
                    try await PendingInserts.add(sql, ["INSERT INTO parents (id, name) VALUES (\(bind: "p1"), \(bind: "one"))"])
                    try await PendingInserts.flush(sql)
                    return try await sql.raw("SELECT COUNT(*) AS n FROM parents").first()!.decode(column: "n", as: Int.self)
                }
            }
            #expect(seen == 1)
            // An orphan child in the last part: the parent of the first part goes too.
            await #expect(throws: (any Error).self) {
                try await database.transaction(TransactionOptions(maxAttempts: 1)) { sql in
                    try await PendingInserts.collecting(sql) {
                        try await PendingInserts.add(sql, ["INSERT INTO parents (id, name) VALUES (\(bind: "p3"), \(bind: "three"))"])
                        try await PendingInserts.add(
                            sql, ["INSERT INTO children (id, parent_id) VALUES (\(bind: "c9"), \(bind: "nobody"))"])
                    }
                }
            }
            #expect(try await Self.count(database, "parents") == 1)
            #expect(try await Self.count(database, "children") == 0)
        }
    }
}
