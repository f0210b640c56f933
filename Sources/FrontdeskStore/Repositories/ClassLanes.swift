import Foundation
import FrontdeskCore
import Logging
import SQLKit

/// A booking or a cancel, queued on the booking lane (`ClassLanes`).
public enum ClassLaneRequest: Sendable {
    case book(BookRequest)
    case cancel(CancelRequest)

    var membershipId: String {
        switch self {
        case .book(let request): request.membershipId
        case .cancel(let request): request.membershipId
        }
    }

    var sessionId: String {
        switch self {
        case .book(let request): request.sessionId
        case .cancel(let request): request.sessionId
        }
    }

    /// What the batch's ordering needs (`BatchSteps`); a key is its user's (`IdempotencyRows.Slot`).
    var step: BatchSteps.Request {
        switch self {
        case .book(let request):
            .book(
                session: request.sessionId, member: request.membershipId,
                key: request.idempotencyKey.map { "\(request.actor.userId) \($0)" })
        case .cancel(let request):
            .cancel(
                session: request.sessionId, member: request.membershipId,
                key: request.idempotencyKey.map { "\(request.actor.userId) \($0)" })
        }
    }
}

/// A cancel request as a class lane carries it: the booking, its class and member (for the locks) and
/// the caller.
public struct CancelRequest: Sendable {
    public var org: Organization
    public var bookingId: String
    public var sessionId: String
    public var membershipId: String
    public var actor: BookingActor
    public var idempotencyKey: String?
    public var now: Date

    public init(
        org: Organization, bookingId: String, sessionId: String, membershipId: String, actor: BookingActor, idempotencyKey: String?,
        now: Date
    ) {
        self.org = org
        self.bookingId = bookingId
        self.sessionId = sessionId
        self.membershipId = membershipId
        self.actor = actor
        self.idempotencyKey = idempotencyKey
        self.now = now
    }
}

/// The booking lane of one server process: bookings and cancels of every class wait (holding no
/// database connection) and are written in batches, one transaction and one commit each
/// (`ClassBatch`). One lane, not one per class: a batch carries what is queued for every class, in
/// arrival order, so bookings of ten classes cost one transaction instead of ten written one after
/// another, and batches of one process never fail each other with SERIALIZABLE's read/write conflicts.
public final class ClassLanes: Sendable {
    /// The most requests one batch takes, by default.
    public static let defaultMaxBatch = 128
    private static let lane = "classes"
    private let lanes: Lanes<ClassLaneRequest, BookingResult>

    /// Lanes over `database`; a batch takes at most `maxBatch` requests.
    public init(database: any FrontdeskDatabase, logger: Logger, maxBatch: Int = defaultMaxBatch) {
        lanes = Lanes(maxBatch: maxBatch) { _, items, latecomers in
            await ClassBatch(database: database, logger: logger).run(items, latecomers: latecomers)
        }
    }

    /// Queues `request` and waits for its answer.
    public func submit(_ request: ClassLaneRequest) async throws -> BookingResult {
        try await lanes.submit(key: Self.lane, request)
    }

    /// Queues `requests` now, in order and together (arrival order is fixed by this call).
    public func enqueue(_ requests: [ClassLaneRequest]) -> [LaneReply<BookingResult>] {
        lanes.enqueue(key: Self.lane, requests)
    }

    /// Returns once no booking or cancel is queued or being written in this process, or after `limit`.
    public func waitUntilIdle(atMost limit: Duration) async { await lanes.waitUntilIdle(atMost: limit) }

    /// Batches and requests answered so far.
    public var stats: LaneStats { lanes.stats }
}

/// One batch of the booking lane in one transaction (group commit). It takes the lock of every class
/// and every member in the batch (sorted, before the snapshot, as a single booking always has, so
/// several instances still serialise on each class), then handles the requests in the order
/// `BatchSteps` gives (arrival order wherever one request can affect another): sets of bookings, of
/// one class or several, are decided and written together (`BookSetRows`), a cancel (which may
/// promote from the waitlist) runs on its own, its checks before its writes. Each request's refusal
/// is its own answer; a database failure rolls the whole batch back and answers every request of it
/// with 503, changing nothing. The batch's messages are queued together at its end
/// (`OutboxRows.batchedWakingLater`), and the workers woken after the commit, outside the locks.
struct ClassBatch {
    let database: any FrontdeskDatabase
    let logger: Logger

