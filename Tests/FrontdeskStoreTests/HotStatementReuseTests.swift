import Foundation
import FrontdeskStore
import FrontdeskTestSupport
import SQLKit
import Testing

/// Hot reads keep their statements prepared (PostgreSQL: named statements; SQLite:
/// `SQLiteHotConnection`): each run must see only its own values and the latest commits, and its
/// rows must read exactly as the same text's rows through SQLKit.
@Suite("Hot statements kept prepared")
struct HotStatementReuseTests {
    struct Items: HotStatement {
        static let sql = """
            SELECT i.id, i.label, i.price, i.note, i.made_at, i.id AS copy, o.label AS owner_label, i.label AS label
            FROM hot_items i LEFT JOIN hot_items o ON o.id = i.owner
            WHERE i.label >= $1 AND i.id <= $2
            ORDER BY i.id
            """
        let from: String
        let upTo: Int64
        var values: [HotValue] { [.text(from), .integer(upTo)] }
    }

    /// Fails while running (not while preparing) unless `$1` is a valid JSON text.
    struct JSONField: HotStatement {
        static let sql = "SELECT json_extract($1, '$.a') AS a"
        let json: String
        var values: [HotValue] { [.text(json)] }
    }

    struct Sneaky: HotStatement {
        static let sql = "INSERT INTO hot_items (id, label, price, made_at) VALUES ($1, 'sneaky', 0, 0) RETURNING id"
        let id: Int64
        var values: [HotValue] { [.integer(id)] }
    }

    static func create(_ database: any FrontdeskDatabase) async throws {
        try await database.transaction { sql in
            try await sql.raw(
                """
                CREATE TABLE hot_items (id BIGINT PRIMARY KEY, label TEXT NOT NULL, price DOUBLE PRECISION NOT NULL,
                    note TEXT, made_at BIGINT NOT NULL, owner BIGINT)
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO hot_items (id, label, price, note, made_at, owner) VALUES
                    (1, 'apple', 1.5, NULL, 1700000000, NULL), (2, 'banana', 0.25, 'ripe', 1700000100, 1),
                    (3, 'cherry', 12, 'née ☕', 1700000200, 2)
                """
            ).run()
        }
    }

    @Test("a row reads as the same text's row through SQLKit: types, nulls, a repeated name (first wins)")
    func rowsReadAsSQLKitRows() async throws {
        try await withTestDatabase { database in
            try await Self.create(database)
            let statement = Items(from: "a", upTo: 3)
            let hot = try await database.run(statement, write: false)
            let plain = try await database.read { sql in
                try await sql.raw(
                    """
                    SELECT i.id, i.label, i.price, i.note, i.made_at, i.id AS copy, o.label AS owner_label, i.label AS label
                    FROM hot_items i LEFT JOIN hot_items o ON o.id = i.owner
                    WHERE i.label >= \(bind: "a") AND i.id <= \(bind: Int64(3))
                    ORDER BY i.id
                    """
                ).all()
            }
            #expect(hot.count == 3)
            #expect(hot.count == plain.count)
            for (a, b) in zip(hot, plain) {
                #expect(a.allColumns == b.allColumns)
                #expect(try a.decode(column: "id", as: Int.self) == b.decode(column: "id", as: Int.self))
                #expect(try a.decode(column: "label", as: String.self) == b.decode(column: "label", as: String.self))
                #expect(try a.decode(column: "price", as: Double.self) == b.decode(column: "price", as: Double.self))
                #expect(try a.decode(column: "note", as: String?.self) == b.decode(column: "note", as: String?.self))
                #expect(try a.decodeNil(column: "note") == b.decodeNil(column: "note"))
                #expect(try a.decode(column: "made_at", as: Int64.self) == b.decode(column: "made_at", as: Int64.self))
                #expect(
                    try a.decode(column: "owner_label", as: String?.self) == b.decode(column: "owner_label", as: String?.self))
                #expect(a.contains(column: "copy") && !a.contains(column: "missing"))
                #expect(throws: (any Error).self) { try a.decode(column: "missing", as: String.self) }
            }
            #expect(try hot.map { try $0.decode(column: "note", as: String?.self) } == [nil, "ripe", "née ☕"])
        }
    }

    @Test("each run sees its own values")
    func eachRunItsOwnValues() async throws {
        try await withTestDatabase { database in
            try await Self.create(database)
            for (from, upTo, expected) in [("a", Int64(3), [1, 2, 3]), ("b", 2, [2]), ("c", 3, [3]), ("z", 3, []), ("a", 1, [1])] {
                let ids = try await database.run(Items(from: from, upTo: upTo), write: false).map {
                    try $0.decode(column: "id", as: Int.self)
                }
                #expect(ids == expected, "from \(from) up to \(upTo)")
            }
        }
    }

    /// SQLite: the kept statement is reset after a run that failed while stepping.
    @Test("a run after one that failed sees its own values", .enabled(if: TestBackend.current == .sqlite))
    func runAfterFailure() async throws {
        try await withTestDatabase { database in
            let good = try await database.run(JSONField(json: #"{"a":"one"}"#), write: false)
            #expect(try good.first?.decode(column: "a", as: String.self) == "one")
            await #expect(throws: (any Error).self) { try await database.run(JSONField(json: "{not json"), write: false) }
            let again = try await database.run(JSONField(json: #"{"a":"two"}"#), write: false)
            #expect(try again.first?.decode(column: "a", as: String.self) == "two")
        }
    }

    @Test("a hot read sees every commit before it, concurrent reads each get their own rows")
    func seesCommitsAndRunsConcurrently() async throws {
        try await withTestDatabase { database in
            try await Self.create(database)
            for id in Int64(10)..<Int64(15) {
                try await database.transaction { sql in
                    try await sql.raw(
                        "INSERT INTO hot_items (id, label, price, made_at) VALUES (\(bind: id), 'late', 1, 0)"
                    ).run()
                }
                let ids = try await database.run(Items(from: "late", upTo: 100), write: false).map {
                    try $0.decode(column: "id", as: Int64.self)
                }
                #expect(ids == Array(10...id))
            }
            let answers = try await withThrowingTaskGroup(of: (Int64, [Int64]).self) { group in
                for upTo in Int64(0)..<Int64(40) {
                    group.addTask {
                        let rows = try await database.run(Items(from: "a", upTo: upTo % 4), write: false)
                        return (upTo, try rows.map { try $0.decode(column: "id", as: Int64.self) })
                    }
                }
                return try await group.reduce(into: [(Int64, [Int64])]()) { $0.append($1) }
            }
            #expect(answers.count == 40)
            for (upTo, ids) in answers { #expect(ids == Array(Int64(1)...max(1, upTo % 4)).filter { $0 <= upTo % 4 }) }
        }
    }

    /// SQLite's hot readers are opened `query_only` (PostgreSQL's read pool is not read-only).
    @Test("a statement run as a read cannot write", .enabled(if: TestBackend.current == .sqlite))
    func readCannotWrite() async throws {
        try await withTestDatabase { database in
            try await Self.create(database)
            await #expect(throws: (any Error).self) { try await database.run(Sneaky(id: 99), write: false) }
            let count = try await database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM hot_items WHERE id = 99").first()?.decode(column: "n", as: Int.self)
            }
            #expect(count == 0)
        }
    }
}
