import Foundation
import FrontdeskCore
import SQLKit

/// The HMAC keys that sign check-in tokens, proofs of scan and display URLs, kept in the database so
/// every instance on one database shares them. The newest live key signs; older live keys still
/// verify until they are retired.
public struct SigningKeysStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// The live keys as a ring, creating the first key (`k1`) when there is none. Several instances
    /// starting at once agree on one first key (insert-if-absent, then read).
    public func ring(now: Date) async throws -> SigningKeyRing {
        if let ring = try await currentRing() { return ring }
        try await database.transaction { sql in
            try await sql.raw("""
                INSERT INTO signing_keys (key_id, secret, created_at) VALUES ('k1', \(bind: Self.newSecret()), \(bind: now.epochSeconds))
                ON CONFLICT (key_id) DO NOTHING
                """).run()
        }
        guard let ring = try await currentRing() else {
            throw DatabaseConfigurationError("no live signing key; un-retire one or rotate to create a new key")
        }
        return ring
    }

    func currentRing() async throws -> SigningKeyRing? {
        let keys = try await database.read { sql in
            try await sql.raw("SELECT key_id, secret FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, key_id DESC")
                .all().map { row -> SigningKey in
                    let id = try row.decode(column: "key_id", as: String.self)
                    // A key that cannot be read must stop the check, never sign with an empty (public) secret.
                    guard let secret = Base64URL.decode(try row.decode(column: "secret", as: String.self)), secret.count >= 32 else {
                        throw DatabaseConfigurationError("signing key \(id) in the database is unreadable; retire it and rotate")
                    }
                    return SigningKey(id: id, secret: secret)
                }
        }
        guard let current = keys.first else { return nil }
        return SigningKeyRing(current: current, previous: Array(keys.dropFirst()))
    }

    /// Adds a new key that signs from now on; the previous ones keep verifying until retired.
    @discardableResult
    public func rotate(now: Date) async throws -> String {
        try await database.transaction { sql in
            let ids = try await sql.raw("SELECT key_id FROM signing_keys").all().map { try $0.decode(column: "key_id", as: String.self) }
            let next = (ids.compactMap { Int($0.dropFirst()) }.max() ?? 0) + 1
            let id = "k\(next)"
            try await sql.raw("""
                INSERT INTO signing_keys (key_id, secret, created_at) VALUES (\(bind: id), \(bind: Self.newSecret()), \(bind: now.epochSeconds))
                """).run()
            return id
        }
    }

    /// Stops accepting a key. The current key cannot be retired (rotate first).
    public func retire(keyId: String, now: Date) async throws {
        try await database.transaction { sql in
            let live = try await sql.raw("SELECT key_id FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, key_id DESC")
                .all().map { try $0.decode(column: "key_id", as: String.self) }
            guard live.contains(keyId) else { throw DomainError.notFound("Signing key") }
            guard live.first != keyId else {
                throw DomainError.conflict("current_key", "The current signing key cannot be retired; rotate first.")
            }
            try await sql.raw("UPDATE signing_keys SET retired_at = \(bind: now.epochSeconds) WHERE key_id = \(bind: keyId)").run()
        }
    }

    static func newSecret() -> String { SecretToken.generate(bytes: 32) }
}
