import Synchronization

/// What a `Coalescer` has done so far (tests read it; it is cheap enough to read anywhere).
public struct CoalescerStats: Sendable, Equatable {
    /// Batches performed.
    public var batches = 0
    /// Items answered, over all batches.
    public var items = 0
    /// The most items one batch held.
    public var largestBatch = 0
    /// Items queued now behind the batch in progress.
    public var waiting = 0

    public init(batches: Int = 0, items: Int = 0, largestBatch: Int = 0, waiting: Int = 0) {
        self.batches = batches
        self.items = items
        self.largestBatch = largestBatch
        self.waiting = waiting
    }
}

/// Group commit without timers: concurrent `submit` calls are performed together, one batch at a time.
///
/// A caller who finds nothing in progress performs its item at once, alone (no added latency). While a
/// batch is in progress, new items queue; when it finishes, everything queued (up to `maxBatch`) is the
/// next batch. No extra task drains the queue: the first waiter of the next batch is woken to perform
/// it, and the others are answered by whoever performed their batch. Each batch runs in a task of its
/// own, so a caller that is cancelled (a client that went away) does not cancel the others' batch.
public final class Coalescer<Item: Sendable, Answer: Sendable>: Sendable {
    private struct Waiter: Sendable {
        let item: Item
        let continuation: CheckedContinuation<Wake, Never>
    }

    /// How a waiter is woken: with its answer, or to perform a batch (whose first item is its own).
    private enum Wake: Sendable {
        case answered(Answer)
        case lead([Waiter])
    }

    private struct State {
        var running = false
        var queue: [Waiter] = []
        var stats = CoalescerStats()
    }

    private let state = Mutex(State())
    private let maxBatch: Int
    private let perform: @Sendable ([Item]) async -> [Answer]

    /// `perform` answers a batch's items in order, one answer per item; it must not throw (a failure is
    /// part of `Answer`, e.g. a `Result`).
    public init(maxBatch: Int, perform: @escaping @Sendable ([Item]) async -> [Answer]) {
        precondition(maxBatch >= 1)
        self.maxBatch = maxBatch
        self.perform = perform
    }

    public var stats: CoalescerStats {
        state.withLock { state in
            var stats = state.stats
            stats.waiting = state.queue.count
            return stats
        }
    }

    /// `item`'s answer, performed alone or in a batch with whatever else is submitted meanwhile.
    public func submit(_ item: Item) async -> Answer {
        let wake = await withCheckedContinuation { (continuation: CheckedContinuation<Wake, Never>) in
            let waiter = Waiter(item: item, continuation: continuation)
            let leads = state.withLock { state in
                if state.running {
                    state.queue.append(waiter)
                    return false
                }
                state.running = true
                return true
            }
            if leads { continuation.resume(returning: .lead([waiter])) }
        }
        switch wake {
        case .answered(let answer): return answer
        case .lead(let batch): return await lead(batch)
        }
    }

    /// Performs `batch` (whose first waiter is the caller), hands the queue on to its next leader, then
    /// answers the batch's other waiters.
    private func lead(_ batch: [Waiter]) async -> Answer {
        let items = batch.map(\.item)
        let answers = await Task { [perform] in await perform(items) }.value
        precondition(answers.count == batch.count, "Coalescer: \(answers.count) answers for \(batch.count) items")
        let next: [Waiter] = state.withLock { state in
            state.stats.batches += 1
            state.stats.items += batch.count
            state.stats.largestBatch = max(state.stats.largestBatch, batch.count)
            guard !state.queue.isEmpty else {
                state.running = false
                return []
            }
            let count = min(maxBatch, state.queue.count)
            defer { state.queue.removeFirst(count) }
            return Array(state.queue.prefix(count))
        }
        next.first?.continuation.resume(returning: .lead(next))
        for (waiter, answer) in zip(batch, answers).dropFirst() {
            waiter.continuation.resume(returning: .answered(answer))
        }
        return answers[0]
    }
}
