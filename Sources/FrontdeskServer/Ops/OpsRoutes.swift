import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird
import Synchronization

/// `/healthz` (the process answers), `/readyz` (the database answers), `/metrics` (Prometheus text,
/// behind a bearer token when `metricsToken` is configured).
struct OpsRoutes {
    let services: AppServices

    struct Status: ResponseEncodable {
        let status: String
        let backend: String?
    }

    func register(_ root: Routes) {
        root.get("healthz") { _, _ in Self.healthy }
        root.get("readyz", use: ready)
        root.get("metrics") { [services] request, _ in
            try Self.checkMetricsToken(request, expected: services.configuration.metricsToken)
            await FrontdeskMetrics.refreshOutbox(services)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: FrontdeskMetrics.registry.emitToBuffer())))
        }
    }

    /// `/healthz`'s answer, `{"status":"ok"}` as JSON, built once: the liveness probe encodes nothing
    /// per request.
    static var healthy: Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: healthyBody))
    }
    private static let healthyBody = ByteBuffer(string: #"{"status":"ok"}"#)

    /// With `metricsToken` configured, `/metrics` needs `Authorization: Bearer <metricsToken>`; the
    /// comparison is of SHA-256 digests in constant time, so neither content nor length leaks.
    static func checkMetricsToken(_ request: Request, expected: String?) throws {
        guard let expected else { return }
        guard let given = AuthMiddleware.bearerToken(request),
            ConstantTime.equals(Array(SecretToken.hash(given).utf8), Array(SecretToken.hash(expected).utf8))
        else {
            throw DomainError.unauthorized("/metrics needs the configured metrics token as Authorization: Bearer <token>.")
        }
    }

    /// The value `operation` produces if it finishes within `limit`, else `nil` — without waiting for
    /// it (a ping to a dead database may hang until the driver's own timeout).
    static func firstAnswer<T: Sendable>(within limit: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
        let once = OneShot<T?>()
        return await withCheckedContinuation { continuation in
            once.set(continuation)
            Task { once.resume(await operation()) }
            Task {
                try? await Task.sleep(for: limit)
                once.resume(nil)
            }
        }
    }

    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> Response {
        let database = services.database
        let reachable =
            await Self.firstAnswer(within: .seconds(services.configuration.readinessTimeoutSeconds)) { await database.ping() } ?? false
        guard reachable else {
            throw DomainError(.databaseUnavailable, "The \(database.backend) database does not answer.")
        }
        return try Status(status: "ready", backend: database.backend.rawValue).response(from: request, context: context)
    }
}

/// A continuation resumed by whichever caller comes first; later calls are ignored.
final class OneShot<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, Never>?
        var done = false
    }
    private let state = Mutex(State())

    /// Installs the continuation; must be called before any `resume`.
    func set(_ continuation: CheckedContinuation<T, Never>) {
        state.withLock { $0.continuation = continuation }
    }

    func resume(_ value: T) {
        let continuation: CheckedContinuation<T, Never>? = state.withLock { state in
            guard !state.done else { return nil }
            state.done = true
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: value)
    }
}
