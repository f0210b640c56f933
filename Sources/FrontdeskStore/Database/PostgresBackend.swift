import Foundation
import Logging
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// PostgreSQL through PostgresNIO's pooled `PostgresClient`, queried through SQLKit.
///
/// Write transactions run SERIALIZABLE. Serialization failures (40001) and deadlocks (40P01) roll
/// back and retry with jittered exponential back-off, at most `TransactionOptions.maxAttempts` times.
public final class PostgresBackend: FrontdeskDatabase {
    public let backend = Backend.postgres
    let client: PostgresClient
    private let runTask: Task<Void, Never>
    private let logger: Logger
    private let retries = RetryCounter(backend: .postgres)
    /// How long a request waits for a pooled connection before the database counts as unavailable
    /// (503 `database_unavailable`) instead of hanging while PostgreSQL is down.
    let acquireTimeout: Duration
    private let statements = StatementCounter(backend: .postgres)

    /// Connects lazily to the server named by `url` (`postgres://user:pass@host:port/db?sslmode=disable`).
    /// `searchPath` puts every connection in one schema (the tests give each test its own).
    public init(url: String, logger: Logger, maximumConnections: Int = 20, searchPath: String? = nil,
                acquireTimeout: Duration = .seconds(10)) async throws {
        self.acquireTimeout = acquireTimeout
        let sqlConfiguration: SQLPostgresConfiguration
        do {
            sqlConfiguration = try SQLPostgresConfiguration(url: url)
        } catch {
            throw DatabaseConfigurationError("invalid PostgreSQL URL: \(error)")
        }
        let core = sqlConfiguration.coreConfiguration
        var configuration: PostgresClient.Configuration
        if let socket = core.unixSocketPath {
            configuration = .init(unixSocketPath: socket, username: core.username, password: core.password, database: core.database)
        } else if let host = core.host {
            let tls: PostgresClient.Configuration.TLS =
                switch (core.tls.isEnforced, core.tls.isAllowed) {
                case (true, _): .require(core.tls.sslContext!.configuration)
                case (_, true): .prefer(core.tls.sslContext!.configuration)
                default: .disable
                }
            configuration = .init(host: host, port: core.port ?? 5432, username: core.username,
                                  password: core.password, database: core.database, tls: tls)
        } else {
            throw DatabaseConfigurationError("PostgreSQL URL names neither a host nor a socket")
        }
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        if let searchPath {
            configuration.options.additionalStartupParameters = [("search_path", searchPath)]
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        // Lease requests made before `run()` has started are only logged as a warning by PostgresNIO,
        // but they look alarming in a CLI's output: wait until the run task is under way.
        let (started, signal) = AsyncStream<Void>.makeStream()
        self.runTask = Task {
            signal.finish()
            await client.run()
        }
        for await _ in started {}
        await Task.yield()
    }

    public var retryCount: Int { retries.value }


    /// `body` on a pooled connection; fails after `acquireTimeout` if none can be had. Once `body`
    /// runs it is never cut short: the timeout only covers waiting for the connection.
    private func withConnection<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await withoutActuallyEscaping(body) { body in
            let state = LeaseState()
            return try await withThrowingTaskGroup(of: T.self) { group in
                group.addTask {
                    try await self.client.withConnection { connection in
                        guard state.acquire() else { throw DatabaseConfigurationError("no PostgreSQL connection within the time limit") }
                        return try await body(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: self.acquireTimeout)
                    guard state.expire() else {
                        try await Task.sleep(for: .seconds(315_360_000))  // the body runs: wait to be cancelled
                        throw CancellationError()
                    }
                    throw DatabaseConfigurationError("no PostgreSQL connection within \(self.acquireTimeout) (is the database down?)")
                }
                defer { group.cancelAll() }
                guard let result = try await group.next() else { throw CancellationError() }
                return result
            }
        }
    }
    public var statementCount: Int { statements.value }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withConnection { connection in
            try await body(statements.counting(connection.sql(queryLogLevel: nil, logger: logger)))
        }
    }

