import Foundation
import FrontdeskCore
import SQLKit

/// What a bulk batch changed, as recorded in its audit row's payload.
public struct BulkBatchPayload: Codable, Sendable, Equatable {
    public var action: String
    public var filter: BulkFilter?
    public var fingerprint: String?
    public var reason: String?
    /// The sessions the batch changed.
    public var sessionIds: [String]
    /// Matched but left alone (publish: not drafts; cancel: not published).
    public var skippedSessionIds: [String]
    public var cancelledBookings: Int
    public var refundedCredits: Int
    /// For an undo: the batch it reverted.
    public var undoes: String?
    /// For the end of a weekly series: the series and its last date before (nil: open-ended); an undo
    /// gives the series that date back.
    public var seriesId: String?
    public var seriesLastDate: String?

    public init(
        action: String, filter: BulkFilter?, fingerprint: String?, reason: String?, sessionIds: [String],
        skippedSessionIds: [String], cancelledBookings: Int, refundedCredits: Int, undoes: String? = nil, seriesId: String? = nil,
        seriesLastDate: String? = nil
    ) {
        self.action = action
        self.filter = filter
        self.fingerprint = fingerprint
        self.reason = reason
        self.sessionIds = sessionIds
        self.skippedSessionIds = skippedSessionIds
        self.cancelledBookings = cancelledBookings
        self.refundedCredits = refundedCredits
        self.undoes = undoes
        self.seriesId = seriesId
        self.seriesLastDate = seriesLastDate
    }

    private enum CodingKeys: String, CodingKey {
        case action, filter, fingerprint, reason, sessionIds, skippedSessionIds, cancelledBookings, refundedCredits, undoes
        case seriesId, seriesLastDate
    }

    /// Lenient about what a row written by an older version may lack, so the audit trail stays readable.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        action = try container.decodeIfPresent(String.self, forKey: .action) ?? "unknown"
        filter = try? container.decodeIfPresent(BulkFilter.self, forKey: .filter)
        fingerprint = try container.decodeIfPresent(String.self, forKey: .fingerprint)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        sessionIds = try container.decodeIfPresent([String].self, forKey: .sessionIds) ?? []
        skippedSessionIds = try container.decodeIfPresent([String].self, forKey: .skippedSessionIds) ?? []
        cancelledBookings = try container.decodeIfPresent(Int.self, forKey: .cancelledBookings) ?? 0
        refundedCredits = try container.decodeIfPresent(Int.self, forKey: .refundedCredits) ?? 0
        undoes = try container.decodeIfPresent(String.self, forKey: .undoes)
        seriesId = try container.decodeIfPresent(String.self, forKey: .seriesId)
        seriesLastDate = try container.decodeIfPresent(String.self, forKey: .seriesLastDate)
    }
}

