import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import FrontdeskServer

/// The request-head deadline on a channel whose clock the test moves (`EmbeddedEventLoop`): the live
/// socket's behaviour is `ConnectionTimeoutTests`; here each edge to the nanosecond.
@Suite("Request head deadline")
struct RequestHeadTimeoutHandlerTests {
    static let timeout = TimeAmount.seconds(4)

    /// A connected channel with the handler, its clock at zero.
    static func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(RequestHeadTimeoutHandler(timeout: timeout))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        return channel
    }

    static func head(_ channel: EmbeddedChannel) throws {
        try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/healthz")))
        _ = try channel.readInbound(as: HTTPRequestPart.self)
    }

    static func respond(_ channel: EmbeddedChannel) throws {
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        while try channel.readOutbound(as: HTTPResponsePart.self) != nil {}
    }

    /// Open for `span` less a nanosecond from now, closed at `span`.
    static func closes(_ channel: EmbeddedChannel, after span: TimeAmount, sourceLocation: SourceLocation = #_sourceLocation) {
        channel.embeddedEventLoop.advanceTime(by: span - .nanoseconds(1))
        #expect(channel.isActive, "closed early", sourceLocation: sourceLocation)
        channel.embeddedEventLoop.advanceTime(by: .nanoseconds(1))
        #expect(!channel.isActive, "still open at the deadline", sourceLocation: sourceLocation)
    }

    @Test("no head: open a nanosecond before the timeout, closed at it")
    func noHead() throws {
        Self.closes(try Self.channel(), after: Self.timeout)
    }

    @Test("a head clears the deadline while its response runs; its end starts a new one, measured from then")
    func headThenResponse() throws {
        let channel = try Self.channel()
        channel.embeddedEventLoop.advanceTime(by: Self.timeout - .nanoseconds(1))
        try Self.head(channel)
        // The first timer fires with no deadline set, long past it: nothing closes.
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(channel.isActive)
        try Self.respond(channel)
        Self.closes(channel, after: Self.timeout)
    }

    @Test("requests in quick succession: the running timer finds the latest deadline and waits for it")
    func deadlineMovesLater() throws {
        let channel = try Self.channel()
        // A request answered at 1 s and another at 3 s: the timer armed at 0 s fires at 4 s, finds the
        // deadline of 3 s + 4 s, and waits.
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        try Self.head(channel)
        try Self.respond(channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        try Self.head(channel)
        try Self.respond(channel)
        Self.closes(channel, after: .seconds(4))  // at 7 s
    }

    @Test("two pipelined requests: no deadline until both responses have ended")
    func pipelined() throws {
        let channel = try Self.channel()
        try Self.head(channel)
        try Self.head(channel)
        try Self.respond(channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(channel.isActive)
        try Self.respond(channel)
        channel.embeddedEventLoop.advanceTime(by: Self.timeout)
        #expect(!channel.isActive)
    }
}
