import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// One worker's HTTP client: a single keep-alive HTTP/1.1 connection to one server, one request at a
/// time, no redirects followed, each response read whole. Straight on SwiftNIO's HTTP/1.1 codec (the
/// parser the server uses), like `wrk`, not through AsyncHTTPClient: the load generator shares the
/// box with the server and its database, and AsyncHTTPClient's pool and request machinery cost about
/// three times the CPU per request (docs/benchmarks.md, session 2026-12-01 (18)). A connection the
/// server closes, or a request that fails, is replaced by a new one on the next request.
struct BenchClient: Sendable {
    struct Response: Sendable {
        let status: HTTPResponse.Status
        let body: ByteBuffer?
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let connection: Connection

    /// A client for `host:port` for the duration of `body`; `timeout` bounds each request's answer.
    static func withClient<Value: Sendable>(
        host: String, port: Int, timeout: Duration = .seconds(15),
        _ body: (BenchClient) async throws -> Value
    ) async throws -> Value {
        let connection = Connection(host: host, port: port, timeout: timeout)
        do {
            let value = try await body(BenchClient(connection: connection))
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }

    func get(_ path: String, headers: HTTPFields = [:]) async throws -> Response {
        try await connection.execute(.GET, path, headers: headers, body: nil)
    }

    func post(_ path: String, headers: HTTPFields = [:], body: ByteBuffer) async throws -> Response {
        try await connection.execute(.POST, path, headers: headers, body: body)
    }

    /// The connection, opened on first use and again after the server or a failure closed it.
    final class Connection: Sendable {
        let host: String
        let port: Int
        let timeout: Duration
        private let channel = NIOLockedValueBox<(any Channel)?>(nil)

        init(host: String, port: Int, timeout: Duration) {
            self.host = host
            self.port = port
            self.timeout = timeout
        }

        func execute(_ method: HTTPMethod, _ path: String, headers: HTTPFields, body: ByteBuffer?) async throws -> Response {
            let channel = try await open()
            var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
            head.headers.add(name: "Host", value: "\(host):\(port)")
            for field in headers where field.name != .contentLength && field.name.canonicalName != "host" {
                head.headers.add(name: field.name.rawName, value: field.value)
            }
            if method == .POST || body != nil {
                head.headers.add(name: "Content-Length", value: String(body?.readableBytes ?? 0))
            }
            let request = head
            let promise = channel.eventLoop.makePromise(of: Response.self)
            let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
            channel.eventLoop.execute {
                do {
                    try channel.pipeline.syncOperations.handler(type: ResponseReader.self).expect(promise)
                } catch {
                    promise.fail(error)
                    return
                }
                let deadline = channel.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
                    promise.fail(Failure(description: "no answer within \(self.timeout)"))
                    channel.close(promise: nil)
                }
                promise.futureResult.whenComplete { _ in deadline.cancel() }
                channel.write(HTTPClientRequestPart.head(request), promise: nil)
                if let body, body.readableBytes > 0 { channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil) }
                channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { promise.fail($0) }
            }
            do {
                return try await promise.futureResult.get()
            } catch {
                forget(channel)
                throw error
            }
        }

        func close() async {
            guard
                let channel = channel.withLockedValue({ current in
                    defer { current = nil }
                    return current
                })
            else { return }
            try? await channel.close()
        }

        private func forget(_ failed: any Channel) {
            channel.withLockedValue { current in if current === failed { current = nil } }
            failed.close(promise: nil)
        }

        private func open() async throws -> any Channel {
            if let current = channel.withLockedValue({ $0 }), current.isActive { return current }
            let opened = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(10))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(ResponseReader())
                    }
                }
                .connect(host: host, port: port).get()
            channel.withLockedValue { $0 = opened }
            return opened
        }
    }

    /// Gathers one response at a time and answers the request waiting for it; a connection that ends
    /// or fails answers it with an error. Used only on its channel's event loop.
    private final class ResponseReader: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPClientResponsePart

        private var waiting: EventLoopPromise<Response>?
        private var status: HTTPResponse.Status = .ok
        private var body: ByteBuffer?
        private var keepAlive = true

        func expect(_ promise: EventLoopPromise<Response>) throws {
            guard waiting == nil else { throw Failure(description: "a request is already waiting on this connection") }
            waiting = promise
            body = nil
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                status = HTTPResponse.Status(code: Int(head.status.code))
                keepAlive = head.isKeepAlive
            case .body(var bytes):
                if body == nil { body = bytes } else { body!.writeBuffer(&bytes) }
            case .end:
                let promise = waiting
                waiting = nil
                promise?.succeed(Response(status: status, body: body.flatMap { $0.readableBytes == 0 ? nil : $0 }))
                if !keepAlive { context.close(promise: nil) }
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            fail(Failure(description: "the server closed the connection"))
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            fail(error)
            context.close(promise: nil)
        }

        private func fail(_ error: any Error) {
            let promise = waiting
            waiting = nil
            promise?.fail(error)
        }
    }
}
