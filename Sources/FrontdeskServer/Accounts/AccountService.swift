import Foundation
import FrontdeskCore
import FrontdeskStore

/// The accounts use cases (SPEC §12), shared by the JSON API and the pages: signing in (throttled),
/// invitations, password reset and change, sign-in links, e-mail verification, sign-up.
/// Nothing here tells a caller whether an address has an account, except to the address's owner.
struct AccountService: Sendable {
    let services: AppServices

    var accounts: AccountsStore { services.accounts }
    var invitations: InvitationsStore { InvitationsStore(database: services.database) }
    var tokens: AccountTokensStore { AccountTokensStore(database: services.database) }
    var config: ServerConfiguration { services.configuration }

    /// 15-minute windows for throttling.
    static let window = 900
    static let resetLifetime: TimeInterval = 30 * 60
    static let signinLinkLifetime: TimeInterval = 15 * 60
    static let verifyLifetime: TimeInterval = 24 * 3600
    static let joinLifetime: TimeInterval = 24 * 3600
    /// Account e-mails (reset, sign-in link, sign-up) per address and per client address per 15 minutes.
    static let mailsPerAddress = 3
    static let mailsPerClient = 10

    // MARK: Signing in

    /// A new login session.
    struct SignedIn {
        let user: User
        let token: String
        let csrf: String
        let expiresAt: Date
    }

    /// Checks credentials. Throttling counts first and compares after (one atomic increment per
    /// attempt, so parallel guesses cannot slip past the limit): per client address over all accounts,
    /// and per account *and* address, so a stranger guessing someone's password from elsewhere does
    /// not lock its owner out. A success clears that pair's count.
    func signIn(email rawEmail: String, password: String, address: String, userAgent: String?) async throws -> SignedIn {
        let email = try Self.boundedEmail(rawEmail)
        let now = services.now
        let pairKey = "login:fail:" + Validate.normalizedEmail(email) + "|" + address
        let addressHits = try await services.rateLimits.hit("login:address:" + address, windowSeconds: Self.window, now: now)
        if addressHits > config.loginAttemptsPerAddress { throw tooMany(now: now) }
        let pairHits = try await services.rateLimits.hit(pairKey, windowSeconds: Self.window, now: now)
        if pairHits > config.loginFailuresPerAccount { throw tooMany(now: now) }

        let credentials = try await accounts.credentials(email: email)
        guard try await services.passwords.verify(password, hash: credentials?.passwordHash), let user = credentials?.user else {
            throw DomainError(.invalidCredentials, "The e-mail address or password is wrong.")
        }
        try await services.rateLimits.clear(pairKey, windowSeconds: Self.window, now: now)
        return try await startSession(user: user, address: address, userAgent: userAgent)
    }

    /// A login session for a user who proved who they are (password, or a link only they received).
    func startSession(user: User, address: String, userAgent: String?) async throws -> SignedIn {
        let now = services.now
        let token = SecretToken.generate()
        let expiresAt = now.addingTimeInterval(TimeInterval(config.sessionTTLHours * 3600))
        try await accounts.createSession(
            userId: user.id, tokenHash: SecretToken.hash(token), expiresAt: expiresAt,
            userAgent: userAgent, clientAddress: address, now: now)
        return SignedIn(user: user, token: token, csrf: SecretToken.generate(bytes: 16), expiresAt: expiresAt)
    }

    /// An e-mail address of at most 254 bytes, refused before any database work.
    static func boundedEmail(_ raw: String) throws -> String {
        guard raw.utf8.count <= 254 else { throw DomainError.invalidField("email", "is not a valid e-mail address.") }
        return raw
    }

    private func tooMany(now: Date) -> DomainError {
        let wait = RateLimitStore.retryAfter(now: now, windowSeconds: Self.window)
        return DomainError.rateLimited("Too many attempts; try again in \(max(1, wait / 60)) minute(s).")
    }

