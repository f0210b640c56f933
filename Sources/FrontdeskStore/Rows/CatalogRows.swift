import Foundation
import FrontdeskCore
import SQLKit

/// Row operations on programs, class types and locations inside the caller's transaction.
enum CatalogRows {
    static func program(_ row: any SQLRow) throws -> Program {
        Program(
            id: try row.string("id"), organizationId: try row.string("organization_id"), name: try row.string("name"),
            deliveryMode: DeliveryMode(rawValue: try row.string("delivery_mode")) ?? .schedule, createdAt: try row.date("created_at"))
    }

    static func program(_ sql: any SQLDatabase, orgId: String, id: String) async throws -> Program? {
        try await sql.raw("SELECT * FROM programs WHERE organization_id = \(bind: orgId) AND id = \(bind: id) AND deleted_at IS NULL")
            .first().map(program)
    }

    static func classType(_ row: any SQLRow) throws -> ClassType {
        ClassType(
            id: try row.string("id"), organizationId: try row.string("organization_id"), programId: try row.string("program_id"),
            name: try row.string("name"), description: try row.optionalString("description"),
            defaultCapacity: try row.int("default_capacity"), defaultDurationMin: try row.int("default_duration_min"),
            color: try row.string("color"), createdAt: try row.date("created_at")
        )
    }

    static func location(_ row: any SQLRow) throws -> Location {
        Location(
            id: try row.string("id"), organizationId: try row.string("organization_id"), name: try row.string("name"),
            address: try row.optionalString("address"), latitude: try row.double("latitude"),
            longitude: try row.double("longitude"), createdAt: try row.date("created_at")
        )
    }
}
