import Foundation
import FrontdeskCore
import SQLKit

/// What a new series is: its class and its pattern.
public struct SeriesDraft: Sendable {
    public var classTypeId: String
    public var locationId: String?
    public var coachMembershipId: String?
    /// Nil: the class type's default.
    public var capacity: Int?
    /// Nil: the class type's default.
    public var durationMin: Int?
    public var pattern: SeriesPattern
    public var publish: Bool
    /// Make the classes even where they double-book the coach or the room (audited).
    public var force: Bool

    public init(
        classTypeId: String, locationId: String?, coachMembershipId: String?, capacity: Int?, durationMin: Int?,
        pattern: SeriesPattern, publish: Bool, force: Bool = false
    ) {
        self.classTypeId = classTypeId
        self.locationId = locationId
        self.coachMembershipId = coachMembershipId
        self.capacity = capacity
        self.durationMin = durationMin
        self.pattern = pattern
        self.publish = publish
        self.force = force
    }
}

/// Changes to a series from one date on; nil leaves a field as it is.
public struct SeriesChanges: Sendable {
    public var classTypeId: String?
    /// `.some(nil)` clears the location.
    public var locationId: String??
    /// `.some(nil)` clears the coach.
    public var coachMembershipId: String??
    public var capacity: Int?
    public var durationMin: Int?
    public var weekdays: [Int]?
    public var startTime: String?
    /// `.some(nil)` makes the series open-ended.
    public var lastDate: String??
    /// True also publishes the drafts from the edit's date on.
    public var publish: Bool?
    /// Allow a capacity below a class's confirmed places.
    public var force: Bool

    public init(
        classTypeId: String? = nil, locationId: String?? = nil, coachMembershipId: String?? = nil, capacity: Int? = nil,
        durationMin: Int? = nil, weekdays: [Int]? = nil, startTime: String? = nil, lastDate: String?? = nil, publish: Bool? = nil,
        force: Bool = false
    ) {
        self.classTypeId = classTypeId
        self.locationId = locationId
        self.coachMembershipId = coachMembershipId
        self.capacity = capacity
        self.durationMin = durationMin
        self.weekdays = weekdays
        self.startTime = startTime
        self.lastDate = lastDate
        self.publish = publish
        self.force = force
    }
}

/// What a "this and following" edit did.
public struct SeriesEdit: Sendable {
    /// The series that now runs from the edit's date (a new one when the edit split the series).
    public var series: ClassSeries
    /// The part before the edit's date, when the edit split the series.
    public var endedPart: ClassSeries?
    /// Existing classes changed in place.
    public var changedSessionIds: [String]
    /// Unbooked classes on weekdays the series no longer has, deleted.
    public var removedSessionIds: [String]
    /// Classes made for new dates.
    public var createdSessions: Int
    /// Members told their class moved.
    public var notifiedBookings: Int
}