    /// Counts one account e-mail for the address and the client; false when either is over its limit
    /// (the caller still answers as if it had sent one).
    private func mayMail(email: String, address: String, kind: String) async throws -> Bool {
        let now = services.now
        let byEmail = try await services.rateLimits.hit(
            "mail:\(kind):" + Validate.normalizedEmail(email), windowSeconds: Self.window, now: now)
        let byClient = try await services.rateLimits.hit("mail:client:" + address, windowSeconds: Self.window, now: now)
        return byEmail <= Self.mailsPerAddress && byClient <= Self.mailsPerClient
    }

    private func link(_ path: String) -> String { config.publicBaseURL + path }

    // MARK: Password reset and change

    /// Sends a reset link if the address has an account; answers the same either way.
    func requestPasswordReset(email rawEmail: String, address: String) async throws {
        let email = try Validate.email(try Self.boundedEmail(rawEmail))
        guard try await mayMail(email: email, address: address, kind: "reset") else { return }
        guard let user = try await accounts.user(email: email) else { return }
        try await accounts.sendLink(
            purpose: .passwordReset, userId: user.id, email: user.email, lifetime: Self.resetLifetime,
            linkBase: link("/reset/"), template: "password_reset", mailPayload: ["name": user.name],
            now: services.now)
    }

    /// Sets the password behind a reset link; every login session of the user ends.
    func resetPassword(token: String, newPassword: String) async throws {
        let password = try Validate.password(newPassword)
        let hash = try await services.passwords.hash(password)
        guard try await accounts.resetPassword(token: token, passwordHash: hash, now: services.now) != nil else {
            throw DomainError(.linkInvalid, "This link is no longer valid (used, or older than 30 minutes). Ask for a new one.")
        }
    }

    /// Changes the signed-in user's password (the current one required); their other sessions end.
    func changePassword(user: User, keepingSession: String?, current: String, new: String) async throws {
        let password = try Validate.password(new)
        guard try await services.passwords.verify(current, hash: try await accounts.passwordHash(userId: user.id)) else {
            throw DomainError(.wrongPassword, "The current password is wrong.")
        }
        try await accounts.setPassword(
            userId: user.id, passwordHash: try await services.passwords.hash(password),
            keeping: keepingSession, now: services.now)
    }

    // MARK: Sign-in links and verification

    /// Mails a sign-in link bound to the asking browser (`browserHash`) that leads to `next` (a local
    /// path). Answers the same whether or not the address has an account.
    func requestSigninLink(email rawEmail: String, browserHash: String, next: String, address: String) async throws {
        let email = try Validate.email(try Self.boundedEmail(rawEmail))
        guard try await mayMail(email: email, address: address, kind: "signin") else { return }
        guard let user = try await accounts.user(email: email) else { return }
        try await accounts.sendLink(
            purpose: .signinLink, userId: user.id, email: user.email, browserHash: browserHash,
            payload: ["next": LocalPath.sanitized(next)], lifetime: Self.signinLinkLifetime,
            linkBase: link("/signin/"), template: "signin_link", mailPayload: ["name": user.name],
            now: services.now)
    }

    /// Signs in through a link, in the browser that asked for it; returns the session and where to go.
    func useSigninLink(token: String, browserHash: String, address: String, userAgent: String?) async throws -> (SignedIn, next: String) {
        guard let (userId, payload) = try await accounts.useSigninLink(token: token, browserHash: browserHash, now: services.now),
            let user = try await accounts.user(id: userId)
        else {
            throw DomainError(.linkInvalid, "This sign-in link is used, expired, or was asked for on another device. Ask for a new one.")
        }
        let session = try await startSession(user: user, address: address, userAgent: userAgent)
        return (session, LocalPath.sanitized(payload["next"]))
    }

    /// Mails the signed-in user a link that proves their address.
    func requestVerification(user: User, address: String) async throws {
        guard try await !accounts.isEmailVerified(userId: user.id) else {
            throw DomainError(.alreadyVerified, "Your e-mail address is already verified.")
        }
        guard try await mayMail(email: user.email, address: address, kind: "verify") else {
            throw DomainError.rateLimited("We sent you several links already; check your inbox or try again later.")
        }
        try await accounts.sendLink(
            purpose: .verifyEmail, userId: user.id, email: user.email, lifetime: Self.verifyLifetime,
            linkBase: link("/verify/"), template: "verify_email", mailPayload: ["name": user.name],
            now: services.now)
    }