    public func writeStatement<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withConnection { connection in
            try await body(statements.counting(connection.sql(queryLogLevel: nil, logger: logger)))
        }
    }

    public func run<S: HotStatement>(_ statement: S, write: Bool) async throws -> [any SQLRow] {
        statements.increment()
        return try await withConnection { connection in
            var rows: [any SQLRow] = []
            for try await row in try await connection.execute(Prepared(statement: statement), logger: logger) {
                rows.append(row.sql())
            }
            return rows
        }
    }

    public func transaction<T: Sendable>(_ options: TransactionOptions, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let keys = Array(Set(options.lockKeys)).sorted()
        return try await withConnection { connection in
            let sql = statements.counting(connection.sql(queryLogLevel: nil, logger: logger))
            // One round trip for all keys; PostgreSQL evaluates the select list left to right, so the
            // sorted order (which rules out deadlocks between lockers) is kept.
            if !keys.isEmpty {
                let calls = keys.map { "pg_advisory_lock(hashtextextended(\(bind: $0), 0))" as SQLQueryString }
                try await sql.raw("SELECT \(calls.joined(separator: ", "))").run()
            }
            do {
                let result = try await runWithRetry(sql, options: options, body)
                try await Self.unlock(keys, sql)
                return result
            } catch {
                try? await Self.unlock(keys, sql)
                throw error
            }
        }
    }

    private static func unlock(_ keys: [String], _ sql: any SQLDatabase) async throws {
        guard !keys.isEmpty else { return }
        let calls = keys.reversed().map { "pg_advisory_unlock(hashtextextended(\(bind: $0), 0))" as SQLQueryString }
        try await sql.raw("SELECT \(calls.joined(separator: ", "))").run()
    }

    private func runWithRetry<T>(_ sql: any SQLDatabase, options: TransactionOptions, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                try await sql.raw("BEGIN ISOLATION LEVEL SERIALIZABLE").run()
                let result = try await body(sql)
                try await sql.raw("COMMIT").run()
                return result
            } catch {
                try? await sql.raw("ROLLBACK").run()
                guard let state = Self.retryableState(error), attempt < options.maxAttempts else { throw error }
                retries.increment()
                logger.debug("transaction retry", metadata: ["sqlstate": .string(state), "attempt": .stringConvertible(attempt)])
                try await Task.sleep(for: RetryBackoff.delay(attempt: attempt))
            }
        }
    }

    /// The SQLSTATE of an error worth retrying: serialization failure or deadlock.
    static func retryableState(_ error: any Error) -> String? {
        guard let state = DatabaseErrors.sqlState(error) else { return nil }
        return state == "40001" || state == "40P01" ? state : nil
    }

    /// Sends a NOTIFY on `channel` (delivered to every listener on this database, all instances).
    public func notify(channel: String, payload: String) async throws {
        _ = try await run(Notify(channel: channel, payload: payload), write: false)
    }

    private struct Notify: HotStatement {
        static let sql = "SELECT pg_notify($1, $2)"
        let channel: String
        let payload: String
        var values: [HotValue] { [.text(channel), .text(payload)] }
    }

    /// Listens on `channel` until the task is cancelled or the connection fails, handing each payload
    /// to `handle`. Holds one pooled connection meanwhile.
    public func listen(channel: String, handle: @escaping @Sendable (String) async -> Void) async throws {
        try await withConnection { connection in
            try await connection.listen(on: channel) { notifications in
                for try await notification in notifications {
                    await handle(notification.payload)
                }
            }
        }
    }

    public func shutdown() async {
        runTask.cancel()
        _ = await runTask.value
    }
}

/// A `HotStatement` as PostgresNIO's named prepared statement: each connection prepares it on first
/// use and executes it by name from then on.
private struct Prepared<S: HotStatement>: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static var name: String { "frontdesk_\(S.self)" }
    static var sql: String { S.sql }
    let statement: S

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: statement.values.count)
        for value in statement.values {
            switch value {
            case .text(let text): bindings.append(text)
            case .integer(let integer): bindings.append(integer)
            }
        }
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// Who won between a connection lease and its timeout: exactly one of `acquire` and `expire` succeeds.
private final class LeaseState: Sendable {
    private let state = Atomic<Int>(0)  // 0 waiting, 1 acquired, 2 expired
    func acquire() -> Bool { state.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged }
    func expire() -> Bool { state.compareExchange(expected: 0, desired: 2, ordering: .acquiringAndReleasing).exchanged }
}
