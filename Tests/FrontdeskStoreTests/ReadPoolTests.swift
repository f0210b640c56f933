import Foundation
import FrontdeskCore
import FrontdeskStore
import FrontdeskTestSupport
import SQLKit
import Testing

@Suite("Reads beside writers")
struct ReadPoolTests {
    /// `body`, or an error after `seconds` (a read stuck behind writers must fail the test, not hang it).
    static func within<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                throw DatabaseConfigurationError("no answer within \(seconds) s")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    /// A transaction holding `key` until `gate` finishes, and `waiters` more queued behind it on the
    /// same key: every write connection busy, as in a booking rush.
    static func holdWriters(
        _ database: any FrontdeskDatabase, key: String, waiters: Int, group: inout ThrowingTaskGroup<Void, any Error>,
        gate: AsyncStream<Void>
    ) {
        for _ in 0...waiters {
            group.addTask {
                try await database.transaction(TransactionOptions(lockKeys: [key])) { _ in
                    for await _ in gate {}
                }
            }
        }
    }

    @Test("on PostgreSQL a read is answered while every write connection waits on an advisory lock")
    func postgresReadPool() async throws {
        guard TestBackend.current == .postgres else { return }
        // Two write connections, two read connections; no schema needed.
        let database = try await PostgresBackend(
            url: TestBackend.postgresURL, logger: TestBackend.logger, maximumConnections: 2, readConnections: 2)
        let key = "read-pool-test:\(NewID.make())"
        let (gate, open) = AsyncStream<Void>.makeStream()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // One holder and one waiter take both write connections; a third writer waits for the pool.
                Self.holdWriters(database, key: key, waiters: 2, group: &group, gate: gate)
                let queued = try await Self.within(20) {
                    var waiting = 0
                    while waiting < 1 {
                        waiting = try await database.read { sql in
                            try await sql.raw(
                                """
                                SELECT COUNT(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                                  AND ((classid::bigint << 32) | objid::bigint) = hashtextextended(\(bind: key), 0)
                                """
                            ).first()!.decode(column: "n", as: Int.self)
                        }
                        if waiting < 1 { try await Task.sleep(for: .milliseconds(20)) }
                    }
                    return waiting
                }
                #expect(queued == 1)
                let one = try await Self.within(10) {
                    try await database.read { sql in try await sql.raw("SELECT 1 AS n").first()!.decode(column: "n", as: Int.self) }
                }
                #expect(one == 1)
                let ping = try await Self.within(10) { await database.ping() }
                #expect(ping)
                open.finish()
                try await group.waitForAll()
            }
        } catch {
            open.finish()
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }

    @Test("on SQLite a read is answered while the writer is held and more writers queue")
    func sqliteReaders() async throws {
        guard TestBackend.current == .sqlite else { return }
        try await withTestDatabase { database in
            try await database.transaction { sql in try await sql.raw("CREATE TABLE notes (id INTEGER PRIMARY KEY)").run() }
            let (gate, open) = AsyncStream<Void>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                Self.holdWriters(database, key: "notes", waiters: 3, group: &group, gate: gate)
                let count = try await Self.within(10) {
                    try await database.read { sql in
                        try await sql.raw("SELECT COUNT(*) AS n FROM notes").first()!.decode(column: "n", as: Int.self)
                    }
                }
                #expect(count == 0)
                open.finish()
                try await group.waitForAll()
            }
        }
    }
}
