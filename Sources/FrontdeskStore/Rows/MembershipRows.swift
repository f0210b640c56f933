import Foundation
import FrontdeskCore
import SQLKit

/// Row operations on organizations and memberships inside the caller's transaction.
enum MembershipRows {
    static let summaryColumns = """
        m.id AS m_id, m.organization_id AS m_organization_id, m.user_id AS m_user_id, m.role AS m_role,
        m.status AS m_status, m.created_at AS m_created_at, u.id, u.email, u.name, u.created_at, o.name AS org_name
        """

    static func organization(_ row: any SQLRow) throws -> Organization {
        Organization(
            id: try row.string("id"), name: try row.string("name"), timezone: try row.string("timezone"),
            cancellationWindowHours: try row.int("cancellation_window_hours"),
            allowLateCancellation: try row.bool("allow_late_cancellation"),
            paymentProvider: try row.optionalString("payment_provider"),
            latitude: try row.double("latitude"), longitude: try row.double("longitude"),
            primaryColor: try row.string("primary_color"),
            checkinOpensMinutesBefore: try row.int("checkin_opens_minutes_before"),
            checkinGraceSeconds: try row.int("checkin_grace_seconds"),
            gpsMaxMeters: try row.int("gps_max_meters"),
            gpsMaxAccuracyMeters: try row.int("gps_max_accuracy_meters"),
            noShowGraceMinutes: try row.int("no_show_grace_minutes"),
            bookingOpensDaysBefore: try row.optionalInt("booking_opens_days_before"),
            waitlistCutoffMinutes: try row.int("waitlist_cutoff_minutes"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")
        )
    }

    static func membership(_ row: any SQLRow, prefix: String = "") throws -> Membership {
        Membership(
            id: try row.string(prefix + "id"), organizationId: try row.string(prefix + "organization_id"),
            userId: try row.string(prefix + "user_id"),
            role: Role(rawValue: try row.string(prefix + "role")) ?? .member,
            status: MembershipStatus(rawValue: try row.string(prefix + "status")) ?? .suspended,
            createdAt: try row.date(prefix + "created_at")
        )
    }

    static func insertMembership(_ sql: any SQLDatabase, orgId: String, userId: String, role: Role, now: Date) async throws -> Membership {
        let membership = Membership(id: NewID.make(), organizationId: orgId, userId: userId, role: role, status: .active, createdAt: now)
        try await sql.raw(
            """
            INSERT INTO memberships (id, organization_id, user_id, role, status, created_at, updated_at)
            VALUES (\(bind: membership.id), \(bind: orgId), \(bind: userId), \(bind: role.rawValue), 'active',
                    \(bind: now.epochSeconds), \(bind: now.epochSeconds))
            """
        ).run()
        return membership
    }

    static func organization(_ sql: any SQLDatabase, id: String) async throws -> Organization? {
        try await sql.raw("SELECT * FROM organizations WHERE id = \(bind: id)").first().map(organization)
    }

    static func summary(_ row: any SQLRow) throws -> MemberSummary {
        MemberSummary(
            membership: try membership(row, prefix: "m_"), user: try UserRows.user(row), organizationName: try row.string("org_name"))
    }

    static func member(_ sql: any SQLDatabase, orgId: String, membershipId: String) async throws -> MemberSummary? {
        try await sql.raw(
            """
            SELECT \(unsafeRaw: summaryColumns) FROM memberships m
            JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id
            WHERE m.organization_id = \(bind: orgId) AND m.id = \(bind: membershipId)
            """
        ).first().map(summary)
    }
}