    func verifyEmail(token: String) async throws {
        guard try await accounts.verifyEmail(token: token, now: services.now) != nil else {
            throw DomainError(.linkInvalid, "This link is no longer valid. Ask for a new one.")
        }
    }

    // MARK: Invitations

    func invite(_ scope: OrgScope, email rawEmail: String, role: Role, greetingName: String?) async throws -> Invitation {
        let email = try Validate.email(try Self.boundedEmail(rawEmail))
        if role == .owner, scope.role != .owner { throw DomainError.forbidden("Only an owner can invite another owner.") }
        if try await services.organizations.mailHeld(orgId: scope.orgId) {
            throw DomainError(
                .mailHeld, "This studio cannot send e-mail until its owner's address is verified (POST /api/auth/verify-email).")
        }
        return try await invitations.create(
            orgId: scope.orgId, email: email, role: role, invitedBy: scope.membership.id, actorUserId: scope.user.id,
            mail: mail(scope, greetingName: greetingName), now: services.now)
    }

    func resendInvitation(_ scope: OrgScope, id: String) async throws -> Invitation {
        try await invitations.resend(
            orgId: scope.orgId, id: id, byOwner: scope.role == .owner, actor: scope.actor, mail: mail(scope, greetingName: nil),
            now: services.now)
    }

    func revokeInvitation(_ scope: OrgScope, id: String) async throws -> Invitation {
        try await invitations.revoke(orgId: scope.orgId, id: id, byOwner: scope.role == .owner, actor: scope.actor, now: services.now)
    }

    private func mail(_ scope: OrgScope, greetingName: String?) -> InvitationsStore.Mail {
        InvitationsStore.Mail(linkBase: link("/invite/"), inviterName: scope.user.name, greetingName: greetingName)
    }

    /// Accepts an invitation as the signed-in user, or as a new account with the person's own name and password.
    func acceptInvitation(token: String, signedIn: User?, name: String?, password: String?) async throws -> (userId: String, Membership) {
        let acceptor: InvitationsStore.Acceptor
        if let user = signedIn {
            acceptor = .user(id: user.id)
        } else {
            guard let name, let password else {
                throw DomainError(.missingField, "name and password are required to create your account.")
            }
            let validName = try Validate.name(name)
            let hash = try await services.passwords.hash(try Validate.password(password))
            acceptor = .newAccount(name: validName, passwordHash: hash)
        }
        return try await invitations.accept(token: token, as: acceptor, now: services.now)
    }

    // MARK: Sign-up on a studio's join page

    /// Starts a sign-up: nothing is created until the address is proven by the e-mailed link. Answers
    /// the same whether or not the address has an account.
    func join(orgId: String, name rawName: String, email rawEmail: String, password rawPassword: String, address: String) async throws {
        guard try await services.organizations.selfSignup(orgId: orgId) else { throw DomainError.notFound("Studio") }
        let name = try Validate.name(rawName)
        let email = try Validate.email(try Self.boundedEmail(rawEmail))
        let password = try Validate.password(rawPassword)
        guard try await mayMail(email: email, address: address, kind: "join") else { return }
        if try await services.organizations.mailHeld(orgId: orgId) { return }
        let hash = try await services.passwords.hash(password)
        try await accounts.sendLink(
            purpose: .join, userId: nil, email: email, organizationId: orgId,
            payload: ["name": name, "email": email, "passwordHash": hash], lifetime: Self.joinLifetime,
            linkBase: link("/join/confirm/"), template: "join_confirm", mailPayload: ["name": name],
            now: services.now)
    }

    func completeJoin(token: String) async throws -> (userId: String, organizationId: String, newAccount: Bool) {
        guard let result = try await accounts.completeJoin(token: token, now: services.now) else {
            throw DomainError(.linkInvalid, "This link is no longer valid. Sign up again.")
        }
        return result
    }
}
