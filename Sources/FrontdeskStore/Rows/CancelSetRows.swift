import FrontdeskCore
import SQLKit

/// A set of cancels of a lane batch that share nothing (`BatchSteps`: no class, member, waiting
/// member or idempotency key), written together: their bookings read in one statement, each checked
/// (a refusal is that request's answer), then their rows (`BookingsStore.CancelWrite.write`). The
/// checks all come before any write, so a refusal leaves nothing to undo and needs no savepoint; a
/// refusal from the writes, after the checks passed, would leave them half done: it fails the whole
/// batch instead.
enum CancelSetRows {
    static func run(_ sql: any SQLDatabase, _ requests: [CancelRequest]) async throws -> [Result<BookingResult, any Error>] {
        var results = [Result<BookingResult, any Error>?](repeating: nil, count: requests.count)
        var writes: [(index: Int, cancel: BookingsStore.CancelWrite)] = []
        for (index, plan) in try await BookingsStore.planCancels(sql, requests).enumerated() {
            switch plan {
            case .failure(let refusal): results[index] = .failure(refusal)
            case .success(.replay(let result)): results[index] = .success(result)
            case .success(.write(let cancel)): writes.append((index, cancel))
            }
        }
        let written: [BookingResult]
        do {
            written = try await BookingsStore.CancelWrite.write(sql, writes.map(\.cancel))
        } catch let refusal as DomainError {
            throw BrokenInvariant("a cancel's write was refused after its checks passed: \(refusal)")
        }
        for (write, result) in zip(writes, written) { results[write.index] = .success(result) }
        return try results.map { result in
            guard let result else { throw BrokenInvariant("a cancel of the set was left without an answer") }
            return result
        }
    }
}
