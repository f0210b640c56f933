import Foundation
import Logging
import SQLKit

/// Which database engine a `FrontdeskDatabase` talks to.
public enum Backend: String, Sendable, CustomStringConvertible {
    case sqlite, postgres
    public var description: String { rawValue }
}

/// How a write transaction is run.
public struct TransactionOptions: Sendable {
    /// Keys serialised *before* the transaction's snapshot is taken (PostgreSQL session advisory locks,
    /// taken in sorted order, released after commit or rollback). On SQLite every write transaction is
    /// already serialised, so they cost nothing there. See `shared/bench/hot-row`: a lock taken inside a
    /// SERIALIZABLE transaction is a trap, a lock taken before BEGIN removes the retries.
    public var lockKeys: [String]
    /// Attempts before a serialization failure or busy database is given up and reported.
    public var maxAttempts: Int
    /// What the transaction may change, so `ReadCache` forgets only what depends on it.
    public var scope: WriteScope
    /// Work that may join the transaction once `lockKeys` are held, before it begins (a lane's
    /// requests queued while its batch waited for a class's lock).
    public var joining: (any LockJoining)?

    public init(lockKeys: [String] = [], maxAttempts: Int = 12, scope: WriteScope = .everything, joining: (any LockJoining)? = nil) {
        self.lockKeys = lockKeys
        self.maxAttempts = maxAttempts
        self.scope = scope
        self.joining = joining
    }

    public static let standard = TransactionOptions()
}

/// Work waiting to join a transaction whose locks are held: asked once, after `lockKeys` are taken
/// and before the transaction begins. Each unit joins only with every lock it needs held, taken
/// without waiting (PostgreSQL `pg_try_advisory_lock`: a unit never waits while holding the others'
/// locks, so joining cannot deadlock); the units that join are a prefix, so their order holds.
public protocol LockJoining: Sendable {
    /// The units waiting now, in order, each with the lock keys it needs.
    func waiting() -> [[String]]
    /// The first `count` units of `waiting()` join; the others are left for later, in order.
    func keep(first count: Int)
}

/// The one persistence entry point: pooled connections to SQLite or PostgreSQL, read access and a
/// transaction runner that owns isolation level and retry. Every query is written once in SQLKit.
public protocol FrontdeskDatabase: Sendable {
    var backend: Backend { get }

    /// Runs `body` on a pooled connection outside any explicit transaction (reads).
    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs `body` in a write transaction: SERIALIZABLE with bounded, jittered retry on SQLSTATE
    /// 40001/40P01 (PostgreSQL) or `BEGIN IMMEDIATE` with busy retry (SQLite). `body` may run more
    /// than once, so it must not have side effects outside the database.
    func transaction<T: Sendable>(_ options: TransactionOptions, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs `body`, which must issue exactly one self-contained write statement, as its own atomic
    /// unit without an explicit transaction: on PostgreSQL an autocommit statement in READ COMMITTED
    /// (concurrent writers of the same rows queue on the row locks and re-check the WHERE clause
    /// against the committed row), on SQLite the writer connection. For hot single-row changes whose
    /// guard fits in one WHERE clause; anything that reads then decides belongs in `transaction`.
    func writeStatement<T: Sendable>(scope: WriteScope, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs one `HotStatement` outside any explicit transaction and answers its rows: a read (`write`
    /// false) or, like `writeStatement`, one self-contained write. PostgreSQL runs it as a named
    /// prepared statement.
    /// `scope` says what a write may change (ignored for reads).
    func run<S: HotStatement>(_ statement: S, write: Bool, scope: WriteScope) async throws -> [any SQLRow]

    /// Serialization/busy retries performed since start (also exported as a metric).
    var retryCount: Int { get }

    /// SQL statements sent since start, `BEGIN`/`COMMIT` and locks included (also exported as a metric).
    var statementCount: Int { get }

    /// Hot reads kept until the next write (see `ReadCache`); every write this process commits empties it.
    var readCache: ReadCache { get }

    /// Wakes every instance's outbox workers after a commit that queued notifications: this process's
    /// at once, on PostgreSQL the other instances' by a `NOTIFY` sent after the commit (coalesced, at
    /// most one per `WritePublisher.interval`). For a transaction whose commit must not wait for a
    /// `NOTIFY` of its own (a class lane's batch, inside the class's lock).
    func wakeOutboxWorkers()

    /// Closes every connection.
    func shutdown() async
}

extension FrontdeskDatabase {
    /// One self-contained write statement that may change anything (see the requirement).
    public func writeStatement<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await writeStatement(scope: .everything, body)
    }

    /// A `HotStatement`; a write may change anything (see the requirement).
    public func run<S: HotStatement>(_ statement: S, write: Bool) async throws -> [any SQLRow] {
        try await run(statement, write: write, scope: .everything)
    }

    /// A write transaction with default options.
    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await transaction(.standard, body)
    }

    /// Whether the database answers a trivial query.
    public func ping() async -> Bool {
        do {
            _ = try await read { try await $0.raw("SELECT 1 AS one").first() }
            return true
        } catch {
            return false
        }
    }
}

/// Opens the database named by a URL: `postgres://…` / `postgresql://…`, `sqlite:///abs/path.sqlite`,
/// `sqlite://relative/path.sqlite`, or a bare file path (SQLite).
public enum DatabaseFactory {
    public static func open(url: String, logger: Logger) async throws -> any FrontdeskDatabase {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return try await PostgresBackend(url: url, logger: logger)
        }
        var path = url
        if path.hasPrefix("sqlite://") { path.removeFirst("sqlite://".count) }
        if path.hasPrefix("sqlite:") { path.removeFirst("sqlite:".count) }
        guard !path.isEmpty else { throw DatabaseConfigurationError("empty SQLite path in database URL") }
        return try await SQLiteBackend(path: path, logger: logger)
    }
}

/// The database configuration could not be used.
public struct DatabaseConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Exponential back-off with full jitter, capped, for retried transactions.
enum RetryBackoff {
    static func delay(attempt: Int) -> Duration {
        let capMillis = min(200.0, 2.0 * pow(2.0, Double(attempt)))
        return .microseconds(Int64(Double.random(in: 0...capMillis) * 1000))
    }
}
