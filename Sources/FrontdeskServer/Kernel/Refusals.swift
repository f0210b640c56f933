import FrontdeskCore
import Hummingbird

extension DomainError {
    /// The HTTP status of each kind of refusal: the one place the core's refusals meet HTTP.
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

    var httpStatus: HTTPResponse.Status { HTTPResponse.Status(code: status) }
}
