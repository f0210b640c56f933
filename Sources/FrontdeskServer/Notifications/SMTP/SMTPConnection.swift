import NIOCore
import NIOPosix
import NIOSSL

/// One (possibly multi-line) SMTP reply: `250-first`, `250 last`.
struct SMTPReply: Sendable, Equatable {
    var code: Int
    var lines: [String]

    var message: String { lines.joined(separator: " ") }

    /// Returns the reply when its code is one of `codes`; otherwise throws
    /// `.rejected` for 4xx/5xx and `.connection` for any other unexpected code.
    @discardableResult
    func expect(_ codes: Int...) throws -> SMTPReply {
        if codes.contains(code) { return self }
        if (400..<600).contains(code) { throw SMTPError.rejected(code: code, message: message) }
        throw SMTPError.connection("unexpected reply \(code) \(message)")
    }
}

/// Assembles reply lines (without their CRLF) into replies.
struct SMTPReplyParser {
    static let maxLines = 128
    private var code: Int?
    private var lines: [String] = []

    /// Returns the complete reply when `line` was its last line.
    mutating func feed(_ line: String) throws -> SMTPReply? {
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, bytes[0..<3].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-")
        else { throw SMTPError.connection("malformed reply line from server: \(line.prefix(80))") }
        let code = Int(bytes[0..<3].reduce(0) { $0 * 10 + Int($1 - 0x30) })
        guard self.code == nil || self.code == code else {
            throw SMTPError.connection("inconsistent codes in multi-line reply")
        }
        self.code = code
        lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        guard bytes.count == 3 || bytes[3] == UInt8(ascii: " ") else {
            guard lines.count < Self.maxLines else { throw SMTPError.connection("reply has too many lines") }
            return nil
        }
        defer {
            self.code = nil
            lines = []
        }
        return SMTPReply(code: code, lines: lines)
    }
}

/// What the async side writes into the channel: an optional command and the
/// promise for the reply that answers it (the greeting has no command).
struct SMTPRequest: Sendable {
    var bytes: ByteBuffer?
    var reply: EventLoopPromise<SMTPReply>
}

/// Frames reply lines, pairs replies with requests in order, and fails every
/// pending request on error, close or timeout (one timeout per reply).
final class SMTPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = SMTPRequest
    typealias OutboundOut = ByteBuffer

    static let maxLineLength = 4096
    private let timeout: TimeAmount
    private var buffer = ByteBuffer()
    private var parser = SMTPReplyParser()
    private var pending = CircularBuffer<EventLoopPromise<SMTPReply>>()
    private var replies = CircularBuffer<SMTPReply>()
    private var timer: Scheduled<Void>?
    private var failure: SMTPError?

    init(timeout: TimeAmount) { self.timeout = timeout }

    /// No reply and no partial reply line is buffered: safe to start TLS.
    var isIdle: Bool { buffer.readableBytes == 0 && replies.isEmpty }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.reply.fail(failure)
            promise?.fail(failure)
            return
        }
        pending.append(request.reply)
        if let bytes = request.bytes {
            context.write(wrapOutboundOut(bytes), promise: promise)
        } else {
            promise?.succeed(())
        }
        deliver(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        do {
            while let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                var bytes = buffer.readBytes(length: newline - buffer.readerIndex) ?? []
                buffer.moveReaderIndex(forwardBy: 1)
                if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
                guard bytes.count <= Self.maxLineLength else { throw SMTPError.connection("reply line too long") }
                if let reply = try parser.feed(String(decoding: bytes, as: UTF8.self)) { replies.append(reply) }
            }
            guard buffer.readableBytes <= Self.maxLineLength else { throw SMTPError.connection("reply line too long") }
            guard replies.count <= 16 else { throw SMTPError.connection("unexpected replies from server") }
            buffer.discardReadBytes()
        } catch {
            fail(error, context: context)
            return
        }
        deliver(context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(SMTPError.connection("connection closed by server"), context: context)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(SMTPError.connection("connection closed"), context: context, close: false)
    }

    private func deliver(context: ChannelHandlerContext) {
        while !pending.isEmpty, !replies.isEmpty {
            pending.removeFirst().succeed(replies.removeFirst())
        }
        timer?.cancel()
        timer = nil
        guard !pending.isEmpty else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            self.fail(SMTPError.timeout, context: context)
        }
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext, close: Bool = true) {
        timer?.cancel()
        timer = nil
        let first = failure == nil
        if first { failure = SMTPError(wrapping: error) }
        let failure = self.failure!
        while let promise = pending.popFirst() { promise.fail(failure) }
        if first, close { context.close(promise: nil) }
    }
}

/// A connected SMTP channel, driven with async/await.
struct SMTPConnection: Sendable {
    let channel: any Channel

    static func connect(
        host: String, port: Int, timeout: TimeAmount, tls: NIOSSLContext?, group: any EventLoopGroup
    ) async throws -> SMTPConnection {
        let serverName = sniHostname(host)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    let sync = channel.pipeline.syncOperations
                    if let tls {
                        try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try sync.addHandler(SMTPClientHandler(timeout: timeout))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        do {
            return SMTPConnection(channel: try await bootstrap.connect(host: host, port: port).get())
        } catch ChannelError.connectTimeout {
            throw SMTPError.timeout
        } catch {
            throw SMTPError(wrapping: error, context: "could not connect to \(host):\(port)")
        }
    }

    /// The server name for SNI and certificate checks; nil for IP literals
    /// (NIOSSL then checks the certificate against the peer's IP address).
    static func sniHostname(_ host: String) -> String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }

    /// The next reply without sending anything (the greeting).
    func readReply() async throws -> SMTPReply {
        try await request(nil)
    }

    /// Sends one command line (CRLF is appended) and returns its reply.
    func send(_ command: String) async throws -> SMTPReply {
        try await request(ByteBuffer(string: command + "\r\n"))
    }

    /// Sends raw bytes (the dot-stuffed message) and returns the reply.
    func sendData(_ text: String) async throws -> SMTPReply {
        try await request(ByteBuffer(string: text))
    }

    private func request(_ bytes: ByteBuffer?) async throws -> SMTPReply {
        let reply = channel.eventLoop.makePromise(of: SMTPReply.self)
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { reply.fail(SMTPError(wrapping: $0)) }
        channel.writeAndFlush(SMTPRequest(bytes: bytes, reply: reply), promise: written)
        do {
            return try await reply.futureResult.get()
        } catch {
            throw SMTPError(wrapping: error)
        }
    }

    /// Puts TLS in front of the SMTP handler (after the 220 reply to STARTTLS).
    /// Refuses when the server already sent more data (response injection).
    func startTLS(context: NIOSSLContext, host: String) async throws {
        let channel = self.channel
        let serverName = Self.sniHostname(host)
        do {
            try await channel.eventLoop.submit {
                let sync = channel.pipeline.syncOperations
                guard try sync.handler(type: SMTPClientHandler.self).isIdle else {
                    throw SMTPError.connection("server sent data before the TLS handshake")
                }
                try sync.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName), position: .first)
            }.get()
        } catch {
            throw SMTPError(wrapping: error, context: "STARTTLS failed")
        }
    }

    func close() async {
        try? await channel.close()
    }
}

extension SMTPError {
    /// SMTPErrors pass through; anything else (NIO, TLS) becomes `.connection`.
    init(wrapping error: any Error, context: String? = nil) {
        if let error = error as? SMTPError {
            self = error
            return
        }
        let prefix = context.map { "\($0): " } ?? (error is NIOSSLError ? "TLS error: " : "")
        self = .connection(prefix + String(describing: error))
    }
}
