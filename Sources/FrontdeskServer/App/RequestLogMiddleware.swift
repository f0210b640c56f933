import Foundation
import HTTPTypes
import Hummingbird
import Metrics

/// Logs one line per request with its id, echoes the id as `X-Request-Id`, counts requests and
/// adds the security headers every response carries.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let requestIdHeader = HTTPField.Name("X-Request-Id")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = request.headers[Self.requestIdHeader].flatMap { $0.count <= 64 ? $0 : nil } ?? context.id
        context.logger[metadataKey: "request_id"] = .string(id)
        let start = ContinuousClock.now
        var response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        response.headers[Self.requestIdHeader] = id
        response.headers[.xContentTypeOptions] = "nosniff"
        if response.headers[.init("Referrer-Policy")!] == nil {
            response.headers[.init("Referrer-Policy")!] = "same-origin"
        }
        let millis = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        context.logger.info("\(request.method) \(request.uri.path) \(response.status.code) \(String(format: "%.1f", millis))ms")
        Counter(label: "frontdesk_http_requests_total", dimensions: [("status", String(response.status.code / 100) + "xx")]).increment()
        return response
    }
}
