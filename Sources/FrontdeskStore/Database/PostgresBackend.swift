import Foundation
import Logging
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// PostgreSQL through PostgresNIO's pooled `PostgresClient`s, queried through SQLKit.
///
/// Two pools: writes (`transaction`, `writeStatement`, `run(_:write: true)`, NOTIFY and LISTEN) use
/// `client`; reads (`read`, `run(_:write: false)`) use `readClient`, a pool of their own, so a read
/// never waits for a connection held by a writer queued on an advisory lock during a booking rush.
/// Reads see what is committed, whichever pool committed it.
///
/// Write transactions run SERIALIZABLE. Serialization failures (40001) and deadlocks (40P01) roll
/// back and retry with jittered exponential back-off, at most `TransactionOptions.maxAttempts` times.
public final class PostgresBackend: FrontdeskDatabase {
    public let backend = Backend.postgres
    /// The write pool.
    let client: PostgresClient
    /// The read pool.
    let readClient: PostgresClient
    private let runTasks: [Task<Void, Never>]
    private let logger: Logger
    private let retries = RetryCounter(backend: .postgres)
    /// Whether PostgreSQL answers, as the health monitor last saw it.
    private let health = Reachability()
    /// Set by `shutdown()`: from then on every use fails at once. PostgresNIO's pools, once their
    /// `run()` has returned, may leave a lease waiting for good (a suite run once hung that way).
    private let closed = Atomic(false)
    private let monitorTask: Task<Void, Never>?
    private let statements = StatementCounter(backend: .postgres)
    /// The statement texts prepared on this backend's connections.
    let prepared = PreparedStatements()
    /// Serves once the server's `WriteListener` has proven its LISTEN on `writesChannel` live. Every
    /// write of every instance is heard here, so an entry's age bounds only a notification lost
    /// without the listener noticing: 10 s, as long as a screen's state is trusted (the login
    /// sessions' bound for the same case is 60 s). At 2 s, a member's studio look-up missed at nearly
    /// every request of the mix (each member came back every ~2 s): a quarter of its statements.
    public let readCache = ReadCache(serving: false, maxAge: .seconds(10))
    /// Tells the other instances (their `WriteListener`s) that this one committed a write.
    private let publisher: WritePublisher
    /// Tells every instance's outbox workers (their LISTEN on `OutboxSignal.channel`) that a commit
    /// queued notifications (`wakeOutboxWorkers`).
    private let outboxPublisher: WritePublisher
    /// What it was opened with, so a second backend (another instance, in tests) can open the same.
    public let url: String
    public let searchPath: String?
    /// Where writes are announced: `ReadCache.channel`, qualified by the schema when one is set (writes
    /// in one schema change nothing read in another; the tests give each test its own).
    public var writesChannel: String { Self.writesChannel(searchPath: searchPath) }

    static func writesChannel(searchPath: String?) -> String { searchPath.map { "\(ReadCache.channel)_\($0)" } ?? ReadCache.channel }

