import Foundation
import HTTPTypes
import Hummingbird
import Metrics

/// Logs one line per request with its id, echoes the id as `X-Request-Id`, counts requests and
/// adds the security headers every response carries.
///
/// It runs for every request, `/healthz` included, so it does only what each request needs: the
/// header names and the per-status-class counters are made once (not parsed and looked up in the
/// metrics registry per request), and the duration is formatted with integer arithmetic (no
/// Foundation `String(format:)`), only when the line is actually logged.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let requestIdHeader = HTTPField.Name("X-Request-Id")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = request.headers[Self.requestIdHeader].flatMap { $0.count <= 64 ? $0 : nil } ?? context.id
        context.logger[metadataKey: "request_id"] = .string(id)
        let start = ContinuousClock.now
        var response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        response.headers[Self.requestIdHeader] = id
        response.headers[.xContentTypeOptions] = "nosniff"
        if response.headers[Self.referrerPolicy] == nil {
            response.headers[Self.referrerPolicy] = "same-origin"
        }
        context.logger.info("\(request.method) \(request.uri.path) \(response.status.code) \(Self.milliseconds(elapsed))ms")
        FrontdeskMetrics.countRequest(status: response.status.code)
        return response
    }

    /// `elapsed` in milliseconds with one decimal, rounded half up ("12.3").
    static func milliseconds(_ elapsed: Duration) -> String {
        let (seconds, attoseconds) = elapsed.components
        let tenths = seconds * 10_000 + (attoseconds + 50_000_000_000_000) / 100_000_000_000_000
        return "\(tenths / 10).\(tenths % 10)"
    }
}
