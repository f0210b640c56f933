import Foundation
import FrontdeskStore
import FrontdeskTestSupport
import SQLKit
import Testing

@Suite("Hot statements")
struct HotStatementTests {
    /// Placeholders used twice, out of order and past `$9`, with a `$` that is not a placeholder.
    struct Probe: HotStatement {
        static let sql = """
            SELECT $2 AS second, $1 AS first, $1 || $10 AS joined, $9 + $3 AS sum, '$' AS dollar
            """
        var values: [HotValue] {
            [.text("a"), .text("b"), .integer(4), .integer(0), .integer(0), .integer(0), .integer(0), .integer(0), .integer(5), .text("z")]
        }
    }

    struct Insert: HotStatement {
        static let sql = "INSERT INTO probes (id, label) VALUES ($1, $2) RETURNING id, label"
        let id: Int64
        let label: String
        var values: [HotValue] { [.integer(id), .text(label)] }
    }

    @Test("binds every placeholder, repeated and multi-digit, on both engines, every time")
    func bindsPlaceholders() async throws {
        try await withTestDatabase { database in
            // Twice: the second run on PostgreSQL executes the already prepared statement by name.
            for _ in 0..<2 {
                let row = try #require(try await database.run(Probe(), write: false).first)
                #expect(try row.decode(column: "second", as: String.self) == "b")
                #expect(try row.decode(column: "first", as: String.self) == "a")
                #expect(try row.decode(column: "joined", as: String.self) == "az")
                #expect(try row.decode(column: "sum", as: Int.self) == 9)
                #expect(try row.decode(column: "dollar", as: String.self) == "$")
            }
        }
    }

    @Test("a write statement commits on its own and returns its rows")
    func writeStatement() async throws {
        try await withTestDatabase { database in
            try await database.transaction { sql in
                try await sql.raw("CREATE TABLE probes (id BIGINT PRIMARY KEY, label TEXT NOT NULL)").run()
            }
            let rows = try await database.run(Insert(id: 7, label: "seven"), write: true)
            #expect(try rows.map { try $0.decode(column: "label", as: String.self) } == ["seven"])
            let stored = try await database.read { sql in
                try await sql.raw("SELECT label FROM probes WHERE id = 7").first()?.decode(column: "label", as: String.self)
            }
            #expect(stored == "seven")
            await #expect(throws: (any Error).self) { try await database.run(Insert(id: 7, label: "again"), write: true) }
        }
    }
}

@Suite("Hot statements after shutdown")
struct HotStatementShutdownTests {
    @Test("a closed database throws")
    func closed() async throws {
        try await withTestDatabase { database in
            await database.shutdown()
            await #expect(throws: (any Error).self) { try await database.run(HotStatementTests.Probe(), write: false) }
        }
    }
}
