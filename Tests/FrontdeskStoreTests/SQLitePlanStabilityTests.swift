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
