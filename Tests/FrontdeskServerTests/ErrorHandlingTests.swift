import Foundation
import FrontdeskCore
import HTTPTypes
import Testing

@Suite("Errors and operations endpoints")
struct ErrorHandlingTests {
    @Test(
        "malformed JSON, wrong types, missing fields and empty bodies answer 400 with a code",
        arguments: [
            ("{not json", "invalid_json"), ("", "invalid_json"), (#"{"email":42,"password":"x"}"#, "invalid_type"),
            (#"{"email":"a@example.com"}"#, "missing_field"), (#"{"email":null,"password":"x"}"#, "invalid_type"),
            (#"[1,2,3]"#, "invalid_type"), ("\"just a string\"", "invalid_type"),
            (#"{"email":"a\u0000@example.com","password":"correct-horse"}"#, "invalid_text"),
        ])
    func malformedBodies(body: String, code: String) async throws {
        try await TestApp.run { app in
            let reply = try await app.request(.post, "/api/auth/login", json: body)
            #expect(reply.status == 400, "\(body) → \(reply.text)")
            #expect(reply.errorCode == code, "\(body) → \(reply.text)")
            #expect(reply.headers[.contentType]?.hasPrefix("application/json") == true)
        }
    }

    @Test("oversized bodies answer 413")
    func oversized() async throws {
        try await TestApp.run { app in
            let huge = "{\"email\":\"" + String(repeating: "a", count: 1_200_000) + "\",\"password\":\"x\"}"
            let reply = try await app.request(.post, "/api/auth/login", json: huge)
            #expect(reply.status == 413)
            #expect(reply.errorCode == "payload_too_large")
        }
    }

    @Test("unknown routes answer 404 and wrong methods 405, both in the error shape")
    func routing() async throws {
        try await TestApp.run { app in
            let unknown = try await app.request(.get, "/api/definitely-not-here")
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "not_found")
            let wrongMethod = try await app.request(.put, "/api/auth/login", json: "{}")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.errorCode == "method_not_allowed")
            #expect(wrongMethod.headers[.allow] == "POST")
            let orgWrong = try await app.request(.delete, "/api/orgs/\(NewID.make())")
            #expect(orgWrong.status == 405)
            #expect(orgWrong.headers[.allow] == "GET, PATCH")
        }
    }

    @Test("healthz, readyz and metrics answer; every response carries a request id")
    func ops() async throws {
        // A generous readiness timeout: the whole suite runs in parallel on two cores, and a first
        // connection to PostgreSQL can take longer than the production 2 s while it does.
        try await TestApp.run(configure: { $0.readinessTimeoutSeconds = 20 }) { app in
            let health = try await app.request(.get, "/healthz")
            #expect(health.status == 200)
            #expect(health.string("status") == "ok")
            #expect(health.headers[.init("X-Request-Id")!]?.isEmpty == false)
            let ready = try await app.request(.get, "/readyz")
            #expect(ready.status == 200)
            #expect(ready.string("backend") == app.services.database.backend.rawValue)
            let metrics = try await app.request(.get, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(metrics.text.contains("frontdesk_http_requests_total"))
            let echoed = try await app.request(.get, "/healthz", headers: [.init("X-Request-Id")!: "trace-123"])
            #expect(echoed.headers[.init("X-Request-Id")!] == "trace-123")
        }
    }

    @Test("readyz and the API answer 503 with the error shape when the database is gone")
    func readyzOutage() async throws {
        try await TestApp.run { app in
            try await app.createUser("a@example.com")
            let token = try await app.login("a@example.com")
            await app.services.database.shutdown()
            let api = try await app.request(.get, "/api/me", token: token)
            #expect(api.status == 503)
            #expect(api.errorCode == "database_unavailable")
            let reply = try await app.request(.get, "/readyz")
            #expect(reply.status == 503)
            #expect(reply.errorCode == "database_unavailable")
            #expect(try await app.request(.get, "/healthz").status == 200)
        }
    }

    @Test("every registered route is under /api, a display path, a page or an operations path")
    func routeTable() async throws {
        try await TestApp.run { app in
            let routes = app.routes.all
            #expect(routes.contains("POST /api/auth/login"))
            #expect(routes.contains("GET /api/orgs/:org/members"))
            let pages = [
                "/login", "/logout", "/checkin", "/coach", "/schedule", "/me/bookings", "/admin/batches", "/admin/analytics",
                "/admin",
                "/invite", "/forgot", "/reset", "/me/password", "/signin-link", "/signin", "/verify", "/join",
                "/calendar", "/me", "/kiosk", "/c", "/studios", "/book", "/.well-known",
            ]
            let stray = routes.filter { route in
                !(route.contains(" /api/") || route.contains(" /display/") || route.hasSuffix("z") || route.hasSuffix("/metrics")
                    || route.hasSuffix("/openapi.json")
                    || pages.contains { route.hasSuffix(" \($0)") || route.contains(" \($0)/") })
            }
            #expect(stray.isEmpty, "routes outside the known areas: \(stray)")
        }
    }
}
