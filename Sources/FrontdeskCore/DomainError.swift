/// An error meant for the caller: a `Refusal` (its stable snake_case code and kind) and a human message.
///
/// Every rule violation in Frontdesk is expressed as one of these; the server turns it into
/// `{"error":{"code","message"}}`. Anything else that escapes a handler is a bug and answers 500.
public struct DomainError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of refusal this is. The core knows no HTTP: the server maps each kind to a status
    /// (one exhaustive switch, `DomainError.status` in FrontdeskServer).
    public enum Kind: String, Sendable, CaseIterable {
        /// Malformed or out-of-range input.
        case invalid
        /// No valid credentials.
        case unauthenticated
        /// A plan or credits are needed.
        case paymentRequired
        /// Authenticated, but not allowed.
        case forbidden
        /// Unknown ids and other studios' ids alike (no existence oracle).
        case notFound
        /// The request conflicts with the current state.
        case conflict
        /// The body is too large.
        case tooLarge
        /// The body is not JSON (or not the form a page expects).
        case unsupportedMediaType
        /// The path exists, but not for this method.
        case methodNotAllowed
        /// Understood, but cannot be processed as given.
        case unprocessable
        /// Too many attempts.
        case rateLimited
        /// A failure of ours.
        case internalFailure
        /// A dependency (the database) is down; try again.
        case unavailable
    }

    /// The refusal: its code on the wire and, unless overridden, its kind.
    public let refusal: Refusal
    public let kind: Kind
    public let message: String

    /// The stable snake_case code (the refusal's raw value).
    public var code: String { refusal.rawValue }

    public init(_ refusal: Refusal, _ message: String) {
        self.refusal = refusal
        self.kind = refusal.kind
        self.message = message
    }

    /// A refusal answered with another kind than its own: only where one code has two statuses
    /// (`membership_suspended` is 403 for the caller's own membership, 409 for a member staff act on).
    public init(_ refusal: Refusal, kind: Kind, _ message: String) {
        self.refusal = refusal
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue) \(code): \(message)" }

    /// 400 `invalid_field` naming the offending field.
    public static func invalidField(_ field: String, _ message: String) -> DomainError {
        DomainError(.invalidField, "\(field): \(message)")
    }
    /// 401: no valid credentials.
    public static func unauthorized(_ message: String = "Authentication required.") -> DomainError {
        DomainError(.unauthorized, message)
    }
    /// 403: authenticated, but the role does not allow this.
    public static func forbidden(_ message: String = "Your role does not allow this action.") -> DomainError {
        DomainError(.forbidden, message)
    }
    /// 404 for unknown ids and for other organizations' ids alike (no existence oracle).
    public static func notFound(_ what: String) -> DomainError {
        DomainError(.notFound, "\(what) not found.")
    }
    /// 429 with a stable code.
    public static func rateLimited(_ message: String) -> DomainError {
        DomainError(.rateLimited, message)
    }
}
