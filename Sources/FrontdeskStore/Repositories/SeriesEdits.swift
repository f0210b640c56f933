import Foundation
import FrontdeskCore
import SQLKit

extension SeriesStore {
    /// Edits the series' classes from local date `from` on ("this and following"), in one transaction
    /// holding the series' lock.
    ///
    /// From a date after the series' first date the series is split: the old one ends the day before
    /// and a new one with the changes runs from `from`. Classes already made from that date on move to
    /// the new series and change in place — bookings stay, and members of a class whose time,
    /// location or coach changed are told (`class_changed`). Classes edited on their own, cancelled,
    /// deleted or already started are left as they are. A class on a weekday the series no longer has
    /// is deleted when nobody booked it; a booked one refuses the edit (409 `series_day_has_bookings`:
    /// cancel those first). A capacity below a class's confirmed places needs `force`. Then the
    /// horizon is filled with the new pattern.
    public func edit(
        org: Organization, id: String, from requested: String, changes: SeriesChanges, actor: BookingActor, horizonWeeks: Int,
        now: Date
    ) async throws -> SeriesEdit {
        let calendar = OrgCalendar(timezone: org.timezone)
        guard calendar.startOfDay(localDate: requested) != nil else { throw DomainError.invalidField("from", "use a date as YYYY-MM-DD.") }
        let from = max(requested, calendar.localDateString(now))
        return try await database.transaction(TransactionOptions(lockKeys: ["series:\(id)"])) { sql in
            let old = try await SeriesRows.requireLive(sql, orgId: org.id, id: id)
            if let last = old.lastDate, from > last {
                throw DomainError.invalidField("from", "the series ends on \(last); there is nothing to change from \(from).")
            }
            var next = try await merged(sql, old, changes, org: org, calendar: calendar)
            if let last = next.lastDate, old.lastDate.map({ last < $0 }) ?? true {
                let later =
                    try await sql.raw(
                        """
                        SELECT COUNT(*) AS n FROM class_sessions WHERE series_id = \(bind: old.id) AND series_date > \(bind: last)
                          AND deleted_at IS NULL AND status <> 'cancelled'
                        """
                    ).first()?.int("n") ?? 0
                guard later == 0 else {
                    throw DomainError(
                        .seriesEndNeedsPreview,
                        "\(later) classes of this series are after \(last); end the series through its end preview, "
                            + "which shows the bookings that would be cancelled.")
                }
            }
            let split = from > old.firstDate
            var endedPart: ClassSeries?
            next.generatedThrough = nil
            next.updatedAt = now
            if split {
                var ended = old
                ended.lastDate = calendar.localDateString(calendar.startOfDay(calendar.startOfDay(localDate: from)!, addingDays: -1))
                ended.updatedAt = now
                try await SeriesRows.update(sql, ended)
                endedPart = ended
                next.id = NewID.make()
                next.firstDate = from
                next.splitFromSeriesId = old.id
                next.createdAt = now
                try await SeriesRows.insert(sql, next, createdBy: actor.membershipId)
                // Every class from the date on keeps its place, in the new series: a date deleted or edited
                // on its own is never made again.
                try await sql.raw(
                    """
                    UPDATE class_sessions SET series_id = \(bind: next.id)
                    WHERE series_id = \(bind: old.id) AND series_date >= \(bind: from)
                    """
                ).run()
            } else {
                try await SeriesRows.update(sql, next)
            }
            var edit = SeriesEdit(
                series: next, endedPart: endedPart, changedSessionIds: [], removedSessionIds: [], createdSessions: 0,
                notifiedBookings: 0)
            try await reshape(sql, &edit, org: org, from: from, force: changes.force, publishDrafts: changes.publish == true, now: now)
            edit.createdSessions = try await SeriesRows.materialise(
                sql, series: &edit.series, calendar: calendar,
                through: SeriesRows.horizon(calendar: calendar, now: now, weeks: horizonWeeks), now: now)
            if Self.movesClasses(changes) {
                try await SeriesRows.checkClashes(sql, seriesId: edit.series.id, force: changes.force, actor: actor, now: now)
            }
            struct Change: Encodable {
                let from: String
                let before: ClassSeries
                let after: ClassSeries
                let changedSessions: Int
                let removedSessions: Int
            }
            try await AuditRows.record(
                sql, orgId: org.id, actorUserId: actor.userId, actorMembershipId: actor.membershipId, action: "series.edit",
                entityType: "series", entityId: old.id,
                payload: Change(
                    from: from, before: old, after: edit.series, changedSessions: edit.changedSessionIds.count,
                    removedSessions: edit.removedSessionIds.count),
                now: now)
            return edit
        }
    }

    /// Whether an edit can make a class collide with another: a new time, duration, coach, location,
    /// days or last date (capacity or class type alone move nothing).
    static func movesClasses(_ changes: SeriesChanges) -> Bool {
        changes.weekdays != nil || changes.startTime != nil || changes.durationMin != nil || changes.locationId != nil
            || changes.coachMembershipId != nil || changes.lastDate != nil
    }

