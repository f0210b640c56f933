import AsyncHTTPClient
import HTTPTypes
import NIOCore
import NIOHTTP1

/// One worker's HTTP client: a single keep-alive HTTP/1.1 connection to one server (AsyncHTTPClient,
/// as the product uses), no redirects followed, each response read whole.
struct BenchClient: Sendable {
    struct Response: Sendable {
        let status: HTTPResponse.Status
        let body: ByteBuffer?
    }

    private let http: HTTPClient
    private let base: String

    /// A client for `host:port` for the duration of `body`; `timeout` bounds each wait for the server's next bytes.
    static func withClient<Value: Sendable>(
        host: String, port: Int, timeout: Duration = .seconds(15),
        _ body: (BenchClient) async throws -> Value
    ) async throws -> Value {
        var configuration = HTTPClient.Configuration()
        configuration.httpVersion = .http1Only
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.timeout = .init(
            connect: .seconds(10),
            read: .nanoseconds(
                Int64(timeout.components.seconds) * 1_000_000_000
                    + timeout.components.attoseconds / 1_000_000_000))
        configuration.connectionPool = .init(idleTimeout: .seconds(600), concurrentHTTP1ConnectionsPerHostSoftLimit: 1)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let client = BenchClient(http: http, base: "http://\(host):\(port)")
        do {
            let value = try await body(client)
            try? await http.shutdown()
            return value
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    func get(_ path: String, headers: HTTPFields = [:]) async throws -> Response {
        try await execute(.GET, path, headers: headers, body: nil)
    }

    func post(_ path: String, headers: HTTPFields = [:], body: ByteBuffer) async throws -> Response {
        try await execute(.POST, path, headers: headers, body: body)
    }

    private func execute(_ method: HTTPMethod, _ path: String, headers: HTTPFields, body: ByteBuffer?) async throws -> Response {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        // The client frames the body itself (Content-Length from the bytes given).
        for field in headers where field.name != .contentLength {
            request.headers.add(name: field.name.rawName, value: field.value)
        }
        if let body { request.body = .bytes(body) }
        let response = try await http.execute(request, deadline: .distantFuture)
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Response(status: HTTPResponse.Status(code: Int(response.status.code)), body: bytes.readableBytes == 0 ? nil : bytes)
    }
}
