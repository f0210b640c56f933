import Foundation
import FrontdeskCore
import SQLKit

/// What a PIN attempt found before the PIN itself was compared.
public enum KioskPinClaim: Sendable, Equatable {
    /// The person has set no PIN.
    case noPin
    /// Their PIN check-in is locked until then (nothing was compared).
    case locked(until: Date)
    /// The attempt is counted as a wrong one in advance (`failures` so far, this one included, and
    /// whether it locked); `settle` records what the comparison found.
    case counted(hash: String, failures: Int, locks: Bool)
}

/// Each person's kiosk PIN (a bcrypt hash) and the wrong PINs that lock it.
///
/// A PIN attempt is counted as wrong *before* the PIN is compared (`claim`) and forgiven after a
/// right one (`settle`): however many attempts race, at most `KioskPin.failuresBeforeLock` are ever
/// compared before the lock, and the slow comparison holds no transaction.
public struct KioskPinsStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// Whether `userId` has set a PIN.
    public func hasPin(userId: String) async throws -> Bool {
        try await database.read { sql in
            try await sql.raw("SELECT user_id FROM kiosk_pins WHERE user_id = \(bind: userId)").first() != nil
        }
    }

    /// Sets (or replaces) the PIN; a new PIN also clears wrong attempts and a lock.
    public func set(userId: String, hash: String, now: Date) async throws {
        let at = now.epochSeconds
        try await database.transaction(TransactionOptions(lockKeys: ["kiosk-pin:\(userId)"])) { sql in
            try await sql.raw(
                """
                INSERT INTO kiosk_pins (user_id, pin_hash, failed_attempts, created_at, updated_at)
                VALUES (\(bind: userId), \(bind: hash), 0, \(bind: at), \(bind: at))
                ON CONFLICT (user_id) DO UPDATE SET pin_hash = \(bind: hash), failed_attempts = 0, last_failed_at = NULL,
                    locked_until = NULL, updated_at = \(bind: at)
                """
            ).run()
        }
    }

    /// Counts one attempt as wrong ahead of the comparison: wrong PINs older than
    /// `KioskPin.lockSeconds` are forgotten, and the `failuresBeforeLock`-th locks for `lockSeconds`.
    public func claim(userId: String, now: Date) async throws -> KioskPinClaim {
        let at = now.epochSeconds
        return try await database.transaction(TransactionOptions(lockKeys: ["kiosk-pin:\(userId)"])) { sql in
            guard let row = try await sql.raw("SELECT * FROM kiosk_pins WHERE user_id = \(bind: userId)").first() else {
                return .noPin
            }
            let lockedUntil = try row.decode(column: "locked_until", as: Int64?.self)
            if let lockedUntil, lockedUntil > at { return .locked(until: Date(epochSeconds: lockedUntil)) }
            let lastFailed = try row.decode(column: "last_failed_at", as: Int64?.self)
            let recent = lastFailed.map { at - $0 < KioskPin.lockSeconds } ?? false
            let failures = (recent && lockedUntil == nil ? try row.int("failed_attempts") : 0) + 1
            let locks = failures >= KioskPin.failuresBeforeLock
            let until: Int64? = locks ? at + KioskPin.lockSeconds : nil
            try await sql.raw(
                """
                UPDATE kiosk_pins SET failed_attempts = \(bind: locks ? 0 : failures), last_failed_at = \(bind: at),
                    locked_until = \(bind: until), updated_at = \(bind: at)
                WHERE user_id = \(bind: userId)
                """
            ).run()
            return .counted(hash: try row.string("pin_hash"), failures: failures, locks: locks)
        }
    }

    /// A right PIN: the attempt counted ahead (and any lock it set) is forgiven, with every earlier wrong one.
    public func forgive(userId: String, now: Date) async throws {
        try await database.transaction(TransactionOptions(lockKeys: ["kiosk-pin:\(userId)"])) { sql in
            try await sql.raw(
                """
                UPDATE kiosk_pins SET failed_attempts = 0, last_failed_at = NULL, locked_until = NULL, updated_at = \(bind: now.epochSeconds)
                WHERE user_id = \(bind: userId)
                """
            ).run()
        }
    }
}
