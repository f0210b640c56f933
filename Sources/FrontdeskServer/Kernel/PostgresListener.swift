import Foundation
import FrontdeskCore
import FrontdeskStore
import Logging
import ServiceLifecycle
import Synchronization

/// Listens on one PostgreSQL channel until graceful shutdown (or cancellation), reconnecting with
/// back-off after a failure, and says exactly when it can be trusted: `connected` runs once a
/// connection's LISTEN is proven live — the listener NOTIFYs a fresh nonce on its own channel until it
/// hears it back, so every notification committed from then on will be heard — and `disconnected`
/// whenever that stops being true. For users that must not act on state a missed notification could
/// have made stale (see `LoginSessionListener`).
struct PostgresListener: Sendable {
    /// Payloads starting with this are the listeners' own proofs of life; `received` never sees them.
    static let proofPrefix = "listener-proof:"
    /// How long a connection may take to hear its own proof before it is given up and retried.
    /// Generous: a PostgreSQL server busy with many listeners delivers late, and starting over only
    /// adds to its load; the users stay on their safe path meanwhile.
    static let proofTimeout: Duration = .seconds(30)
    /// The pause between proofs at first, and at most: every NOTIFY wakes every listening connection
    /// of the database, so an unanswered proof is repeated less and less often.
    static let proofInterval: (first: Duration, most: Duration) = (.milliseconds(100), .seconds(2))

    let database: PostgresBackend
    let channel: String
    let logger: Logger

    /// Runs until shutdown. `received` gets every other payload in order, on one task.
    func run(
        connected: @escaping @Sendable () async -> Void, disconnected: @escaping @Sendable () async -> Void,
        received: @escaping @Sendable (String) async -> Void
    ) async {
        var delay: Duration = .milliseconds(200)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let proven = Flag()
            do {
                try await cancelWhenGracefulShutdown {
                    try await listenOnce(proven: proven, connected: connected, received: received)
                }
            } catch {
                await disconnected()
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                // A connection that worked for a while starts the back-off afresh.
                if proven.isSet { delay = .milliseconds(200) }
                logger.warning("LISTEN \(channel) failed; retrying", metadata: ["error": .string("\(error)")])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
        await disconnected()
    }

    /// One connection: listen, prove it, then hand payloads on until the connection fails.
    private func listenOnce(
        proven heard: Flag, connected: @escaping @Sendable () async -> Void,
        received: @escaping @Sendable (String) async -> Void
    ) async throws {
        let proof = Self.proofPrefix + NewID.make()
        let (database, channel) = (database, channel)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await database.listen(channel: channel) { payload in
                    if payload == proof {
                        if heard.set() { await connected() }
                    } else if !payload.hasPrefix(Self.proofPrefix) {
                        await received(payload)
                    }
                }
                throw ListenEnded()
            }
            group.addTask {
                // The LISTEN starts concurrently, so the first proofs may go unheard: repeat until one is.
                let deadline = ContinuousClock.now + Self.proofTimeout
                var pause = Self.proofInterval.first
                while !heard.isSet {
                    guard ContinuousClock.now < deadline else { throw ListenEnded() }
                    try await database.notify(channel: channel, payload: proof)
                    try await Task.sleep(for: pause)
                    pause = min(pause * 2, Self.proofInterval.most)
                }
            }
            // The prover finishes once heard; the listener only by failing (or being cancelled).
            while try await group.next() != nil {}
        }
    }

    /// The LISTEN stopped without an error, or never proved itself.
    struct ListenEnded: Error {}

    /// Whether a connection's proof was heard.
    final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        var isSet: Bool { value.load(ordering: .acquiring) }
        /// Sets it; whether it was not set before.
        func set() -> Bool { !value.exchange(true, ordering: .acquiringAndReleasing) }
    }
}
