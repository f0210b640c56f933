import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// An `SQLDatabase` over one PostgreSQL connection that runs the statements SQLKit builds as named
/// prepared statements once they are frequent, and decodes rows without SQLKit's `Decodable` detour.
///
/// SQLKit's own PostgreSQL database sends every statement unnamed: PostgreSQL parses and plans it on
/// every execution. Under a studio's mix that planning was 44 % of PostgreSQL's statement time
/// (`pg_stat_statements`, `docs/benchmarks.md`, session 11). Here a text seen
/// `PreparedStatements.promoteAfter` times is prepared on each connection the first time that
/// connection runs it, and executed by name from then on (PostgreSQL keeps its plan, or re-plans
/// when a table it reads changes). Statements without binds (transaction control, DDL), rare
/// texts, and binds of a type PostgresNIO cannot encode directly run unnamed as before.
struct PostgresPreparedSQL: SQLDatabase {
    let connection: PostgresConnection
    let registry: PreparedStatements
    let logger: Logger
    /// Outside a transaction: a statement whose prepared plan went stale (its table changed shape,
    /// `PreparedStatements.isStalePlan`) had no effect and runs once more, prepared afresh. In a
    /// transaction the whole transaction is retried instead (`PostgresBackend`).
    let retriesStalePlan: Bool

    var eventLoop: any EventLoop { connection.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { nil }
    var dialect: any SQLDialect { PostgresDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (sql, binds) = serialize(query)
        var bindings = PostgresBindings(capacity: binds.count)
        var signature = ""
        for bind in binds {
            guard Self.append(bind, to: &bindings, signature: &signature) else {
                // A bind PostgresNIO cannot encode by itself: SQLKit's own path (its `Encodable` translation).
                try await connection.sql(queryLogLevel: nil, logger: logger).execute(sql: query, onRow)
                return
            }
        }
        // Without binds: transaction control and DDL, unnamed as before.
        guard !binds.isEmpty else {
            return try await runUnnamed(sql, bindings, onRow)
        }
        do {
            try await run(sql, bindings, signature: signature, onRow)
        } catch  where retriesStalePlan && PreparedStatements.isStalePlan(error) {
            try await run(sql, bindings, signature: signature, onRow)
        }
    }

    /// Named once the text is frequent (a failure moves the connection's generation on, see
    /// `PreparedStatements.failed`), unnamed until then.
    private func run(
        _ sql: String, _ bindings: PostgresBindings, signature: String, _ onRow: @escaping @Sendable (any SQLRow) -> Void
    )
        async throws
    {
        guard let name = registry.name(sql: sql, signature: signature, connection: connection) else {
            return try await runUnnamed(sql, bindings, onRow)
        }
        do {
            try await DynamicStatement.$current.withValue(DynamicStatement.Current(name: name, sql: sql)) {
                for try await row in try await connection.execute(DynamicStatement(bindings: bindings), logger: logger) {
                    onRow(FastRow(row))
                }
            }
        } catch {
            registry.failed(error, connection: connection)
            throw error
        }
    }

    private func runUnnamed(_ sql: String, _ bindings: PostgresBindings, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger) {
            onRow(FastRow(row))
        }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    /// Appends `bind` as PostgreSQL's binary encoding of its own type, as SQLKit's translation does for
    /// these types, and a mark of its type to `signature`; false if its type has no direct encoding.
    static func append(_ bind: any Encodable & Sendable, to bindings: inout PostgresBindings, signature: inout String) -> Bool {
        if (bind as? any OptionalBind)?.isNone == true {
            bindings.appendNull()
            signature += "n,"
            return true
        }
        guard let value = bind as? any PostgresThrowingDynamicTypeEncodable else { return false }
        do {
            try bindings.append(value)
        } catch {
            return false
        }
        signature += "\(ObjectIdentifier(type(of: value)).hashValue),"
        return true
    }
}

/// The texts this process prepares, and the connections' generations of names.
///
/// A text becomes a named statement after it was run `promoteAfter` times (rare texts, such as a
/// list of a length seen once, stay unnamed), and at most `capacity` texts are named, so a
/// connection holds a bounded number of prepared statements. The name carries the binds' types (a
/// statement is prepared with its parameters' types) and the connection's generation: PostgresNIO
/// remembers a failed preparation for good on its connection (a statement first run in a
/// transaction already failed, or before the table it reads existed), and a prepared `SELECT *`
/// fails once its table gains a column; after such an error the connection's later statements are
/// prepared afresh under new names.
final class PreparedStatements: Sendable {
    static let promoteAfter = 3
    static let capacity = 256
    /// Texts counted but not yet prepared, at most; past it the counts start again.
    static let tracked = 4_096

