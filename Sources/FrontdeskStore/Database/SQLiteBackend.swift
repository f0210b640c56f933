import Foundation
import Logging
import NIOPosix
import SQLiteKit
import SQLiteNIO
import SQLKit
import Synchronization

/// The embedded database: one SQLite file in WAL mode with foreign keys on.
///
/// Writes go through a single writer connection, so write transactions are serialised inside the
/// process without SQLite ever reporting BUSY; `BEGIN IMMEDIATE` plus a busy timeout and retry
/// covers other processes (the CLI while the server runs). Reads use a small pool of readers, which
/// WAL lets run beside the writer; the hot reads (`HotStatement`) their own readers that keep each
/// statement prepared (`SQLiteHotConnection`).
public final class SQLiteBackend: FrontdeskDatabase {
    public let backend = Backend.sqlite
    public let path: String
    private let writer: SQLiteConnectionPool<SQLiteConnection>
    private let readers: SQLiteConnectionPool<SQLiteConnection>
    private let hotReaders: SQLiteConnectionPool<SQLiteHotConnection>
    private let logger: Logger
    private let retries = RetryCounter(backend: .sqlite)
    private let statements = StatementCounter(backend: .sqlite)
    /// One server process per file: its own writes are all there is to hear (the CLI's show within `maxAge`).
    public let readCache = ReadCache(serving: true)

    /// Opens (creating if needed) the database file at `path`, and its directory.
    public init(path: String, logger: Logger, readerCount: Int = 4) async throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        self.path = path
        self.logger = logger
        let writerConnection = try await Self.connect(path: path, logger: logger, journal: true)
        var readerConnections: [SQLiteConnection] = []
        var hotConnections: [SQLiteHotConnection] = []
        do {
            for _ in 0..<max(1, readerCount) {
                readerConnections.append(try await Self.connect(path: path, logger: logger, journal: false))
                hotConnections.append(try await SQLiteHotConnection.open(path: path))
            }
        } catch {
            for connection in [writerConnection] + readerConnections { try? await connection.close() }
            for connection in hotConnections { await connection.close() }
            throw error
        }
        self.writer = SQLiteConnectionPool([writerConnection])
        self.readers = SQLiteConnectionPool(readerConnections)
        self.hotReaders = SQLiteConnectionPool(hotConnections)
    }

    private static func connect(path: String, logger: Logger, journal: Bool) async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        do {
            try await configure(connection, journal: journal)
        } catch {
            // A file the process cannot write (read-only, no room) fails here: close before reporting it.
            try? await connection.close()
            throw error
        }
        return connection
    }

    private static func configure(_ connection: SQLiteConnection, journal: Bool) async throws {
        let sql = connection.sql()
        if journal {
            try await sql.raw("PRAGMA journal_mode = WAL").run()
        }
        try await sql.raw("PRAGMA busy_timeout = 5000").run()
        try await sql.raw("PRAGMA foreign_keys = ON").run()
        try await sql.raw("PRAGMA synchronous = FULL").run()
    }

    public var retryCount: Int { retries.value }
    public var statementCount: Int { statements.value }

    public func run<S: HotStatement>(_ statement: S, write: Bool, scope: WriteScope) async throws -> [any SQLRow] {
        if !write {
            let connection = try await hotReaders.acquire()
            defer { hotReaders.release(connection) }
            statements.increment()
            return try await connection.run(statement)
        }
        let connection = try await writer.acquire()
        defer {
            writer.release(connection)
            readCache.written(scope)
        }
        return try await statements.counting(connection.sql()).raw(statement.sqlQuery).all()
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let connection = try await readers.acquire()
        defer { readers.release(connection) }
        return try await body(statements.counting(connection.sql()))
    }

    public func writeStatement<T: Sendable>(scope: WriteScope, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        // One writer connection: a single statement there is already atomic and serialised, and the
        // busy retry of `transaction` covers another process holding the file.
        try await transaction(TransactionOptions(scope: scope), body)
    }

    public func transaction<T: Sendable>(
        _ options: TransactionOptions, _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        let connection = try await writer.acquire()
        defer {
            writer.release(connection)
            readCache.written(options.scope)
        }
        let sql = statements.counting(connection.sql())
        // The writer serialises every write transaction: whatever waits to join may, with no lock to take.
        if let joining = options.joining { joining.keep(first: joining.waiting().count) }
        var attempt = 0
        while true {
            attempt += 1
            do {
                try await sql.raw("BEGIN IMMEDIATE").run()
            } catch  where DatabaseErrors.isBusy(error) && attempt < options.maxAttempts {
                retries.increment()
                logger.debug("sqlite busy, retrying BEGIN", metadata: ["attempt": .stringConvertible(attempt)])
                try await Task.sleep(for: RetryBackoff.delay(attempt: attempt))
                continue
            }
            do {
                let result = try await body(sql)
                try await sql.raw("COMMIT").run()
                return result
            } catch {
                try? await sql.raw("ROLLBACK").run()
                guard DatabaseErrors.isBusy(error), attempt < options.maxAttempts else { throw error }
                retries.increment()
                try await Task.sleep(for: RetryBackoff.delay(attempt: attempt))
            }
        }
    }

    /// One server process: its workers are woken, nobody else listens.
    public func wakeOutboxWorkers() { OutboxSignal.shared.poke() }

    public func shutdown() async {
        for connection in await writer.close() + readers.close() {
            try? await connection.close()
        }
        for connection in await hotReaders.close() { await connection.close() }
    }
}

/// A fixed set of connections handed out one task at a time, waiters served in order.
final class SQLiteConnectionPool<Connection: Sendable>: Sendable {
    private struct State {
        var idle: [Connection]
        var waiters: [CheckedContinuation<Connection, any Error>] = []
        var closed = false
    }
    private let state: Mutex<State>

    init(_ connections: [Connection]) {
        state = Mutex(State(idle: connections))
    }

    /// A connection for the caller's exclusive use; throws once the pool is closed.
    func acquire() async throws -> Connection {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Connection, any Error>? = state.withLock { state in
                if state.closed { return .failure(DatabaseConfigurationError("the SQLite database is closed")) }
                if let connection = state.idle.popLast() { return .success(connection) }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    func release(_ connection: Connection) {
        let waiter: CheckedContinuation<Connection, any Error>? = state.withLock { state in
            if state.waiters.isEmpty || state.closed {
                state.idle.append(connection)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: connection)
    }

    /// Marks the pool closed, fails every waiter and hands back the idle connections to close.
    func close() async -> [Connection] {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            defer {
                state.idle.removeAll()
                state.waiters.removeAll()
            }
            return (state.idle, state.waiters)
        }
        for waiter in waiters { waiter.resume(throwing: DatabaseConfigurationError("the SQLite database is closed")) }
        return idle
    }
}
