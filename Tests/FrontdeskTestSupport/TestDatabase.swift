import Foundation
import FrontdeskCore
import FrontdeskStore
import Logging
import SQLKit

/// Which database the test run uses: `FRONTDESK_TEST_BACKEND=sqlite|postgres` (default sqlite), with
/// `FRONTDESK_TEST_POSTGRES_URL` naming a real PostgreSQL server (scripts/test.sh starts one).
public enum TestBackend {
    public static var current: Backend {
        ProcessInfo.processInfo.environment["FRONTDESK_TEST_BACKEND"] == "postgres" ? .postgres : .sqlite
    }

    public static var postgresURL: String {
        ProcessInfo.processInfo.environment["FRONTDESK_TEST_POSTGRES_URL"]
            ?? "postgres://postgres@127.0.0.1:5432/frontdesk_test?sslmode=disable"
    }

    public static let logger: Logger = {
        var logger = Logger(label: "frontdesk-test")
        logger.logLevel = .warning
        return logger
    }()
}

/// A fresh, migrated, empty database for one test: a new SQLite file in a temp directory, or a new
/// schema on the test PostgreSQL server. Dropped afterwards. On PostgreSQL `connections` bounds its
/// write and read pools (one each: every statement of the test meets the same connection).
public func withTestDatabase<T: Sendable>(
    migrate: Bool = true,
    connections: (write: Int, read: Int) = (8, 4),
    _ body: (any FrontdeskDatabase) async throws -> T
) async throws -> T {
    let database: any FrontdeskDatabase
    var cleanup: @Sendable () async -> Void
    switch TestBackend.current {
    case .sqlite:
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-test-\(NewID.make())")
        database = try await SQLiteBackend(
            path: directory.appendingPathComponent("test.sqlite").path, logger: TestBackend.logger, readerCount: 2)
        cleanup = { try? FileManager.default.removeItem(at: directory) }
    case .postgres:
        let schema = "t_" + NewID.make().replacingOccurrences(of: "-", with: "")
        let admin = try await PostgresBackend(url: TestBackend.postgresURL, logger: TestBackend.logger, maximumConnections: 1)
        try await admin.read { sql in try await sql.raw("CREATE SCHEMA \(unsafeRaw: schema)").run() }
        database = try await PostgresBackend(
            url: TestBackend.postgresURL, logger: TestBackend.logger, maximumConnections: connections.write,
            readConnections: connections.read, searchPath: schema)
        cleanup = {
            try? await admin.read { sql in try await sql.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() }
            await admin.shutdown()
        }
    }
    do {
        if migrate { try await Watchdog.watch("migrate") { try await Migrator(database: database).migrate(now: Date()) } }
        let result = try await body(database)
        await Watchdog.watch("database shutdown") { await database.shutdown() }
        await Watchdog.watch("cleanup") { await cleanup() }
        return result
    } catch {
        await database.shutdown()
        await cleanup()
        throw error
    }
}
