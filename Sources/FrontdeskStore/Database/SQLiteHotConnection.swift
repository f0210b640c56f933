import CSQLiteTuning
import Foundation
import NIOCore
import NIOPosix
import SQLiteKit
import SQLiteNIO
import SQLKit
import VaporCSQLite

/// A read-only connection to the SQLite file that keeps every `HotStatement` it has run prepared.
///
/// SQLiteNIO prepares each query afresh and finalizes it after: parsing and planning the schedule's
/// joins and the facts' unions at every request cost the server as much as running them. A hot
/// statement's text never changes, so here it is prepared once per connection and kept, and each run
/// only binds, steps and resets it. Rows come back in one piece (SQLiteNIO hands each row to the
/// event loop separately).
///
/// Kept statements need SQLite's query planner stability guarantee (QPSG): without it SQLite marks
/// a statement whose plan looked at a placeholder (a `col = $n` it could not use an index for, a
/// `LIMIT $n`, a partial index's condition) to be planned again when that value changes, which for a
/// kept statement is nearly every run — each one was prepared anew at its first step and nothing
/// was saved (`SQLitePlanStabilityTests`). With it a plan is made once, from the text alone, as
/// SQLiteNIO's fresh statements are (they are planned before anything is bound).
///
/// Values are read and decoded exactly as SQLiteNIO and SQLiteKit do (`SQLiteData`,
/// `SQLiteDataDecoder`, the first column of a name wins), so a row reads the same whichever connection
/// it came from (`HotStatementReuseTests`).
///
/// Used by one task at a time (`SQLiteConnectionPool`), its C calls on the NIO thread pool.
final class SQLiteHotConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// Each statement type's prepared statement and its columns.
    private var prepared: [ObjectIdentifier: Prepared] = [:]
    private let threadPool: NIOThreadPool

    private struct Prepared {
        let statement: OpaquePointer
        let columns: SQLiteHotRow.Columns
    }

    /// SQLite copies a bound text before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private init(handle: OpaquePointer?, threadPool: NIOThreadPool) {
        self.handle = handle
        self.threadPool = threadPool
    }

    /// Opens the (existing) file at `path` for reading only, waiting up to 5 s on a busy file, its
    /// plans stable (tests turn that off to show what it prevents).
    static func open(
        path: String, stablePlans: Bool = true, threadPool: NIOThreadPool = .singleton
    ) async throws -> SQLiteHotConnection {
        try await threadPool.runIfActive {
            var handle: OpaquePointer?
            let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
            let opened = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
            guard opened == SQLITE_OK else {
                let error = SQLiteStatementError(handle, code: opened)
                sqlite_nio_sqlite3_close(handle)
                throw error
            }
            let connection = SQLiteHotConnection(handle: handle, threadPool: threadPool)
            do {
                try connection.check(sqlite_nio_sqlite3_busy_timeout(handle, 5_000))
                if stablePlans, let handle { try connection.stablePlansOn(handle) }
                // Nothing run here writes: make sure of it.
                try connection.check(sqlite_nio_sqlite3_exec(handle, "PRAGMA query_only = 1", nil, nil, nil))
            } catch {
                connection.closeNow()
                throw error
            }
            return connection
        }
    }

    /// `statement`'s rows.
    func run<S: HotStatement>(_ statement: S) async throws -> [any SQLRow] {
        let values = statement.values
        return try await threadPool.runIfActive { try self.runNow(S.self, values) }
    }

    /// How often SQLite planned `type`'s kept statement again since it was prepared (0 with stable
    /// plans); nil when it was never run here.
    func reprepares<S: HotStatement>(_ type: S.Type) async throws -> Int? {
        try await threadPool.runIfActive {
            self.prepared[ObjectIdentifier(type)].map {
                Int(sqlite_nio_sqlite3_stmt_status($0.statement, SQLITE_STMTSTATUS_REPREPARE, 0))
            }
        }
    }

    /// Finalizes the kept statements and closes the file.
    func close() async {
        _ = try? await threadPool.runIfActive { self.closeNow() }
    }

    // MARK: On the thread pool

    private func runNow<S: HotStatement>(_ type: S.Type, _ values: [HotValue]) throws -> [any SQLRow] {
        guard handle != nil else { throw DatabaseConfigurationError("the SQLite database is closed") }
        let prepared = try self.prepared[ObjectIdentifier(type)] ?? prepare(type)
        let statement = prepared.statement
        // Every placeholder is bound afresh below, so nothing is cleared (clearing would also expire
        // a statement whose plan consulted a bound value).
        defer { sqlite_nio_sqlite3_reset(statement) }
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            switch value {
            case .text(let text):
                try check(
                    sqlite_nio_sqlite3_bind_text64(
                        statement, position, text, UInt64(text.utf8.count), Self.transient, UInt8(SQLITE_UTF8)))
            case .integer(let integer):
                try check(sqlite_nio_sqlite3_bind_int64(statement, position, integer))
            }
        }
        var rows: [any SQLRow] = []
        let width = Int32(prepared.columns.names.count)
        while true {
            let stepped = sqlite_nio_sqlite3_step(statement)
            if stepped == SQLITE_DONE { break }
            guard stepped == SQLITE_ROW else { throw SQLiteStatementError(handle, code: stepped) }
            var data: [SQLiteData] = []
            data.reserveCapacity(Int(width))
            for column in 0..<width { data.append(Self.data(statement, column)) }
            rows.append(SQLiteHotRow(columns: prepared.columns, data: data))
        }
        return rows
    }

    /// Prepares `type`'s text with each `$n` as SQLite's `?n` (bound at position n) and keeps it.
    private func prepare<S: HotStatement>(_ type: S.Type) throws -> Prepared {
        var statement: OpaquePointer?
        let text = Self.numberedParameters(S.sql)
        let result = sqlite_nio_sqlite3_prepare_v3(handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard result == SQLITE_OK, let statement else { throw SQLiteStatementError(handle, code: result) }
        var names: [String] = []
        for column in 0..<sqlite_nio_sqlite3_column_count(statement) {
            names.append(sqlite_nio_sqlite3_column_name(statement, column).map { String(cString: $0) } ?? "")
        }
        let prepared = Prepared(statement: statement, columns: SQLiteHotRow.Columns(names))
        self.prepared[ObjectIdentifier(type)] = prepared
        return prepared
    }

    private func closeNow() {
        for prepared in prepared.values { sqlite_nio_sqlite3_finalize(prepared.statement) }
        prepared.removeAll()
        sqlite_nio_sqlite3_close(handle)
        handle = nil
    }

    /// Turns the query planner stability guarantee on (`CSQLiteTuning`: `sqlite3_db_config` is variadic).
    private func stablePlansOn(_ handle: OpaquePointer) throws {
        try check(frontdesk_sqlite_enable_qpsg(UnsafeMutableRawPointer(handle)))
    }

    private func check(_ result: Int32) throws {
        guard result == SQLITE_OK else { throw SQLiteStatementError(handle, code: result) }
    }

    /// A column of the current row as SQLiteNIO reads it.
    private static func data(_ statement: OpaquePointer, _ column: Int32) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER:
            return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
        case SQLITE_FLOAT:
            return .float(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { return .null }
            return .text(String(cString: text))
        case SQLITE_BLOB:
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            var buffer = ByteBufferAllocator().buffer(capacity: length)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: length))
            }
            return .blob(buffer)
        default:
            return .null
        }
    }

    /// `sql` with each `$n` placeholder written `?n`: SQLite binds `?n` at position n, however often
    /// and in whatever order the placeholders appear (as `HotStatement.sqlQuery` reads them).
    static func numberedParameters(_ sql: String) -> String {
        var text = Array(sql.utf8)
        var index = 0
        while index < text.count {
            if text[index] == UInt8(ascii: "$"), index + 1 < text.count,
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[index + 1])
            {
                text[index] = UInt8(ascii: "?")
            }
            index += 1
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// A row of a hot statement on SQLite, read as SQLiteKit reads SQLiteNIO's rows.
struct SQLiteHotRow: SQLRow {
    /// A statement's column names, shared by its rows; a name's first column wins (as in SQLiteNIO).
    final class Columns: Sendable {
        let names: [String]
        let index: [String: Int]

        init(_ names: [String]) {
            self.names = names
            index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    let columns: Columns
    let data: [SQLiteData]

    private static let decoder = SQLiteDataDecoder()

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.index[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let offset = columns.index[column] else { return true }
        return data[offset] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let offset = columns.index[column] else { throw FastRow.MissingColumn(column: column) }
        return try Self.decoder.decode(D.self, from: data[offset])
    }
}

/// An SQLite error from a hot statement (SQLiteNIO's own error type cannot be made outside it).
struct SQLiteStatementError: Error, CustomStringConvertible {
    /// The extended result code.
    let code: Int32
    let message: String

    init(_ handle: OpaquePointer?, code: Int32) {
        self.code = code
        message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "SQLite error \(code)"
    }

    /// The primary result code (`SQLITE_BUSY`, `SQLITE_IOERR`…).
    var primary: Int32 { code & 0xff }

    var description: String { "SQLite error \(code): \(message)" }
}
