import Foundation
import FrontdeskCore
import FrontdeskStore
import Synchronization

/// The signing key ring, read from the database at most every 30 seconds: a rotation made by any
/// instance (or the CLI) reaches every instance within that time, and hot paths (token checks,
/// display polls) do not query the keys each time. The secrets are stored sealed under the secrets
/// key file (`secretsKeyFile`), opened on first use; `prepare` does that at start so a missing or
/// wrong file stops `serve` at once with the reason.
public final class KeyRingCache: Sendable {
    private let database: any FrontdeskDatabase
    private let secretsKeyFile: String
    private let secrets = Mutex<SecretsKey?>(nil)
    private let state = Mutex<(ring: SigningKeyRing, loadedAt: Date)?>(nil)
    private let lifetime: TimeInterval

    public init(database: any FrontdeskDatabase, secretsKeyFile: String, lifetime: TimeInterval = 30) {
        self.database = database
        self.secretsKeyFile = secretsKeyFile
        self.lifetime = lifetime
    }

    /// The signing keys store with the secrets key (loading, or on a fresh database creating, the key
    /// file, and sealing any legacy plain rows, the first time).
    public func store() async throws -> SigningKeysStore {
        if let key = secrets.withLock({ $0 }) { return SigningKeysStore(database: database, secrets: key) }
        let key = try await SigningKeysStore.openSecrets(path: secretsKeyFile, database: database)
        let store = SigningKeysStore(database: database, secrets: key)
        try await store.sealPlainRows()
        secrets.withLock { $0 = key }
        return store
    }

    /// Opens the secrets key and reads (or creates) the ring: what `serve` checks before listening.
    public func prepare(now: Date) async throws {
        _ = try await ring(now: now)
    }

    public func ring(now: Date) async throws -> SigningKeyRing {
        if let cached = state.withLock({ $0 }), abs(now.timeIntervalSince(cached.loadedAt)) < lifetime {
            return cached.ring
        }
        let ring = try await store().ring(now: now)
        state.withLock { $0 = (ring, now) }
        return ring
    }

    /// Forgets the cached ring (after a rotation made by this process).
    public func invalidate() { state.withLock { $0 = nil } }
}
