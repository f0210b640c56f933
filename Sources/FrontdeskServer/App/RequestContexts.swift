import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird
import NIOCore

/// The answers' JSON encoder, made once: its options never change, so it may encode for many
/// requests at once (a new encoder per answer was measurable on the hot paths).
enum ResponseJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}

/// What every Frontdesk request context offers: JSON answers with ISO-8601 instants and sorted keys,
/// the body limit, and the client's address.
protocol FrontdeskContext: RequestContext {
    var remoteAddress: SocketAddress? { get }
}

extension FrontdeskContext {
    /// JSON with ISO-8601 instants and sorted keys, so answers are stable byte for byte.
    var responseEncoder: JSONEncoder { ResponseJSON.encoder }

    /// Bodies larger than this are refused with 413.
    var maxUploadSize: Int { 1_048_576 }

    /// A path parameter that must be an id this system issued; anything else is a 404 for `what`.
    func id(_ name: String, _ what: String) throws -> String {
        guard let value = parameters.get(name), NewID.isWellFormed(value) else { throw DomainError.notFound(what) }
        return value.lowercased()
    }
}

extension AppRequestContext: FrontdeskContext {}

/// A request of a signed-in user: handlers of routes that need one receive this context, so none can
/// forget the check. Anything else answers 401 before the handler runs.
struct UserContext: ChildRequestContext, FrontdeskContext {
    var coreContext: CoreRequestContextStorage
    let user: User
    /// The stored hash of the login session's token.
    let sessionTokenHash: String
    let remoteAddress: SocketAddress?

    init(context: AppRequestContext) throws {
        guard case .user(let user, let hash, _) = context.authentication else {
            _ = try context.requireUser()
            throw DomainError.unauthorized()
        }
        coreContext = context.coreContext
        self.user = user
        sessionTokenHash = hash
        remoteAddress = context.remoteAddress
    }
}

/// A request under `/api/orgs/:org/…`: `OrgScopeMiddleware` has resolved the caller's membership of
/// that studio (unknown studio or not a member: 404, before any handler). The handler states the role
/// it needs to get the scope at all (`scope(.manager)`), so the check cannot be left out.
struct OrgContext: ChildRequestContext, FrontdeskContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    private let standing: OrgStanding

    init(context: AppRequestContext) throws {
        guard let standing = context.orgStanding else { throw DomainError.notFound("Organization") }
        coreContext = context.coreContext
        remoteAddress = context.remoteAddress
        self.standing = standing
    }

    /// The caller's scope once `permission` holds: suspended memberships 403, too low a role 403.
    func scope(_ permission: Permission) throws -> OrgScope {
        try standing.scope(permission)
    }
}

/// A request under `/api/sessions/:session/…`: the session's studio and the caller's membership of it,
/// resolved once by `SessionScopeMiddleware` (unknown session or another studio's: 404).
struct SessionContext: ChildRequestContext, FrontdeskContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    /// The session's id (lowercased, well formed).
    let sessionId: String
    private let standing: OrgStanding

    init(context: AppRequestContext) throws {
        guard let standing = context.orgStanding, let sessionId = context.sessionId else { throw DomainError.notFound("Session") }
        coreContext = context.coreContext
        remoteAddress = context.remoteAddress
        self.standing = standing
        self.sessionId = sessionId
    }

    /// The caller's scope in the session's studio once `permission` holds.
    func scope(_ permission: Permission) throws -> OrgScope {
        try standing.scope(permission)
    }
}

/// A user's membership of one studio, looked up but not yet checked against a role.
struct OrgStanding: Sendable {
    let user: User
    let membership: Membership
    let organization: Organization

    func scope(_ permission: Permission) throws -> OrgScope {
        guard membership.status == .active else {
            throw DomainError(.membershipSuspended, "Your membership of this organization is suspended.")
        }
        guard permission.allows(membership.role) else { throw DomainError.forbidden() }
        return OrgScope(user: user, membership: membership, organization: organization)
    }
}

/// Resolves `:org` for the routes of `OrgContext`: signed in (401), a member of that studio (404).
struct OrgScopeMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let services: AppServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let user = try context.requireUser()
        let orgId = context.parameters.get("org") ?? ""
        guard NewID.isWellFormed(orgId),
            let (membership, organization) = try await services.organizations.membershipAndOrganization(
                orgId: orgId.lowercased(), userId: user.id)
        else { throw DomainError.notFound("Organization") }
        var context = context
        context.orgStanding = OrgStanding(user: user, membership: membership, organization: organization)
        return try await next(request, context)
    }
}

/// Resolves `:session` for the routes of `SessionContext`: signed in (401), the session's studio one
/// the caller belongs to (404 otherwise, like an unknown session).
struct SessionScopeMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let services: AppServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let user = try context.requireUser()
        let id = try context.id("session", "Session")
        let found =
            if let read = context.sessionAccess, read.sessionId == id, read.userId == user.id {
                read.found
            } else {
                try await services.organizations.sessionMembership(sessionId: id, userId: user.id)
            }
        guard let (membership, organization) = found?.access else { throw DomainError.notFound("Session") }
        var context = context
        context.orgStanding = OrgStanding(user: user, membership: membership, organization: organization)
        context.sessionId = id
        return try await next(request, context)
    }
}

/// A class's studio and a user's standing in it, as read with the user's login (`AuthMiddleware`).
struct SessionAccessRead: Sendable {
    let sessionId: String
    let userId: String
    /// `nil`: no such class.
    let found: OrganizationsStore.SessionAccess?
}
