import Foundation
import FrontdeskCore
import FrontdeskServer
import FrontdeskStore
import FrontdeskTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// An HTTP answer in a test: status, headers and the body as text (parsed as JSON on demand).
struct Reply: Sendable {
    let status: Int
    let headers: HTTPFields
    let text: String

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String? { (json["error"] as? [String: Any])?["message"] as? String }
    func string(_ key: String) -> String? { json[key] as? String }
    subscript(_ key: String) -> Any? { json[key] }
}

/// The real application over a fresh test database, driven in-process through HummingbirdTesting.
struct TestApp: Sendable {
    let services: AppServices
    let clock: ManualClock
    let client: any TestClientProtocol
    let routes: RouteRegistry

    static let start = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18T11:06:40Z, a Wednesday

    /// Runs `body` against a fresh app; `configure` adjusts the configuration first.
    static func run(
        configure: @Sendable (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestApp) async throws -> Void
    ) async throws {
        try await withTestDatabase { database in
            var configuration = ServerConfiguration()
            configuration.bcryptCost = 4
            configuration.publicBaseURL = "https://studio.example"
            // Tests drive the outbox worker and the jobs themselves, on the injected clock.
            configuration.runJobs = false
            configure(&configuration)
            let clock = ManualClock(start)
            let services = AppServices(configuration: configuration, clock: clock, database: database, logger: TestBackend.logger)
            let app = buildApplication(services: services)
            let routes = app.routes
            // The services' shutdown after the body is watched (a hang names itself in the log).
            let shutdown = Watchdog.Alarm()
            try await app.application().test(.router) { client in
                try await body(TestApp(services: services, clock: clock, client: client, routes: routes))
                shutdown.start("services' shutdown")
            }
            shutdown.stop()
        }
    }

    /// Sends a request; `json` is sent verbatim as the body.
    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(
            uri: path, method: method, headers: headers,
            body: json.map { ByteBuffer(string: $0) })
        return Reply(status: Int(response.status.code), headers: response.headers, text: String(buffer: response.body))
    }

    /// Sends a dictionary as JSON.
    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil, body: [String: any Sendable],
        headers: HTTPFields = [:]
    ) async throws -> Reply {
        let data = try JSONSerialization.data(withJSONObject: body)
        return try await request(method, path, token: token, json: String(decoding: data, as: UTF8.self), headers: headers)
    }

    /// Creates a user directly in the store (there is no public sign-up).
    @discardableResult
    func createUser(_ email: String, name: String = "Test User", password: String = "correct-horse") async throws -> User {
        try await services.accounts.createUser(
            email: email, name: name, passwordHash: services.passwords.hashNow(password), now: clock.now())
    }

    /// Logs in and returns the bearer token.
    func login(_ email: String, password: String = "correct-horse") async throws -> String {
        let reply = try await request(.post, "/api/auth/login", body: ["email": email, "password": password])
        try #require(reply.status == 200, "login failed: \(reply.text)")
        return try #require(reply.string("token"))
    }

    /// A new user who owns a new org, made as the operator's `frontdesk org create` does: returns (token, orgId).
    func owner(
        _ email: String = "owner-\(NewID.make())@example.com", org name: String = "Studio"
    ) async throws -> (token: String, orgId: String) {
        let user = try await createUser(email)
        let now = clock.now()
        let (org, _) = try await services.organizations.create(
            Organization(id: NewID.make(), name: name, timezone: "Europe/Berlin", createdAt: now, updatedAt: now), ownerUserId: user.id)
        return (try await login(email), org.id)
    }

    /// A new user with `role` in the org, as an accepted invitation leaves them (the invitation flow
    /// itself is tested in InvitationTests), logged in: returns (token, membershipId).
    func member(
        _ orgId: String, ownerToken: String, role: String, email: String = "m-\(NewID.make())@example.com"
    ) async throws -> (token: String, membershipId: String) {
        let (summary, _) = try await services.organizations.addMember(
            orgId: orgId, email: email, role: Role(rawValue: role) ?? .member,
            now: clock.now()
        ) {
            ("Person \(role)", services.passwords.hashNow("correct-horse"))
        }
        return (try await login(email), summary.membership.id)
    }
}
