import Foundation
@testable import FrontdeskServer
import Testing

@Suite("The per-request floor: /healthz and the request log")
struct HealthzPathTests {
    @Test("/healthz answers the prebuilt JSON with every header the stack adds, and is counted")
    func healthz() async throws {
        try await TestApp.run { app in
            let before = Self.requests2xx()
            let reply = try await app.request(.get, "/healthz")
            #expect(reply.status == 200)
            #expect(reply.text == #"{"status":"ok"}"#)
            #expect(reply.headers[.contentType] == "application/json; charset=utf-8")
            #expect(reply.headers[.xContentTypeOptions] == "nosniff")
            #expect(reply.headers[RequestLogMiddleware.referrerPolicy] == "same-origin")
            #expect(reply.headers[RequestLogMiddleware.requestIdHeader]?.isEmpty == false)
            let given = try await app.request(.get, "/healthz", headers: [RequestLogMiddleware.requestIdHeader: "probe-1"])
            #expect(given.headers[RequestLogMiddleware.requestIdHeader] == "probe-1")
            // Other tests count too (one registry per process): at least these two.
            #expect(Self.requests2xx() >= before + 2)
        }
    }

    /// `frontdesk_http_requests_total{status="2xx"}` as the registry shows it now.
    static func requests2xx() -> Int {
        var buffer: [UInt8] = []
        FrontdeskMetrics.registry.emit(into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        let line = text.split(separator: "\n").first { $0.hasPrefix(#"frontdesk_http_requests_total{status="2xx"}"#) }
        return line.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) } ?? 0
    }

    @Test(
        "request durations are logged in milliseconds with one decimal, rounded half up",
        arguments: [
            (Duration.zero, "0.0"), (.nanoseconds(49_999), "0.0"), (.nanoseconds(50_000), "0.1"), (.microseconds(1_250), "1.3"),
            (.nanoseconds(1_249_999), "1.2"), (.microseconds(59_950), "60.0"), (.seconds(2) + .microseconds(960), "2001.0"),
        ])
    func milliseconds(elapsed: Duration, text: String) {
        #expect(RequestLogMiddleware.milliseconds(elapsed) == text)
    }
}
