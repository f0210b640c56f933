import Foundation
import FrontdeskCore
import SQLKit

/// An invitation to join a studio (SPEC §12): nobody chooses another person's password.
public struct Invitation: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case pending, accepted, revoked }

    public var id: String
    public var organizationId: String
    public var email: String
    public var role: Role
    public var status: Status
    public var sends: Int
    public var createdAt: Date
    public var expiresAt: Date
    public var acceptedAt: Date?
    /// Whether a pending invitation's link has run out (it can be re-sent).
    public var expired: Bool
}

/// Invitations: created by staff, sent through the outbox with a single-use link (token stored
/// hashed), accepted by the invited person only. The inviter learns nothing about existing accounts.
public struct InvitationsStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// How long an invitation link works.
    public static let lifetime: TimeInterval = 7 * 86_400
    /// The most e-mails one invitation may cause (the first one and re-sends).
    public static let maxSends = 5

    /// Where the e-mail's link points and who is named in it.
    public struct Mail: Sendable {
        /// The link without the token, e.g. `https://studio.example/invite/`.
        public var linkBase: String
        public var inviterName: String
        public var greetingName: String?

        public init(linkBase: String, inviterName: String, greetingName: String?) {
            self.linkBase = linkBase
            self.inviterName = inviterName
            self.greetingName = greetingName
        }
    }

    /// A new pending invitation and its e-mail, in one transaction. 409 `already_member` when the
    /// address belongs to a member of this studio (which staff can see anyway), `already_invited`
    /// while an invitation to it is open.
    public func create(
        orgId: String, email: String, role: Role, invitedBy: String?, actorUserId: String? = nil, mail: Mail, now: Date
    ) async throws -> Invitation {
        try await database.transaction(TransactionOptions(lockKeys: ["org-members:\(orgId)"])) { sql in
            let normalized = Validate.normalizedEmail(email)
            let member = try await sql.raw(
                """
                SELECT 1 AS x FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.organization_id = \(bind: orgId) AND u.email_normalized = \(bind: normalized)
                """
            ).first()
            if member != nil { throw DomainError(.alreadyMember, "This person is already a member of the studio.") }
            let open = try await sql.raw(
                """
                SELECT id, expires_at FROM invitations
                WHERE organization_id = \(bind: orgId) AND email_normalized = \(bind: normalized) AND status = 'pending'
                """
            ).first()
            if let open {
                guard try open.date("expires_at") <= now else {
                    throw DomainError(.alreadyInvited, "An invitation to this address is open; re-send or revoke it.")
                }
                // A lapsed invitation makes way for the new one.
                try await sql.raw(
                    "UPDATE invitations SET status = 'revoked', updated_at = \(bind: now.epochSeconds) WHERE id = \(bind: try open.string("id"))"
                ).run()
            }
            let id = NewID.make()
            let token = SecretToken.generate()
            try await sql.raw(
                """
                INSERT INTO invitations (id, organization_id, email, email_normalized, role, token_hash, status, invited_by_membership_id,
                    sends, created_at, updated_at, expires_at)
                VALUES (\(bind: id), \(bind: orgId), \(bind: email), \(bind: normalized), \(bind: role.rawValue), \(bind: SecretToken.hash(token)),
                    'pending', \(bind: invitedBy), 1, \(bind: now.epochSeconds), \(bind: now.epochSeconds),
                    \(bind: now.addingTimeInterval(Self.lifetime).epochSeconds))
                """
            ).run()
            try await Self.enqueue(
                sql, orgId: orgId, invitationId: id, email: email, role: role, token: token, send: 1, mail: mail, now: now)
            try await Self.audit(
                sql, orgId: orgId, actorUserId: actorUserId, actorMembershipId: invitedBy, action: "invitation.create", id: id,
                details: ["email": .text(email), "role": .text(role.rawValue)], now: now)
            return try await Self.invitation(sql, orgId: orgId, id: id, now: now)
        }
    }

    /// A fresh link (the old one stops working) and another e-mail; the invitation runs 7 days from now.
    public func resend(
        orgId: String, id: String, byOwner: Bool, actor: BookingActor? = nil, mail: Mail, now: Date
    ) async throws -> Invitation {
        try await database.transaction(TransactionOptions(lockKeys: ["org-members:\(orgId)"])) { sql in
            let current = try await Self.invitation(sql, orgId: orgId, id: id, now: now)
            guard current.status == .pending else {
                throw DomainError(.invitationClosed, "This invitation was already \(current.status.rawValue).")
            }
            if current.role == .owner, !byOwner { throw DomainError.forbidden("Only an owner can re-send an owner's invitation.") }
            guard current.sends < Self.maxSends else {
                throw DomainError.rateLimited("This invitation was sent \(Self.maxSends) times; revoke it and invite again later.")
            }
            let token = SecretToken.generate()
            try await sql.raw(
                """
                UPDATE invitations SET token_hash = \(bind: SecretToken.hash(token)), sends = sends + 1, updated_at = \(bind: now.epochSeconds),
                    expires_at = \(bind: now.addingTimeInterval(Self.lifetime).epochSeconds)
                WHERE id = \(bind: id) AND organization_id = \(bind: orgId)
                """
            ).run()
            try await Self.enqueue(
                sql, orgId: orgId, invitationId: id, email: current.email, role: current.role, token: token,
                send: current.sends + 1, mail: mail, now: now)
            try await Self.audit(
                sql, orgId: orgId, actorUserId: actor?.userId, actorMembershipId: actor?.membershipId, action: "invitation.resend", id: id,
                details: ["email": .text(current.email), "role": .text(current.role.rawValue), "sends": .number(current.sends + 1)],
                now: now)
            return try await Self.invitation(sql, orgId: orgId, id: id, now: now)
        }
    }

    /// Withdraws a pending invitation; its link stops working.
    /// Only an owner (`byOwner`) may withdraw an invitation to the owner role.
    public func revoke(orgId: String, id: String, byOwner: Bool, actor: BookingActor? = nil, now: Date) async throws -> Invitation {
        try await database.transaction(TransactionOptions(lockKeys: ["org-members:\(orgId)"])) { sql in
            let current = try await Self.invitation(sql, orgId: orgId, id: id, now: now)
            guard current.status == .pending else {
                throw DomainError(.invitationClosed, "This invitation was already \(current.status.rawValue).")
            }
            if current.role == .owner, !byOwner { throw DomainError.forbidden("Only an owner can revoke an owner's invitation.") }
            try await sql.raw(
                """
                UPDATE invitations SET status = 'revoked', updated_at = \(bind: now.epochSeconds) WHERE id = \(bind: id)
                """
            ).run()
            try await Self.audit(
                sql, orgId: orgId, actorUserId: actor?.userId, actorMembershipId: actor?.membershipId, action: "invitation.revoke", id: id,
                details: ["email": .text(current.email), "role": .text(current.role.rawValue)], now: now)
            return try await Self.invitation(sql, orgId: orgId, id: id, now: now)
        }
    }

    /// The studio's pending invitations, newest first.
    public func pending(orgId: String, now: Date) async throws -> [Invitation] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT * FROM invitations WHERE organization_id = \(bind: orgId) AND status = 'pending' ORDER BY created_at DESC, id
                """
            ).all().map { try Self.decode($0, now: now) }
        }
    }

    /// The open invitation behind a link, with its studio's name (for the accept page).
    public func open(token: String, now: Date) async throws -> (Invitation, organizationName: String)? {
        guard AccountTokenRows.plausible(token) else { return nil }
        return try await database.read { sql in
            guard
                let row = try await sql.raw(
                    """
                    SELECT i.*, o.name AS organization_name FROM invitations i JOIN organizations o ON o.id = i.organization_id
                    WHERE i.token_hash = \(bind: SecretToken.hash(token)) AND i.status = 'pending' AND i.expires_at > \(bind: now.epochSeconds)
                    """
                ).first()
            else { return nil }
            return (try Self.decode(row, now: now), try row.string("organization_name"))
        }
    }

    /// Who accepts: the signed-in user (whose address must be the invited one), or a new account.
    public enum Acceptor: Sendable {
        case user(id: String)
        case newAccount(name: String, passwordHash: String)
    }

    /// Accepts the invitation behind `token` exactly once: the membership (and for a new person, the
    /// user, with the address counted as verified: the link proved it).
    public func accept(token: String, as acceptor: Acceptor, now: Date) async throws -> (userId: String, membership: Membership) {
        guard AccountTokenRows.plausible(token) else { throw Self.invalidLink }
        return try await database.transaction { sql in
            guard
                let row = try await sql.raw(
                    """
                    UPDATE invitations SET status = 'accepted', accepted_at = \(bind: now.epochSeconds), updated_at = \(bind: now.epochSeconds)
                    WHERE token_hash = \(bind: SecretToken.hash(token)) AND status = 'pending' AND expires_at > \(bind: now.epochSeconds)
                    RETURNING *
                    """
                ).first()
            else { throw Self.invalidLink }
            let invitation = try Self.decode(row, now: now)
            let normalized = Validate.normalizedEmail(invitation.email)
            let userId: String
            switch acceptor {
            case .user(let id):
                let owner = try await sql.raw("SELECT email_normalized FROM users WHERE id = \(bind: id)").first()
                guard try owner?.string("email_normalized") == normalized else {
                    throw DomainError(
                        .invitationWrongAccount,
                        "This invitation was sent to another e-mail address. Sign in with that address, then open the link again.")
                }
                userId = id
            case .newAccount(let name, let passwordHash):
                if try await sql.raw("SELECT id FROM users WHERE email_normalized = \(bind: normalized)").first() != nil {
                    throw DomainError(.accountExists, "You already have an account with this address. Sign in, then open the link again.")
                }
                userId = try await UserRows.insertUser(
                    sql, email: invitation.email, name: name, passwordHash: passwordHash,
                    emailVerified: true, now: now
                ).id
            }
            try await UserRows.markEmailVerified(sql, userId: userId, now: now)
            let membership: Membership
            if let existing = try await sql.raw(
                """
                SELECT * FROM memberships WHERE organization_id = \(bind: invitation.organizationId) AND user_id = \(bind: userId)
                """
            ).first() {
                membership = try MembershipRows.membership(existing)
            } else {
                membership = try await MembershipRows.insertMembership(
                    sql, orgId: invitation.organizationId, userId: userId,
                    role: invitation.role, now: now)
            }
            try await sql.raw("UPDATE invitations SET membership_id = \(bind: membership.id) WHERE id = \(bind: invitation.id)").run()
            try await Self.audit(
                sql, orgId: invitation.organizationId, actorUserId: userId, actorMembershipId: membership.id, action: "invitation.accept",
                id: invitation.id, subject: membership.id,
                details: ["email": .text(invitation.email), "role": .text(membership.role.rawValue)], now: now)
            return (userId, membership)
        }
    }

    /// An invitation's audit row (`invitation.create|resend|revoke|accept`).
    static func audit(
        _ sql: any SQLDatabase, orgId: String, actorUserId: String?, actorMembershipId: String?, action: String, id: String,
        subject: String? = nil, details: [String: AuditValue], now: Date
    ) async throws {
        var change = AuditChange()
        change.details = details
        try await AuditRows.record(
            sql, orgId: orgId, actorUserId: actorUserId, actorMembershipId: actorMembershipId, action: action, entityType: "invitation",
            entityId: id, subject: subject, payload: change, now: now)
    }

    static let invalidLink = DomainError(.invitationInvalid, "This invitation link is no longer valid. Ask the studio to send a new one.")

    static func enqueue(
        _ sql: any SQLDatabase, orgId: String, invitationId: String, email: String, role: Role, token: String,
        send: Int, mail: Mail, now: Date
    ) async throws {
        var payload = ["link": mail.linkBase + token, "role": role.rawValue, "inviterName": mail.inviterName]
        if let name = mail.greetingName { payload["name"] = name }
        try await OutboxRows.enqueue(
            sql,
            [
                OutboxMessage(
                    organizationId: orgId, userId: nil, recipientEmail: email, channel: "email", template: "invitation",
                    payload: payload, dedupeKey: "invitation:\(invitationId):\(send)")
            ], now: now)
    }

    static func invitation(_ sql: any SQLDatabase, orgId: String, id: String, now: Date) async throws -> Invitation {
        guard let row = try await sql.raw("SELECT * FROM invitations WHERE id = \(bind: id) AND organization_id = \(bind: orgId)").first()
        else {
            throw DomainError.notFound("Invitation")
        }
        return try decode(row, now: now)
    }

    static func decode(_ row: any SQLRow, now: Date) throws -> Invitation {
        let expires = try row.date("expires_at")
        let status = Invitation.Status(rawValue: try row.string("status")) ?? .revoked
        return Invitation(
            id: try row.string("id"), organizationId: try row.string("organization_id"), email: try row.string("email"),
            role: Role(rawValue: try row.string("role")) ?? .member, status: status, sends: try row.int("sends"),
            createdAt: try row.date("created_at"), expiresAt: expires, acceptedAt: try row.optionalDate("accepted_at"),
            expired: status == .pending && expires <= now)
    }
}
