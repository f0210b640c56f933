import Foundation
import FrontdeskTestSupport
import SQLKit
import Testing

@testable import FrontdeskStore

/// `PortableSQL.isIn`: a set of ids in a batch's statement, one array on PostgreSQL (the same text
/// for every size), a list of binds on SQLite — the same rows either way.
@Suite("IN a set of ids, on both databases")
struct PortableInListTests {
    static func matching(_ database: any FrontdeskDatabase, _ values: [String]) async throws -> [String] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT column1 AS v FROM (VALUES ('a'), ('b'), ('c'), ('d')) AS t
                WHERE column1 \(PortableSQL.isIn(sql, values)) ORDER BY column1
                """
            ).all().map { try $0.decode(column: "v", as: String.self) }
        }
    }

    @Test("matches exactly the set: one, several, repeated, unknown, none; the same text for every size on PostgreSQL")
    func matchesTheSet() async throws {
        try await withTestDatabase(migrate: false) { database in
            #expect(try await Self.matching(database, ["b"]) == ["b"])
            #expect(try await Self.matching(database, ["d", "a", "c"]) == ["a", "c", "d"])
            #expect(try await Self.matching(database, ["a", "a", "b"]) == ["a", "b"])
            #expect(try await Self.matching(database, ["x", "c"]) == ["c"])
            // An id with a quote or a comma is a value, never SQL or an array's separator.
            #expect(try await Self.matching(database, ["a', 'b", "c,d", "{a}"]) == [])
            #expect(try await Self.matching(database, []) == [])
            try await database.read { sql in
                let one = sql.serialize(PortableSQL.isIn(sql, ["a"]))
                let three = sql.serialize(PortableSQL.isIn(sql, ["a", "b", "c"]))
                if database.backend == .postgres {
                    #expect(one.sql == three.sql)
                    #expect(three.binds.count == 1)
                } else {
                    #expect(three.binds.count == 3)
                }
            }
        }
    }
}
