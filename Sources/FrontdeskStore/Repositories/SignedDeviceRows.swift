import Foundation
import FrontdeskCore
import SQLKit

/// A signed device at a location — a wall display (`displays`) or a door kiosk (`kiosks`): the rows
/// both tables share (`id`, `organization_id`, `location_id`, `name`, `key_version`, `revoked_at`,
/// `created_by_membership_id`, `created_at`, `updated_at`) and what their stores do with them alike:
/// create one at a live location, read one or a studio's list, bump its key version, revoke it.
struct SignedDeviceRows<Device: Sendable>: Sendable {
    let database: any FrontdeskDatabase
    /// The table, one of the literal names above, never user input.
    let table: String
    /// What a missing row is called in the 404 ("Display", "Kiosk").
    let entity: String
    let decode: @Sendable (any SQLRow) throws -> Device

    /// Inserts a device at a live location of the org (another org's location → 404) with key
    /// version 1, and answers its new id.
    func create(orgId: String, locationId: String, name: String, createdBy: String?, now: Date) async throws -> String {
        let table = table
        return try await database.transaction { sql in
            guard
                try await sql.raw(
                    """
                    SELECT id FROM locations WHERE id = \(bind: locationId) AND organization_id = \(bind: orgId) AND deleted_at IS NULL
                    """
                ).first() != nil
            else { throw DomainError.notFound("Location") }
            let id = NewID.make()
            try await sql.raw(
                """
                INSERT INTO \(unsafeRaw: table) (id, organization_id, location_id, name, key_version, created_by_membership_id, created_at, updated_at)
                VALUES (\(bind: id), \(bind: orgId), \(bind: locationId), \(bind: name), 1, \(bind: createdBy),
                        \(bind: now.epochSeconds), \(bind: now.epochSeconds))
                """
            ).run()
            return id
        }
    }

    /// Any device by id (for URL verification), whatever its org.
    func device(id: String) async throws -> Device? {
        let (table, decode) = (table, decode)
        return try await database.read { sql in
            try await sql.raw("SELECT * FROM \(unsafeRaw: table) WHERE id = \(bind: id)").first().map(decode)
        }
    }

    /// The org's devices by name.
    func devices(orgId: String) async throws -> [Device] {
        let (table, decode) = (table, decode)
        return try await database.read { sql in
            try await sql.raw("SELECT * FROM \(unsafeRaw: table) WHERE organization_id = \(bind: orgId) ORDER BY name, id").all().map(
                decode)
        }
    }

    /// A new key version: every URL signed before stops verifying.
    func rotate(orgId: String, id: String, now: Date) async throws -> Device {
        try await change(orgId: orgId, id: id, now: now, set: "key_version = key_version + 1")
    }

    /// Switched off for good (a second revoke keeps the first time).
    func revoke(orgId: String, id: String, now: Date) async throws -> Device {
        try await change(orgId: orgId, id: id, now: now, set: "revoked_at = COALESCE(revoked_at, \(now.epochSeconds))")
    }

    /// `set` is one of this file's literal assignments, never user input.
    private func change(orgId: String, id: String, now: Date, set: String) async throws -> Device {
        let (table, entity, decode) = (table, entity, decode)
        return try await database.transaction { sql in
            guard
                let row = try await sql.raw(
                    """
                    UPDATE \(unsafeRaw: table) SET \(unsafeRaw: set), updated_at = \(bind: now.epochSeconds)
                    WHERE id = \(bind: id) AND organization_id = \(bind: orgId) RETURNING *
                    """
                ).first()
            else { throw DomainError.notFound(entity) }
            return try decode(row)
        }
    }
}