/// Weekly series (issue 17): creation with the classes of the horizon, the horizon job, and edits of
/// "this and following" classes, each one transaction.
public struct SeriesStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// Creates a series and its classes up to `horizonWeeks` ahead, in one transaction. The class type,
    /// location and coach must be the org's (404 otherwise); a class that would double-book the coach or
    /// the room answers 409 `coach_busy`/`room_busy` naming the other class, unless `force` (audited).
    public func create(
        org: Organization, draft: SeriesDraft, actor: BookingActor, horizonWeeks: Int, now: Date
    ) async throws -> (series: ClassSeries, createdSessions: Int) {
        try await database.transaction { sql in
            let type = try await SessionRows.classTypeDefaults(sql, orgId: org.id, id: draft.classTypeId)
            try await SessionRows.checkReferences(
                sql, orgId: org.id, locationId: draft.locationId, coachMembershipId: draft.coachMembershipId)
            var series = ClassSeries(
                id: NewID.make(), organizationId: org.id, classTypeId: draft.classTypeId, locationId: draft.locationId,
                coachMembershipId: draft.coachMembershipId, capacity: draft.capacity ?? type.capacity,
                durationMin: draft.durationMin ?? type.duration, pattern: draft.pattern, publish: draft.publish,
                createdAt: now, updatedAt: now)
            try await SeriesRows.insert(sql, series, createdBy: actor.membershipId)
            let calendar = OrgCalendar(timezone: org.timezone)
            let made = try await SeriesRows.materialise(
                sql, series: &series, calendar: calendar, through: SeriesRows.horizon(calendar: calendar, now: now, weeks: horizonWeeks),
                now: now)
            try await SeriesRows.checkClashes(sql, seriesId: series.id, force: draft.force, actor: actor, now: now)
            try await AuditRows.record(
                sql, orgId: org.id, actor: actor, action: "series.create", entityType: "series", entityId: series.id, payload: series,
                now: now)
            return (series, made)
        }
    }

    /// The org's live series, oldest first.
    public func list(orgId: String) async throws -> [ClassSeries] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT * FROM class_series WHERE organization_id = \(bind: orgId) AND deleted_at IS NULL ORDER BY created_at, id
                """
            ).all().map(SeriesRows.series)
        }
    }

    /// One live series of the org.
    public func series(orgId: String, id: String) async throws -> ClassSeries? {
        try await database.read { sql in try await SeriesRows.live(sql, orgId: orgId, id: id) }
    }

    /// The horizon job: makes the missing classes of every live series of every org up to
    /// `horizonWeeks` ahead of `now` in each org's zone. One transaction per series that needs work,
    /// holding the series' lock; safe on every instance at once. Returns how many classes it made.
    public func materialiseAll(now: Date, horizonWeeks: Int) async throws -> Int {
        let candidates = try await database.read { sql in
            try await sql.raw(
                """
                SELECT s.id, s.organization_id, s.generated_through, o.timezone FROM class_series s
                JOIN organizations o ON o.id = s.organization_id
                WHERE s.deleted_at IS NULL AND (s.last_date IS NULL OR s.generated_through IS NULL OR s.generated_through < s.last_date)
                """
            ).all().map {
                (
                    id: try $0.string("id"), orgId: try $0.string("organization_id"),
                    done: try $0.optionalString("generated_through"), timezone: try $0.string("timezone")
                )
            }
        }
        var made = 0
        for candidate in candidates {
            let calendar = OrgCalendar(timezone: candidate.timezone)
            let through = SeriesRows.horizon(calendar: calendar, now: now, weeks: horizonWeeks)
            if let done = candidate.done, done >= through { continue }
            made += try await database.transaction(TransactionOptions(lockKeys: ["series:\(candidate.id)"])) { sql in
                guard var series = try await SeriesRows.live(sql, orgId: candidate.orgId, id: candidate.id) else { return 0 }
                return try await SeriesRows.materialise(sql, series: &series, calendar: calendar, through: through, now: now)
            }
        }
        return made
    }
}

extension SeriesStore {
    /// The bulk filter of a series' classes from local date `from` on.
    static func endFilter(seriesId: String, from: String) -> BulkFilter { BulkFilter(from: from, seriesId: seriesId) }

    /// The first date a series can be ended from: `requested`, or today when it is earlier; 400 when malformed.
    static func endDate(_ requested: String, calendar: OrgCalendar, now: Date) throws -> String {
        guard calendar.startOfDay(localDate: requested) != nil else { throw DomainError.invalidField("from", "use a date as YYYY-MM-DD.") }
        return max(requested, calendar.localDateString(now))
    }

    /// What ending the series from `from` would take down: its classes from that date on, with their bookings.
    public func endPreview(org: Organization, id: String, from requested: String, maximum: Int, now: Date) async throws -> BulkPreview {
        let from = try Self.endDate(requested, calendar: OrgCalendar(timezone: org.timezone), now: now)
        return try await database.read { sql in
            _ = try await SeriesRows.requireLive(sql, orgId: org.id, id: id)
            let filter = Self.endFilter(seriesId: id, from: from)
            return BulkPreview(
                filter: filter, matches: try await BulkSessionsStore.matches(sql, org: org, filter: filter, maximum: maximum))
        }
    }

    /// Ends the series before `from` — deleted outright when that is its first date or earlier — and
    /// deletes its classes from that date on through the bulk path (bookings cancelled, credits
    /// refunded, members told, one audit batch that an undo can revert while nobody booked since), if
    /// they still have the previewed `fingerprint`.
    public func end(
        org: Organization, id: String, from requested: String, fingerprint: String, actor: BookingActor, maximum: Int, now: Date
    ) async throws -> BulkSessionsStore.Outcome {
        let calendar = OrgCalendar(timezone: org.timezone)
        let from = try Self.endDate(requested, calendar: calendar, now: now)
        return try await database.transaction(TransactionOptions(lockKeys: ["series:\(id)"])) { sql in
            var series = try await SeriesRows.requireLive(sql, orgId: org.id, id: id)
            let outcome = try await BulkSessionsStore.run(
                sql, org: org, action: .delete, filter: Self.endFilter(seriesId: id, from: from), fingerprint: fingerprint, reason: nil,
                actor: actor, maximum: maximum, now: now, series: (id, series.lastDate))
            guard case .done = outcome else { return outcome }
            if from <= series.firstDate {
                try await sql.raw(
                    """
                    UPDATE class_series SET deleted_at = \(bind: now.epochSeconds), updated_at = \(bind: now.epochSeconds) WHERE id = \(bind: id)
                    """
                ).run()
            } else {
                let dayBefore = calendar.localDateString(calendar.startOfDay(calendar.startOfDay(localDate: from)!, addingDays: -1))
                series.lastDate = min(dayBefore, series.lastDate ?? dayBefore)
                series.updatedAt = now
                try await SeriesRows.update(sql, series)
            }
            return outcome
        }
    }
}
