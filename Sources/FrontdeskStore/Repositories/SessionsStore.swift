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

    static func session(_ row: any SQLRow) throws -> ClassSession {
        ClassSession(
            id: try row.string("id"), organizationId: try row.string("organization_id"),
            classTypeId: try row.string("class_type_id"), locationId: try row.optionalString("location_id"),
            coachMembershipId: try row.optionalString("coach_membership_id"), startsAt: try row.date("starts_at"),
            durationMin: try row.int("duration_min"), capacity: try row.int("capacity"),
            status: SessionStatus(rawValue: try row.string("status")) ?? .draft,
            cancelReason: try row.optionalString("cancel_reason"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")
        )
    }

    /// Inserts sessions in one transaction (demo seeder, tests). API creation goes through `create`.
    public func insert(_ sessions: [ClassSession], createdBy: String?) async throws {
        try await database.transaction { sql in
            for session in sessions {
                try await Self.insert(sql, session, createdBy: createdBy)
            }
        }
    }

    static func insert(_ sql: any SQLDatabase, _ session: ClassSession, createdBy: String?) async throws {
        try await sql.raw(
            """
            INSERT INTO class_sessions (id, organization_id, class_type_id, location_id, coach_membership_id, starts_at,
                duration_min, ends_at, capacity, status, cancel_reason, created_by_membership_id, created_at, updated_at)
            VALUES (\(bind: session.id), \(bind: session.organizationId), \(bind: session.classTypeId), \(bind: session.locationId),
                \(bind: session.coachMembershipId), \(bind: session.startsAt.epochSeconds), \(bind: session.durationMin),
                \(bind: session.endsAt.epochSeconds), \(bind: session.capacity), \(bind: session.status.rawValue),
                \(bind: session.cancelReason), \(bind: createdBy), \(bind: session.createdAt.epochSeconds),
                \(bind: session.updatedAt.epochSeconds))
            """
        ).run()
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
        try await database.read { sql in try await Self.live(sql, orgId: orgId, id: id) }
    }

    static func live(_ sql: any SQLDatabase, orgId: String, id: String) async throws -> ClassSession? {
        try await sql.raw(
            """
            SELECT * FROM class_sessions WHERE id = \(bind: id) AND organization_id = \(bind: orgId) AND deleted_at IS NULL
            """
        ).first().map(session)
    }

    static func requireLive(_ sql: any SQLDatabase, orgId: String, id: String) async throws -> ClassSession {
        guard let session = try await live(sql, orgId: orgId, id: id) else { throw DomainError.notFound("Session") }
        return session
    }

    /// Creates a draft from `classTypeId`'s defaults, checking that the class type, location and
    /// coach all belong to the org (another org's ids answer 404).
    public func create(
        orgId: String, classTypeId: String, locationId: String?, coachMembershipId: String?, startsAt: Date,
        durationMin: Int?, capacity: Int?, createdBy: String, now: Date
    ) async throws -> ClassSession {
        try await database.transaction { sql in
            let type = try await Self.classTypeDefaults(sql, orgId: orgId, id: classTypeId)
            try await Self.checkReferences(sql, orgId: orgId, locationId: locationId, coachMembershipId: coachMembershipId)
            let session = ClassSession(
                id: NewID.make(), organizationId: orgId, classTypeId: classTypeId, locationId: locationId,
                coachMembershipId: coachMembershipId, startsAt: startsAt, durationMin: durationMin ?? type.duration,
                capacity: capacity ?? type.capacity, status: .draft, createdAt: now, updatedAt: now)
            try await Self.insert(sql, session, createdBy: createdBy)
            return session
        }
    }

    static func classTypeDefaults(_ sql: any SQLDatabase, orgId: String, id: String) async throws -> (capacity: Int, duration: Int) {
        guard
            let row = try await sql.raw(
                """
                SELECT default_capacity, default_duration_min FROM class_types
                WHERE id = \(bind: id) AND organization_id = \(bind: orgId) AND deleted_at IS NULL
                """
            ).first()
        else { throw DomainError.notFound("Class type") }
        return (try row.int("default_capacity"), try row.int("default_duration_min"))
    }

    static func checkReferences(_ sql: any SQLDatabase, orgId: String, locationId: String?, coachMembershipId: String?) async throws {
        if let locationId {
            let found = try await sql.raw(
                """
                SELECT id FROM locations WHERE id = \(bind: locationId) AND organization_id = \(bind: orgId) AND deleted_at IS NULL
                """
            ).first()
            if found == nil { throw DomainError.notFound("Location") }
        }
        if let coachMembershipId {
            guard
                let row = try await sql.raw(
                    """
                    SELECT role, status FROM memberships WHERE id = \(bind: coachMembershipId) AND organization_id = \(bind: orgId)
                    """
                ).first()
            else { throw DomainError.notFound("Coach") }
            let role = Role(rawValue: try row.string("role")) ?? .member
            guard role.isStaff, try row.string("status") == MembershipStatus.active.rawValue else {
                throw DomainError.badRequest("invalid_coach", "The coach must be an active owner, admin or coach of the organization.")
            }
        }
    }

    /// Confirmed plus attended places of a session.
    static func bookedCount(_ sql: any SQLDatabase, sessionId: String) async throws -> Int {
        try await sql.raw(
            """
            SELECT COUNT(*) AS n FROM bookings WHERE session_id = \(bind: sessionId) AND status IN ('confirmed', 'attended')
            """
        ).first()?.int("n") ?? 0
    }

    /// Applies `changes`. A capacity below the confirmed count answers 409 `capacity_below_booked`
    /// unless `force`. Cancelled sessions cannot be edited.
    public func update(orgId: String, id: String, changes: SessionChanges, now: Date) async throws -> ClassSession {
        try await database.transaction(TransactionOptions(lockKeys: ["session:\(id)"])) { sql in
            var session = try await Self.requireLive(sql, orgId: orgId, id: id)
            guard session.status != .cancelled else {
                throw DomainError.conflict("session_cancelled", "A cancelled session cannot be changed.")
            }
            if let classTypeId = changes.classTypeId {
                _ = try await Self.classTypeDefaults(sql, orgId: orgId, id: classTypeId)
                session.classTypeId = classTypeId
            }
            try await Self.checkReferences(
                sql, orgId: orgId, locationId: changes.locationId ?? nil,
                coachMembershipId: changes.coachMembershipId ?? nil)
            if let locationId = changes.locationId { session.locationId = locationId }
            if let coach = changes.coachMembershipId { session.coachMembershipId = coach }
            if let startsAt = changes.startsAt { session.startsAt = startsAt }
            if let durationMin = changes.durationMin { session.durationMin = durationMin }
            let previousCapacity = session.capacity
            if let capacity = changes.capacity, capacity != session.capacity {
                let booked = try await Self.bookedCount(sql, sessionId: id)
                if capacity < booked && !changes.force {
                    throw DomainError.conflict(
                        "capacity_below_booked",
                        "\(booked) places are already booked; lower the capacity below that only with force: true.")
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
            if session.capacity > previousCapacity, let org = try await OrganizationsStore.organization(sql, id: orgId) {
                try await WaitlistPromotion.promote(sql, org: org, sessionId: id, actorMembershipId: nil, now: now)
            }
            return session
        }
    }

    /// draft → published (published stays published); a cancelled session cannot be published again.
    public func publish(orgId: String, id: String, now: Date) async throws -> ClassSession {
        try await transition(orgId: orgId, id: id, now: now) { session in
            guard session.status != .cancelled else {
                throw DomainError.conflict("session_cancelled", "A cancelled session cannot be published.")
            }
            return .published
        }
    }

    /// published → draft (drafts stay drafts). Existing bookings stay; booked members still see it.
    public func unpublish(orgId: String, id: String, now: Date) async throws -> ClassSession {
        try await transition(orgId: orgId, id: id, now: now) { session in
            guard session.status != .cancelled else {
                throw DomainError.conflict("session_cancelled", "A cancelled session cannot be unpublished.")
            }
            return .draft
        }
    }

    private func transition(
        orgId: String, id: String, now: Date, _ next: @escaping @Sendable (ClassSession) throws -> SessionStatus
    ) async throws -> ClassSession {
        try await database.transaction(TransactionOptions(lockKeys: ["session:\(id)"])) { sql in
            var session = try await Self.requireLive(sql, orgId: orgId, id: id)
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
            var session = try await Self.requireLive(sql, orgId: orgId, id: id)
            if session.status == .cancelled { return (session, SessionBookings.Effect()) }
            guard session.status == .published else {
                throw DomainError.conflict("not_published", "Only a published session can be cancelled; delete a draft instead.")
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
            _ = try await Self.requireLive(sql, orgId: orgId, id: id)
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
            ).all().map(Self.session)
        }
    }
}
