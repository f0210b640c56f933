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
public final class Lanes<Item: Sendable, Answer: Sendable>: Sendable {
    /// Decides a batch: one result per item, in the items' order.
    public typealias Executor = @Sendable (_ key: String, _ items: [Item]) async -> [Result<Answer, any Error>]

    private struct Waiting: Sendable {
        let item: Item
        let reply: LaneReply<Answer>
    }

    /// Queued requests per key; a key is present exactly while a drainer runs for it.
    private let queues = Mutex<[String: [Waiting]]>([:])
    private let counters = Mutex(LaneStats())
    private let execute: Executor
    /// The most requests one batch takes.
    public let maxBatch: Int

    public init(maxBatch: Int, execute: @escaping Executor) {
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
            Task { await self.drain(key, first: first) }
        }
        return waiting.map(\.reply)
    }

    /// Batches and requests answered so far, over all keys.
    public var stats: LaneStats { counters.withLock { $0 } }

    /// Queues `item` and waits for its answer.
    public func submit(key: String, _ item: Item) async throws -> Answer {
        try await enqueue(key: key, item).value
    }

    /// Requests waiting on `key` (not counting a batch being written).
    public func queued(key: String) -> Int {
        queues.withLock { $0[key]?.count ?? 0 }
    }

    private func drain(_ key: String, first: [Waiting]) async {
        var next: [Waiting]? = first
        while true {
            let batch: [Waiting] =
                next
                ?? queues.withLock { queues in
                    guard let queue = queues[key], !queue.isEmpty else {
                        queues[key] = nil
                        return []
                    }
                    let count = min(queue.count, maxBatch)
                    queues[key] = Array(queue.dropFirst(count))
                    return Array(queue.prefix(count))
                }
            next = nil
            guard !batch.isEmpty else { return }
            counters.withLock { $0.record(batch: batch.count) }
            var answers = await execute(key, batch.map(\.item))
            if answers.count != batch.count {
                // An executor's bug must not leave a request waiting forever.
                answers = batch.map { _ in .failure(LaneExecutorError()) }
            }
            for (waiting, answer) in zip(batch, answers) {
                waiting.reply.resolve(answer)
            }
        }
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
