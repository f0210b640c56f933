import Foundation
import FrontdeskCore
import FrontdeskStore
import FrontdeskTestSupport
import SQLKit
import Testing

@Suite("Transaction runner")
struct TransactionRunnerTests {
    /// Many tasks read-modify-write one row; the runner must end with the exact total. On PostgreSQL
    /// SERIALIZABLE makes the racing transactions fail with 40001, so retries must have happened.
    @Test("concurrent increments of one counter end with the exact total")
    func concurrentIncrements() async throws {
        try await withTestDatabase { database in
            try await database.transaction { sql in
                try await sql.raw("CREATE TABLE counters (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)").run()
                try await sql.raw("INSERT INTO counters (id, value) VALUES (1, 0)").run()
            }
            let tasks = 24, incrementsPerTask = 8
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        for _ in 0..<incrementsPerTask {
                            try await database.transaction(TransactionOptions(maxAttempts: 100)) { sql in
                                let value = try await sql.raw("SELECT value FROM counters WHERE id = 1").first()!
                                    .decode(column: "value", as: Int.self)
                                try await Task.yield()
                                try await sql.raw("UPDATE counters SET value = \(bind: value + 1) WHERE id = 1").run()
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let total = try await database.read { sql in
                try await sql.raw("SELECT value FROM counters WHERE id = 1").first()!.decode(column: "value", as: Int.self)
            }
            #expect(total == tasks * incrementsPerTask)
            if database.backend == .postgres {
                #expect(database.retryCount > 0, "SERIALIZABLE conflicts should have been retried")
                print("transaction runner: \(tasks * incrementsPerTask) increments, \(database.retryCount) retries on postgres")
            }
        }
    }

    @Test("lock keys serialise racing transactions before their snapshot, so they need no retry")
    func lockKeysAvoidRetries() async throws {
        try await withTestDatabase { database in
            try await database.transaction { sql in
                try await sql.raw("CREATE TABLE counters (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)").run()
                try await sql.raw("INSERT INTO counters (id, value) VALUES (1, 0)").run()
            }
            let before = database.retryCount
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        try await database.transaction(TransactionOptions(lockKeys: ["counter:1"])) { sql in
                            let value = try await sql.raw("SELECT value FROM counters WHERE id = 1").first()!
                                .decode(column: "value", as: Int.self)
                            try await sql.raw("UPDATE counters SET value = \(bind: value + 1) WHERE id = 1").run()
                        }
                    }
                }
                try await group.waitForAll()
            }
            let total = try await database.read { sql in
                try await sql.raw("SELECT value FROM counters WHERE id = 1").first()!.decode(column: "value", as: Int.self)
            }
            #expect(total == 16)
            #expect(database.retryCount == before)
        }
    }

    @Test("an error inside the body rolls everything back")
    func rollbackOnError() async throws {
        struct Boom: Error {}
        try await withTestDatabase { database in
            await #expect(throws: Boom.self) {
                try await database.transaction { sql in
                    try await sql.raw("INSERT INTO rate_limit_buckets (bucket_key, window_start, hits) VALUES ('k', 0, 1)").run()
                    throw Boom()
                }
            }
            let count = try await database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM rate_limit_buckets").first()!.decode(column: "n", as: Int.self)
            }
            #expect(count == 0)
        }
    }
}
