import Foundation
import FrontdeskCore
import FrontdeskQR
import FrontdeskStore

/// `frontdesk display …`: each prints the display, its signed URL and the URL's QR code for the terminal.
extension Operations {
    /// `frontdesk display create`.
    public static func createDisplay(configuration: ServerConfiguration, orgId: String, locationId: String, name: String) async throws {
        try await withServices(configuration: configuration) { services in
            try await UsageError.fromDomain {
                let display = try await DisplaysStore(database: services.database).create(
                    orgId: orgId.lowercased(), locationId: locationId.lowercased(), name: try Validate.name(name), createdBy: nil,
                    now: Date())
                try await showDisplay(display, services: services)
            }
        }
    }

    /// `frontdesk display url ID`: a fresh signed URL.
    public static func displayURL(configuration: ServerConfiguration, id: String) async throws {
        try await withServices(configuration: configuration) { services in
            try await showDisplay(try await findDisplay(services, id), services: services)
        }
    }

    /// `frontdesk display rotate ID`: a new key version, so every earlier URL stops working.
    public static func rotateDisplay(configuration: ServerConfiguration, id: String) async throws {
        try await withServices(configuration: configuration) { services in
            let display = try await findDisplay(services, id)
            let rotated = try await DisplaysStore(database: services.database).rotate(
                orgId: display.organizationId, id: display.id, now: Date())
            // On PostgreSQL every running instance hears it and ends the display's open streams now (on SQLite
            // they notice at their next keep-alive).
            await services.displayChanged(rotated)
            try await showDisplay(rotated, services: services)
        }
    }

    /// `frontdesk display revoke ID`: the display switched off for good.
    public static func revokeDisplay(configuration: ServerConfiguration, id: String) async throws {
        try await withServices(configuration: configuration) { services in
            let display = try await findDisplay(services, id)
            let revoked = try await DisplaysStore(database: services.database).revoke(
                orgId: display.organizationId, id: display.id, now: Date())
            await services.displayChanged(revoked)
            try await showDisplay(revoked, services: services)
        }
    }

    static func showDisplay(_ display: Display, services: AppServices) async throws {
        print("display \(display.id) (\(display.name)), key version \(display.keyVersion)\(display.revokedAt == nil ? "" : ", REVOKED")")
        guard let url = try await services.signedDisplayURL(display) else { return }
        print(url)
        if let code = try? QRCode.encode(url, level: .low) { print(code.ansiText()) }
    }

    static func findDisplay(_ services: AppServices, _ id: String) async throws -> Display {
        guard NewID.isWellFormed(id), let display = try await DisplaysStore(database: services.database).display(id: id.lowercased()) else {
            throw UsageError("no display \(id)")
        }
        return display
    }
}
