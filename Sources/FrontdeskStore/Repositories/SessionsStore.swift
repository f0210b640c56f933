import Foundation
import FrontdeskCore
import SQLKit

/// Changes to a session's editable fields; `nil` leaves a field as it is.
public struct SessionChanges: Sendable {
    public var classTypeId: String?
    /// `.some(nil)` clears the location.
    public var locationId: String??
    /// `.some(nil)` clears the coach.
    public var coachMembershipId: String??
    public var startsAt: Date?
    public var durationMin: Int?
    public var capacity: Int?
    /// Allow a capacity below the number of confirmed places.
    public var force: Bool

    public init(
        classTypeId: String? = nil, locationId: String?? = nil, coachMembershipId: String?? = nil,
        startsAt: Date? = nil, durationMin: Int? = nil, capacity: Int? = nil, force: Bool = false
    ) {
        self.classTypeId = classTypeId
        self.locationId = locationId
        self.coachMembershipId = coachMembershipId
        self.startsAt = startsAt
        self.durationMin = durationMin
        self.capacity = capacity
        self.force = force
    }
}

/// Class sessions: creation, edits, lifecycle transitions and soft deletion, each one transaction.
public struct SessionsStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// Inserts sessions in one transaction (demo seeder, tests). API creation goes through `create`.
    public func insert(_ sessions: [ClassSession], createdBy: String?) async throws {
        try await database.transaction { sql in
            for session in sessions {
                try await SessionRows.insert(sql, session, createdBy: createdBy)
            }
        }
    }

    /// The org id of a live session, for access checks before anything else is read.
    public func organizationId(sessionId: String) async throws -> String? {
        try await database.read { sql in
            try await sql.raw("SELECT organization_id FROM class_sessions WHERE id = \(bind: sessionId) AND deleted_at IS NULL")
                .first()?.string("organization_id")
        }
    }

    /// A live session of the org.
    public func session(orgId: String, id: String) async throws -> ClassSession? {
        try await database.read { sql in try await SessionRows.live(sql, orgId: orgId, id: id) }
    }

    /// Creates a draft from `classTypeId`'s defaults, checking that the class type, location and
    /// coach all belong to the org (another org's ids answer 404). A class overlapping another live,
    /// not-cancelled class of the same coach or location answers 409 `coach_busy` / `room_busy`
    /// unless `force`, which `actor` then leaves in the audit log.
    public func create(
        orgId: String, classTypeId: String, locationId: String?, coachMembershipId: String?, startsAt: Date,
        durationMin: Int?, capacity: Int?, createdBy: String, force: Bool = false, actor: BookingActor? = nil, now: Date
    ) async throws -> ClassSession {
        try await database.transaction { sql in
            let type = try await SessionRows.classTypeDefaults(sql, orgId: orgId, id: classTypeId)
            try await SessionRows.checkReferences(sql, orgId: orgId, locationId: locationId, coachMembershipId: coachMembershipId)
            let session = ClassSession(
                id: NewID.make(), organizationId: orgId, classTypeId: classTypeId, locationId: locationId,
                coachMembershipId: coachMembershipId, startsAt: startsAt, durationMin: durationMin ?? type.duration,
                capacity: capacity ?? type.capacity, status: .draft, createdAt: now, updatedAt: now)
            try await SessionRows.insert(sql, session, createdBy: createdBy)
            try await SessionClashRows.check(sql, session, force: force, actor: actor, now: now)
            return session
        }
    }

    /// Applies `changes`. A capacity below the confirmed count answers 409 `capacity_below_booked`
    /// unless `force`. Cancelled sessions cannot be edited, and a coach (`actor`) edits drafts only.
    /// A new time, duration, coach or location that double-books the coach or the room answers 409
    /// `coach_busy` / `room_busy` unless `force`. Members booked (confirmed or waitlisted) are told of
    /// a new start, location or coach (`class_changed`); a class of a series leaves it; the change and
    /// any forced override are audited, all in this transaction.
    public func update(
        orgId: String, id: String, changes: SessionChanges, actor: BookingActor? = nil, now: Date
    ) async throws -> ClassSession {
        try await database.transaction(TransactionOptions(lockKeys: ["session:\(id)"])) { sql in
            var session = try await SessionRows.requireLive(sql, orgId: orgId, id: id)
            let before = session
            guard session.status != .cancelled else {
                throw DomainError(.sessionCancelled, "A cancelled session cannot be changed.")
            }
            if let actor { try SessionEditRules.requireMayEdit(role: actor.role, status: session.status) }
            if let classTypeId = changes.classTypeId {
                _ = try await SessionRows.classTypeDefaults(sql, orgId: orgId, id: classTypeId)
                session.classTypeId = classTypeId
            }
            try await SessionRows.checkReferences(
                sql, orgId: orgId, locationId: changes.locationId ?? nil,
                coachMembershipId: changes.coachMembershipId ?? nil)
            if let locationId = changes.locationId { session.locationId = locationId }
            if let coach = changes.coachMembershipId { session.coachMembershipId = coach }
            if let startsAt = changes.startsAt { session.startsAt = startsAt }
            if let durationMin = changes.durationMin { session.durationMin = durationMin }
            let previousCapacity = session.capacity
            var capacityOverride: Int?
            if let capacity = changes.capacity, capacity != session.capacity {
                let booked = try await SessionRows.bookedCount(sql, sessionId: id)
                if capacity < booked { capacityOverride = booked }
                if capacity < booked && !changes.force {
                    throw DomainError(
                        .capacityBelowBooked, "\(booked) places are already booked; lower the capacity below that only with force: true.")
                }
                session.capacity = capacity
            }
            let audit = Self.changes(before, session)
            guard !audit.isEmpty else { return before }
            session.updatedAt = now
            // A class edited on its own leaves its series (series edits pass it by from now on).
            try await sql.raw(
                """
                UPDATE class_sessions SET class_type_id = \(bind: session.classTypeId), location_id = \(bind: session.locationId),
                    coach_membership_id = \(bind: session.coachMembershipId), starts_at = \(bind: session.startsAt.epochSeconds),
                    duration_min = \(bind: session.durationMin), ends_at = \(bind: session.endsAt.epochSeconds),
                    capacity = \(bind: session.capacity), updated_at = \(bind: now.epochSeconds),
                    series_detached = CASE WHEN series_id IS NULL THEN series_detached ELSE \(bind: true) END
                WHERE id = \(bind: id)
                """
            ).run()
            let moved =
                before.startsAt != session.startsAt || before.durationMin != session.durationMin
                || before.locationId != session.locationId || before.coachMembershipId != session.coachMembershipId
            if moved { try await SessionClashRows.check(sql, session, force: changes.force, actor: actor, now: now) }
            try await AuditRows.record(
                sql, orgId: orgId, actor: actor, action: "session.update", entityType: "session", entityId: id, payload: audit, now: now)
            if let booked = capacityOverride {
                var details = AuditChange()
                details.field("capacity", AuditValue(before.capacity), AuditValue(session.capacity))
                details.details["booked"] = AuditValue(booked)
                try await AuditRows.record(
                    sql, orgId: orgId, actor: actor, action: "session.capacity_override", entityType: "session", entityId: id,
                    payload: details, now: now)
            }
            try await ClassChangeNotices.queue(sql, before: before, after: session, now: now)
            // Places freed by a capacity raise go to the waitlist in this same transaction.
            if session.capacity > previousCapacity, let org = try await MembershipRows.organization(sql, id: orgId) {
                try await WaitlistRows.promote(sql, org: org, sessionId: id, actorMembershipId: nil, now: now)
            }
            return session
        }
    }

    /// draft → published (published stays published); a cancelled session cannot be published again.
    public func publish(orgId: String, id: String, actor: BookingActor? = nil, now: Date) async throws -> ClassSession {
        try await transition(orgId: orgId, id: id, actor: actor, action: "session.publish", now: now) { session, _ in
            guard session.status != .cancelled else {
                throw DomainError(.sessionCancelled, "A cancelled session cannot be published.")
            }
            return .published
        }
    }

    /// published → draft (drafts stay drafts). A class with active bookings (confirmed, waitlisted or
    /// attended) answers 409 `session_has_bookings`: cancelling it tells and refunds its members.
    public func unpublish(orgId: String, id: String, actor: BookingActor? = nil, now: Date) async throws -> ClassSession {
        try await transition(orgId: orgId, id: id, actor: actor, action: "session.unpublish", now: now) { session, sql in
            guard session.status != .cancelled else {
                throw DomainError(.sessionCancelled, "A cancelled session cannot be unpublished.")
            }
            if session.status == .published {
                let active =
                    try await sql.raw(
                        """
                        SELECT COUNT(*) AS n FROM bookings WHERE session_id = \(bind: id) AND status IN ('confirmed', 'waitlisted', 'attended')
                        """
                    ).first()?.int("n") ?? 0
                guard active == 0 else {
                    throw DomainError(
                        .sessionHasBookings,
                        "This class has \(active) active booking\(active == 1 ? "" : "s"); "
                            + "cancel it instead, so its members are told and refunded.")
                }
            }
            return .draft
        }
    }

    private func transition(
        orgId: String, id: String, actor: BookingActor?, action: String, now: Date,
        _ next: @escaping @Sendable (ClassSession, any SQLDatabase) async throws -> SessionStatus
    ) async throws -> ClassSession {
        try await database.transaction(TransactionOptions(lockKeys: ["session:\(id)"])) { sql in
            var session = try await SessionRows.requireLive(sql, orgId: orgId, id: id)
            let status = try await next(session, sql)
            guard status != session.status else { return session }
            let previous = session.status
            session.status = status
            session.updatedAt = now
            try await sql.raw(
                """
                UPDATE class_sessions SET status = \(bind: status.rawValue), updated_at = \(bind: now.epochSeconds) WHERE id = \(bind: id)
                """
            ).run()
            var audit = AuditChange()
            audit.field("status", .text(previous.rawValue), .text(status.rawValue))
            try await AuditRows.record(
                sql, orgId: orgId, actor: actor, action: action, entityType: "session", entityId: id, payload: audit, now: now)
            return session
        }
    }

    /// Cancels a published session: its bookings are cancelled, charged credits refunded and
    /// class-cancelled e-mails queued, all in one transaction. Cancelling twice answers the same session.
    public func cancel(
        orgId: String, id: String, reason: String?, actorMembershipId: String, actor: BookingActor? = nil, now: Date
    ) async throws -> (ClassSession, SessionBookings.Effect) {
        try await database.transaction(TransactionOptions(lockKeys: ["session:\(id)"])) { sql in
            var session = try await SessionRows.requireLive(sql, orgId: orgId, id: id)
            if session.status == .cancelled { return (session, SessionBookings.Effect()) }
            guard session.status == .published else {
                throw DomainError(.notPublished, "Only a published session can be cancelled; delete a draft instead.")
            }
            session.status = .cancelled
            session.cancelReason = reason
            session.updatedAt = now
            try await sql.raw(
                """
                UPDATE class_sessions SET status = 'cancelled', cancel_reason = \(bind: reason), updated_at = \(bind: now.epochSeconds)
                WHERE id = \(bind: id)
                """
            ).run()
            let effect = try await SessionBookings.cancelAll(
                sql, sessionIds: [id], reason: reason, actorMembershipId: actorMembershipId, now: now)
            var audit = AuditChange()
            audit.field("status", .text("published"), .text("cancelled"))
            audit.details["reason"] = AuditValue(reason)
            audit.details["cancelledBookings"] = AuditValue(effect.cancelledBookings)
            audit.details["refundedCredits"] = AuditValue(effect.refundedCredits)
            try await AuditRows.record(
                sql, orgId: orgId, actor: actor, action: "session.cancel", entityType: "session", entityId: id, payload: audit, now: now)
            return (session, effect)
        }
    }

    /// Soft-deletes a session; its active bookings are cancelled with refunds and notifications.
    public func delete(
        orgId: String, id: String, actorMembershipId: String, actor: BookingActor? = nil, now: Date
    ) async throws -> SessionBookings.Effect {
        try await database.transaction(TransactionOptions(lockKeys: ["session:\(id)"])) { sql in
            let session = try await SessionRows.requireLive(sql, orgId: orgId, id: id)
            try await sql.raw(
                """
                UPDATE class_sessions SET deleted_at = \(bind: now.epochSeconds), updated_at = \(bind: now.epochSeconds) WHERE id = \(bind: id)
                """
            ).run()
            let effect = try await SessionBookings.cancelAll(
                sql, sessionIds: [id], reason: nil, actorMembershipId: actorMembershipId, now: now)
            var audit = AuditChange()
            audit.details["status"] = .text(session.status.rawValue)
            audit.details["startsAt"] = AuditValue(session.startsAt)
            audit.details["cancelledBookings"] = AuditValue(effect.cancelledBookings)
            audit.details["refundedCredits"] = AuditValue(effect.refundedCredits)
            try await AuditRows.record(
                sql, orgId: orgId, actor: actor, action: "session.delete", entityType: "session", entityId: id, payload: audit, now: now)
            return effect
        }
    }

    /// The edited fields, before and after.
    static func changes(_ before: ClassSession, _ after: ClassSession) -> AuditChange {
        var change = AuditChange()
        change.field("classTypeId", AuditValue(before.classTypeId), AuditValue(after.classTypeId))
        change.field("locationId", AuditValue(before.locationId), AuditValue(after.locationId))
        change.field("coachMembershipId", AuditValue(before.coachMembershipId), AuditValue(after.coachMembershipId))
        change.field("startsAt", AuditValue(before.startsAt), AuditValue(after.startsAt))
        change.field("durationMin", AuditValue(before.durationMin), AuditValue(after.durationMin))
        change.field("capacity", AuditValue(before.capacity), AuditValue(after.capacity))
        return change
    }

    /// Live sessions of the org starting in `[from, to)`, by start time.
    public func sessions(orgId: String, from: Date, to: Date) async throws -> [ClassSession] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT * FROM class_sessions WHERE organization_id = \(bind: orgId) AND deleted_at IS NULL
                  AND starts_at >= \(bind: from.epochSeconds) AND starts_at < \(bind: to.epochSeconds)
                ORDER BY starts_at, id
                """
            ).all().map(SessionRows.session)
        }
    }
}
