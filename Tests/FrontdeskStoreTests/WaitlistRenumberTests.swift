import Foundation
import FrontdeskCore
import FrontdeskFixtures
import FrontdeskTestSupport
import SQLKit
import Testing

@testable import FrontdeskStore

/// Renumbering waitlists (`WaitlistRows.renumber`) finds a class's waitlisted rows through
/// `bookings_session_status` and rewrites only the rows whose place changes; migration 11 keeps both
/// rewritten columns out of every index (so PostgreSQL rewrites them in place) and leaves room on
/// `bookings`' pages for that.
@Suite("Waitlist renumbering")
struct WaitlistRenumberTests {
    /// A class's bookings as (position, updated_at) in waitlist order, and its members in fixture order.
    static func waitlist(_ database: any FrontdeskDatabase, _ sessionId: String) async throws -> [[Int?]] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT waitlist_position, updated_at FROM bookings WHERE session_id = \(bind: sessionId) AND status = 'waitlisted'
                ORDER BY membership_id
                """
            ).all().map { [try $0.optionalInt("waitlist_position"), try $0.int("updated_at")] }
        }
    }

    /// Puts the bookings of `sessionId` (ordered by member) on the waitlist at `places`, created a
    /// second apart in that order (the first stays confirmed when `keepFirst`).
    static func place(
        _ database: any FrontdeskDatabase, _ sessionId: String, _ places: [Int], at time: Int64, keepFirst: Bool = false
    ) async throws {
        try await database.transaction { sql in
            let ids = try await sql.raw("SELECT id FROM bookings WHERE session_id = \(bind: sessionId) ORDER BY membership_id")
                .all().map { try $0.string("id") }
            let waiting = keepFirst ? Array(ids.dropFirst()) : ids
            for (index, (id, place)) in zip(waiting, places).enumerated() {
                try await sql.raw(
                    """
                    UPDATE bookings SET status = 'waitlisted', waitlist_position = \(bind: place),
                        created_at = \(bind: time + Int64(index)), updated_at = \(bind: time)
                    WHERE id = \(bind: id)
                    """
                ).run()
            }
        }
    }

    @Test("each named class's waitlist becomes 1…n in its order (place, then arrival); rows in place and other classes are not written")
    func renumbersNamedClassesOnly() async throws {
        try await withTestDatabase { database in
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let t = Int(now.epochSeconds)
            let a = try await RushFixture.create(database: database, members: 6, capacity: 1, now: now, booked: true)
            let b = try await RushFixture.create(database: database, members: 3, capacity: 1, now: now, booked: true)
            let c = try await RushFixture.create(database: database, members: 2, capacity: 1, now: now, booked: true)
            // A: gaps and a tie at 5 (the earlier arrival keeps the earlier place); the first is in place.
            try await Self.place(database, a.sessionId, [1, 5, 7, 5, 9], at: Int64(t), keepFirst: true)
            try await Self.place(database, b.sessionId, [1, 2, 3], at: Int64(t))
            try await Self.place(database, c.sessionId, [4, 8], at: Int64(t))
            let later = now.addingTimeInterval(60)
            try await database.transaction { sql in
                try await WaitlistRows.renumber(sql, sessionIds: [a.sessionId, b.sessionId, a.sessionId], now: later)
            }
            let l = Int(later.epochSeconds)
            #expect(try await Self.waitlist(database, a.sessionId) == [[1, t], [2, l], [4, l], [3, l], [5, l]])
            #expect(try await Self.waitlist(database, b.sessionId) == [[1, t], [2, t], [3, t]])
            #expect(try await Self.waitlist(database, c.sessionId) == [[4, t], [8, t]])
            // Renumbering nothing writes nothing.
            try await database.transaction { sql in try await WaitlistRows.renumber(sql, sessionIds: [], now: later) }
            #expect(try await Self.waitlist(database, c.sessionId) == [[4, t], [8, t]])
        }
    }

    @Test("ids probed through an index: the named ones match, an empty set matches none")
    func isInByIndex() async throws {
        try await withTestDatabase { database in
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let a = try await RushFixture.create(database: database, members: 2, capacity: 5, now: now, booked: true)
            let b = try await RushFixture.create(database: database, members: 3, capacity: 5, now: now, booked: true)
            func count(_ ids: [String]) async throws -> Int {
                try await database.read { sql in
                    try await sql.raw(
                        "SELECT COUNT(*) AS n FROM bookings WHERE session_id \(PortableSQL.isInByIndex(sql, ids)) AND status = 'confirmed'"
                    ).first()?.int("n") ?? -1
                }
            }
            #expect(try await count([a.sessionId]) == 2)
            #expect(try await count([a.sessionId, b.sessionId]) == 5)
            #expect(try await count([b.sessionId, NewID.make()]) == 3)
            #expect(try await count([]) == 0)
        }
    }

    @Test("migration 11: the class-and-status index holds neither rewritten column; PostgreSQL leaves a fifth of each page free")
    func indexAndFillFactor() async throws {
        try await withTestDatabase { database in
            let (columns, options) = try await database.read { sql -> ([String], String) in
                if PortableSQL.isPostgres(sql) {
                    let columns = try await sql.raw(
                        """
                        SELECT a.attname FROM pg_index i
                        JOIN pg_class x ON x.oid = i.indexrelid
                        JOIN pg_namespace n ON n.oid = x.relnamespace AND n.nspname = current_schema()
                        JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, place) ON TRUE
                        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                        WHERE x.relname = 'bookings_session_status' ORDER BY k.place
                        """
                    ).all().map { try $0.string("attname") }
                    let options =
                        try await sql.raw(
                            """
                            SELECT COALESCE(array_to_string(c.reloptions, ','), '') AS options FROM pg_class c
                            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
                            WHERE c.relname = 'bookings'
                            """
                        ).first()?.string("options") ?? ""
                    return (columns, options)
                }
                let columns = try await sql.raw("SELECT name FROM pragma_index_info('bookings_session_status') ORDER BY seqno")
                    .all().map { try $0.string("name") }
                return (columns, "")
            }
            #expect(columns == ["session_id", "status"])
            #expect(options == (database.backend == .postgres ? "fillfactor=80" : ""))
        }
    }
}
