import Foundation
import FrontdeskCore
import SQLKit

/// Closures (issue 17): dates on which the studio or one location holds no classes. Adding one goes
/// through the bulk path — preview the classes it takes down, then confirm with the preview's
/// fingerprint — and in one transaction records it, cancels its published classes (bookings
/// cancelled, credits refunded, members told), deletes its drafts and writes one audit batch. Series
/// make no class on its dates from then on.
public struct ClosuresStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// The audit action of a closure's batch.
    public static let auditAction = "closures.create"

    static func filter(_ range: ClosureRange) -> BulkFilter {
        BulkFilter(locationId: range.locationId, from: range.firstDate, to: range.lastDate, status: [.draft, .published])
    }

    /// The classes a closure of `range` would take down: its drafts and published classes that have
    /// not started by `now` (on its first day, those that ran this morning stay as they are).
    public func preview(org: Organization, range: ClosureRange, maximum: Int, now: Date) async throws -> BulkPreview {
        try await database.read { sql in try await Self.preview(sql, org: org, range: range, maximum: maximum, now: now) }
    }

    static func preview(_ sql: any SQLDatabase, org: Organization, range: ClosureRange, maximum: Int, now: Date) async throws -> BulkPreview
    {
        let filter = Self.filter(range)
        let matches = try await BulkSessionsStore.matches(sql, org: org, filter: filter, maximum: maximum)
        return BulkPreview(filter: filter, matches: matches.filter { $0.startsAt > now })
    }

    /// The result of adding a closure: the closure and its batch, or the new preview when the classes
    /// changed since the caller's.
    public enum Outcome: Sendable {
        case done(Closure, AuditBatch)
        case changed(BulkPreview)
    }

    /// Adds the closure if its classes still have `fingerprint`.
    public func create(
        org: Organization, range: ClosureRange, reason: String?, fingerprint: String, actor: BookingActor, maximum: Int, now: Date
    ) async throws -> Outcome {
        try await database.transaction { sql in
            let preview = try await Self.preview(sql, org: org, range: range, maximum: maximum, now: now)
            let filter = preview.filter
            guard preview.fingerprint == fingerprint else { return .changed(preview) }
            let closure = Closure(id: NewID.make(), organizationId: org.id, range: range, reason: reason, createdAt: now)
            try await sql.raw(
                """
                INSERT INTO closures (id, organization_id, location_id, first_date, last_date, reason, created_by_membership_id, created_at)
                VALUES (\(bind: closure.id), \(bind: org.id), \(bind: closure.locationId), \(bind: closure.from), \(bind: closure.to),
                    \(bind: reason), \(bind: actor.membershipId), \(bind: now.epochSeconds))
                """
            ).run()
            let published = preview.sessions.filter { $0.status == .published }.map(\.id)
            let drafts = preview.sessions.filter { $0.status == .draft }.map(\.id)
            for chunk in published.chunked(into: 500) {
                try await sql.raw(
                    """
                    UPDATE class_sessions SET status = 'cancelled', cancel_reason = \(bind: reason), updated_at = \(bind: now.epochSeconds)
                    WHERE organization_id = \(bind: org.id) AND id IN (\(binds: chunk))
                    """
                ).run()
            }
            for chunk in drafts.chunked(into: 500) {
                try await sql.raw(
                    """
                    UPDATE class_sessions SET deleted_at = \(bind: now.epochSeconds), updated_at = \(bind: now.epochSeconds)
                    WHERE organization_id = \(bind: org.id) AND id IN (\(binds: chunk))
                    """
                ).run()
            }
            let effect = try await SessionBookings.cancelAll(
                sql, sessionIds: published + drafts, reason: reason, actorMembershipId: actor.membershipId, now: now)
            let payload = BulkBatchPayload(
                action: "closure", filter: filter, fingerprint: fingerprint, reason: reason, sessionIds: published + drafts,
                skippedSessionIds: [], cancelledBookings: effect.cancelledBookings, refundedCredits: effect.refundedCredits)
            let batch = try await AuditBatches.record(
                sql, orgId: org.id, actor: actor, action: Self.auditAction, payload: payload, now: now)
            return .done(closure, batch)
        }
    }

    /// The org's closures that have not ended before `fromDate` (local), by first date.
    public func list(orgId: String, fromDate: String) async throws -> [Closure] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT * FROM closures WHERE organization_id = \(bind: orgId) AND deleted_at IS NULL AND last_date >= \(bind: fromDate)
                ORDER BY first_date, id
                """
            ).all().map(Self.closure)
        }
    }

    static func closure(_ row: any SQLRow) throws -> Closure {
        Closure(
            id: try row.string("id"), organizationId: try row.string("organization_id"),
            range: ClosureRange(
                locationId: try row.optionalString("location_id"), firstDate: try row.string("first_date"),
                lastDate: try row.string("last_date")),
            reason: try row.optionalString("reason"), createdAt: try row.date("created_at"))
    }

    /// Removes a closure. Classes it cancelled stay cancelled (their members were told); the dates it
    /// kept free are filled by the series again at once.
    public func delete(org: Organization, id: String, actor: BookingActor, horizonWeeks: Int, now: Date) async throws -> Int {
        try await database.transaction { sql in
            guard
                let row = try await sql.raw(
                    """
                    SELECT * FROM closures WHERE id = \(bind: id) AND organization_id = \(bind: org.id) AND deleted_at IS NULL
                    """
                ).first()
            else { throw DomainError.notFound("Closure") }
            let closure = try Self.closure(row)
            try await sql.raw("UPDATE closures SET deleted_at = \(bind: now.epochSeconds) WHERE id = \(bind: id)").run()
            try await AuditRows.record(
                sql, orgId: org.id, actorUserId: actor.userId, actorMembershipId: actor.membershipId, action: "closures.delete",
                entityType: "closure", entityId: id, payload: closure, now: now)
            // The series look at the freed dates again; dates that have a class already are left alone.
            let calendar = OrgCalendar(timezone: org.timezone)
            let through = SeriesRows.horizon(calendar: calendar, now: now, weeks: horizonWeeks)
            var made = 0
            for row in try await sql.raw(
                "SELECT * FROM class_series WHERE organization_id = \(bind: org.id) AND deleted_at IS NULL"
            ).all() {
                var series = try SeriesRows.series(row)
                guard closure.locationId == nil || closure.locationId == series.locationId else { continue }
                series.generatedThrough = nil
                made += try await SeriesRows.materialise(sql, series: &series, calendar: calendar, through: through, now: now)
            }
            return made
        }
    }
}
