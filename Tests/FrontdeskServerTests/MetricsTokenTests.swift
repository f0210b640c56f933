import Foundation
import FrontdeskCore
import FrontdeskServer
import HTTPTypes
import Testing

@Suite("Metrics token")
struct MetricsTokenTests {
    static let token = "metrics-token-0123456789abcdef"

    @Test("with metricsToken set, /metrics needs exactly that bearer token; anything else is 401 with the error body")
    func guarded() async throws {
        try await TestApp.run(configure: { $0.metricsToken = Self.token }) { app in
            let missing = try await app.request(.get, "/metrics")
            #expect(missing.status == 401)
            #expect(missing.errorCode == "unauthorized", "\(missing.text)")
            #expect(missing.errorMessage?.contains("metrics") == true)
            #expect(!missing.text.contains("frontdesk_http_requests_total"))
            for wrong in ["Bearer \(Self.token)x", "Bearer \(Self.token.dropLast())", "Basic \(Self.token)", "Bearer ", Self.token] {
                let reply = try await app.request(.get, "/metrics", headers: [.authorization: wrong])
                #expect(reply.status == 401, "\(wrong)")
                #expect(reply.errorCode == "unauthorized")
            }
            let ok = try await app.request(.get, "/metrics", headers: [.authorization: "Bearer \(Self.token)"])
            #expect(ok.status == 200)
            #expect(ok.text.contains("frontdesk_http_requests_total"))
            // The other ops routes stay open.
            #expect(try await app.request(.get, "/healthz").status == 200)
        }
    }

    @Test("without metricsToken, /metrics stays open")
    func unguarded() async throws {
        try await TestApp.run { app in
            let reply = try await app.request(.get, "/metrics")
            #expect(reply.status == 200)
        }
    }

    @Test("a short metrics token is refused; FRONTDESK_METRICS_TOKEN sets it")
    func configuration() throws {
        var short = ServerConfiguration()
        short.metricsToken = "short"
        #expect(throws: ConfigurationError.self) { try short.validated() }
        let fromEnv = try ServerConfiguration().applying(environment: ["FRONTDESK_METRICS_TOKEN": Self.token]).validated()
        #expect(fromEnv.metricsToken == Self.token)
    }
}
