import Foundation
import FrontdeskCore
import FrontdeskStore
import Synchronization

/// The signing key ring, read from the database at most every 30 seconds: a rotation made by any
/// instance (or the CLI) reaches every instance within that time, and hot paths (token checks,
/// display polls) do not query the keys each time.
public final class KeyRingCache: Sendable {
    private let store: SigningKeysStore
    private let state = Mutex<(ring: SigningKeyRing, loadedAt: Date)?>(nil)
    private let lifetime: TimeInterval

    public init(database: any FrontdeskDatabase, lifetime: TimeInterval = 30) {
        self.store = SigningKeysStore(database: database)
        self.lifetime = lifetime
    }

    public func ring(now: Date) async throws -> SigningKeyRing {
        if let cached = state.withLock({ $0 }), abs(now.timeIntervalSince(cached.loadedAt)) < lifetime {
            return cached.ring
        }
        let ring = try await store.ring(now: now)
        state.withLock { $0 = (ring, now) }
        return ring
    }

    /// Forgets the cached ring (after a rotation made by this process).
    public func invalidate() { state.withLock { $0 = nil } }
}
