import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// `/healthz` (the process answers), `/readyz` (the database answers), `/metrics` (Prometheus text).
struct OpsRoutes {
    let services: AppServices

    struct Status: ResponseEncodable {
        let status: String
        let backend: String?
    }

    func register(_ root: Routes) {
        root.get("healthz") { _, _ in Status(status: "ok", backend: nil) }
        root.get("readyz", use: ready)
        root.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: FrontdeskMetrics.registry.emitToBuffer())))
        }
    }

    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> Response {
        let database = services.database
        let reachable = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await database.ping() }
            group.addTask {
                try? await Task.sleep(for: .seconds(2))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        guard reachable else {
            throw DomainError(status: 503, code: "database_unavailable", message: "The \(database.backend) database does not answer.")
        }
        return try Status(status: "ready", backend: database.backend.rawValue).response(from: request, context: context)
    }
}