    func run(
        _ items: [ClassLaneRequest], latecomers: Lanes<ClassLaneRequest, BookingResult>.Latecomers
    ) async -> [Result<BookingResult, any Error>] {
        let options = TransactionOptions(lockKeys: items.flatMap(Self.locks), scope: .bookings, joining: Joining(latecomers: latecomers))
        do {
            let (results, wakeDue) = try await database.transaction(options) { sql in
                try await PendingInserts.collecting(sql) {
                    try await OutboxRows.batchedWakingLater(sql) { try await Self.handle(sql, items + latecomers.joined) }
                }
            }
            if wakeDue { database.wakeOutboxWorkers() }
            return results
        } catch {
            let failure = Self.batchFailure(error)
            let all = items + latecomers.joined
            logger.warning(
                "class lane batch failed",
                metadata: [
                    "sessions": .string(Set(all.map(\.sessionId)).sorted().joined(separator: ",")),
                    "requests": .stringConvertible(all.count), "error": .string("\(error)"),
                ])
            return all.map { _ in .failure(failure) }
        }
    }

    /// The locks a request needs: its class's and its member's.
    static func locks(_ request: ClassLaneRequest) -> [String] {
        ["session:\(request.sessionId)", "member:\(request.membershipId)"]
    }

    /// The requests queued while the batch waited for its locks (another server's batch of the same
    /// class held them): they join it when their own locks can be had at once, instead of waiting a
    /// whole batch more.
    struct Joining: LockJoining {
        let latecomers: Lanes<ClassLaneRequest, BookingResult>.Latecomers

        func waiting() -> [[String]] { latecomers.take().map(ClassBatch.locks) }
        func keep(first count: Int) { latecomers.keep(first: count) }
    }

    /// The batch's requests in the order `BatchSteps` gives: sets of bookings, each cancel on its own.
    static func handle(_ sql: any SQLDatabase, _ items: [ClassLaneRequest]) async throws -> [Result<BookingResult, any Error>] {
        var results = [Result<BookingResult, any Error>?](repeating: nil, count: items.count)
        for step in BatchSteps.steps(items.map(\.step), waiting: try await waiting(sql, items)) {
            // The rows of the steps before, which this one reads (the batch's last are sent with its messages).
            try await PendingInserts.flush(sql)
            switch step {
            case .cancels(let indices):
                let cancels = try indices.map { index in
                    guard case .cancel(let request) = items[index] else { throw BrokenInvariant("a step's cancel is a booking") }
                    return request
                }
                for (index, result) in zip(indices, try await CancelSetRows.run(sql, cancels)) { results[index] = result }
            case .books(let indices):
                let books = try indices.map { index in
                    guard case .book(let request) = items[index] else { throw BrokenInvariant("a step's booking is a cancel") }
                    return request
                }
                for (index, result) in zip(indices, try await BookSetRows.run(sql, books)) { results[index] = result }
            }
        }
        return try results.map { result in
            guard let result else { throw BrokenInvariant("a request of the batch was left out of its steps") }
            return result
        }
    }

    /// The members waitlisted in each class a cancel of the batch is for, when a booking comes after a
    /// cancel (otherwise the order is arrival order anyway, and nothing is read).
    static func waiting(_ sql: any SQLDatabase, _ items: [ClassLaneRequest]) async throws -> [String: Set<String>] {
        guard let firstCancel = items.firstIndex(where: { if case .cancel = $0 { true } else { false } }),
            items[firstCancel...].contains(where: { if case .book = $0 { true } else { false } })
        else { return [:] }
        let sessions = Set(items.compactMap { if case .cancel(let request) = $0 { request.sessionId } else { nil } })
        var waiting: [String: Set<String>] = [:]
        for row in try await sql.raw(
            """
            SELECT session_id, membership_id FROM bookings
            WHERE session_id \(PortableSQL.isInByIndex(sql, sessions.sorted())) AND status = 'waitlisted'
            """
        ).all() {
            waiting[try row.string("session_id"), default: []].insert(try row.string("membership_id"))
        }
        return waiting
    }

    /// What every request of a failed batch is told: contention and an unreachable database keep their
    /// own answers (503 `busy`, 503 `database_unavailable`); anything else is 503 `busy` too — nothing
    /// was written, and the request may be repeated.
    static func batchFailure(_ error: any Error) -> any Error {
        if DatabaseErrors.isContention(error) || DatabaseErrors.isUnavailable(error) { return error }
        return DomainError(.busy, "The studio is very busy right now; please try again.")
    }
}

/// A rule the code relies on did not hold (a bug, or a row changed by hand): the transaction is undone.
struct BrokenInvariant: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
