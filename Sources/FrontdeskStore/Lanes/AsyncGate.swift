import Synchronization

/// At most `permits` holders at once; the others wait in arrival order, holding nothing.
///
/// The class lanes write their batches through one gate per process: batches of different classes
/// then do not run side by side, so they cannot fail one another with SERIALIZABLE's read/write
/// conflicts (two batches reading and inserting into the same index pages are a cycle to PostgreSQL,
/// and a failed batch is retried whole). Each batch is short and carries a whole queue, so one at a
/// time is not the limit: a commit is.
public final class AsyncGate: Sendable {
    private struct State {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    public init(permits: Int) {
        precondition(permits >= 1)
        state = Mutex(State(free: permits))
    }

    /// Runs `body` holding a permit.
    public func withPermit<T>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state in
                if state.free > 0 {
                    state.free -= 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func release() {
        let next: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
