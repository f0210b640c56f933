import FrontdeskCore
import Hummingbird
import Foundation
import NIOCore

/// How the caller proved who they are.
public enum Authentication: Sendable {
    /// No credentials were sent.
    case anonymous
    /// Credentials were sent but are unknown or expired.
    case invalid
    /// A valid login session, from a Bearer header or the session cookie.
    case user(User, tokenHash: String, viaCookie: Bool)
}

/// The request context of every Frontdesk route: the authenticated user (as a typed value, set by
/// `AuthMiddleware`) and the client address.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` before any handler runs.
    public var authentication: Authentication = .anonymous
    /// The peer address of the connection (`nil` in in-process tests).
    public let remoteAddress: SocketAddress?
    /// Set by `OrgScopeMiddleware` / `SessionScopeMiddleware` for the typed org and session routes.
    var orgStanding: OrgStanding?
    var sessionId: String?
    /// The caller's standing in the class of the path's `:session`, read by `AuthMiddleware` with the
    /// login when that was not cached (one statement for both); `SessionScopeMiddleware` uses it.
    var sessionAccess: SessionAccessRead?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// JSON with ISO-8601 instants and sorted keys, so answers are stable byte for byte.
    public var responseEncoder: JSONEncoder { ResponseJSON.encoder }

    /// Bodies larger than this are refused with 413.
    public var maxUploadSize: Int { 1_048_576 }

    /// The logged-in user, or 401.
    public func requireUser() throws -> User {
        switch authentication {
        case .user(let user, _, _): return user
        case .invalid: throw DomainError.unauthorized("Your session is invalid or has expired; log in again.")
        case .anonymous: throw DomainError.unauthorized()
        }
    }

    /// The stored hash of the token this request authenticated with.
    var sessionTokenHash: String? {
        if case .user(_, let hash, _) = authentication { return hash }
        return nil
    }
}
