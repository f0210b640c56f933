import Logging
import Metrics
import NIOCore
import SQLKit
import Synchronization

/// Counts the SQL statements a backend sends (benchmarks report it; `/metrics` exports it as
/// `frontdesk_db_statements_total`), so "no round trip per row" can be checked, not assumed.
final class StatementCounter: Sendable {
    private let count = Atomic<Int>(0)
    private let metric: Counter

    init(backend: Backend) {
        metric = Counter(label: "frontdesk_db_statements_total", dimensions: [("backend", backend.rawValue)])
    }

    func increment() {
        count.add(1, ordering: .relaxed)
        metric.increment()
    }

    var value: Int { count.load(ordering: .relaxed) }

    /// `database` with every statement it executes counted here.
    func counting(_ database: any SQLDatabase) -> any SQLDatabase {
        CountingSQLDatabase(base: database, counter: self)
    }
}

/// An `SQLDatabase` that counts each statement and hands it on unchanged.
private struct CountingSQLDatabase: SQLDatabase {
    let base: any SQLDatabase
    let counter: StatementCounter

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        counter.increment()
        return base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        counter.increment()
        try await base.execute(sql: query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await base.withSession { try await closure(CountingSQLDatabase(base: $0, counter: counter)) }
    }
}
