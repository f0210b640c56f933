import Foundation
import Testing

import FrontdeskCore

/// Parses an ISO-8601 timestamp with an explicit offset (`2026-03-29T06:30:00+02:00`, `…Z`, `…59.999+02:00`).
/// Expected instants are always built this way so no expectation depends on the host time zone.
func iso(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
    return try #require(formatter.date(from: text), "unparseable ISO-8601 '\(text)'", sourceLocation: sourceLocation)
}

/// Runs `body`, expects it to throw a `DomainError` that is a 400 `invalid_field` whose
/// message names `field` (messages are built as `"<field>: <text>"`), and returns that error.
@discardableResult
func expectInvalidField<R>(
    _ field: String,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> R
) -> DomainError? {
    let error = #expect(throws: DomainError.self, sourceLocation: sourceLocation) { _ = try body() }
    guard let error else { return nil }
    #expect(error.status == 400, sourceLocation: sourceLocation)
    #expect(error.code == "invalid_field", sourceLocation: sourceLocation)
    #expect(
        error.message.hasPrefix("\(field): "), "message '\(error.message)' does not name '\(field)'",
        sourceLocation: sourceLocation)
    return error
}

/// `count` bytes from the system RNG.
func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
}

/// Whether every character is in the URL-safe Base64 alphabet (no padding).
func isBase64URLAlphabet(_ text: String) -> Bool {
    text.unicodeScalars.allSatisfy { scalar in
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "-", "_": true
        default: false
        }
    }
}

extension DomainError {
    /// The HTTP status the server gives each kind (FrontdeskServer's `DomainError.status`), so these
    /// tests can state refusals the way the API's users see them.
    var status: Int {
        switch kind {
        case .invalid: 400
        case .unauthenticated: 401
        case .paymentRequired: 402
        case .forbidden: 403
        case .notFound: 404
        case .conflict: 409
        case .tooLarge: 413
        case .unsupportedMediaType: 415
        case .methodNotAllowed: 405
        case .unprocessable: 422
        case .rateLimited: 429
        case .internalFailure: 500
        case .unavailable: 503
        }
    }
}
