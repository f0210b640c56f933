import Synchronization

/// Per-key first-in-first-out lanes that turn concurrent requests into batches (group commit).
///
/// A request is queued on its key's lane and waits without holding anything (no database
/// connection, no lock). While a lane has work, one task drains it: it takes what is queued (at most
/// `maxBatch`, oldest first), hands that batch to `execute`, answers every request of it with its
/// own result, and goes round again until the lane is empty. A lone request therefore goes at once;
/// requests that arrive while a batch is being written wait for the next batch. Arrival order is
/// the order of `enqueue` calls on one key, and batches of one key never overlap, so the executor
/// sees each key's requests strictly in arrival order, across batches.
///
/// An executor that first waits for something (a class's lock another server holds) may take the
/// requests queued meanwhile into the batch it is about to write (`Latecomers`), instead of leaving
/// them a whole batch behind.
public final class Lanes<Item: Sendable, Answer: Sendable>: Sendable {
    /// Decides a batch: one result per item, in the items' order.
    public typealias Executor = @Sendable (_ key: String, _ items: [Item]) async -> [Result<Answer, any Error>]
    /// Decides a batch and the latecomers it takes: one result per item, then one per
    /// `latecomers.joined` item, in that order.
    public typealias JoiningExecutor =
        @Sendable (_ key: String, _ items: [Item], _ latecomers: Latecomers) async -> [Result<Answer, any Error>]

    fileprivate struct Waiting: Sendable {
        let item: Item
        let reply: LaneReply<Answer>
    }

    /// Queued requests per key; a key is present exactly while a drainer runs for it.
    private let queues = Mutex<[String: [Waiting]]>([:])
    /// Poked whenever the last key's drainer finds nothing left (`waitUntilIdle`).
    private let idle = WakeSignal()
    private let counters = Mutex(LaneStats())
    private let execute: JoiningExecutor
    /// The most requests one batch takes.
    public let maxBatch: Int

    public convenience init(maxBatch: Int, execute: @escaping Executor) {
        self.init(maxBatch: maxBatch, joining: { key, items, _ in await execute(key, items) })
    }

    public init(maxBatch: Int, joining execute: @escaping JoiningExecutor) {
        precondition(maxBatch >= 1)
        self.maxBatch = maxBatch
        self.execute = execute
    }

    /// Queues `item` on `key`'s lane now (arrival order is fixed by this call) and answers its reply.
    public func enqueue(key: String, _ item: Item) -> LaneReply<Answer> {
        enqueue(key: key, [item])[0]
    }

    /// Queues `items` on `key`'s lane now, in order and together. A lane that was idle takes them (up
    /// to `maxBatch`) as its next batch at once, so a lone request is written alone, without waiting.
    public func enqueue(key: String, _ items: [Item]) -> [LaneReply<Answer>] {
        guard !items.isEmpty else { return [] }
        let waiting = items.map { Waiting(item: $0, reply: LaneReply<Answer>()) }
        let first: [Waiting]? = queues.withLock { queues in
            if queues[key] != nil {
                queues[key]!.append(contentsOf: waiting)
                return nil
            }
            queues[key] = Array(waiting.dropFirst(maxBatch))
            return Array(waiting.prefix(maxBatch))
        }
        if let first {
            // Above the request handlers: each of a batch's round trips resumes the drainer on the
            // cooperative pool, and at the default priority it queued there behind every request
            // waiting for a turn (PostgreSQL mix: write p50 71 -> 62 ms, docs/benchmarks.md).
            Task(priority: .high) { await self.drain(key, first: first) }
        }
        return waiting.map(\.reply)
    }

    /// Batches and requests answered so far, over all keys.
    public var stats: LaneStats { counters.withLock { $0 } }

    /// Queues `item` and waits for its answer.
    public func submit(key: String, _ item: Item) async throws -> Answer {
        try await enqueue(key: key, item).value
    }

    /// Whether any key has work: requests queued, or a batch being written.
    public var isBusy: Bool { queues.withLock { !$0.isEmpty } }

    /// Returns once no key has work (at once when none has), or after `limit`, whichever comes first.
    public func waitUntilIdle(atMost limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while isBusy {
            let left = deadline - ContinuousClock.now
            guard left > .zero, !Task.isCancelled else { return }
            await idle.wait(timeout: left)
        }
    }

    /// Requests waiting on `key` (not counting a batch being written).
    public func queued(key: String) -> Int {
        queues.withLock { $0[key]?.count ?? 0 }
    }

