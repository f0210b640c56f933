import Foundation
import FrontdeskCore
import FrontdeskStore

/// `frontdesk keys …`: the keys that sign QR tokens and display URLs.
extension Operations {
    /// `frontdesk keys rotate`: a new signing key that signs from now on.
    public static func rotateSigningKey(configuration: ServerConfiguration) async throws {
        try await withServices(configuration: configuration) { services in
            let store = try await services.keyRing.store()
            _ = try await store.ring(now: Date())
            print("new signing key: \(try await store.rotate(now: Date()))")
        }
    }

    /// `frontdesk keys retire KEY_ID`: an old key no longer accepted.
    public static func retireSigningKey(configuration: ServerConfiguration, keyId: String) async throws {
        try await withServices(configuration: configuration) { services in
            try await UsageError.fromDomain {
                try await services.keyRing.store().retire(keyId: keyId, now: Date())
                print("retired \(keyId)")
            }
        }
    }

    /// `frontdesk keys rewrap --new-key-file F`: the stored keys re-encrypted under a new secrets key
    /// file (created, mode 0600, if absent), in one transaction.
    public static func rewrapSigningKeys(configuration: ServerConfiguration, newKeyFile: String) async throws {
        try await withServices(configuration: configuration) { services in
            let store = try await services.keyRing.store()
            let newKey = try SecretsKey.read(path: newKeyFile) ?? SecretsKey.create(path: newKeyFile)
            let count = try await store.rewrap(to: newKey)
            print(
                """
                re-encrypted \(count) signing keys under secrets key \(newKey.id) (\(newKeyFile)).
                Now replace \(configuration.resolvedSecretsKeyFile) with it on every instance, then start them.
                """)
        }
    }
}
