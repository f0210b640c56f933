import Foundation
import FrontdeskCore
import SQLKit

/// A studio's public-schedule settings: shown to strangers or not, and the website origins that may
/// frame its widget (already validated and normalised by the caller).
public struct PublicScheduleSettings: Sendable, Equatable, Codable {
    public var enabled: Bool
    public var embedOrigins: [String]

    public init(enabled: Bool = false, embedOrigins: [String] = []) {
        self.enabled = enabled
        self.embedOrigins = embedOrigins
    }
}

/// Reads and writes `public_schedules` (Schema0006). A studio without a row is not public.
public struct PublicScheduleStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// The studio's settings (the defaults when it never saved any).
    public func settings(orgId: String) async throws -> PublicScheduleSettings {
        try await database.read { sql in
            guard
                let row = try await sql.raw(
                    "SELECT enabled, embed_origins FROM public_schedules WHERE organization_id = \(bind: orgId)"
                ).first()
            else { return PublicScheduleSettings() }
            return try Self.settings(row)
        }
    }

    /// The studio and its settings when it shows its schedule to strangers; nil for an unknown studio and
    /// for one that does not (the caller answers both alike).
    public func publicStudio(orgId: String) async throws -> (Organization, PublicScheduleSettings)? {
        try await database.read { sql in
            guard
                let row = try await sql.raw(
                    "SELECT enabled, embed_origins FROM public_schedules WHERE organization_id = \(bind: orgId) AND enabled = \(bind: true)"
                ).first(),
                let org = try await MembershipRows.organization(sql, id: orgId)
            else { return nil }
            return (org, try Self.settings(row))
        }
    }

    /// Saves the settings and writes a `public_schedule.update` audit row with before and after, in one
    /// transaction; unchanged settings write nothing.
    public func save(
        orgId: String, _ settings: PublicScheduleSettings, actorUserId: String, actorMembershipId: String, now: Date
    ) async throws {
        let origins = settings.embedOrigins.joined(separator: "\n")
        try await database.transaction { sql in
            let before =
                try await sql.raw("SELECT enabled, embed_origins FROM public_schedules WHERE organization_id = \(bind: orgId)")
                .first().map(Self.settings) ?? PublicScheduleSettings()
            guard before != settings else { return }
            try await sql.raw(
                """
                INSERT INTO public_schedules (organization_id, enabled, embed_origins, updated_at)
                VALUES (\(bind: orgId), \(bind: settings.enabled), \(bind: origins), \(bind: now.epochSeconds))
                ON CONFLICT (organization_id) DO UPDATE SET enabled = excluded.enabled,
                    embed_origins = excluded.embed_origins, updated_at = excluded.updated_at
                """
            ).run()
            try await AuditRows.record(
                sql, orgId: orgId, actorUserId: actorUserId, actorMembershipId: actorMembershipId,
                action: "public_schedule.update", entityType: "organization", entityId: orgId,
                payload: ["before": before, "after": settings], now: now)
        }
    }

    static func settings(_ row: any SQLRow) throws -> PublicScheduleSettings {
        PublicScheduleSettings(
            enabled: try row.bool("enabled"), embedOrigins: try row.string("embed_origins").split(separator: "\n").map(String.init))
    }
}
