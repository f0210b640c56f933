import Foundation
import Synchronization

/// A doorbell: `wait(timeout:)` returns when `poke()` is called (or was, since the last wait), after
/// the timeout, or when the waiting task is cancelled. Used to wake the outbox workers
/// (`OutboxSignal`) and to tell that a process's lanes have no work left (`Lanes.waitUntilIdle`).
public final class WakeSignal: Sendable {
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
