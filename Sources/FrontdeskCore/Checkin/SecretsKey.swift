import Crypto
import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The key-encryption key that protects the signing keys at rest: the database holds each signing
/// secret only as AES-256-GCM ciphertext under this key, which lives in a file outside the database
/// (`secretsKeyFile`: 32 random bytes, base64, mode 0600). A database dump alone then cannot forge
/// QR tokens or display links. Every instance on one database needs the same file.
///
/// Stored form: `v1:<keyId>:<base64url(nonce ‖ ciphertext ‖ tag)>`, the signing key's id as
/// associated data (a sealed secret cannot be moved to another row). `keyId` is a fingerprint of
/// this key, so a wrong file is told apart from a damaged row.
public struct SecretsKey: Sendable {
    public static let byteCount = 32
    static let prefix = "v1:"

    /// Fingerprint of the key (8 base64url characters of a SHA-256 over it).
    public let id: String
    private let raw: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: raw) }

    public init(rawKey: [UInt8]) throws {
        guard rawKey.count == Self.byteCount else {
            throw SecretsKeyError("a secrets key must be \(Self.byteCount) bytes, got \(rawKey.count)")
        }
        raw = rawKey
        var hasher = SHA256()
        hasher.update(data: Array("frontdesk-secrets-key".utf8))
        hasher.update(data: rawKey)
        id = String(Base64URL.encode(Array(hasher.finalize())).prefix(8))
    }

    /// A new random key.
    public static func generate() -> SecretsKey {
        let raw = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        return try! SecretsKey(rawKey: raw)
    }

    // MARK: Sealing

    /// Whether a stored value is sealed (else it is a legacy plain base64url secret).
    public static func isSealed(_ stored: String) -> Bool { stored.hasPrefix(prefix) }

    /// The key id a sealed value names (nil for a plain one).
    public static func keyId(ofSealed stored: String) -> String? {
        guard isSealed(stored) else { return nil }
        let parts = stored.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 3 ? String(parts[1]) : nil
    }

    /// `secret` sealed, bound to `context` (the signing key's id).
    public func seal(_ secret: [UInt8], context: String) throws -> String {
        let box = try AES.GCM.seal(secret, using: key, authenticating: Array(context.utf8))
        guard let combined = box.combined else { throw SecretsKeyError("sealing failed") }
        return Self.prefix + id + ":" + Base64URL.encode(Array(combined))
    }

    /// The secret in a sealed value; throws when it was sealed under another key, for another
    /// context, or was altered.
    public func open(_ stored: String, context: String) throws -> [UInt8] {
        guard let named = Self.keyId(ofSealed: stored) else { throw SecretsKeyError("not a sealed value") }
        guard named == id else { throw SecretsKeyError("sealed under secrets key \(named), not \(id)") }
        guard let bytes = Base64URL.decode(String(stored.split(separator: ":", omittingEmptySubsequences: false)[2])) else {
            throw SecretsKeyError("sealed value is not base64url")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: bytes)
            return Array(try AES.GCM.open(box, using: key, authenticating: Array(context.utf8)))
        } catch {
            throw SecretsKeyError("sealed value does not authenticate under secrets key \(id)")
        }
    }

    // MARK: The key file

    /// The file's contents: the key in standard base64 and a newline.
    public var fileContents: String {
        Data(raw).base64EncodedString() + "\n"
    }

    /// The key in the file at `path`, or nil if there is no such file.
    public static func read(path: String) throws -> SecretsKey? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw SecretsKeyError("cannot read secrets key file \(path): \(error.localizedDescription)")
        }
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == byteCount else {
            throw SecretsKeyError("secrets key file \(path) does not hold \(byteCount) base64 bytes")
        }
        return try SecretsKey(rawKey: Array(raw))
    }

    /// Writes `key` to a new file at `path` (mode 0600, parent directories created), never replacing
    /// an existing file: throws `SecretsKeyError.exists` if there is one (another process may have
    /// just created it). The file appears whole or not at all (written aside, then hard-linked).
    public static func write(_ key: SecretsKey, toNewFile path: String) throws {
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString)").path
        let fd = posixOpen(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw SecretsKeyError("cannot create secrets key file \(path): \(String(cString: strerror(errno)))") }
        defer { unlink(temporary) }
        let bytes = Array(key.fileContents.utf8)
        let written = bytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0 else { throw SecretsKeyError("cannot write secrets key file \(path)") }
        guard link(temporary, path) == 0 else {
            if errno == EEXIST { throw SecretsKeyError.exists(path) }
            throw SecretsKeyError("cannot create secrets key file \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// A new random key written to a new file at `path` (see `write(_:toNewFile:)`).
    public static func create(path: String) throws -> SecretsKey {
        let key = generate()
        try write(key, toNewFile: path)
        return key
    }
}

// Free functions: inside `SecretsKey`, `open` and `write` name its own methods.
private func posixOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}

private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}

/// The secrets key file or a sealed value cannot be used; the message says why.
public struct SecretsKeyError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public let fileExists: Bool

    public init(_ description: String) {
        self.description = description
        fileExists = false
    }

    private init(exists path: String) {
        description = "secrets key file \(path) already exists"
        fileExists = true
    }

    public static func exists(_ path: String) -> SecretsKeyError { SecretsKeyError(exists: path) }
}
