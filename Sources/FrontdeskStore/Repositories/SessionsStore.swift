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
    /// coach all belong to the org (another org's ids answer 404).
    public func create(
        orgId: String, classTypeId: String, locationId: String?, coachMembershipId: String?, startsAt: Date,
        durationMin: Int?, capacity: Int?, createdBy: String, now: Date
    ) async throws -> ClassSession {
        try await database.transaction { sql in
            let type = try await SessionRows.classTypeDefaults(sql, orgId: orgId, id: classTypeId)
            try await SessionRows.checkReferences(sql, orgId: orgId, locationId: locationId, coachMembershipId: coachMembershipId)
            let session = ClassSession(
                id: NewID.make(), organizationId: orgId, classTypeId: classTypeId, locationId: locationId,
                coachMembershipId: coachMembershipId, startsAt: startsAt, durationMin: durationMin ?? type.duration,
                capacity: capacity ?? type.capacity, status: .draft, createdAt: now, updatedAt: now)
            try await SessionRows.insert(sql, session, createdBy: createdBy)
            return session
        }
    }

    /// Applies `changes`. A capacity below the confirmed count answers 409 `capacity_below_booked`
    /// unless `force`. Cancelled sessions cannot be edited.
    public func update(orgId: String, id: String, changes: SessionChanges, now: Date) async throws -> ClassSession {
        try await database.transaction(TransactionOptions(lockKeys: ["session:\(id)"])) { sql in
            var session = try await SessionRows.requireLive(sql, orgId: orgId, id: id)
            guard session.status != .cancelled else {
                throw DomainError(.sessionCancelled, "A cancelled session cannot be changed.")
            }
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
            if let capacity = changes.capacity, capacity != session.capacity {
                let booked = try await SessionRows.bookedCount(sql, sessionId: id)
                if capacity < booked && !changes.force {
                    throw DomainError(
                        .capacityBelowBooked, "\(booked) places are already booked; lower the capacity below that only with force: true.")
                }
                session.capacity = capacity
            }
            session.updatedAt = now
            try await sql.raw(
                """
                UPDATE class_sessions SET class_type_id = \(bind: session.classTypeId), location_id = \(bind: session.locationId),
                    coach_membership_id = \(bind: session.coachMembershipId), starts_at = \(bind: session.startsAt.epochSeconds),
                    duration_min = \(bind: session.durationMin), ends_at = \(bind: session.endsAt.epochSeconds),
                    capacity = \(bind: session.capacity), updated_at = \(bind: now.epochSeconds)
                WHERE id = \(bind: id)
                """
            ).run()
            // Places freed by a capacity raise go to the waitlist in this same transaction.
            if session.capacity > previousCapacity, let org = try await MembershipRows.organization(sql, id: orgId) {
                try await WaitlistRows.promote(sql, org: org, sessionId: id, actorMembershipId: nil, now: now)
            }
            return session
        }
    }

    /// draft → published (published stays published); a cancelled session cannot be published again.
    public func publish(orgId: String, id: String, now: Date) async throws -> ClassSession {
        try await transition(orgId: orgId, id: id, now: now) { session in
            guard session.status != .cancelled else {
                throw DomainError(.sessionCancelled, "A cancelled session cannot be published.")
            }
            return .published
        }
    }

    /// published → draft (drafts stay drafts). Existing bookings stay; booked members still see it.
    public func unpublish(orgId: String, id: String, now: Date) async throws -> ClassSession {
        try await transition(orgId: orgId, id: id, now: now) { session in
            guard session.status != .cancelled else {
                throw DomainError(.sessionCancelled, "A cancelled session cannot be unpublished.")
            }
            return .draft
        }
    }

    private func transition(
        orgId: String, id: String, now: Date, _ next: @escaping @Sendable (ClassSession) throws -> SessionStatus
    ) async throws -> ClassSession {
        try await database.transaction(TransactionOptions(lockKeys: ["session:\(id)"])) { sql in
            var session = try await SessionRows.requireLive(sql, orgId: orgId, id: id)
            let status = try next(session)
            guard status != session.status else { return session }
            session.status = status
            session.updatedAt = now
            try await sql.raw(
                """
                UPDATE class_sessions SET status = \(bind: status.rawValue), updated_at = \(bind: now.epochSeconds) WHERE id = \(bind: id)
                """
            ).run()
            return session
        }
    }

    /// Cancels a published session: its bookings are cancelled, charged credits refunded and
    /// class-cancelled e-mails queued, all in one transaction. Cancelling twice answers the same session.
    public func cancel(
        orgId: String, id: String, reason: String?, actorMembershipId: String, now: Date
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
            return (session, effect)
        }
    }

    /// Soft-deletes a session; its active bookings are cancelled with refunds and notifications.
    public func delete(orgId: String, id: String, actorMembershipId: String, now: Date) async throws -> SessionBookings.Effect {
        try await database.transaction(TransactionOptions(lockKeys: ["session:\(id)"])) { sql in
            _ = try await SessionRows.requireLive(sql, orgId: orgId, id: id)
            try await sql.raw(
                """
                UPDATE class_sessions SET deleted_at = \(bind: now.epochSeconds), updated_at = \(bind: now.epochSeconds) WHERE id = \(bind: id)
                """
            ).run()
            return try await SessionBookings.cancelAll(sql, sessionIds: [id], reason: nil, actorMembershipId: actorMembershipId, now: now)
        }
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
