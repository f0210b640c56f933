import Foundation
import FrontdeskCore
import FrontdeskQR

/// One signed device — a wall display or a door kiosk — as a row of its back-office list
/// (`/admin/displays`, `/admin/kiosks`): where it stands, when it was created and revoked, for an
/// active one its signed URL and a QR code of it; for a display also whether its screen is online.
struct AdminDeviceLine {
    let id: String
    let name: String
    /// " of <name>" for screen readers, in the reader's language.
    let ofName: String
    let location: String
    /// "created Thursday 19 November".
    let created: String
    let revoked: Bool
    let revokedOn: String?
    /// A display's screen ("Online", "Last seen …", "Never seen") and its badge's class; nil for a kiosk.
    let presence: String?
    let presenceClass: String?
    let url: String?
    let qr: String?
    let open: Bool
}

/// Builds a back-office list's rows in the reader's words (the `displays.*` keys both lists share).
struct AdminDeviceLines {
    let t: Messages
    let local: LocalTime
    /// The studio's location names by id (a device at a removed location says so).
    let locationNames: [String: String]
    /// The device whose link and QR code are shown open (`show=`, after creating or rotating it).
    let show: String?

    /// A location the create form offers.
    struct LocationChoice {
        let id: String
        let name: String
    }

    /// The studio's locations (the create form's choices) and a builder of rows that names them.
    static func load(
        _ services: AppServices, _ scope: OrgScope, t: Messages, local: LocalTime, show: String?
    ) async throws -> (lines: AdminDeviceLines, locations: [LocationChoice]) {
        let locations = try await services.catalog.locations(orgId: scope.orgId)
        let names = Dictionary(locations.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        return (
            AdminDeviceLines(t: t, local: local, locationNames: names, show: show),
            locations.map { LocationChoice(id: $0.id, name: $0.name) }
        )
    }

    /// `signedURL` is the device's fresh URL (nil once revoked); `presence` a display's badge text and class.
    func line(
        id: String, name: String, locationId: String, createdAt: Date, revokedAt: Date?, signedURL: String?,
        presence: (text: String, badge: String)? = nil
    ) -> AdminDeviceLine {
        var url: String?
        var qr: String?
        if revokedAt == nil, let signed = signedURL {
            url = signed
            qr = try? QRCode.encode(signed, level: .medium).svg(moduleSize: nil, quietZone: 4, title: t("displays.qrTitle", ["name": name]))
        }
        return AdminDeviceLine(
            id: id, name: name, ofName: t("displays.of", ["name": name]),
            location: locationNames[locationId] ?? t["displays.removedLocation"],
            created: t("displays.created", ["date": local.longDate(createdAt)]), revoked: revokedAt != nil,
            revokedOn: revokedAt.map { t("displays.revokedOn", ["date": local.longDate($0)]) }, presence: presence?.text,
            presenceClass: presence?.badge, url: url, qr: qr, open: id == show?.lowercased())
    }

    /// The active rows and the revoked ones, each in the order given.
    static func split(_ lines: [AdminDeviceLine]) -> (active: [AdminDeviceLine], revoked: [AdminDeviceLine]) {
        (lines.filter { !$0.revoked }, lines.filter(\.revoked))
    }
}
