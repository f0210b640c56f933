import Foundation
import FrontdeskCore
import SQLKit

/// One step of the schema. The list in `Migrator.all` is append-only: never edit a shipped step.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    /// What both databases run, then what only one of them runs (a trigger is spelled differently).
    let statements: [String]
    let postgres: [String]
    let sqlite: [String]

    init(version: Int, name: String, statements: [String], postgres: [String] = [], sqlite: [String] = []) {
        self.version = version
        self.name = name
        self.statements = statements
        self.postgres = postgres
        self.sqlite = sqlite
    }

    /// What `backend` runs, in order.
    func statements(for backend: Backend) -> [String] {
        statements + (backend == .postgres ? postgres : sqlite)
    }

    /// A fingerprint of the statements (of both databases); a recorded migration whose checksum differs
    /// stops the server. A step with statements for both alone has the fingerprint it always had.
    public var checksum: String {
        let all = postgres.isEmpty && sqlite.isEmpty ? statements : statements + ["-- postgres"] + postgres + ["-- sqlite"] + sqlite
        return Hashing.sha256Hex(all.joined(separator: ";\n"))
    }
}

/// The state of the database's schema relative to this binary.
public struct MigrationStatus: Sendable, Equatable {
    public var applied: [Int]
    public var pending: [Int]
}

/// A recorded migration does not match this binary.
public struct MigrationMismatch: Error, CustomStringConvertible {
    public let description: String
}

/// Applies the ordered migration list and records each applied step in `schema_migrations`.
public struct Migrator: Sendable {
    /// Every migration, in order.
    public static let all: [Migration] = [
        Migration(version: 1, name: "initial schema", statements: Schema0001.statements),
        Migration(
            version: 2, name: "credit ledger order",
            statements: [
                // Entries of one subscription in the order they were written, even within one second.
                "ALTER TABLE credit_ledger ADD COLUMN seq INTEGER NOT NULL DEFAULT 0",
                "CREATE INDEX credit_ledger_subscription_seq ON credit_ledger (subscription_id, seq)",
            ]),
        Migration(
            version: 3, name: "background jobs",
            statements: [
                // The reminder and no-show jobs look across every org by start and end.
                "CREATE INDEX class_sessions_starts ON class_sessions (starts_at)",
                "CREATE INDEX class_sessions_ends ON class_sessions (ends_at)",
            ]),
        Migration(version: 4, name: "accounts: invitations, account links, verified e-mail", statements: Schema0004.statements),
        Migration(version: 5, name: "back office: series, closures, audit subjects, display last seen", statements: Schema0005.statements),
        Migration(version: 6, name: "public schedule and widget origins", statements: Schema0006.statements),
        Migration(version: 7, name: "calendar feeds and event versions", statements: Schema0007.statements),
        Migration(version: 8, name: "door kiosk: kiosks and members' PINs", statements: Schema0008.statements),
        Migration(version: 9, name: "two languages: a user's choice, a studio's default", statements: Schema0009.statements),
        Migration(
            version: 10, name: "a class's places taken and waitlist length kept on its row", statements: Schema0010.common,
            postgres: Schema0010.postgres, sqlite: Schema0010.sqlite),
        Migration(
            version: 11, name: "waitlist renumbering rewrites no index", statements: Schema0011.common,
            postgres: Schema0011.postgres),
    ]

    let database: any FrontdeskDatabase
    let migrations: [Migration]

    public init(database: any FrontdeskDatabase, migrations: [Migration] = Migrator.all) {
        self.database = database
        self.migrations = migrations
    }

    private static let createTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at BIGINT NOT NULL
        )
        """

    /// The lock that makes concurrent migrators take turns: per PostgreSQL schema, so databases
    /// (or test schemas) that share a server do not wait for each other.
    private func lock() async throws -> TransactionOptions {
        guard database.backend == .postgres else { return TransactionOptions() }
        let schema = try await database.read { sql in
            try await sql.raw("SELECT current_schema() AS s").first()?.decode(column: "s", as: String.self)
        }
        return TransactionOptions(lockKeys: ["frontdesk.migrations:\(schema ?? "public")"])
    }

    /// Which migrations are applied and which are pending; throws on a mismatch.
    public func status() async throws -> MigrationStatus {
        try await database.transaction(try await lock()) { sql in
            try await sql.raw(SQLQueryString(Self.createTable)).run()
            return try await verify(sql)
        }
    }

    /// Applies every pending migration, each in its own transaction; returns the versions applied.
    /// Several processes may call this at once: the migration lock makes them take turns.
    @discardableResult
    public func migrate(now: Date) async throws -> [Int] {
        var applied: [Int] = []
        let lock = try await lock()
        for migration in migrations {
            let didApply = try await database.transaction(lock) { sql in
                try await sql.raw(SQLQueryString(Self.createTable)).run()
                let status = try await verify(sql)
                guard status.pending.contains(migration.version) else { return false }
                for statement in migration.statements(for: database.backend) {
                    try await sql.raw(SQLQueryString(statement)).run()
                }
                try await sql.raw(
                    """
                    INSERT INTO schema_migrations (version, name, checksum, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: migration.checksum), \(bind: now.epochSeconds))
                    """
                ).run()
                return true
            }
            if didApply { applied.append(migration.version) }
        }
        return applied
    }

    private func verify(_ sql: any SQLDatabase) async throws -> MigrationStatus {
        let rows = try await sql.raw("SELECT version, checksum FROM schema_migrations ORDER BY version").all()
        var recorded: [Int: String] = [:]
        for row in rows {
            recorded[try row.decode(column: "version", as: Int.self)] = try row.decode(column: "checksum", as: String.self)
        }
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (version, checksum) in recorded {
            guard let migration = known[version] else {
                throw MigrationMismatch(
                    description:
                        "the database has migration \(version), which this binary does not know; it was migrated by a newer Frontdesk")
            }
            guard migration.checksum == checksum else {
                throw MigrationMismatch(description: "migration \(version) (\(migration.name)) in the database differs from this binary's")
            }
        }
        return MigrationStatus(
            applied: recorded.keys.sorted(),
            pending: migrations.map(\.version).filter { recorded[$0] == nil }
        )
    }
}
