import ArgumentParser
import Foundation
import FrontdeskCore
import FrontdeskFixtures
import FrontdeskStore
import Logging

/// Preview and bulk-delete a range of classes full of bookings through the store, as the bulk
/// routes do, reporting the time and the SQL statements each took.
struct Bulk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Previews and bulk-deletes S classes with B bookings each; prints time and statements.",
        discussion: """
            Seeds an org with S published classes (ten a day from tomorrow) and B members booked and charged \
            a credit in every class, then previews a date-range filter covering them all and deletes them with \
            the preview's fingerprint, in the same store calls the API makes. Checks afterwards that every \
            booking was cancelled, every credit refunded and every e-mail queued.
            """
    )

    @Option(help: "The database (SQLite path or postgres:// URL), migrated.") var databaseURL: String = "data/frontdesk.sqlite"
    @Option(help: "Classes to delete.") var sessions: Int = 1_000
    @Option(help: "Members booked in every class.") var bookings: Int = 20

    func validate() throws {
        guard (1...100_000).contains(sessions) else { throw ValidationError("--sessions must be 1…100000") }
        guard (1...500).contains(bookings) else { throw ValidationError("--bookings must be 1…500") }
    }

    func run() async throws {
        try await withBenchDatabase(databaseURL, measure)
    }

    func measure(_ database: any FrontdeskDatabase) async throws {
        let now = Date()
        let fixture = try await BulkFixture.create(database: database, sessions: sessions, members: bookings, now: now)
        let store = BulkSessionsStore(database: database)
        let filter = BulkFilter(from: fixture.from, to: fixture.to)

        var statements = database.statementCount
        var started = ContinuousClock.now
        let preview = try await store.preview(org: fixture.organization, filter: filter, maximum: sessions)
        let previewTime = ContinuousClock.now - started
        let previewStatements = database.statementCount - statements

        statements = database.statementCount
        started = ContinuousClock.now
        let outcome = try await store.execute(
            org: fixture.organization, action: .delete, filter: filter, fingerprint: preview.fingerprint,
            reason: nil, actor: fixture.owner, maximum: sessions, now: now)
        let deleteTime = ContinuousClock.now - started
        let deleteStatements = database.statementCount - statements
        let retries = database.retryCount

        guard case .done(let batch) = outcome else {
            print("the preview changed between preview and delete")
            throw ExitCode.failure
        }
        let left = try await database.read { sql in
            try await sql.raw(
                """
                SELECT (SELECT COUNT(*) FROM bookings WHERE organization_id = \(bind: fixture.organization.id) AND status <> 'cancelled') AS active,
                       (SELECT COUNT(*) FROM notification_outbox WHERE organization_id = \(bind: fixture.organization.id)
                            AND template = 'class_cancelled') AS queued,
                       (SELECT COUNT(*) FROM class_sessions WHERE organization_id = \(bind: fixture.organization.id) AND deleted_at IS NULL) AS live
                """
            ).first()
        }
        let active = try left?.decode(column: "active", as: Int.self) ?? -1
        let queued = try left?.decode(column: "queued", as: Int.self) ?? -1
        let live = try left?.decode(column: "live", as: Int.self) ?? -1
        print(
            """
            bulk delete: \(sessions) classes × \(bookings) bookings, database \(database.backend)
              preview      \(String(format: "%.0f", previewTime.milliseconds)) ms, \(previewStatements) statements, \(preview.totals.sessions) classes, \(preview.totals.confirmed) confirmed
              delete       \(String(format: "%.0f", deleteTime.milliseconds)) ms, \(deleteStatements) statements (\(retries) retries), \(batch.payload.cancelledBookings) bookings cancelled, \(batch.payload.refundedCredits) credits refunded
              afterwards   \(live) classes live, \(active) bookings active, \(queued) class-cancelled e-mails queued
            """)
        guard live == 0, active == 0, queued == sessions * bookings, batch.payload.refundedCredits == sessions * bookings else {
            print("INVARIANT BROKEN: expected no live class, no active booking, \(sessions * bookings) e-mails and refunds")
            throw ExitCode.failure
        }
        print("invariants hold")
    }
}