    /// The series with `changes` applied and checked.
    private func merged(
        _ sql: any SQLDatabase, _ series: ClassSeries, _ changes: SeriesChanges, org: Organization, calendar: OrgCalendar
    ) async throws -> ClassSeries {
        var next = series
        if let type = changes.classTypeId {
            _ = try await SessionRows.classTypeDefaults(sql, orgId: org.id, id: type)
            next.classTypeId = type
        }
        try await SessionRows.checkReferences(
            sql, orgId: org.id, locationId: changes.locationId ?? nil, coachMembershipId: changes.coachMembershipId ?? nil)
        if let location = changes.locationId { next.locationId = location }
        if let coach = changes.coachMembershipId { next.coachMembershipId = coach }
        if let capacity = changes.capacity { next.capacity = capacity }
        if let duration = changes.durationMin { next.durationMin = duration }
        if let weekdays = changes.weekdays { next.weekdays = weekdays }
        if let time = changes.startTime { next.startTime = time }
        if let last = changes.lastDate { next.lastDate = last }
        if changes.publish == true { next.publish = true }
        if changes.publish == false { next.publish = false }
        next.pattern = try next.pattern.validated(calendar: calendar)
        return next
    }

    /// Brings the classes of `edit.series` from `from` on in line with it (see `edit`).
    private func reshape(
        _ sql: any SQLDatabase, _ edit: inout SeriesEdit, org: Organization, from: String, force: Bool, publishDrafts: Bool,
        now: Date
    ) async throws {
        let series = edit.series
        let calendar = OrgCalendar(timezone: org.timezone)
        let (hour, minute) = series.pattern.clock
        let rows = try await sql.raw(
            """
            SELECT s.*, (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status IN ('confirmed', 'waitlisted')) AS active,
                (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status IN ('confirmed', 'attended')) AS booked
            FROM class_sessions s
            WHERE s.series_id = \(bind: series.id) AND s.series_date >= \(bind: from) AND s.deleted_at IS NULL
              AND s.series_detached = \(bind: false) AND s.status <> 'cancelled' AND s.starts_at > \(bind: now.epochSeconds)
            ORDER BY s.starts_at
            """
        ).all()
        var blocked: [String] = []
        var moved: [(before: ClassSession, after: ClassSession)] = []
        for row in rows {
            let before = try SessionRows.session(row)
            let date = try row.string("series_date")
            guard let day = calendar.startOfDay(localDate: date) else { continue }
            guard series.weekdays.contains(calendar.isoWeekday(day)) else {
                if try row.int("active") > 0 {
                    blocked.append("\(date) \(calendar.localTimeString(before.startsAt))")
                } else {
                    edit.removedSessionIds.append(before.id)
                }
                continue
            }
            let startsAt = calendar.instant(onDayOf: day, hour: hour, minute: minute)
            // Today's class is never moved to a time that has passed: it stays as it is.
            if startsAt <= now { continue }
            let booked = try row.int("booked")
            if series.capacity < booked && !force {
                throw DomainError(
                    .capacityBelowBooked,
                    "The class on \(date) has \(booked) places booked; lower the capacity below that only with force: true.")
            }
            var after = before
            after.classTypeId = series.classTypeId
            after.locationId = series.locationId
            after.coachMembershipId = series.coachMembershipId
            after.capacity = series.capacity
            after.durationMin = series.durationMin
            after.startsAt = startsAt
            if publishDrafts && after.status == .draft { after.status = .published }
            after.updatedAt = now
            if after != before { moved.append((before, after)) }
        }
        guard blocked.isEmpty else {
            throw DomainError(
                .seriesDayHasBookings,
                "These classes are on days the series no longer has and have bookings: \(blocked.joined(separator: ", ")). "
                    + "Cancel them first, or keep those days.")
        }
        for chunk in edit.removedSessionIds.chunked(into: 500) {
            try await sql.raw(
                """
                UPDATE class_sessions SET deleted_at = \(bind: now.epochSeconds), updated_at = \(bind: now.epochSeconds)
                WHERE id IN (\(binds: chunk))
                """
            ).run()
        }
        for (before, after) in moved {
            try await sql.raw(
                """
                UPDATE class_sessions SET class_type_id = \(bind: after.classTypeId), location_id = \(bind: after.locationId),
                    coach_membership_id = \(bind: after.coachMembershipId), starts_at = \(bind: after.startsAt.epochSeconds),
                    duration_min = \(bind: after.durationMin), ends_at = \(bind: after.endsAt.epochSeconds),
                    capacity = \(bind: after.capacity), status = \(bind: after.status.rawValue), updated_at = \(bind: now.epochSeconds)
                WHERE id = \(bind: after.id)
                """
            ).run()
            edit.changedSessionIds.append(after.id)
            edit.notifiedBookings += try await ClassChangeNotices.queue(sql, before: before, after: after, now: now)
            if after.capacity > before.capacity && after.status == .published {
                try await WaitlistRows.promote(sql, org: org, sessionId: after.id, actorMembershipId: nil, now: now)
            }
        }
    }
}
