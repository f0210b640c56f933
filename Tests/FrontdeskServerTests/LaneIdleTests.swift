import Foundation
import FrontdeskStore
import Synchronization
import Testing

/// A process's lanes tell when they have no work (`Lanes.isBusy`, `waitUntilIdle`): the outbox waits
/// for the booking lanes that way before each round of delivery, at most `OutboxWorker.yieldLimit`.
@Suite("Lanes idle")
struct LaneIdleTests {
    typealias Gate = LaneLatecomersTests.Gate

    @Test(
        "busy from the first request until the last batch of every key is answered; a waiter goes on then", .timeLimit(.minutes(1)))
    func idleAfterTheLastBatch() async throws {
        let gates = [Gate(), Gate()]
        let lanes = Lanes<Int, Int>(maxBatch: 1) { key, items in
            await gates[key == "a" ? 0 : 1].wait()
            return items.map { .success($0) }
        }
        #expect(!lanes.isBusy)
        let start = ContinuousClock.now
        await lanes.waitUntilIdle(atMost: .seconds(30))
        #expect(ContinuousClock.now - start < .seconds(5), "an idle lane is not waited for")
        let replies = [lanes.enqueue(key: "a", 1), lanes.enqueue(key: "a", 2), lanes.enqueue(key: "b", 3)]
        #expect(lanes.isBusy)
        let waiter = Task {
            await lanes.waitUntilIdle(atMost: .seconds(30))
            return ContinuousClock.now
        }
        gates[0].open()
        for reply in replies.prefix(2) { _ = try await reply.value }
        // Key "a" is done, "b" still writes: still busy.
        #expect(lanes.isBusy)
        let opened = ContinuousClock.now
        gates[1].open()
        _ = try await replies[2].value
        let woke = await waiter.value
        #expect(woke >= opened, "the waiter went on only once the last key was done")
        #expect(woke - opened < .seconds(40))
        #expect(!lanes.isBusy)
    }

    @Test("a lane that stays busy is waited for no longer than the limit", .timeLimit(.minutes(1)))
    func limit() async throws {
        let gate = Gate()
        let lanes = Lanes<Int, Int>(maxBatch: 1) { _, items in
            await gate.wait()
            return items.map { .success($0) }
        }
        let reply = lanes.enqueue(key: "k", 1)
        let start = ContinuousClock.now
        await lanes.waitUntilIdle(atMost: .milliseconds(50))
        let waited = ContinuousClock.now - start
        // Not the gate, which opens only after: a whole suite on two cores can delay the wake by seconds.
        #expect(waited >= .milliseconds(50) && waited < .seconds(40))
        #expect(lanes.isBusy)
        gate.open()
        #expect(try await reply.value == 1)
    }
}