    private struct State {
        var seen: [String: Int] = [:]
        var names: [String: String] = [:]
        var generations: [ObjectIdentifier: Int] = [:]
    }

    private let state = Mutex(State())

    /// The name `sql` with binds of `signature` runs under on `connection`, or nil to run it unnamed.
    func name(sql: String, signature: String, connection: PostgresConnection) -> String? {
        let key = signature + "|" + sql
        return state.withLock { state in
            let generation = state.generations[ObjectIdentifier(connection)] ?? 0
            if let name = state.names[key] { return "\(name)_\(generation)" }
            guard state.names.count < Self.capacity else { return nil }
            let count = (state.seen[key] ?? 0) + 1
            guard count >= Self.promoteAfter else {
                if state.seen.count >= Self.tracked { state.seen.removeAll(keepingCapacity: true) }
                state.seen[key] = count
                return nil
            }
            state.seen[key] = nil
            let name = "frontdesk_sql_\(state.names.count)"
            state.names[key] = name
            return "\(name)_\(generation)"
        }
    }

    /// A statement on `connection` failed with `error`: if it is one a preparation can leave behind,
    /// the connection's later statements are prepared under new names.
    func failed(_ error: any Error, connection: PostgresConnection) {
        guard let sqlState = DatabaseErrors.sqlState(error),
            ["42", "0A", "25", "26", "3F"].contains(String(sqlState.prefix(2)))
        else { return }
        state.withLock { $0.generations[ObjectIdentifier(connection), default: 0] += 1 }
    }

    /// The texts prepared so far.
    var preparedCount: Int { state.withLock { $0.names.count } }

    /// A prepared statement's result no longer matches its table (a column added under `SELECT *` by
    /// a migration while this process runs): it did nothing, and succeeds prepared afresh.
    static func isStalePlan(_ error: any Error) -> Bool {
        guard DatabaseErrors.sqlState(error) == "0A000", let message = (error as? PSQLError)?.serverInfo?[.message] else {
            return false
        }
        return message.contains("cached plan must not change result type")
    }
}

/// A prepared statement whose name and text are the task's current ones: PostgresNIO takes a
/// prepared statement's name and text from its type, and reads them before `execute` first suspends.
private struct DynamicStatement: PostgresPreparedStatement {
    struct Current: Sendable {
        var name: String
        var sql: String
    }

    @TaskLocal static var current = Current(name: "", sql: "")
    static var name: String { current.name }
    static var sql: String { current.sql }

    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// A row that decodes the column types the stores read (text, integers, booleans, floating point)
/// straight from PostgresNIO's cells, by name; anything else goes through SQLKit's translation.
struct FastRow: SQLRow {
    let row: PostgresRow
    let cells: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row
        cells = row.makeRandomAccess()
    }

    struct MissingColumn: Error, CustomStringConvertible {
        let column: String
        var description: String { "no column \(column) in the row" }
    }

    var allColumns: [String] { cells.map(\.columnName) }

    func contains(column: String) -> Bool { cells.contains(column) }

    func decodeNil(column: String) throws -> Bool { !cells.contains(column) || cells[column].bytes == nil }

    func decode<T: Decodable>(column: String, as type: T.Type) throws -> T {
        guard cells.contains(column) else { throw MissingColumn(column: column) }
        let cell = cells[column]
        if !cell.dataType.isUserDefined {
            if T.self == String.self { return try cell.decode(String.self) as! T }
            if T.self == String?.self { return try cell.decode(String?.self) as! T }
            if T.self == Int.self { return try cell.decode(Int.self) as! T }
            if T.self == Int?.self { return try cell.decode(Int?.self) as! T }
            if T.self == Int64.self { return try cell.decode(Int64.self) as! T }
            if T.self == Int64?.self { return try cell.decode(Int64?.self) as! T }
            if T.self == Bool.self { return try cell.decode(Bool.self) as! T }
            if T.self == Bool?.self { return try cell.decode(Bool?.self) as! T }
            if cell.dataType == .float8 || cell.dataType == .float4 {
                if T.self == Double.self { return try cell.decode(Double.self) as! T }
                if T.self == Double?.self { return try cell.decode(Double?.self) as! T }
            }
        }
        return try row.sql().decode(column: column, as: T.self)
    }
}

/// An optional bind, whatever it wraps: a nil is bound as NULL.
private protocol OptionalBind {
    var isNone: Bool { get }
}

extension Optional: OptionalBind {
    var isNone: Bool { self == nil }
}
