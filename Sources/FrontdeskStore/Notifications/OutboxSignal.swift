import Foundation
import SQLKit
import Synchronization

/// Wakes outbox workers when notifications are queued, so delivery does not wait for the next poll.
///
/// Queuing code calls `OutboxRows.wake(sql)` inside its transaction: that pokes this process's workers
/// and, on PostgreSQL, sends `NOTIFY frontdesk_outbox`, which PostgreSQL delivers at commit to every
/// instance listening (and drops on rollback). A poke before the commit is harmless: on SQLite the
/// worker's claim queues behind the writing transaction, on PostgreSQL the NOTIFY follows.
public final class OutboxSignal: Sendable {
    /// The process-wide signal every queuing transaction pokes.
    public static let shared = OutboxSignal()
    public static let channel = "frontdesk_outbox"

    private struct State {
        var poked = false
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
        var cancelled: Set<UUID> = []
    }
    private let state = Mutex(State())

    public init() {}

    /// Wakes every waiter, or the next one to wait.
    public func poke() {
        let waiters = state.withLock { state in
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            if waiters.isEmpty { state.poked = true }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when poked (or poked since the last wait), after `timeout`, or when cancelled.
    public func wait(timeout: Duration) async {
        let id = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let resumeNow = state.withLock { state in
                            if state.poked || state.cancelled.remove(id) != nil {
                                state.poked = false
                                return true
                            }
                            state.waiters[id] = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: { [self] in
                    let waiter = state.withLock { state in
                        guard let waiter = state.waiters.removeValue(forKey: id) else {
                            state.cancelled.insert(id)
                            return nil as CheckedContinuation<Void, Never>?
                        }
                        return waiter
                    }
                    waiter?.resume()
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        state.withLock { _ = $0.cancelled.remove(id) }
    }
}

extension OutboxRows {
    /// Wakes the workers once the caller's transaction commits (see `OutboxSignal`). Inside
    /// `wakingOnce`, only notes that a wake is due.
    public static func wake(_ sql: any SQLDatabase) async throws {
        if let pending = pendingWake {
            pending.due.store(true, ordering: .relaxed)
            return
        }
        OutboxSignal.shared.poke()
        if PortableSQL.isPostgres(sql) {
            try await sql.raw("SELECT pg_notify(\(bind: OutboxSignal.channel), '')").run()
        }
    }

    /// Runs `body` (one transaction's work, e.g. a class lane's batch of many requests that each queue
    /// messages) with the wakes of its `enqueue` calls folded into one, sent at the end of `body`, still
    /// inside the transaction: one NOTIFY round trip per transaction instead of one per request.
    static func wakingOnce<T>(_ sql: any SQLDatabase, _ body: () async throws -> T) async throws -> T {
        let pending = PendingWake()
        let result = try await $pendingWake.withValue(pending) { try await body() }
        if pending.due.load(ordering: .relaxed) { try await wake(sql) }
        return result
    }

    @TaskLocal static var pendingWake: PendingWake?

    /// A wake due at the end of a `wakingOnce` body.
    final class PendingWake: Sendable {
        let due = Atomic(false)
    }
}