    /// Connects lazily to the server named by `url` (`postgres://user:pass@host:port/db?sslmode=disable`).
    /// `searchPath` puts every connection in one schema (the tests give each test its own).
    /// `monitorHealth` runs the reachability monitor (one extra connection; the server wants it, the
    /// tests' many short-lived databases do not). `maximumConnections` bounds the write pool,
    /// `readConnections` the read pool; both connect lazily.
    public init(
        url: String, logger: Logger, maximumConnections: Int = 20, readConnections: Int = 10, searchPath: String? = nil,
        monitorHealth: Bool = false
    ) async throws {
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
            configuration = .init(
                host: host, port: core.port ?? 5432, username: core.username,
                password: core.password, database: core.database, tls: tls)
        } else {
            throw DatabaseConfigurationError("PostgreSQL URL names neither a host nor a socket")
        }
        configuration.options.connectTimeout = .seconds(5)
        if let searchPath {
            configuration.options.additionalStartupParameters = [("search_path", searchPath)]
        }
        var readConfiguration = configuration
        configuration.options.maximumConnections = max(1, maximumConnections)
        readConfiguration.options.maximumConnections = max(1, readConnections)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let readClient = PostgresClient(configuration: readConfiguration, backgroundLogger: logger)
        self.client = client
        self.readClient = readClient
        self.logger = logger
        self.url = url
        self.searchPath = searchPath
        let instance = readCache.instance
        let channel = Self.writesChannel(searchPath: searchPath)
        publisher = WritePublisher { [client, logger] scope in
            await Self.notify(
                client, channel: channel, payload: ReadCache.payload(instance: instance, scope: scope), logger: logger,
                unsent: "write notification not sent")
        }
        outboxPublisher = WritePublisher { [client, logger] _ in
            await Self.notify(client, channel: OutboxSignal.channel, payload: "", logger: logger, unsent: "outbox wake not sent")
        }
        // Lease requests made before `run()` has started are only logged as a warning by PostgresNIO,
        // but they look alarming in a CLI's output: wait until both run tasks are under way.
        var tasks: [Task<Void, Never>] = []
        for pool in [client, readClient] {
            let (started, signal) = AsyncStream<Void>.makeStream()
            tasks.append(
                Task {
                    signal.finish()
                    await pool.run()
                })
            for await _ in started {}
        }
        self.runTasks = tasks
        await Task.yield()
        if monitorHealth {
            var probe = core
            probe.options.connectTimeout = .seconds(2)
            monitorTask = Task { [health] in await Self.monitor(probe, health: health, logger: logger) }
        } else {
            monitorTask = nil
        }
    }

    /// `connection` as SQLKit's database, its frequent statements prepared (`PostgresPreparedSQL`).
    private func sql(_ connection: PostgresConnection, inTransaction: Bool = false) -> any SQLDatabase {
        PostgresPreparedSQL(connection: connection, registry: prepared, logger: logger, retriesStalePlan: !inTransaction)
    }

    public var retryCount: Int { retries.value }
    public var statementCount: Int { statements.value }

    /// `body` on a pooled connection — unless the health monitor found PostgreSQL unreachable: then
    /// the request fails at once (503 `database_unavailable`) instead of waiting in the pool, which
    /// keeps retrying to connect and would hold the request until PostgreSQL is back.
    /// `reading` picks the read pool.
    private func withConnection<T: Sendable>(
        reading: Bool = false, _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        guard !closed.load(ordering: .acquiring) else { throw DatabaseConfigurationError("the database is closed") }
        guard health.isReachable else { throw DatabaseConfigurationError("PostgreSQL is not reachable") }
        return try await (reading ? readClient : client).withConnection(body)
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withConnection(reading: true) { connection in
            try await body(statements.counting(sql(connection)))
        }
    }

    public func writeStatement<T: Sendable>(scope: WriteScope, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        defer { written(scope) }
        return try await withConnection { connection in
            try await body(statements.counting(sql(connection)))
        }
    }

    public func run<S: HotStatement>(_ statement: S, write: Bool, scope: WriteScope) async throws -> [any SQLRow] {
        defer { if write { written(scope) } }
        return try await execute(statement, write: write)
    }

    /// A write committed (or may have): this instance's cache forgets what depends on it, and the
    /// others hear of it.
    private func written(_ scope: WriteScope) {
        readCache.written(scope)
        publisher.signal(scope)
    }

    private func execute<S: HotStatement>(_ statement: S, write: Bool) async throws -> [any SQLRow] {
        statements.increment()
        return try await withConnection(reading: !write) { connection in
            var rows: [any SQLRow] = []
            for try await row in try await connection.execute(Prepared(statement: statement), logger: logger) {
                rows.append(FastRow(row))
            }
            return rows
        }
    }

    public func transaction<T: Sendable>(
        _ options: TransactionOptions, _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        let keys = Array(Set(options.lockKeys)).sorted()
        defer { written(options.scope) }
        return try await withConnection { connection in
            let sql = statements.counting(sql(connection, inTransaction: true))
            // One round trip for all keys; PostgreSQL evaluates the select list left to right, so the
            // sorted order (which rules out deadlocks between lockers) is kept.
            if !keys.isEmpty {
                let calls = keys.map { "pg_advisory_lock(hashtextextended(\(bind: $0), 0))" as SQLQueryString }
                try await sql.raw("SELECT \(calls.joined(separator: ", "))").run()
            }
            var held = keys
            do {
                if let joining = options.joining { held += try await Self.join(joining, holding: keys, sql) }
                let result = try await runWithRetry(sql, options: options, body)
                try await Self.unlock(held, sql)
                return result
            } catch {
                try? await Self.unlock(held, sql)
                throw error
            }
        }
    }

    /// Lets the units waiting on `joining` join a transaction holding `keys`: the locks they need and
    /// it does not hold are tried in one round trip without waiting (none at all when it holds them
    /// already, or nothing waits); the longest prefix of units whose locks are all held joins. Answers
    /// the locks taken (held until the transaction ends, also those of units left out).
    private static func join(_ joining: any LockJoining, holding keys: [String], _ sql: any SQLDatabase) async throws -> [String] {
        let units = joining.waiting()
        var held = Set(keys)
        var wanted: [String] = []
        for key in units.joined() where !held.contains(key) && !wanted.contains(key) { wanted.append(key) }
        var taken: [String] = []
        if !wanted.isEmpty {
            do {
                let calls = wanted.enumerated().map { index, key in
                    "pg_try_advisory_lock(hashtextextended(\(bind: key), 0)) AS l\(unsafeRaw: String(index))" as SQLQueryString
                }
                guard let row = try await sql.raw("SELECT \(calls.joined(separator: ", "))").first() else {
                    throw BrokenInvariant("trying the joining requests' locks answered no row")
                }
                for (index, key) in wanted.enumerated() where try row.decode(column: "l\(index)", as: Bool.self) {
                    taken.append(key)
                }
            } catch {
                // Whatever this statement may have taken is let go (a session lock would outlive the
                // transaction on the pooled connection); none of these keys was held before it.
                try? await unlock(wanted, sql)
                joining.keep(first: 0)
                throw error
            }
            held.formUnion(taken)
        }
        joining.keep(first: units.prefix { $0.allSatisfy(held.contains) }.count)
        return taken
    }

    private static func unlock(_ keys: [String], _ sql: any SQLDatabase) async throws {
        guard !keys.isEmpty else { return }
        let calls = keys.reversed().map { "pg_advisory_unlock(hashtextextended(\(bind: $0), 0))" as SQLQueryString }
        try await sql.raw("SELECT \(calls.joined(separator: ", "))").run()
    }

    private func runWithRetry<T>(
        _ sql: any SQLDatabase, options: TransactionOptions, _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
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

    /// The SQLSTATE of an error worth retrying: serialization failure, deadlock, or a prepared
    /// statement's plan gone stale (`PreparedStatements.isStalePlan`: prepared afresh on the retry).
    static func retryableState(_ error: any Error) -> String? {
        guard let state = DatabaseErrors.sqlState(error) else { return nil }
        return state == "40001" || state == "40P01" || PreparedStatements.isStalePlan(error) ? state : nil
    }

    /// A publisher's NOTIFY on a pooled connection of `client`; a failure is only logged (`unsent`): the
    /// listeners' caches and workers have their own bounds (`ReadCache.maxAge`, the outbox's poll).
    private static func notify(_ client: PostgresClient, channel: String, payload: String, logger: Logger, unsent: String) async {
        do {
            try await client.withConnection { connection in
                _ = try await connection.execute(Prepared(statement: Notify(channel: channel, payload: payload)), logger: logger)
            }
        } catch {
            logger.debug("\(unsent)", metadata: ["error": .string("\(error)")])
        }
    }

    /// Sends a NOTIFY on `channel` (delivered to every listener on this database, all instances).
    /// Not counted in `statementCount`, like the write and outbox notifications: its senders (the
    /// check-in bus, the listeners' proofs) are background tasks, whose statements would otherwise
    /// land at random among a request's (a screen's poll right after a check-in).
    public func notify(channel: String, payload: String) async throws {
        _ = try await withConnection(reading: false) { connection in
            try await connection.execute(Prepared(statement: Notify(channel: channel, payload: payload)), logger: logger)
        }
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

    public func wakeOutboxWorkers() {
        OutboxSignal.shared.poke()
        outboxPublisher.signal(.bookings)
    }

    public func shutdown() async {
        closed.store(true, ordering: .releasing)
        await publisher.stop()
        await outboxPublisher.stop()
        monitorTask?.cancel()
        _ = await monitorTask?.value
        for task in runTasks { task.cancel() }
        for task in runTasks { _ = await task.value }
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

/// PostgreSQL's reachability as the monitor last saw it.
final class Reachability: Sendable {
    private let reachable = Atomic<Bool>(true)
    var isReachable: Bool { reachable.load(ordering: .relaxed) }
    func set(_ value: Bool) { reachable.store(value, ordering: .relaxed) }
}

extension PostgresBackend {
    /// Once a second, `SELECT 1` on a connection of its own (outside the pool, so a busy pool never
    /// looks like an outage), at most 2 s for connecting and 2 s for the answer.
    static func monitor(_ configuration: PostgresConnection.Configuration, health: Reachability, logger: Logger) async {
        var connection: PostgresConnection?
        var id = 0
        while !Task.isCancelled {
            do {
                if connection == nil || connection?.isClosed == true {
                    id += 1
                    connection = try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
                }
                guard let probe = connection else { continue }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { _ = try await probe.query("SELECT 1", logger: logger).collect() }
                    group.addTask {
                        try await Task.sleep(for: .seconds(2))
                        throw DatabaseConfigurationError("PostgreSQL did not answer within 2 s")
                    }
                    defer { group.cancelAll() }
                    try await group.next()
                }
                if !health.isReachable { logger.notice("PostgreSQL is reachable again") }
                health.set(true)
            } catch {
                if Task.isCancelled { break }
                if health.isReachable { logger.error("PostgreSQL is not reachable", metadata: ["error": .string("\(error)")]) }
                health.set(false)
                try? await connection?.close()
                connection = nil
            }
            try? await Task.sleep(for: .seconds(1))
        }
        try? await connection?.close()
    }
}
