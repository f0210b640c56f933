import HummingbirdBcrypt
import NIOPosix

/// bcrypt hashing and verification, run on NIO's blocking thread pool so a login never stalls an
/// event loop.
public struct PasswordHasher: Sendable {
    public let cost: Int

    /// A hash of a fixed password, verified against when the account does not exist so an unknown
    /// e-mail costs as much time as a wrong password.
    private let decoy: String

    public init(cost: Int) {
        self.cost = cost
        self.decoy = Bcrypt.hash("frontdesk-decoy-password", cost: UInt8(cost))
    }

    public func hash(_ password: String) async throws -> String {
        let cost = UInt8(self.cost)
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Synchronous variant for the CLI and seeders.
    public func hashNow(_ password: String) -> String { Bcrypt.hash(password, cost: UInt8(cost)) }

    /// Whether `password` matches `hash`; with no hash, burns the same time and answers false.
    public func verify(_ password: String, hash: String?) async throws -> Bool {
        let target = hash ?? decoy
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: target) }
        return hash != nil && matches
    }
}