/// Bulk operations on sessions (SPEC §8): preview a filter, then delete, publish or cancel exactly
/// what the preview showed, in one transaction with one audit row; undo a delete or publish.
///
/// Set-based throughout: one query finds the matches with their booking counts, one statement per
/// 500 sessions changes them, and `SessionBookings.cancelAll` takes the bookings down in bulk; no
/// statement is issued per session.
public struct BulkSessionsStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// The matches of a validated filter.
    public func preview(org: Organization, filter: BulkFilter, maximum: Int) async throws -> BulkPreview {
        try await database.read { sql in
            BulkPreview(filter: filter, matches: try await Self.matches(sql, org: org, filter: filter, maximum: maximum))
        }
    }

    /// The result of an execution: the batch, or — when the matches no longer have the fingerprint
    /// the caller previewed — the new preview and no change.
    public enum Outcome: Sendable {
        case done(AuditBatch)
        case changed(BulkPreview)
    }

    /// Runs `action` on the filter's matches if they still have `fingerprint`.
    public func execute(
        org: Organization, action: BulkAction, filter: BulkFilter, fingerprint: String, reason: String?,
        actor: BookingActor, maximum: Int, now: Date
    ) async throws -> Outcome {
        try await database.transaction { sql in
            try await Self.run(
                sql, org: org, action: action, filter: filter, fingerprint: fingerprint, reason: reason, actor: actor,
                maximum: maximum, now: now)
        }
    }

    /// `execute` inside the caller's transaction; `series` marks the batch as the end of a weekly
    /// series (its id and its last date before), so an undo can give the series its dates back.
    static func run(
        _ sql: any SQLDatabase, org: Organization, action: BulkAction, filter: BulkFilter, fingerprint: String, reason: String?,
        actor: BookingActor, maximum: Int, now: Date, series: (id: String, lastDate: String?)? = nil
    ) async throws -> Outcome {
        let preview = BulkPreview(filter: filter, matches: try await Self.matches(sql, org: org, filter: filter, maximum: maximum))
        guard preview.fingerprint == fingerprint else { return .changed(preview) }
        let changed = preview.sessions.filter { $0.isChanged(by: action) }.map(\.id)
        let skipped = preview.sessions.filter { !$0.isChanged(by: action) }.map(\.id)
        for chunk in changed.chunked(into: 500) {
            let set: SQLQueryString =
                switch action {
                case .delete: "deleted_at = \(bind: now.epochSeconds)"
                case .publish: "status = 'published'"
                case .cancel: "status = 'cancelled', cancel_reason = \(bind: reason)"
                }
            try await sql.raw(
                """
                UPDATE class_sessions SET \(set), updated_at = \(bind: now.epochSeconds)
                WHERE organization_id = \(bind: org.id) AND id IN (\(binds: chunk))
                """
            ).run()
        }
        var effect = SessionBookings.Effect()
        if action != .publish {
            effect = try await SessionBookings.cancelAll(
                sql, sessionIds: changed, reason: reason,
                actorMembershipId: actor.membershipId, now: now)
        }
        let payload = BulkBatchPayload(
            action: action.rawValue, filter: filter, fingerprint: fingerprint, reason: reason, sessionIds: changed,
            skippedSessionIds: skipped, cancelledBookings: effect.cancelledBookings, refundedCredits: effect.refundedCredits,
            seriesId: series?.id, seriesLastDate: series?.lastDate)
        return .done(
            try await AuditBatches.record(sql, orgId: org.id, actor: actor, action: action.auditAction, payload: payload, now: now))
    }

    /// Reverts a bulk delete (the sessions come back; bookings it cancelled stay cancelled, as their
    /// members were told and refunded) or a bulk publish (the sessions go back to draft). Refused with
    /// 409 when a session of the batch gained a booking since, changed state since, or the batch was
    /// undone already. The undo is a batch of its own.
    public func undo(org: Organization, batchId: String, actor: BookingActor, now: Date) async throws -> AuditBatch {
        try await database.transaction { sql in
            guard let original = try await AuditBatches.batch(sql, orgId: org.id, batchId: batchId) else {
                throw DomainError.notFound("Batch")
            }
            let restoring: BulkAction
            switch original.action {
            case BulkAction.delete.auditAction: restoring = .delete
            case BulkAction.publish.auditAction: restoring = .publish
            default:
                throw DomainError(
                    .undoNotSupported,
                    "Only a bulk delete or a bulk publish can be undone; a cancelled class has already been announced to its members.")
            }
            if let undoneBy = original.undoneBy {
                throw DomainError(.alreadyUndone, "This batch was undone already (batch \(undoneBy)).")
            }
            let ids = original.payload.sessionIds
            var booked = 0
            var unchanged = 0
            for chunk in ids.chunked(into: 500) {
                booked +=
                    try await sql.raw(
                        """
                        SELECT COUNT(*) AS n FROM bookings WHERE session_id IN (\(binds: chunk)) AND created_at >= \(bind: original.createdAt.epochSeconds)
                        """
                    ).first()?.int("n") ?? 0
                let state: SQLQueryString = restoring == .delete ? "deleted_at IS NOT NULL" : "deleted_at IS NULL AND status = 'published'"
                unchanged +=
                    try await sql.raw(
                        """
                        SELECT COUNT(*) AS n FROM class_sessions
                        WHERE organization_id = \(bind: org.id) AND id IN (\(binds: chunk)) AND \(state)
                        """
                    ).first()?.int("n") ?? 0
            }
            guard booked == 0 else {
                throw DomainError(
                    .bookedSince,
                    "\(booked) booking\(booked == 1 ? " was" : "s were") made in this batch's classes since; undoing it would take those classes away from members."
                )
            }
            guard unchanged == ids.count else {
                throw DomainError(
                    .changedSince,
                    "\(ids.count - unchanged) of this batch's \(ids.count) classes changed since, so it cannot be undone as a whole.")
            }
            for chunk in ids.chunked(into: 500) {
                let set: SQLQueryString = restoring == .delete ? "deleted_at = NULL" : "status = 'draft'"
                try await sql.raw(
                    """
                    UPDATE class_sessions SET \(set), updated_at = \(bind: now.epochSeconds)
                    WHERE organization_id = \(bind: org.id) AND id IN (\(binds: chunk))
                    """
                ).run()
            }
            if restoring == .delete, let seriesId = original.payload.seriesId {
                try await sql.raw(
                    """
                    UPDATE class_series SET last_date = \(bind: original.payload.seriesLastDate), deleted_at = NULL,
                        updated_at = \(bind: now.epochSeconds)
                    WHERE id = \(bind: seriesId) AND organization_id = \(bind: org.id)
                    """
                ).run()
            }
            let payload = BulkBatchPayload(
                action: "undo", filter: original.payload.filter, fingerprint: nil, reason: nil, sessionIds: ids,
                skippedSessionIds: [], cancelledBookings: 0, refundedCredits: 0, undoes: original.batchId)
            return try await AuditBatches.record(
                sql, orgId: org.id, actor: actor, action: AuditBatches.undoAction, payload: payload, now: now)
        }
    }

    /// Rows the database may return before the calendar fields are applied; past this the filter is too wide.
    static let scanLimit = 50_000

    /// The live sessions matching `filter`, with their active booking counts.
    static func matches(_ sql: any SQLDatabase, org: Organization, filter: BulkFilter, maximum: Int) async throws -> [BulkMatch] {
        try await checkReferences(sql, orgId: org.id, filter: filter)
        let calendar = OrgCalendar(timezone: org.timezone)
        var conditions: [SQLQueryString] = ["s.organization_id = \(bind: org.id)", "s.deleted_at IS NULL"]
        if let id = filter.programId { conditions.append("ct.program_id = \(bind: id)") }
        if let id = filter.classTypeId { conditions.append("s.class_type_id = \(bind: id)") }
        if let id = filter.locationId { conditions.append("s.location_id = \(bind: id)") }
        if let id = filter.seriesId { conditions.append("s.series_id = \(bind: id)") }
        if let ids = filter.sessionIds { conditions.append("s.id IN (\(binds: ids))") }
        if let statuses = filter.status { conditions.append("s.status IN (\(binds: statuses.map(\.rawValue)))") }
        let range = filter.instantRange(calendar: calendar)
        if let from = range.from { conditions.append("s.starts_at >= \(bind: from.epochSeconds)") }
        if let to = range.to { conditions.append("s.starts_at < \(bind: to.epochSeconds)") }
        let rows = try await sql.raw(
            """
            SELECT s.id, s.starts_at, s.status, s.location_id, ct.name AS class_name,
                COALESCE(SUM(CASE WHEN b.status = 'confirmed' THEN 1 ELSE 0 END), 0) AS confirmed,
                COALESCE(SUM(CASE WHEN b.status = 'waitlisted' THEN 1 ELSE 0 END), 0) AS waitlisted,
                COALESCE(SUM(CASE WHEN b.status = 'attended' THEN 1 ELSE 0 END), 0) AS attended
            FROM class_sessions s
            JOIN class_types ct ON ct.id = s.class_type_id
            LEFT JOIN bookings b ON b.session_id = s.id AND b.status IN ('confirmed', 'waitlisted', 'attended')
            WHERE \(conditions.joined(separator: " AND "))
            GROUP BY s.id, s.starts_at, s.status, s.location_id, ct.name
            ORDER BY s.starts_at, s.id
            LIMIT \(literal: scanLimit + 1)
            """
        ).all()
        guard rows.count <= scanLimit else {
            throw DomainError(.batchTooLarge, "This filter reaches more than \(scanLimit) classes; narrow it with a date range.")
        }
        var matches: [BulkMatch] = []
        for row in rows {
            let startsAt = try row.date("starts_at")
            guard filter.matchesLocal(startsAt, calendar: calendar) else { continue }
            matches.append(
                BulkMatch(
                    id: try row.string("id"), startsAt: startsAt, localDate: calendar.localDateString(startsAt),
                    localTime: calendar.localTimeString(startsAt), className: try row.string("class_name"),
                    locationId: try row.optionalString("location_id"),
                    status: SessionStatus(rawValue: try row.string("status")) ?? .draft,
                    confirmed: try row.int("confirmed"), waitlisted: try row.int("waitlisted"), attended: try row.int("attended")))
        }
        guard matches.count <= maximum else {
            throw DomainError(
                .batchTooLarge,
                "This filter matches \(matches.count) classes; one batch may change at most \(maximum). Narrow the dates or add a filter.")
        }
        return matches
    }

    /// A program, class type or location named by the filter must be the org's (404 otherwise).
    static func checkReferences(_ sql: any SQLDatabase, orgId: String, filter: BulkFilter) async throws {
        try await OrgReferences.check(
            sql, orgId: orgId,
            [
                ("programs", filter.programId, "Program"), ("class_types", filter.classTypeId, "Class type"),
                ("locations", filter.locationId, "Location"), ("class_series", filter.seriesId, "Series"),
            ])
        // Listed classes must be the org's (deleted ones included: those just no longer match).
        if let ids = filter.sessionIds {
            let known =
                try await sql.raw(
                    "SELECT COUNT(*) AS n FROM class_sessions WHERE organization_id = \(bind: orgId) AND id IN (\(binds: ids))"
                ).first()?.int("n") ?? 0
            guard known == ids.count else { throw DomainError.notFound("Class") }
        }
    }
}
