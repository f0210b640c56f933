import Foundation
import Testing

/// The OpenAPI document (`GET /openapi.json`) describes exactly the `/api` routes the server has.
@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("served as OpenAPI 3.1 with the error shape and both auth schemes")
    func served() async throws {
        try await TestApp.run { app in
            let reply = try await app.request(.get, "/openapi.json")
            #expect(reply.status == 200)
            #expect(reply.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(reply.string("openapi")?.hasPrefix("3.1") == true)
            let components = reply["components"] as? [String: Any]
            let schemas = components?["schemas"] as? [String: Any]
            let error = schemas?["Error"] as? [String: Any]
            #expect((error?["required"] as? [String]) == ["error"])
            let security = components?["securitySchemes"] as? [String: Any]
            #expect(security?["bearerAuth"] != nil && security?["cookieAuth"] != nil)
        }
    }

    @Test("every /api route has an operation and every operation a route")
    func matchesRoutes() async throws {
        try await TestApp.run { app in
            let document = try await app.request(.get, "/openapi.json")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var documented = Set<String>()
            for (path, item) in paths {
                let serverPath = path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
                for method in item.keys where ["get", "put", "post", "patch", "delete"].contains(method) {
                    documented.insert("\(method.uppercased()) \(serverPath)")
                }
            }
            let routes = Set(app.routes.all.filter { $0.contains(" /api/") })
            #expect(routes.subtracting(documented).sorted() == [], "routes without an operation")
            #expect(documented.subtracting(routes).sorted() == [], "operations without a route")
            #expect(routes.count > 50)
        }
    }
}
