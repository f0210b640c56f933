import Foundation
import FrontdeskCore
import SQLKit

/// Organizations, memberships, and the one look-up every org-scoped request goes through.
public struct OrganizationsStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// Creates an organization with `ownerUserId` as its owner, in one transaction.
    /// Creates an org owned by `ownerUserId`. `holdMail`: it sends no mail until the owner's address is
    /// verified (a studio created through the API by an unverified user).
    public func create(_ org: Organization, ownerUserId: String, holdMail: Bool = false) async throws -> (Organization, Membership) {
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO organizations (id, name, timezone, cancellation_window_hours, allow_late_cancellation,
                    payment_provider, latitude, longitude, primary_color, checkin_opens_minutes_before,
                    checkin_grace_seconds, gps_max_meters, gps_max_accuracy_meters, no_show_grace_minutes,
                    booking_opens_days_before, waitlist_cutoff_minutes, created_at, updated_at, mail_held)
                VALUES (\(bind: org.id), \(bind: org.name), \(bind: org.timezone), \(bind: org.cancellationWindowHours),
                    \(bind: org.allowLateCancellation), \(bind: org.paymentProvider), \(bind: org.latitude), \(bind: org.longitude),
                    \(bind: org.primaryColor), \(bind: org.checkinOpensMinutesBefore), \(bind: org.checkinGraceSeconds),
                    \(bind: org.gpsMaxMeters), \(bind: org.gpsMaxAccuracyMeters), \(bind: org.noShowGraceMinutes),
                    \(bind: org.bookingOpensDaysBefore), \(bind: org.waitlistCutoffMinutes),
                    \(bind: org.createdAt.epochSeconds), \(bind: org.updatedAt.epochSeconds), \(bind: holdMail))
                """
            ).run()
            let membership = try await MembershipRows.insertMembership(
                sql, orgId: org.id, userId: ownerUserId, role: .owner, now: org.createdAt)
            return (org, membership)
        }
    }

    /// The organization with this id.
    public func organization(id: String) async throws -> Organization? {
        try await database.read { sql in try await MembershipRows.organization(sql, id: id) }
    }

    /// Writes every setting of `org` (validated by the caller).
    public func update(_ org: Organization) async throws {
        try await database.transaction { sql in
            try await sql.raw(
                """
                UPDATE organizations SET name = \(bind: org.name), timezone = \(bind: org.timezone),
                    cancellation_window_hours = \(bind: org.cancellationWindowHours),
                    allow_late_cancellation = \(bind: org.allowLateCancellation),
                    payment_provider = \(bind: org.paymentProvider), latitude = \(bind: org.latitude),
                    longitude = \(bind: org.longitude), primary_color = \(bind: org.primaryColor),
                    checkin_opens_minutes_before = \(bind: org.checkinOpensMinutesBefore),
                    checkin_grace_seconds = \(bind: org.checkinGraceSeconds), gps_max_meters = \(bind: org.gpsMaxMeters),
                    gps_max_accuracy_meters = \(bind: org.gpsMaxAccuracyMeters),
                    no_show_grace_minutes = \(bind: org.noShowGraceMinutes),
                    booking_opens_days_before = \(bind: org.bookingOpensDaysBefore),
                    waitlist_cutoff_minutes = \(bind: org.waitlistCutoffMinutes),
                    updated_at = \(bind: org.updatedAt.epochSeconds)
                WHERE id = \(bind: org.id)
                """
            ).run()
        }
    }

    /// The user's membership in the org together with the org, in one query; `nil` if none.
    /// Kept in the database's `ReadCache` until the next write that may change anything (a suspension,
    /// a role change, a studio setting; bookings and check-ins do not).
    public func membershipAndOrganization(orgId: String, userId: String) async throws -> (Membership, Organization)? {
        let access = try await database.readCache.value(Self.standingKey(orgId: orgId, userId: userId)) {
            () async throws -> MembershipAccess? in
            guard let row = try await database.run(OrgMembership(orgId: orgId, userId: userId), write: false).first else { return nil }
            return MembershipAccess(
                membership: try MembershipRows.membership(row, prefix: "m_"), organization: try MembershipRows.organization(row))
        }
        return access.map { ($0.membership, $0.organization) }
    }

    private struct MembershipAccess: Sendable {
        let membership: Membership
        let organization: Organization
    }

    /// Where `membershipAndOrganization` keeps a user's standing in a studio.
    static func standingKey(orgId: String, userId: String) -> ReadCacheKey {
        ReadCacheKey("org.membership", [orgId, userId], changedBy: .everything)
    }

    /// Where `sessionOrganization` keeps a class's studio.
    static func classKey(sessionId: String) -> ReadCacheKey {
        ReadCacheKey("session.org", [sessionId], changedBy: .everything)
    }

    /// Files a standing read elsewhere (a login's look-up, `LoginLookups`) at `stamp` (`ReadCache.stamp`)
    /// as `membershipAndOrganization` would have read it: nil, no membership.
    static func keep(
        standing: (membership: Membership, organization: Organization)?, orgId: String, userId: String, in cache: ReadCache,
        stamp: UInt64?
    ) {
        let access = standing.map { MembershipAccess(membership: $0.membership, organization: $0.organization) }
        cache.keep(standingKey(orgId: orgId, userId: userId), access, stamp: stamp)
    }

    /// Files a class's studio read elsewhere at `stamp` as `sessionOrganization` would have read it: nil, no live class.
    static func keep(classOrganization orgId: String?, sessionId: String, in cache: ReadCache, stamp: UInt64?) {
        cache.keep(classKey(sessionId: sessionId), orgId, stamp: stamp)
    }

    /// Every org-scoped request's look-up, so a prepared `HotStatement`.
    private struct OrgMembership: HotStatement {
        static let sql = """
            SELECT o.*, m.id AS m_id, m.organization_id AS m_organization_id, m.user_id AS m_user_id, m.role AS m_role,
                m.status AS m_status, m.created_at AS m_created_at
            FROM memberships m JOIN organizations o ON o.id = m.organization_id
            WHERE m.organization_id = $1 AND m.user_id = $2
            """
        let orgId: String
        let userId: String
        var values: [HotValue] { [.text(orgId), .text(userId)] }
    }

    /// For a live session: its org id and, if the user belongs to that org, the membership and org —
    /// what every session-scoped request resolves first. `nil` for an unknown session. Two cached
    /// reads: the class's studio (`sessionOrganization`: a handful of classes, read once each) and the
    /// caller's standing in it (`membershipAndOrganization`, the key a member's schedule read fills).
    /// Cached as one key per class and member, a member's booking or check-in missed nearly always
    /// (one statement in eleven of the PostgreSQL mix). A deleted class is a write that may change
    /// anything, so neither outlives it.
    public func sessionMembership(sessionId: String, userId: String) async throws -> SessionAccess? {
        guard let orgId = try await sessionOrganization(sessionId: sessionId) else { return nil }
        return SessionAccess(orgId: orgId, access: try await membershipAndOrganization(orgId: orgId, userId: userId))
    }

    /// The studio of a live class, `nil` for an unknown or deleted one; kept in the database's `ReadCache`
    /// until the next write that may change anything (a class never changes studio).
    public func sessionOrganization(sessionId: String) async throws -> String? {
        try await database.readCache.value(Self.classKey(sessionId: sessionId)) {
            try await database.run(SessionOrganization(sessionId: sessionId), write: false).first?.string("organization_id")
        }
    }

    /// Every session-scoped request's look-up (the check-in rush among them), so a prepared `HotStatement`.
    private struct SessionOrganization: HotStatement {
        static let sql = "SELECT organization_id FROM class_sessions WHERE id = $1 AND deleted_at IS NULL"
        let sessionId: String
        var values: [HotValue] { [.text(sessionId)] }
    }

    /// A class's studio and the caller's standing in it (`sessionMembership`).
    public struct SessionAccess: Sendable {
        public let orgId: String
        /// The caller's membership and the studio; `nil` when the caller is no member of it.
        public let access: (membership: Membership, organization: Organization)?

        /// The columns `init` reads: the class's studio, the studio (`o.*`) and the membership (`m_…`)
        /// of a query joining `class_sessions s`, `memberships m` and `organizations o`.
        static let columns = """
            s.organization_id AS s_organization_id, o.*, m.id AS m_id, m.organization_id AS m_organization_id,
                m.user_id AS m_user_id, m.role AS m_role, m.status AS m_status, m.created_at AS m_created_at
            """

        init(orgId: String, access: (membership: Membership, organization: Organization)?) {
            self.orgId = orgId
            self.access = access
        }

        /// From a row of `columns`; `nil` when the row names no class.
        init?(_ row: any SQLRow) throws {
            guard let orgId = try row.optionalString("s_organization_id") else { return nil }
            self.orgId = orgId
            access =
                try row.optionalString("m_id") == nil
                ? nil : (try MembershipRows.membership(row, prefix: "m_"), try MembershipRows.organization(row))
        }
    }

    /// Every membership of a user, with org names, oldest first.
    public func memberships(userId: String) async throws -> [MemberSummary] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT \(unsafeRaw: MembershipRows.summaryColumns) FROM memberships m
                JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id
                WHERE m.user_id = \(bind: userId) ORDER BY m.created_at, m.id
                """
            ).all().map(MembershipRows.summary)
        }
    }

    /// The org's members, by name.
    public func members(orgId: String) async throws -> [MemberSummary] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT \(unsafeRaw: MembershipRows.summaryColumns) FROM memberships m
                JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id
                WHERE m.organization_id = \(bind: orgId) ORDER BY u.name, m.id
                """
            ).all().map(MembershipRows.summary)
        }
    }

    /// Active members whose name or e-mail contains `text` (case-insensitive), by name: the coach's
    /// walk-in search.
    public func searchMembers(orgId: String, text: String, limit: Int = 20) async throws -> [MemberSummary] {
        let escaped = text.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        let pattern = "%\(escaped)%"
        return try await database.read { sql in
            try await sql.raw(
                """
                SELECT \(unsafeRaw: MembershipRows.summaryColumns) FROM memberships m
                JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id
                WHERE m.organization_id = \(bind: orgId) AND m.status = 'active'
                  AND (LOWER(u.name) LIKE \(bind: pattern) ESCAPE '\\' OR LOWER(u.email) LIKE \(bind: pattern) ESCAPE '\\')
                ORDER BY u.name, m.id LIMIT \(bind: max(1, min(limit, 100)))
                """
            ).all().map(MembershipRows.summary)
        }
    }

    /// One membership of the org, with its user.
    public func member(orgId: String, membershipId: String) async throws -> MemberSummary? {
        try await database.read { sql in try await MembershipRows.member(sql, orgId: orgId, membershipId: membershipId) }
    }

    /// Adds a member by e-mail, creating the user when the address is new (then `newUser` supplies
    /// name and password hash). An existing membership answers 409 `already_member`.
    public func addMember(
        orgId: String, email: String, role: Role, now: Date,
        newUser: @Sendable () throws -> (name: String, passwordHash: String)
    ) async throws -> (MemberSummary, createdUser: Bool) {
        try await database.transaction { sql in
            var created = false
            let userId: String
            if let row = try await sql.raw("SELECT id FROM users WHERE email_normalized = \(bind: Validate.normalizedEmail(email))").first()
            {
                userId = try row.string("id")
                let existing = try await sql.raw(
                    "SELECT id FROM memberships WHERE organization_id = \(bind: orgId) AND user_id = \(bind: userId)"
                ).first()
                if existing != nil { throw DomainError(.alreadyMember, "This person is already a member of the organization.") }
            } else {
                let fields = try newUser()
                userId = try await UserRows.insertUser(
                    sql, email: email, name: fields.name, passwordHash: fields.passwordHash, now: now
                ).id
                created = true
            }
            let membership = try await MembershipRows.insertMembership(sql, orgId: orgId, userId: userId, role: role, now: now)
            guard let summary = try await MembershipRows.member(sql, orgId: orgId, membershipId: membership.id) else {
                throw DomainError.notFound("Member")
            }
            return (summary, created)
        }
    }

    /// Changes a member's role and/or status. Only an owner (`actor`) changes an owner or grants the
    /// owner role (403). The org always keeps at least one active owner: demoting or suspending the last
    /// one answers 409 `last_owner`. Each change is audited
    /// (`member.role_change`, `member.suspend`, `member.reactivate`) with `actor` (nil: the system).
    public func updateMember(
        orgId: String, membershipId: String, role: Role?, status: MembershipStatus?, actor: BookingActor?, now: Date
    ) async throws -> MemberSummary {
        try await database.transaction(TransactionOptions(lockKeys: ["org-members:\(orgId)"])) { sql in
            guard let current = try await MembershipRows.member(sql, orgId: orgId, membershipId: membershipId) else {
                throw DomainError.notFound("Member")
            }
            let newRole = role ?? current.membership.role
            let newStatus = status ?? current.membership.status
            // Only an owner changes an owner or makes one (the API and the members page alike).
            if let actor, actor.role != .owner, current.membership.role == .owner || role == .owner {
                throw DomainError.forbidden("Only an owner can change an owner or grant the owner role.")
            }
            let losesOwner =
                current.membership.role == .owner && current.membership.status == .active
                && (newRole != .owner || newStatus != .active)
            if losesOwner {
                let owners =
                    try await sql.raw(
                        """
                        SELECT COUNT(*) AS n FROM memberships
                        WHERE organization_id = \(bind: orgId) AND role = 'owner' AND status = 'active'
                        """
                    ).first()?.int("n") ?? 0
                if owners <= 1 {
                    throw DomainError(.lastOwner, "The organization must keep at least one active owner.")
                }
            }
            try await sql.raw(
                """
                UPDATE memberships SET role = \(bind: newRole.rawValue), status = \(bind: newStatus.rawValue),
                    updated_at = \(bind: now.epochSeconds)
                WHERE id = \(bind: membershipId) AND organization_id = \(bind: orgId)
                """
            ).run()
            if newRole != current.membership.role {
                var audit = AuditChange()
                audit.field("role", .text(current.membership.role.rawValue), .text(newRole.rawValue))
                try await AuditRows.record(
                    sql, orgId: orgId, actor: actor, action: "member.role_change", entityType: "membership", entityId: membershipId,
                    subject: membershipId, payload: audit, now: now)
            }
            if newStatus != current.membership.status {
                var audit = AuditChange()
                audit.field("status", .text(current.membership.status.rawValue), .text(newStatus.rawValue))
                try await AuditRows.record(
                    sql, orgId: orgId, actor: actor, action: newStatus == .active ? "member.reactivate" : "member.suspend",
                    entityType: "membership", entityId: membershipId, subject: membershipId, payload: audit, now: now)
            }
            guard let updated = try await MembershipRows.member(sql, orgId: orgId, membershipId: membershipId) else {
                throw DomainError.notFound("Member")
            }
            return updated
        }
    }

    /// Whether the studio's join page takes sign-ups.
    public func selfSignup(orgId: String) async throws -> Bool {
        try await database.read { sql in
            try await sql.raw("SELECT self_signup FROM organizations WHERE id = \(bind: orgId)").first()?.bool("self_signup") ?? false
        }
    }

    /// Turns the join page on or off.
    public func setSelfSignup(orgId: String, enabled: Bool, now: Date) async throws {
        try await database.transaction { sql in
            try await sql.raw(
                """
                UPDATE organizations SET self_signup = \(bind: enabled), updated_at = \(bind: now.epochSeconds) WHERE id = \(bind: orgId)
                """
            ).run()
        }
    }

    /// Whether the studio's mail is held until its owner's address is verified.
    public func mailHeld(orgId: String) async throws -> Bool {
        try await database.read { sql in
            try await sql.raw("SELECT mail_held FROM organizations WHERE id = \(bind: orgId)").first()?.bool("mail_held") ?? false
        }
    }
}
