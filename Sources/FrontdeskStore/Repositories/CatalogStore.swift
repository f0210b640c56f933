import Foundation
import FrontdeskCore
import SQLKit

/// Programs, class types and locations of an organization. Deletes are soft (`deleted_at`) because
/// sessions keep referring to them; deleted rows vanish from every read.
public struct CatalogStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    // MARK: Programs

    public func programs(orgId: String) async throws -> [Program] {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM programs WHERE organization_id = \(bind: orgId) AND deleted_at IS NULL ORDER BY name, id")
                .all().map(CatalogRows.program)
        }
    }

    public func program(orgId: String, id: String) async throws -> Program? {
        try await database.read { sql in try await CatalogRows.program(sql, orgId: orgId, id: id) }
    }

    /// Inserts a new program or overwrites an existing one of the same org.
    public func save(_ program: Program, now: Date) async throws {
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO programs (id, organization_id, name, delivery_mode, created_at, updated_at)
                VALUES (\(bind: program.id), \(bind: program.organizationId), \(bind: program.name),
                        \(bind: program.deliveryMode.rawValue), \(bind: program.createdAt.epochSeconds), \(bind: now.epochSeconds))
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, delivery_mode = excluded.delivery_mode,
                    updated_at = excluded.updated_at
                """
            ).run()
        }
    }

    /// Soft-deletes a program; one that still has class types answers 409 `program_in_use`.
    public func deleteProgram(orgId: String, id: String, now: Date) async throws {
        try await database.transaction { sql in
            guard try await CatalogRows.program(sql, orgId: orgId, id: id) != nil else { throw DomainError.notFound("Program") }
            let inUse = try await sql.raw("SELECT id FROM class_types WHERE program_id = \(bind: id) AND deleted_at IS NULL").first()
            if inUse != nil {
                throw DomainError(.programInUse, "Delete or move this program's class types first.")
            }
            try await sql.raw("UPDATE programs SET deleted_at = \(bind: now.epochSeconds) WHERE id = \(bind: id)").run()
        }
    }

    // MARK: Class types

    public func classTypes(orgId: String) async throws -> [ClassType] {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM class_types WHERE organization_id = \(bind: orgId) AND deleted_at IS NULL ORDER BY name, id")
                .all().map(CatalogRows.classType)
        }
    }

    public func classType(orgId: String, id: String) async throws -> ClassType? {
        try await database.read { sql in
            try await sql.raw(
                "SELECT * FROM class_types WHERE organization_id = \(bind: orgId) AND id = \(bind: id) AND deleted_at IS NULL"
            )
            .first().map(CatalogRows.classType)
        }
    }

    /// Inserts or overwrites a class type; its program must be a live program of the same org (else 404).
    public func save(_ classType: ClassType, now: Date) async throws {
        try await database.transaction { sql in
            guard try await CatalogRows.program(sql, orgId: classType.organizationId, id: classType.programId) != nil else {
                throw DomainError.notFound("Program")
            }
            try await sql.raw(
                """
                INSERT INTO class_types (id, organization_id, program_id, name, description, default_capacity,
                    default_duration_min, color, created_at, updated_at)
                VALUES (\(bind: classType.id), \(bind: classType.organizationId), \(bind: classType.programId),
                    \(bind: classType.name), \(bind: classType.description), \(bind: classType.defaultCapacity),
                    \(bind: classType.defaultDurationMin), \(bind: classType.color), \(bind: classType.createdAt.epochSeconds),
                    \(bind: now.epochSeconds))
                ON CONFLICT (id) DO UPDATE SET program_id = excluded.program_id, name = excluded.name,
                    description = excluded.description, default_capacity = excluded.default_capacity,
                    default_duration_min = excluded.default_duration_min, color = excluded.color,
                    updated_at = excluded.updated_at
                """
            ).run()
        }
    }

    public func deleteClassType(orgId: String, id: String, now: Date) async throws {
        try await softDelete(table: "class_types", orgId: orgId, id: id, now: now, what: "Class type")
    }

    // MARK: Locations

    public func locations(orgId: String) async throws -> [Location] {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM locations WHERE organization_id = \(bind: orgId) AND deleted_at IS NULL ORDER BY name, id")
                .all().map(CatalogRows.location)
        }
    }

    public func location(orgId: String, id: String) async throws -> Location? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM locations WHERE organization_id = \(bind: orgId) AND id = \(bind: id) AND deleted_at IS NULL")
                .first().map(CatalogRows.location)
        }
    }

    /// Inserts or overwrites a location.
    public func save(_ location: Location, now: Date) async throws {
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO locations (id, organization_id, name, address, latitude, longitude, created_at, updated_at)
                VALUES (\(bind: location.id), \(bind: location.organizationId), \(bind: location.name), \(bind: location.address),
                    \(bind: location.latitude), \(bind: location.longitude), \(bind: location.createdAt.epochSeconds),
                    \(bind: now.epochSeconds))
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, address = excluded.address,
                    latitude = excluded.latitude, longitude = excluded.longitude, updated_at = excluded.updated_at
                """
            ).run()
        }
    }

    public func deleteLocation(orgId: String, id: String, now: Date) async throws {
        try await softDelete(table: "locations", orgId: orgId, id: id, now: now, what: "Location")
    }

    /// `table` is one of this file's literal table names, never user input.
    private func softDelete(table: String, orgId: String, id: String, now: Date, what: String) async throws {
        try await database.transaction { sql in
            let rows = try await sql.raw(
                """
                UPDATE \(unsafeRaw: table) SET deleted_at = \(bind: now.epochSeconds), updated_at = \(bind: now.epochSeconds)
                WHERE organization_id = \(bind: orgId) AND id = \(bind: id) AND deleted_at IS NULL RETURNING id
                """
            ).all()
            if rows.isEmpty { throw DomainError.notFound(what) }
        }
    }
}
