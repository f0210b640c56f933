import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import FrontdeskServer

/// A loopback server answering each received line from a script (no TLS).
final class ScriptedSMTPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let greeting: String?
    let answer: @Sendable (String) -> String?
    private var buffer = ByteBuffer()

    init(greeting: String?, answer: @escaping @Sendable (String) -> String?) {
        self.greeting = greeting
        self.answer = answer
    }

    func channelActive(context: ChannelHandlerContext) {
        if let greeting { context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: greeting)), promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        while let lf = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let line = buffer.readString(length: lf - buffer.readerIndex)!.trimmingCharacters(in: .newlines)
            buffer.moveReaderIndex(forwardBy: 1)
            if let reply = answer(line) {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: reply)), promise: nil)
            }
        }
    }
}

func withScriptedServer(
    greeting: String? = "220 test ESMTP\r\n",
    answer: @escaping @Sendable (String) -> String? = { _ in nil },
    _ body: (Int) async throws -> Void
) async throws {
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ScriptedSMTPHandler(greeting: greeting, answer: answer))
            }
        }
        .bind(host: "127.0.0.1", port: 0).get()
    do {
        try await body(server.localAddress!.port!)
    } catch {
        try? await server.close()
        throw error
    }
    try await server.close()
}

let sampleMessage = MailMessage(
    fromAddress: "studio@frontdesk.example", fromName: "Frontdesk", to: "member@example.com",
    subject: "Hello", textBody: "Hi!")

/// Runs `body`, requires it to throw an SMTPError and returns it.
func smtpError(_ body: () async throws -> Void) async -> SMTPError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? SMTPError
    }
}

