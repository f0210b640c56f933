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
}
