import Foundation
import SQLKit
import Synchronization

/// Wakes outbox workers when notifications are queued, so delivery does not wait for the next poll.
///
/// Queuing code calls `OutboxRows.wake(sql)` inside its transaction: that pokes this process's workers
/// and, on PostgreSQL, sends `NOTIFY frontdesk_outbox`, which PostgreSQL delivers at commit to every
/// instance listening (and drops on rollback). A poke before the commit is harmless: on SQLite the
/// worker's claim queues behind the writing transaction, on PostgreSQL the NOTIFY follows. A class
/// lane's batch instead wakes the workers after its commit (`OutboxRows.batchedWakingLater`,
/// `FrontdeskDatabase.wakeOutboxWorkers`), so the class's lock is not held for a `NOTIFY`.
public typealias OutboxSignal = WakeSignal

extension WakeSignal {
    /// The process-wide signal every queuing transaction pokes (`OutboxSignal`).
    public static let shared = WakeSignal()
    public static let channel = "frontdesk_outbox"
}

extension OutboxRows {
    /// Wakes the workers once the caller's transaction commits (see `OutboxSignal`). Inside `batched`,
    /// only notes that a wake is due.
    public static func wake(_ sql: any SQLDatabase) async throws {
        if let held = heldMessages {
            held.wakeDue.store(true, ordering: .relaxed)
            return
        }
        OutboxSignal.shared.poke()
        if PortableSQL.isPostgres(sql) {
            try await sql.raw("SELECT pg_notify(\(bind: OutboxSignal.channel), '')").run()
        }
    }

    /// Runs `body` (one transaction's work, e.g. a class lane's batch of many requests that each queue
    /// messages) holding the messages it queues, then writes them, still inside the transaction, in
    /// one INSERT per instant (`now`, in whole seconds, in the order first seen) and wakes the workers
    /// once: a few round trips per transaction instead of two per request. The rows are the same,
    /// and, as before, nobody sees them until the commit.
    static func batched<T>(_ sql: any SQLDatabase, _ body: () async throws -> T) async throws -> T {
        let (result, wakeDue) = try await batchedWakingLater(sql, body)
        if wakeDue { try await wake(sql) }
        return result
    }

    /// `batched` without the wake: answers whether one is due, for the caller to wake the workers
    /// after its commit (`FrontdeskDatabase.wakeOutboxWorkers`) — one round trip fewer inside the
    /// transaction, and a commit that does not carry a `NOTIFY`.
    static func batchedWakingLater<T>(_ sql: any SQLDatabase, _ body: () async throws -> T) async throws -> (T, wakeDue: Bool) {
        let held = HeldMessages()
        let result = try await $heldMessages.withValue(held) { try await body() }
        let groups = held.groups()
        let postgres = PortableSQL.isPostgres(sql)
        try await PendingInserts.add(sql, try groups.flatMap { try inserts($0.messages, now: $0.now, postgres: postgres) })
        return (result, !groups.isEmpty || held.wakeDue.load(ordering: .relaxed))
    }

    @TaskLocal static var heldMessages: HeldMessages?

    /// Messages queued inside a `batched` body, and whether a wake is due.
    final class HeldMessages: Sendable {
        let wakeDue = Atomic(false)
        private let held = Mutex<[(messages: [OutboxMessage], now: Date)]>([])

        func add(_ messages: [OutboxMessage], now: Date) {
            held.withLock { $0.append((messages, now)) }
        }

        /// The messages in the order queued, grouped by the whole second they were queued at.
        func groups() -> [(messages: [OutboxMessage], now: Date)] {
            var groups: [(messages: [OutboxMessage], now: Date)] = []
            var index: [Int64: Int] = [:]
            for entry in held.withLock({ $0 }) {
                let second = entry.now.epochSeconds
                if let at = index[second] {
                    groups[at].messages += entry.messages
                } else {
                    index[second] = groups.count
                    groups.append(entry)
                }
            }
            return groups
        }
    }
}
