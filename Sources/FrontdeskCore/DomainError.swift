/// An error meant for the caller: an HTTP status, a stable snake_case code and a human message.
///
/// Every rule violation in Frontdesk is expressed as one of these; the server turns it into
/// `{"error":{"code","message"}}`. Anything else that escapes a handler is a bug and answers 500.
public struct DomainError: Error, Equatable, Sendable, CustomStringConvertible {
    public let status: Int
    public let code: String
    public let message: String

    public init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(status) \(code): \(message)" }

    /// 400 for input that is malformed or out of range.
    public static func badRequest(_ code: String, _ message: String) -> DomainError {
        DomainError(status: 400, code: code, message: message)
    }
    /// 400 `invalid_field` naming the offending field.
    public static func invalidField(_ field: String, _ message: String) -> DomainError {
        DomainError(status: 400, code: "invalid_field", message: "\(field): \(message)")
    }
    /// 401: no valid credentials.
    public static func unauthorized(_ message: String = "Authentication required.") -> DomainError {
        DomainError(status: 401, code: "unauthorized", message: message)
    }
    /// 403: authenticated, but the role does not allow this.
    public static func forbidden(_ message: String = "Your role does not allow this action.") -> DomainError {
        DomainError(status: 403, code: "forbidden", message: message)
    }
    /// 404 for unknown ids and for other organizations' ids alike (no existence oracle).
    public static func notFound(_ what: String) -> DomainError {
        DomainError(status: 404, code: "not_found", message: "\(what) not found.")
    }
    /// 409: the request conflicts with the current state.
    public static func conflict(_ code: String, _ message: String) -> DomainError {
        DomainError(status: 409, code: code, message: message)
    }
    /// 429 with a stable code.
    public static func rateLimited(_ message: String) -> DomainError {
        DomainError(status: 429, code: "rate_limited", message: message)
    }
}