@Suite struct SMTPClientUnitTests {
    @Test func multiLineReplies() throws {
        var parser = SMTPReplyParser()
        #expect(try parser.feed("250-mail.example.com Hello") == nil)
        #expect(try parser.feed("250-AUTH PLAIN LOGIN") == nil)
        #expect(
            try parser.feed("250 SIZE 1000") == SMTPReply(code: 250, lines: ["mail.example.com Hello", "AUTH PLAIN LOGIN", "SIZE 1000"]))
        #expect(try parser.feed("354") == SMTPReply(code: 354, lines: [""]))
        #expect(throws: SMTPError.self) { try parser.feed("hello") }
        #expect(throws: SMTPError.self) { try parser.feed("25 x") }
    }

    @Test func permanence() {
        #expect(SMTPError.rejected(code: 550, message: "no").isPermanent)
        #expect(!SMTPError.rejected(code: 451, message: "later").isPermanent)
        #expect(!SMTPError.timeout.isPermanent)
        #expect(!SMTPError.connection("x").isPermanent)
        #expect(!SMTPError.unsupported("x").isPermanent)
        #expect(SMTPError.invalidInput("x").isPermanent)
        #expect(SMTPConfiguration(host: "h").port == 587)
        #expect(SMTPConfiguration(host: "h", security: .tls).port == 465)
    }

    @Test func credentialsOverPlainTextAreRefusedBeforeConnecting() async {
        let config = SMTPConfiguration(host: "smtp.invalid", port: 25, security: .none, username: "u", password: "p", timeoutSeconds: 30)
        let started = Date()
        let error = await smtpError { try await SMTPClient(configuration: config).send(sampleMessage) }
        guard case .unsupported(let why) = error else {
            Issue.record("expected .unsupported, got \(String(describing: error))")
            return
        }
        #expect(why.contains("unencrypted"))
        // `.unsupported` (not a connection error) shows it stopped before connecting; the bound is the
        // timeout, not a speed (the whole suite starts at once and may stall a test for seconds).
        #expect(Date().timeIntervalSince(started) < 30)
        // Loopback is allowed (it gets as far as connecting, which fails).
        for host in ["localhost", "127.0.0.1"] {
            let local = SMTPConfiguration(host: host, port: 1, security: .none, username: "u", password: "p")
            #expect(throws: Never.self) { try SMTPClient.check(local) }
        }
    }

    @Test(arguments: [
        "member@example.com>\r\nRCPT TO:<evil@example.com", "a b@example.com", "<a@example.com>", "no-at-sign",
        "a@b@example.com", "zoë@example.com", "a@example.com,b@example.com", "", "a@.example.com",
    ])
    func invalidAddressesAreRefused(address: String) async {
        var message = sampleMessage
        message.to = address
        let error = await smtpError {
            try await SMTPClient(configuration: SMTPConfiguration(host: "smtp.invalid", security: .none)).send(message)
        }
        guard case .invalidInput = error else {
            Issue.record("expected .invalidInput for \(address.debugDescription), got \(String(describing: error))")
            return
        }
        #expect(error?.isPermanent == true)
    }

    @Test func connectionRefusedFailsFast() async throws {
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = probe.localAddress!.port!
        try await probe.close()
        // A refused connection is a connection error at once, not a wait for the (long) timeout: the
        // bound is the timeout, not a speed (the whole suite starts at once and may stall a few seconds).
        let timeout = 60
        let started = Date()
        let error = await smtpError {
            try await SMTPClient(configuration: SMTPConfiguration(host: "127.0.0.1", port: port, security: .none, timeoutSeconds: timeout))
                .send(sampleMessage)
        }
        guard case .connection = error else {
            Issue.record("expected .connection, got \(String(describing: error))")
            return
        }
        #expect(Date().timeIntervalSince(started) < Double(timeout))
    }

    @Test func silentServerTimesOut() async throws {
        try await withScriptedServer(greeting: nil) { port in
            let config = SMTPConfiguration(host: "127.0.0.1", port: port, security: .none, timeoutSeconds: 1)
            let started = Date()
            let error = await smtpError { try await SMTPClient(configuration: config).send(sampleMessage) }
            // The 1 s timeout is what ended the wait (a silent server never answers). The bound is a hang
            // guard, not a speed: the whole suite starts at once on two cores, and a test's threads were
            // seen to stall for 27 s there.
            #expect(error == .timeout)
            #expect(Date().timeIntervalSince(started) < 60)
        }
    }

    @Test func startTLSMissingIsUnsupported() async throws {
        try await withScriptedServer(answer: { $0.hasPrefix("EHLO") ? "250-test\r\n250 SIZE 100000\r\n" : "221 bye\r\n" }) { port in
            let config = SMTPConfiguration(host: "127.0.0.1", port: port, security: .startTLS)
            let error = await smtpError { try await SMTPClient(configuration: config).send(sampleMessage) }
            #expect(error == .unsupported("server does not offer STARTTLS"))
        }
    }

    @Test func dataInjectedAfterSTARTTLSIsRefused() async throws {
        try await withScriptedServer(answer: { line in
            switch line {
            case let l where l.hasPrefix("EHLO"): return "250-test\r\n250 STARTTLS\r\n"
            case "STARTTLS": return "220 go ahead\r\n250 injected\r\n"
            default: return nil
            }
        }) { port in
            let config = SMTPConfiguration(host: "127.0.0.1", port: port, security: .startTLS, timeoutSeconds: 5)
            let error = await smtpError { try await SMTPClient(configuration: config).send(sampleMessage) }
            #expect(error == .connection("server sent data before the TLS handshake"))
        }
    }

    @Test func unusableAuthMechanismsAreUnsupported() async throws {
        try await withScriptedServer(answer: { $0.hasPrefix("EHLO") ? "250-test\r\n250 AUTH CRAM-MD5 XOAUTH2\r\n" : "221 bye\r\n" }) {
            port in
            let config = SMTPConfiguration(host: "127.0.0.1", port: port, security: .none, username: "u", password: "p")
            let error = await smtpError { try await SMTPClient(configuration: config).send(sampleMessage) }
            guard case .unsupported(let why) = error else {
                Issue.record("expected .unsupported, got \(String(describing: error))")
                return
            }
            #expect(why.contains("CRAM-MD5"))
        }
    }

    @Test func heloFallbackAndFullDialogue() async throws {
        let received = NIOLockedValueBox<[String]>([])
        try await withScriptedServer(answer: { line in
            received.withLockedValue { $0.append(line) }
            switch line {
            case let l where l.hasPrefix("EHLO"): return "502 not implemented\r\n"
            case let l where l.hasPrefix("HELO"), let l where l.hasPrefix("MAIL"), let l where l.hasPrefix("RCPT"): return "250 ok\r\n"
            case "DATA": return "354 go\r\n"
            case ".": return "250 queued\r\n"
            case "QUIT": return "221 bye\r\n"
            default: return nil
            }
        }) { port in
            let config = SMTPConfiguration(host: "127.0.0.1", port: port, security: .none, heloName: "frontdesk.example")
            try await SMTPClient(configuration: config).send(sampleMessage, messageID: "m1@frontdesk.example")
        }
        let lines = received.withLockedValue { $0 }
        #expect(
            Array(lines.prefix(5)) == [
                "EHLO frontdesk.example", "HELO frontdesk.example", "MAIL FROM:<studio@frontdesk.example>", "RCPT TO:<member@example.com>",
                "DATA",
            ])
        #expect(lines.contains("Message-ID: <m1@frontdesk.example>"))
        #expect(Array(lines.suffix(2)) == [".", "QUIT"])
    }
}
