import Foundation
import NIOCore
import NIOPosix
import NIOSSL

public struct SMTPConfiguration: Sendable, Equatable {
    public enum Security: String, Sendable, Codable, CaseIterable {
        case none
        case startTLS = "starttls"
        /// Implicit TLS from the first byte (SMTPS, usually port 465).
        case tls
    }

    public enum AuthMechanism: String, Sendable, Codable {
        case plain = "PLAIN"
        case login = "LOGIN"
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// The name sent with EHLO.
    public var heloName: String
    /// PEM file of extra trusted root certificates (added to the system roots).
    public var trustedCAFile: String?
    /// Limit for connecting and for each reply.
    public var timeoutSeconds: Int
    /// AUTH mechanism to use; nil picks PLAIN, else LOGIN, among those offered.
    public var authMechanism: AuthMechanism?

    /// `port` defaults by `security`: 25 (none), 587 (starttls), 465 (tls).
    public init(
        host: String,
        port: Int? = nil,
        security: Security = .startTLS,
        username: String? = nil,
        password: String? = nil,
        heloName: String = "localhost",
        trustedCAFile: String? = nil,
        timeoutSeconds: Int = 30,
        authMechanism: AuthMechanism? = nil
    ) {
        self.host = host
        switch security {
        case .none: self.port = port ?? 25
        case .startTLS: self.port = port ?? 587
        case .tls: self.port = port ?? 465
        }
        self.security = security
        self.username = username
        self.password = password
        self.heloName = heloName
        self.trustedCAFile = trustedCAFile
        self.timeoutSeconds = timeoutSeconds
        self.authMechanism = authMechanism
    }

    /// Credentials are set when `username` is non-empty.
    var hasCredentials: Bool { !(username ?? "").isEmpty }

    var isLoopbackHost: Bool {
        ["localhost", "127.0.0.1", "::1"].contains(host.lowercased())
    }
}

public enum SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Could not connect, TLS failure, connection closed, or a protocol violation.
    case connection(String)
    /// Connecting or waiting for a reply took longer than `timeoutSeconds`.
    case timeout
    /// The server answered 4xx/5xx (at any step).
    case rejected(code: Int, message: String)
    /// The server lacks something the configuration needs (STARTTLS, a usable
    /// AUTH mechanism), or the configuration is refused (credentials over plain text).
    case unsupported(String)
    /// A message address or configuration value is malformed; nothing was sent.
    case invalidInput(String)

    /// True when retrying cannot help: 5xx rejections and invalid input.
    public var isPermanent: Bool {
        switch self {
        case .rejected(let code, _): return (500..<600).contains(code)
        case .invalidInput: return true
        case .connection, .timeout, .unsupported: return false
        }
    }

    public var description: String {
        switch self {
        case .connection(let why): return "SMTP connection failed: \(why)"
        case .timeout: return "SMTP server did not answer in time"
        case .rejected(let code, let message): return "SMTP server rejected the message: \(code) \(message)"
        case .unsupported(let why): return "SMTP unsupported: \(why)"
        case .invalidInput(let why): return "SMTP invalid input: \(why)"
        }
    }
}

