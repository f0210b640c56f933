/// An error meant for the caller: an HTTP status, a stable snake_case code and a human message.
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
        /// Understood, but cannot be processed as given.
        case unprocessable
        /// Too many attempts.
        case rateLimited
        /// A failure of ours.
        case internalFailure
        /// A dependency (the database) is down; try again.
        case unavailable
    }

    public let kind: Kind
    public let code: String
    public let message: String

    public init(_ kind: Kind, code: String, message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    public var description: String { "\(kind.rawValue) \(code): \(message)" }

    /// 400 for input that is malformed or out of range.
    public static func badRequest(_ code: String, _ message: String) -> DomainError {
        DomainError(.invalid, code: code, message: message)
    }
    /// 400 `invalid_field` naming the offending field.
    public static func invalidField(_ field: String, _ message: String) -> DomainError {
        DomainError(.invalid, code: "invalid_field", message: "\(field): \(message)")
    }
    /// 401: no valid credentials.
    public static func unauthorized(_ message: String = "Authentication required.") -> DomainError {
        DomainError(.unauthenticated, code: "unauthorized", message: message)
    }
    /// 403: authenticated, but the role does not allow this.
    public static func forbidden(_ message: String = "Your role does not allow this action.") -> DomainError {
        DomainError(.forbidden, code: "forbidden", message: message)
    }
    /// 404 for unknown ids and for other organizations' ids alike (no existence oracle).
    public static func notFound(_ what: String) -> DomainError {
        DomainError(.notFound, code: "not_found", message: "\(what) not found.")
    }
    /// 409: the request conflicts with the current state.
    public static func conflict(_ code: String, _ message: String) -> DomainError {
        DomainError(.conflict, code: code, message: message)
    }
    /// 429 with a stable code.
    public static func rateLimited(_ message: String) -> DomainError {
        DomainError(.rateLimited, code: "rate_limited", message: message)
    }
}
