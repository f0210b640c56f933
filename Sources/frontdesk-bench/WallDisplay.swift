import Foundation
import FrontdeskCore
import FrontdeskFixtures
import FrontdeskStore

/// The rushed class moved to a location with a wall display, and the display's signed paths.
struct WallDisplay {
    let locationId: String
    let ring: SigningKeyRing
    /// `/display/<id>/state?exp=…&sig=…` and `/display/<id>/events?…`, valid for an hour.
    let statePath: String
    let eventsPath: String

    static func create(database: any FrontdeskDatabase, fixture: RushFixture, now: Date) async throws -> WallDisplay {
        let location = NewID.make()
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO locations (id, organization_id, name, created_at, updated_at)
                VALUES (\(bind: location), \(bind: fixture.organizationId), 'Loft', \(bind: now.epochSeconds), \(bind: now.epochSeconds))
                """
            ).run()
            try await sql.raw("UPDATE class_sessions SET location_id = \(bind: location) WHERE id = \(bind: fixture.sessionId)").run()
        }
        let display = try await DisplaysStore(database: database).create(
            orgId: fixture.organizationId, locationId: location, name: "Wall",
            createdBy: nil, now: now)
        let ring = try await benchSigningKeys(database).ring(now: now)
        let path = DisplaySignature.path(
            displayId: display.id, expires: now.epochSeconds + 3_600, keyVersion: display.keyVersion, keys: ring)
        return WallDisplay(
            locationId: location, ring: ring, statePath: path.replacingOccurrences(of: "?", with: "/state?"),
            eventsPath: path.replacingOccurrences(of: "?", with: "/events?"))
    }

    /// Ten published classes of 20 places at the display's location, one a day from tomorrow: the
    /// coming days' schedule that members read and book.
    static func upcomingClasses(
        database: any FrontdeskDatabase, fixture: RushFixture, locationId: String, now: Date
    ) async throws -> [String] {
        try await database.transaction { sql in
            var upcoming: [String] = []
            let t = now.epochSeconds
            let type = try await sql.raw("SELECT class_type_id FROM class_sessions WHERE id = \(bind: fixture.sessionId)").first()!
                .decode(column: "class_type_id", as: String.self)
            for day in 1...10 {
                let id = NewID.make(), start = t + Int64(day) * 86_400
                try await sql.raw(
                    """
                    INSERT INTO class_sessions (id, organization_id, class_type_id, location_id, starts_at, duration_min, ends_at, capacity, status, created_at, updated_at)
                    VALUES (\(bind: id), \(bind: fixture.organizationId), \(bind: type), \(bind: locationId), \(bind: start), 60, \(bind: start + 3_600), 20, 'published', \(bind: t), \(bind: t))
                    """
                ).run()
                upcoming.append(id)
            }
            return upcoming
        }
    }
}