/// Sends mail over SMTP, one connection per message.
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let tlsContext: Result<NIOSSLContext, SMTPError>?

    public init(configuration: SMTPConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        guard configuration.security != .none else {
            tlsContext = nil
            return
        }
        var tls = TLSConfiguration.makeClientConfiguration()  // full verification, system roots
        tls.minimumTLSVersion = .tlsv12
        if let file = configuration.trustedCAFile { tls.additionalTrustRoots = [.file(file)] }
        tlsContext = Result { try NIOSSLContext(configuration: tls) }
            .mapError { .connection("TLS setup failed: \($0)") }
    }

    /// Sends one message on a fresh connection: greeting, EHLO, STARTTLS (+ EHLO)
    /// when configured, AUTH PLAIN or LOGIN when credentials are set, MAIL FROM,
    /// RCPT TO, DATA, QUIT. Credentials are never sent unencrypted except to
    /// localhost / 127.0.0.1 / ::1. Throws `SMTPError`.
    public func send(_ message: MailMessage, date: Date = Date(), messageID: String? = nil) async throws {
        let config = configuration
        try message.validate()
        try Self.check(config)
        let tls = try tlsContext?.get()
        let id = messageID ?? MIME.generateMessageID(fromAddress: message.fromAddress)
        let data = MIME.dotStuffed(MIME.render(message, date: date, messageID: id))

        let timeout = TimeAmount.seconds(Int64(config.timeoutSeconds))
        let connection = try await SMTPConnection.connect(
            host: config.host, port: config.port, timeout: timeout,
            tls: config.security == .tls ? tls : nil, group: eventLoopGroup)
        do {
            try await converse(connection, tls: tls, message: message, data: data)
            await connection.close()
        } catch {
            let error = SMTPError(wrapping: error)
            if case .rejected = error { _ = try? await connection.send("QUIT") }
            await connection.close()
            throw error
        }
    }

    /// Refuses configurations that must not reach the network.
    static func check(_ config: SMTPConfiguration) throws {
        guard !config.host.isEmpty, !config.host.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7F }) else {
            throw SMTPError.invalidInput("invalid host \"\(config.host)\"")
        }
        guard (1...65535).contains(config.port), config.timeoutSeconds > 0 else {
            throw SMTPError.invalidInput("port must be 1...65535 and timeoutSeconds > 0")
        }
        let helo = config.heloName.unicodeScalars
        guard !helo.isEmpty, helo.count <= 255, helo.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw SMTPError.invalidInput("invalid heloName")
        }
        if config.hasCredentials, config.security == .none, !config.isLoopbackHost {
            throw SMTPError.unsupported("refusing to send credentials over an unencrypted connection to \(config.host)")
        }
    }

    private func converse(_ connection: SMTPConnection, tls: NIOSSLContext?, message: MailMessage, data: String) async throws {
        let config = configuration
        try await connection.readReply().expect(220)
        var capabilities = try await hello(connection)
        if config.security == .startTLS {
            guard let tls else { throw SMTPError.connection("TLS is not set up") }
            guard capabilities.keys.contains("STARTTLS") else {
                throw SMTPError.unsupported("server does not offer STARTTLS")
            }
            try await connection.send("STARTTLS").expect(220)
            try await connection.startTLS(context: tls, host: config.host)
            capabilities = try await hello(connection)
        }
        if config.hasCredentials {
            try await authenticate(connection, offered: capabilities["AUTH"] ?? [])
        }
        var mailFrom = "MAIL FROM:<\(message.fromAddress)>"
        if capabilities.keys.contains("SIZE") { mailFrom += " SIZE=\(data.utf8.count)" }
        try await connection.send(mailFrom).expect(250)
        try await connection.send("RCPT TO:<\(message.to)>").expect(250, 251)
        try await connection.send("DATA").expect(354)
        try await connection.sendData(data).expect(250)
        // The message is accepted; a failing QUIT changes nothing.
        _ = try? await connection.send("QUIT")
    }

    /// EHLO (falling back to HELO when EHLO is not understood and nothing beyond
    /// plain SMTP is needed); returns the capabilities: keyword -> parameters.
    private func hello(_ connection: SMTPConnection) async throws -> [String: [String]] {
        let reply = try await connection.send("EHLO \(configuration.heloName)")
        if [500, 502].contains(reply.code), configuration.security == .none, !configuration.hasCredentials {
            try await connection.send("HELO \(configuration.heloName)").expect(250)
            return [:]
        }
        try reply.expect(250)
        var capabilities: [String: [String]] = [:]
        for line in reply.lines.dropFirst() {
            // "AUTH PLAIN LOGIN" or the old "AUTH=PLAIN LOGIN"
            let words = line.uppercased().split(whereSeparator: { $0 == " " || $0 == "=" }).map(String.init)
            guard let keyword = words.first else { continue }
            capabilities[keyword, default: []] += words.dropFirst()
        }
        return capabilities
    }

    private func authenticate(_ connection: SMTPConnection, offered: [String]) async throws {
        let config = configuration
        let username = config.username ?? ""
        let password = config.password ?? ""
        guard !offered.isEmpty else { throw SMTPError.unsupported("server does not offer AUTH") }
        let mechanism: SMTPConfiguration.AuthMechanism
        if let forced = config.authMechanism {
            guard offered.contains(forced.rawValue) else {
                throw SMTPError.unsupported("server does not offer AUTH \(forced.rawValue) (offers \(offered.joined(separator: " ")))")
            }
            mechanism = forced
        } else if offered.contains("PLAIN") {
            mechanism = .plain
        } else if offered.contains("LOGIN") {
            mechanism = .login
        } else {
            throw SMTPError.unsupported("no usable AUTH mechanism (server offers \(offered.joined(separator: " ")))")
        }
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        switch mechanism {
        case .plain:
            let credentials = base64("\0\(username)\0\(password)")
            let reply = try await connection.send("AUTH PLAIN \(credentials)").expect(235, 334)
            if reply.code == 334 { try await connection.send(credentials).expect(235) }
        case .login:
            try await connection.send("AUTH LOGIN").expect(334)
            try await connection.send(base64(username)).expect(334)
            try await connection.send(base64(password)).expect(235)
        }
    }
}
