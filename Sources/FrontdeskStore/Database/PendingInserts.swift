import SQLKit
import Synchronization

/// INSERTs of a transaction that nothing reads back before it goes on, held and sent together: on
/// PostgreSQL as one statement (each but the last a data-modifying `WITH` part: `WITH w0 AS (INSERT …),
/// w1 AS (INSERT …) INSERT …`), one round trip instead of one each; on SQLite (no data-modifying
/// `WITH`, and no round trip to save) one after another.
///
/// Held only inside `collecting` (a class lane's batch): whoever reads after an `add` must `flush`
/// first, so that it sees the rows (the batch flushes before each of its steps). The parts of one
/// statement share its snapshot and run in no set order, so each must be an INSERT that does not
/// read another part's rows; foreign keys between them hold (checked at the statement's end). A key
/// repeated across parts with `ON CONFLICT DO NOTHING` is still inserted once, but not necessarily
/// from the first part: parts must not repeat a key with different rows (a batch's outbox rows
/// repeat a dedupe key only for the same message). A part's failure fails the statement, so the
/// transaction, as before.
enum PendingInserts {
    @TaskLocal static var current: Held?

    final class Held: Sendable {
        fileprivate let statements = Mutex<[SQLQueryString]>([])
    }

    /// Runs `body` holding the INSERTs it adds, and sends those still held at its end.
    static func collecting<T>(_ sql: any SQLDatabase, _ body: () async throws -> T) async throws -> T {
        let held = Held()
        let result = try await $current.withValue(held) { try await body() }
        try await send(sql, held.statements.withLock { $0 })
        return result
    }

    /// Holds `statements` inside `collecting`; runs them at once outside it.
    static func add(_ sql: any SQLDatabase, _ statements: [SQLQueryString]) async throws {
        guard let held = current else { return try await send(sql, statements) }
        held.statements.withLock { $0 += statements }
    }

    /// Sends what is held, before a read that must see it.
    static func flush(_ sql: any SQLDatabase) async throws {
        guard let held = current else { return }
        let statements: [SQLQueryString] = held.statements.withLock { statements in
            defer { statements = [] }
            return statements
        }
        try await send(sql, statements)
    }

    private static func send(_ sql: any SQLDatabase, _ statements: [SQLQueryString]) async throws {
        guard let last = statements.last else { return }
        guard PortableSQL.isPostgres(sql), statements.count > 1 else {
            for statement in statements { try await sql.raw(statement).run() }
            return
        }
        try await sql.raw(combined(statements.dropLast(), last)).run()
    }

    /// `WITH w0 AS (first), w1 AS (second) … last`.
    static func combined(_ parts: ArraySlice<SQLQueryString>, _ last: SQLQueryString) -> SQLQueryString {
        let named = parts.enumerated().map { index, part in "w\(unsafeRaw: String(index)) AS (\(part))" as SQLQueryString }
        return "WITH \(named.joined(separator: ", ")) \(last)"
    }
}
