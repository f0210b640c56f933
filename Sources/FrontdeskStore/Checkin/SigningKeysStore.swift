import Foundation
import FrontdeskCore
import SQLKit

/// The HMAC keys that sign check-in tokens, proofs of scan and display URLs, kept in the database so
/// every instance on one database shares them. The newest live key signs; older live keys still
/// verify until they are retired.
///
/// With a `SecretsKey` (the server always has one, see `openSecrets`), secrets are stored sealed
/// under it; a legacy plain row is still read, and rewritten sealed as soon as it is. Without one
/// (tools that only read keys of a database that never had a secrets key) sealed rows cannot be read.
public struct SigningKeysStore: Sendable {
    let database: any FrontdeskDatabase
    let secrets: SecretsKey?

    public init(database: any FrontdeskDatabase, secrets: SecretsKey? = nil) {
        self.database = database
        self.secrets = secrets
    }

    /// The secrets key for this database from the file at `path`, creating the file only when no
    /// stored signing key is sealed yet (a fresh or legacy database). A missing file while sealed keys
    /// exist, or a file holding another key than the one they were sealed with, is an error: new
    /// signing keys would silently invalidate every display link and QR code.
    public static func openSecrets(path: String, database: any FrontdeskDatabase) async throws -> SecretsKey {
        let stored = try await database.read { sql in
            try await sql.raw("SELECT secret FROM signing_keys").all().map { try $0.decode(column: "secret", as: String.self) }
        }
        let sealedUnder = Set(stored.compactMap(SecretsKey.keyId(ofSealed:))).sorted()
        for attempt in 0..<2 {
            if let key = try SecretsKey.read(path: path) {
                if let foreign = sealedUnder.first(where: { $0 != key.id }) {
                    throw DatabaseConfigurationError(
                        """
                        the signing keys in the database are encrypted with secrets key \(foreign), but \(path) holds key \(key.id): \
                        wrong secrets key file. Restore the right one (every instance on this database needs the same file; see README, \
                        "Signing keys at rest")
                        """)
                }
                return key
            }
            guard sealedUnder.isEmpty else {
                throw DatabaseConfigurationError(
                    """
                    the secrets key file \(path) is missing, but the signing keys in the database are encrypted with secrets key \
                    \(sealedUnder.joined(separator: ", ")). Restore the file from your backup, or point secretsKeyFile at it. Not \
                    creating a new key: that would invalidate every display link and QR code
                    """)
            }
            do {
                return try SecretsKey.create(path: path)
            } catch let error as SecretsKeyError where error.fileExists && attempt == 0 {
                continue  // another process created it just now: read theirs
            }
        }
        throw DatabaseConfigurationError("cannot create the secrets key file \(path)")
    }

    /// Seals every stored secret still in the legacy plain form (retired keys too). Returns how many.
    @discardableResult
    public func sealPlainRows() async throws -> Int {
        guard let secrets else { return 0 }
        return try await database.transaction { sql in
            var sealed = 0
            for row in try await sql.raw("SELECT key_id, secret FROM signing_keys").all() {
                let id = try row.decode(column: "key_id", as: String.self)
                let stored = try row.decode(column: "secret", as: String.self)
                guard !SecretsKey.isSealed(stored) else { continue }
                let secret = try Self.plainSecret(stored, id: id)
                try await sql.raw(
                    """
                    UPDATE signing_keys SET secret = \(bind: try secrets.seal(secret, context: id)) WHERE key_id = \(bind: id) AND secret = \(bind: stored)
                    """
                ).run()
                sealed += 1
            }
            return sealed
        }
    }

    /// Re-seals every stored secret under `newKey` (reading them with this store's key, or plain),
    /// in one transaction. Returns how many.
    public func rewrap(to newKey: SecretsKey) async throws -> Int {
        try await database.transaction { sql in
            let rows = try await sql.raw("SELECT key_id, secret FROM signing_keys").all()
            for row in rows {
                let id = try row.decode(column: "key_id", as: String.self)
                let secret = try self.secret(try row.decode(column: "secret", as: String.self), id: id)
                try await sql.raw(
                    "UPDATE signing_keys SET secret = \(bind: try newKey.seal(secret, context: id)) WHERE key_id = \(bind: id)"
                ).run()
            }
            return rows.count
        }
    }

    /// The secret of a stored value, sealed or plain.
    func secret(_ stored: String, id: String) throws -> [UInt8] {
        guard SecretsKey.isSealed(stored) else { return try Self.plainSecret(stored, id: id) }
        guard let secrets else {
            throw DatabaseConfigurationError("signing key \(id) is encrypted; this tool needs the secrets key file (secretsKeyFile)")
        }
        do {
            return try secrets.open(stored, context: id)
        } catch {
            throw DatabaseConfigurationError(
                "signing key \(id) cannot be decrypted with secrets key \(secrets.id) (\(error)): wrong secrets key file, or the row was altered"
            )
        }
    }

    static func plainSecret(_ stored: String, id: String) throws -> [UInt8] {
        // A key that cannot be read must stop the check, never sign with an empty (public) secret.
        guard let secret = Base64URL.decode(stored), secret.count >= 32 else {
            throw DatabaseConfigurationError("signing key \(id) in the database is unreadable; retire it and rotate")
        }
        return secret
    }

    /// A new secret as stored: sealed when there is a secrets key.
    func newStoredSecret(id: String) throws -> String {
        let secret = SecretToken.generate(bytes: 32)
        guard let secrets else { return secret }
        return try secrets.seal(try Self.plainSecret(secret, id: id), context: id)
    }

    /// The live keys as a ring, creating the first key (`k1`) when there is none. Several instances
    /// starting at once agree on one first key (insert-if-absent, then read).
    public func ring(now: Date) async throws -> SigningKeyRing {
        if let ring = try await currentRing() { return ring }
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO signing_keys (key_id, secret, created_at) VALUES ('k1', \(bind: try self.newStoredSecret(id: "k1")), \(bind: now.epochSeconds))
                ON CONFLICT (key_id) DO NOTHING
                """
            ).run()
        }
        guard let ring = try await currentRing() else {
            throw DatabaseConfigurationError("no live signing key; un-retire one or rotate to create a new key")
        }
        return ring
    }

    func currentRing() async throws -> SigningKeyRing? {
        let rows = try await database.read { sql in
            try await sql.raw("SELECT key_id, secret FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, key_id DESC")
                .all().map { row in
                    (id: try row.decode(column: "key_id", as: String.self), stored: try row.decode(column: "secret", as: String.self))
                }
        }
        let keys = try rows.map { SigningKey(id: $0.id, secret: try secret($0.stored, id: $0.id)) }
        // A legacy plain row (written before secrets were sealed, or by an older binary): seal it now.
        if secrets != nil, rows.contains(where: { !SecretsKey.isSealed($0.stored) }) {
            try await sealPlainRows()
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
            try await sql.raw(
                """
                INSERT INTO signing_keys (key_id, secret, created_at) VALUES (\(bind: id), \(bind: try self.newStoredSecret(id: id)), \(bind: now.epochSeconds))
                """
            ).run()
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
                throw DomainError(.currentKey, "The current signing key cannot be retired; rotate first.")
            }
            try await sql.raw("UPDATE signing_keys SET retired_at = \(bind: now.epochSeconds) WHERE key_id = \(bind: keyId)").run()
        }
    }

}