    private func drain(_ key: String, first: [Waiting]) async {
        var next: [Waiting]? = first
        while true {
            var done = false
            let batch: [Waiting] =
                next
                ?? queues.withLock { queues in
                    guard let queue = queues[key], !queue.isEmpty else {
                        queues[key] = nil
                        done = queues.isEmpty
                        return []
                    }
                    let count = min(queue.count, maxBatch)
                    queues[key] = Array(queue.dropFirst(count))
                    return Array(queue.prefix(count))
                }
            next = nil
            if done { idle.poke() }
            guard !batch.isEmpty else { return }
            let latecomers = Latecomers(lanes: self, key: key, room: maxBatch - batch.count)
            var answers = await execute(key, batch.map(\.item), latecomers)
            // Taken and neither joined nor given back (an executor's slip): back to the front, not lost.
            latecomers.keep(first: 0)
            let written = batch + latecomers.joinedWaiting
            counters.withLock { $0.record(batch: written.count) }
            if answers.count != written.count {
                // An executor's bug must not leave a request waiting forever.
                answers = written.map { _ in .failure(LaneExecutorError()) }
            }
            for (waiting, answer) in zip(written, answers) {
                waiting.reply.resolve(answer)
            }
        }
    }

    /// Up to `room` requests from the front of `key`'s queue (its drainer is running, so the key is present).
    private func takeQueued(_ key: String, room: Int) -> [Waiting] {
        guard room > 0 else { return [] }
        return queues.withLock { queues in
            let queue = queues[key] ?? []
            let count = min(queue.count, room)
            queues[key] = Array(queue.dropFirst(count))
            return Array(queue.prefix(count))
        }
    }

    /// Puts `waiting` back at the front of `key`'s queue, ahead of anything that arrived since.
    private func giveBack(_ waiting: [Waiting], key: String) {
        guard !waiting.isEmpty else { return }
        queues.withLock { queues in queues[key] = waiting + (queues[key] ?? []) }
    }

    /// The requests queued on a batch's key after the batch was taken, offered to its executor once it
    /// is ready to write (e.g. holding the locks it waited for): it takes them (`take`), keeps those it
    /// can (`keep(first:)`, a prefix, so arrival order holds) and the rest go back to the front of the
    /// queue for the next batch. At most `maxBatch` requests in all.
    public final class Latecomers: Sendable {
        private let lanes: Lanes
        private let key: String
        private let room: Int
        private struct State {
            var taken: [Waiting] = []
            var joined: [Waiting] = []
            var took = false
            var done = false
        }
        private let state = Mutex(State())

        fileprivate init(lanes: Lanes, key: String, room: Int) {
            self.lanes = lanes
            self.key = key
            self.room = room
        }

        /// The requests queued now (at most the batch's room), in arrival order; only the first call takes any.
        public func take() -> [Item] {
            state.withLock { state in
                guard !state.done, !state.took else { return [] }
                state.took = true
                state.taken = lanes.takeQueued(key, room: room)
                return state.taken.map(\.item)
            }
        }

        /// The first `count` requests of `take()` join the batch; the others go back to the front of
        /// the queue. Only the first call after `take()` counts.
        public func keep(first count: Int) {
            let back: [Waiting] = state.withLock { state in
                guard !state.done else { return [] }
                state.done = true
                let kept = min(max(count, 0), state.taken.count)
                state.joined = Array(state.taken.prefix(kept))
                return Array(state.taken.dropFirst(kept))
            }
            lanes.giveBack(back, key: key)
        }

        /// The requests that joined the batch, in arrival order.
        public var joined: [Item] { joinedWaiting.map(\.item) }

        fileprivate var joinedWaiting: [Waiting] { state.withLock { $0.joined } }
    }
}

/// How lanes have batched so far.
public struct LaneStats: Sendable, Equatable {
    public var batches = 0
    public var requests = 0
    public var largestBatch = 0

    public init(batches: Int = 0, requests: Int = 0, largestBatch: Int = 0) {
        self.batches = batches
        self.requests = requests
        self.largestBatch = largestBatch
    }

    mutating func record(batch size: Int) {
        batches += 1
        requests += size
        largestBatch = max(largestBatch, size)
    }
}

/// An executor answered a batch with the wrong number of results.
public struct LaneExecutorError: Error {}

/// A one-time answer that can be awaited before or after it is resolved.
public final class LaneReply<Answer: Sendable>: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<Answer, any Error>)
        case resolved(Result<Answer, any Error>)
    }

    private let state = Mutex<State>(.pending)

    init() {}

    func resolve(_ result: Result<Answer, any Error>) {
        let waiter: CheckedContinuation<Answer, any Error>? = state.withLock { state in
            switch state {
            case .pending:
                state = .resolved(result)
                return nil
            case .waiting(let continuation):
                state = .resolved(result)
                return continuation
            case .resolved:
                return nil
            }
        }
        waiter?.resume(with: result)
    }

    /// The answer, once the request's batch is done. Only one task may await it.
    public var value: Answer {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let ready: Result<Answer, any Error>? = state.withLock { state in
                    if case .resolved(let result) = state { return result }
                    state = .waiting(continuation)
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        }
    }
}
