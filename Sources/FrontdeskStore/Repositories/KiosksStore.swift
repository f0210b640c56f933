import Foundation
import FrontdeskCore
import SQLKit

/// A door kiosk: a tablet at one location where members check in by name and PIN. Signed like a
/// display; bumping `keyVersion` or revoking it kills every URL signed before.
public struct Kiosk: Codable, Sendable, Equatable {
    public var id: String
    public var organizationId: String
    public var locationId: String
    public var name: String
    public var keyVersion: Int
    public var revokedAt: Date?
    public var createdAt: Date
}

/// Someone the kiosk may list: a booking (confirmed or attended) of an active member in a class at
/// the kiosk's location.
public struct KioskBooking: Sendable, Equatable {
    public var bookingId: String
    public var status: BookingStatus
    public var membershipId: String
    public var userId: String
    public var role: Role
    public var name: String
    public var sessionId: String
    public var startsAt: Date
    public var endsAt: Date
    public var className: String
}

/// Kiosks, the bookings they may check in, and their audit rows.
public struct KiosksStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    static func kiosk(_ row: any SQLRow) throws -> Kiosk {
        Kiosk(
            id: try row.string("id"), organizationId: try row.string("organization_id"), locationId: try row.string("location_id"),
            name: try row.string("name"), keyVersion: try row.int("key_version"), revokedAt: try row.optionalDate("revoked_at"),
            createdAt: try row.date("created_at"))
    }

    /// The `kiosks` rows, as a display's (`SignedDeviceRows`).
    var rows: SignedDeviceRows<Kiosk> { SignedDeviceRows(database: database, table: "kiosks", entity: "Kiosk", decode: Self.kiosk) }

    /// A kiosk at a live location of the org (another org's location → 404).
    public func create(orgId: String, locationId: String, name: String, createdBy: String?, now: Date) async throws -> Kiosk {
        let id = try await rows.create(orgId: orgId, locationId: locationId, name: name, createdBy: createdBy, now: now)
        return Kiosk(id: id, organizationId: orgId, locationId: locationId, name: name, keyVersion: 1, revokedAt: nil, createdAt: now)
    }

    /// Any kiosk by id (for URL verification), whatever its org.
    public func kiosk(id: String) async throws -> Kiosk? { try await rows.device(id: id) }

    public func kiosks(orgId: String) async throws -> [Kiosk] { try await rows.devices(orgId: orgId) }

    /// A new key version: every URL issued so far stops verifying.
    public func rotate(orgId: String, id: String, now: Date) async throws -> Kiosk {
        try await rows.rotate(orgId: orgId, id: id, now: now)
    }

    /// Switched off for good.
    public func revoke(orgId: String, id: String, now: Date) async throws -> Kiosk {
        try await rows.revoke(orgId: orgId, id: id, now: now)
    }

    private static let bookingColumns = """
        SELECT b.id AS booking_id, b.status, b.membership_id, m.user_id, m.role, u.name AS member_name, s.id AS session_id,
            s.starts_at, s.ends_at, ct.name AS class_name
        FROM bookings b JOIN class_sessions s ON s.id = b.session_id JOIN memberships m ON m.id = b.membership_id
        JOIN users u ON u.id = m.user_id JOIN class_types ct ON ct.id = s.class_type_id
        """

    static func booking(_ row: any SQLRow) throws -> KioskBooking {
        KioskBooking(
            bookingId: try row.string("booking_id"), status: BookingStatus(rawValue: try row.string("status")) ?? .confirmed,
            membershipId: try row.string("membership_id"), userId: try row.string("user_id"),
            role: Role(rawValue: try row.string("role")) ?? .member, name: try row.string("member_name"),
            sessionId: try row.string("session_id"), startsAt: try row.date("starts_at"), endsAt: try row.date("ends_at"),
            className: try row.string("class_name"))
    }

    /// The bookings a kiosk at `locationId` may list at `now`: confirmed or attended, of active
    /// members, in published live classes there whose check-in window is open (from
    /// `opensMinutesBefore` before the start until the end), by name. At most `limit` rows.
    public func bookingsOpenForCheckin(
        orgId: String, locationId: String, opensMinutesBefore: Int, now: Date, limit: Int = 2_000
    ) async throws -> [KioskBooking] {
        let at = now.epochSeconds
        let opens = at + Int64(opensMinutesBefore) * 60
        return try await database.read { sql in
            try await sql.raw(
                """
                \(unsafeRaw: Self.bookingColumns)
                WHERE s.organization_id = \(bind: orgId) AND s.location_id = \(bind: locationId) AND s.deleted_at IS NULL
                  AND s.status = 'published' AND s.starts_at <= \(bind: opens) AND s.ends_at > \(bind: at)
                  AND b.status IN ('confirmed', 'attended') AND m.status = 'active'
                ORDER BY u.name, s.starts_at, b.id LIMIT \(bind: limit)
                """
            ).all().map(Self.booking)
        }
    }

    /// A confirmed or attended booking of an active member of the org in a live class at
    /// `locationId` (any time: the check-in itself judges the window), else nil.
    public func booking(orgId: String, locationId: String, bookingId: String) async throws -> KioskBooking? {
        try await database.read { sql in
            try await sql.raw(
                """
                \(unsafeRaw: Self.bookingColumns)
                WHERE b.id = \(bind: bookingId) AND b.organization_id = \(bind: orgId) AND s.organization_id = \(bind: orgId)
                  AND s.location_id = \(bind: locationId) AND s.deleted_at IS NULL
                  AND b.status IN ('confirmed', 'attended') AND m.status = 'active'
                """
            ).first().map(Self.booking)
        }
    }

    /// Appends an audit row about a kiosk check-in or attempt (`kiosk.*`), concerning `subject`.
    public func audit(
        orgId: String, actor: BookingActor?, action: String, entityType: String, entityId: String, subject: String?,
        details: [String: AuditValue], now: Date
    ) async throws {
        try await database.transaction { sql in
            try await AuditRows.record(
                sql, orgId: orgId, actorUserId: actor?.userId, actorMembershipId: actor?.membershipId, action: action,
                entityType: entityType, entityId: entityId, subject: subject, payload: details, now: now)
        }
    }
}
