import Foundation
import FrontdeskTestSupport
import Logging
import SQLiteNIO
import SQLKit
import Testing

@testable import FrontdeskStore

/// SQLite's kept hot statements are planned once (`SQLiteHotConnection`): a value bound where the
/// plan looked at it would otherwise make SQLite prepare the statement again at nearly every run.
@Suite("SQLite plans once", .enabled(if: TestBackend.current == .sqlite))
struct SQLitePlanStabilityTests {
    /// A filter no index serves (`note = $2`) and a `LIMIT $3`: both placeholders are looked at by the planner.
    struct Items: HotStatement {
        static let sql = "SELECT id FROM items WHERE k = $1 AND note = $2 ORDER BY id LIMIT $3"
        let key: String
        let note: String
        let limit: Int64
        var values: [HotValue] { [.text(key), .text(note), .integer(limit)] }
    }

    static func file() async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-plans-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("plans.sqlite").path
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: Logger(label: "test"))
        let sql = connection.sql()
        try await sql.raw("CREATE TABLE items (id INTEGER PRIMARY KEY, k TEXT NOT NULL, note TEXT NOT NULL)").run()
        try await sql.raw("CREATE INDEX items_k ON items (k)").run()
        try await sql.raw("INSERT INTO items (k, note) VALUES ('x', 'a'), ('x', 'b'), ('x', 'a'), ('y', 'a'), ('x', 'a')").run()
        try await connection.close()
        return path
    }

    @Test("a kept statement is planned once, whatever is bound; without stable plans new values plan it again")
    func keptStatementPlannedOnce() async throws {
        let path = try await Self.file()
        for stable in [true, false] {
            let connection = try await SQLiteHotConnection.open(path: path, stablePlans: stable)
            let runs: [(String, String, Int64, [Int])] = [
                ("x", "a", 10, [1, 3, 5]), ("x", "a", 2, [1, 3]), ("x", "b", 10, [2]), ("y", "a", 1, [4]), ("x", "a", 0, []),
            ]
            for (key, note, limit, expected) in runs {
                let rows = try await connection.run(Items(key: key, note: note, limit: limit))
                #expect(try rows.map { try $0.decode(column: "id", as: Int.self) } == expected, "\(key) \(note) \(limit)")
            }
            let reprepares = try #require(try await connection.reprepares(Items.self))
            if stable {
                #expect(reprepares == 0)
            } else {
                #expect(reprepares >= runs.count - 1)
            }
            await connection.close()
        }
    }
}

/// The hot readers' own SQLite errors mean what SQLiteNIO's mean to callers (`DatabaseErrors`): busy
/// is contention (retried, then 503 `busy`), an unusable file is unavailability (503 `database_unavailable`).
@Suite("SQLite hot readers' errors")
struct SQLiteStatementErrorTests {
    @Test("busy and locked, extended codes included, are contention; nothing else is")
    func busy() {
        for code: Int32 in [5, 6, 5 | (1 << 8), 5 | (2 << 8), 5 | (3 << 8), 6 | (1 << 8)] {
            #expect(DatabaseErrors.isContention(SQLiteStatementError(nil, code: code)), "\(code)")
        }
        for code: Int32 in [1, 4, 7, 19, 14, 10, 2067] {
            #expect(!DatabaseErrors.isContention(SQLiteStatementError(nil, code: code)), "\(code)")
        }
    }

    @Test("a file that cannot be opened, read or written is unavailability; a constraint or an error in the SQL is not")
    func unavailable() {
        for code: Int32 in [14, 10, 10 | (3 << 8), 8, 13, 11, 26] {
            #expect(DatabaseErrors.isUnavailable(SQLiteStatementError(nil, code: code)), "\(code)")
        }
        for code: Int32 in [1, 5, 19, 2067, 20, 25] {
            #expect(!DatabaseErrors.isUnavailable(SQLiteStatementError(nil, code: code)), "\(code)")
        }
    }

    @Test("a hot read of a file that is not a database fails as unavailable")
    func notADatabase() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-notdb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("garbage.sqlite").path
        try Data(repeating: 0x42, count: 8_192).write(to: URL(fileURLWithPath: path))
        do {
            let connection = try await SQLiteHotConnection.open(path: path)
            defer { Task { await connection.close() } }
            _ = try await connection.run(SQLitePlanStabilityTests.Items(key: "x", note: "a", limit: 1))
            Issue.record("a file that is not a database answered")
        } catch {
            #expect(DatabaseErrors.isUnavailable(error), "\(error)")
        }
    }
}
