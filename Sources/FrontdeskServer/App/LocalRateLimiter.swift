import Foundation
import Synchronization

/// Fixed-window counters held in this process, for limits checked on a hot path where a database
/// round trip and durable commit per request would cost more than the request itself (self check-in).
///
/// Each instance counts on its own, so with N instances behind a balancer a member gets at most N
/// times the limit. That is the trade made on purpose: the limit is there to stop a runaway client
/// or token guessing, which a per-instance budget does; login brute-force protection, where the
/// budget must be global, stays in the database (`RateLimitStore`).
final class LocalRateLimiter: Sendable {
    private struct State {
        var windowStart: Int64 = .min
        var hits: [String: Int] = [:]
    }

    private let windowSeconds: Int64
    private let state = Mutex(State())

    init(windowSeconds: Int) {
        self.windowSeconds = Int64(max(1, windowSeconds))
    }

    /// Records one hit for `key` and returns the current window's total. The whole table is dropped
    /// when a new window starts, so memory is bounded by the keys seen in one window.
    func hit(_ key: String, now: Date) -> Int {
        let seconds = now.epochSeconds
        let start = seconds - ((seconds % windowSeconds) + windowSeconds) % windowSeconds
        return state.withLock { state in
            if state.windowStart != start {
                state.windowStart = start
                state.hits.removeAll(keepingCapacity: true)
            }
            let total = state.hits[key, default: 0] + 1
            state.hits[key] = total
            return total
        }
    }
}
