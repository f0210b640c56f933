import Foundation
import FrontdeskCore
import SQLKit

/// Concurrent self check-ins on the fast path, coalesced (a `Lanes` lane): while one batch's statement runs, new
/// check-ins queue; the next batch (up to `maxBatch`) is one guarded `UPDATE bookings … FROM (VALUES …)
/// RETURNING` — one statement, one commit — and each check-in is answered with its own booking, or nil
/// when its row did not change (the caller then takes the locked path, as a lone check-in would). A lone
/// check-in runs at once as the one-row prepared statement.
///
/// One per database and process (`AppServices` holds it). Batches of one process run one at a time;
/// several instances each batch their own.
public final class CheckinBatcher: Sendable {
    /// The most check-ins in one statement.
    public static let defaultMaxBatch = 256
    /// Attempts of a batch that PostgreSQL chose as a deadlock victim (two instances' batches taking the
    /// same rows in another order); the statement changed nothing, so it is simply run again.
    static let deadlockAttempts = 3

    /// One lane for every check-in of this process (the statement takes rows of any class).
    private static let lane = "checkins"
    private let lanes: Lanes<FastCheckin, Booking?>

    public init(database: any FrontdeskDatabase, maxBatch: Int = defaultMaxBatch) {
        lanes = Lanes(maxBatch: maxBatch) { _, batch in await Self.perform(batch, database: database) }
    }

    /// Batches run, check-ins answered and the largest batch.
    public var stats: LaneStats { lanes.stats }

    /// Check-ins queued now behind the batch being written.
    public var waiting: Int { lanes.queued(key: Self.lane) }

    /// The booking `checkin` made attended, or nil when its guard did not hold.
    func checkIn(_ checkin: FastCheckin) async throws -> Booking? {
        try await lanes.submit(key: Self.lane, checkin)
    }

    /// One answer per check-in of `batch`, in order. A database error answers every one with that error
    /// (the statement changed nothing). The same booking twice in a batch: the first is in the statement,
    /// the repeat is answered nil, so it takes the locked path and finds the booking attended.
    static func perform(_ batch: [FastCheckin], database: any FrontdeskDatabase) async -> [Result<Booking?, any Error>] {
        var firsts: [FastCheckin.Key: FastCheckin] = [:]
        var isFirst: [Bool] = []
        for checkin in batch {
            isFirst.append(firsts[checkin.key] == nil)
            if firsts[checkin.key] == nil { firsts[checkin.key] = checkin }
        }
        let changed: [FastCheckin.Key: Booking]
        do {
            if firsts.count == 1, let only = batch.first {
                changed = try await only.runAlone(database).map { [only.key: $0] } ?? [:]
            } else {
                // Sorted, so batches of several instances lock shared rows in one order.
                let rows = try await run(firsts.values.sorted { $0.key < $1.key }, database: database)
                changed = Dictionary(
                    rows.map { (FastCheckin.Key(sessionId: $0.sessionId, membershipId: $0.membershipId), $0) },
                    uniquingKeysWith: { first, _ in first })
            }
        } catch {
            return batch.map { _ in .failure(error) }
        }
        return zip(batch, isFirst).map { checkin, first in .success(first ? changed[checkin.key] : nil) }
    }

    /// The batch statement, run again when PostgreSQL breaks a deadlock by failing it.
    private static func run(_ checkins: [FastCheckin], database: any FrontdeskDatabase) async throws -> [Booking] {
        let update = statement(checkins, backend: database.backend)
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await database.writeStatement(scope: .bookings) { sql in
                    try await sql.raw(update).all().map(BookingRows.booking)
                }
            } catch  where DatabaseErrors.sqlState(error) == "40P01" && attempt < deadlockAttempts {
                try await Task.sleep(for: RetryBackoff.delay(attempt: attempt))
            }
        }
    }

    /// `FastCheckin`'s guarded UPDATE with every check-in of the batch as an arrival. On PostgreSQL the
    /// arrivals are arrays (`unnest`), so the text is the same for every batch and is prepared once per
    /// connection and planned generically (`PostgresPreparedSQL`): as `VALUES` rows each batch size was
    /// a text of its own, planned at nearly every batch (145 plans for 248 batches, 73 ms of planning
    /// against 132 ms of execution, in a 2,000-member check-in). SQLite plans in process: `VALUES`.
    static func statement(_ checkins: [FastCheckin], backend: Backend) -> SQLQueryString {
        if backend == .postgres {
            return """
                \(unsafeRaw: FastCheckin.arrivals)SELECT * FROM unnest(\(bind: checkins.map(\.at))::bigint[], \
                \(bind: checkins.map(\.method))::text[], \(bind: checkins.map(\.actorMembershipId))::text[], \
                \(bind: checkins.map(\.sessionId))::text[], \(bind: checkins.map(\.membershipId))::text[], \
                \(bind: checkins.map(\.orgId))::text[], \(bind: checkins.map(\.opensBefore))::bigint[])\
                \(unsafeRaw: FastCheckin.guardedTail)
                """
        }
        let rows = checkins.map { c -> SQLQueryString in
            """
            (\(bind: c.at), \(bind: c.method), \(bind: c.actorMembershipId), \(bind: c.sessionId), \
            \(bind: c.membershipId), \(bind: c.orgId), \(bind: c.opensBefore))
            """
        }
        return "\(unsafeRaw: FastCheckin.guardedHead)\(rows.joined(separator: ", "))\(unsafeRaw: FastCheckin.guardedTail)"
    }
}
