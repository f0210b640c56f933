import Foundation
import Testing

@testable import FrontdeskServer

/// Settings of the aiosmtpd servers started by run-tests.sh.
enum TestServer {
    static let env = ProcessInfo.processInfo.environment
    static let plainPort = env["FRONTDESK_TEST_SMTP_PORT"].flatMap(Int.init)
    static let startTLSPort = env["FRONTDESK_TEST_SMTP_TLS_PORT"].flatMap(Int.init)
    static let implicitTLSPort = env["FRONTDESK_TEST_SMTP_IMPLICIT_TLS_PORT"].flatMap(Int.init)
    static let directory = env["FRONTDESK_TEST_SMTP_DIR"]
    static let caFile = env["FRONTDESK_TEST_SMTP_CA"]
    static let user = env["FRONTDESK_TEST_SMTP_USER"] ?? "frontdesk"
    static let password = env["FRONTDESK_TEST_SMTP_PASSWORD"] ?? "s3cret-pass"
    static let rejectPermanent = env["FRONTDESK_TEST_SMTP_REJECT_PERMANENT"] ?? "gone@example.com"
    static let rejectTransient = env["FRONTDESK_TEST_SMTP_REJECT_TRANSIENT"] ?? "busy@example.com"

    static let plainAvailable = plainPort != nil && directory != nil
    static let tlsAvailable = startTLSPort != nil && directory != nil && caFile != nil
    static let implicitTLSAvailable = implicitTLSPort != nil && directory != nil && caFile != nil
    static let skipReason: Comment =
        "SMTP integration test skipped: FRONTDESK_TEST_SMTP_PORT/_TLS_PORT/_IMPLICIT_TLS_PORT, _DIR and _CA are unset (run ./run-tests.sh)"

    static func config(port: Int?, security: SMTPConfiguration.Security, host: String = "127.0.0.1") -> SMTPConfiguration {
        let secure = security != .none
        return SMTPConfiguration(
            host: host, port: port!, security: security,
            username: secure ? user : nil, password: secure ? password : nil,
            heloName: "frontdesk.test", trustedCAFile: secure ? caFile : nil, timeoutSeconds: 10)
    }
}

/// One message as stored by smtp_server.py (parsed by Python's email package).
struct ReceivedMail: Decodable {
    var mail_from: String
    var rcpt_tos: [String]
    var authenticated: Bool
    var tls: Bool
    var raw: String
    var subject: String?
    var from: String?
    var to: String?
    var message_id: String?
    var content_type: String
    var text: String?
    var html: String?
    var defects: [String]

    /// The stored message with `messageID` (written before the server's 250, so no polling needed).
    static func find(_ messageID: String) throws -> ReceivedMail? {
        let dir = URL(fileURLWithPath: TestServer.directory!)
        for file in try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
        where file.pathExtension == "json" {
            let mail = try JSONDecoder().decode(ReceivedMail.self, from: Data(contentsOf: file))
            if mail.message_id == "<\(messageID)>" { return mail }
        }
        return nil
    }
}

/// Body text as parsed by Python, with CRLF turned to LF and the final newline dropped.
func normalized(_ text: String?) -> String? {
    text.map { $0.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n$", with: "", options: .regularExpression) }
}

func uniqueID() -> String { "\(UUID().uuidString.lowercased())@frontdesk.test" }

@Suite struct SMTPIntegrationTests {
    let message = MailMessage(
        fromAddress: "studio@frontdesk.example", fromName: "Zoë's Yoga Studio", to: "member@example.com",
        subject: "Grüße — Yoga: your booking for Tuesday morning flow is confirmed (see you on the mat!)",
        textBody: "Hallo Zoë,\n\nyour class starts at 07:30.\n" + String(repeating: "A long line of text. ", count: 30) + "\nNamaste\n",
        htmlBody: "<p>Hallo <b>Zoë</b>,</p>\n<p>your class starts at 07:30.</p>")

    @Test(.enabled(if: TestServer.plainAvailable, TestServer.skipReason))
    func plainSendArrives() async throws {
        let id = uniqueID()
        try await SMTPClient(configuration: TestServer.config(port: TestServer.plainPort, security: .none))
            .send(message, messageID: id)
        let mail = try #require(try ReceivedMail.find(id))
        #expect(mail.mail_from == "studio@frontdesk.example")
        #expect(mail.rcpt_tos == ["member@example.com"])
        #expect(mail.subject == message.subject)
        #expect(mail.from == "Zoë's Yoga Studio <studio@frontdesk.example>")
        #expect(mail.to == "member@example.com")
        #expect(mail.content_type == "multipart/alternative")
        #expect(normalized(mail.text) == normalized(message.textBody))
        #expect(normalized(mail.html) == normalized(message.htmlBody))
        #expect(mail.defects.isEmpty)
        #expect(!mail.tls && !mail.authenticated)
        #expect(mail.raw.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
    }

    @Test(.enabled(if: TestServer.plainAvailable, TestServer.skipReason))
    func dotLinesArriveIntact() async throws {
        var message = self.message
        message.htmlBody = nil
        message.textBody = ".hidden line\n.\n..two dots\nend\n."
        let id = uniqueID()
        try await SMTPClient(configuration: TestServer.config(port: TestServer.plainPort, security: .none))
            .send(message, messageID: id)
        let mail = try #require(try ReceivedMail.find(id))
        #expect(mail.content_type == "text/plain")
        #expect(normalized(mail.text) == message.textBody)
    }

    @Test(.enabled(if: TestServer.plainAvailable, TestServer.skipReason))
    func permanentRecipientRejection() async throws {
        var message = self.message
        message.to = TestServer.rejectPermanent
        let error = await smtpError {
            try await SMTPClient(configuration: TestServer.config(port: TestServer.plainPort, security: .none)).send(message)
        }
        guard case .rejected(let code, let text) = error else {
            Issue.record("expected .rejected, got \(String(describing: error))")
            return
        }
        #expect(code == 550)
        #expect(text.contains("5.1.1"))
        #expect(error?.isPermanent == true)
    }

    @Test(.enabled(if: TestServer.plainAvailable, TestServer.skipReason))
    func transientRecipientRejection() async throws {
        var message = self.message
        message.to = TestServer.rejectTransient
        let error = await smtpError {
            try await SMTPClient(configuration: TestServer.config(port: TestServer.plainPort, security: .none)).send(message)
        }
        guard case .rejected(451, _) = error else {
            Issue.record("expected .rejected(451), got \(String(describing: error))")
            return
        }
        #expect(error?.isPermanent == false)
    }

    @Test(.enabled(if: TestServer.plainAvailable, TestServer.skipReason))
    func startTLSNotOfferedByPlainServer() async throws {
        var config = TestServer.config(port: TestServer.plainPort, security: .startTLS)
        config.trustedCAFile = nil
        let error = await smtpError { try await SMTPClient(configuration: config).send(message) }
        #expect(error == .unsupported("server does not offer STARTTLS"))
    }

    @Test(
        .enabled(if: TestServer.tlsAvailable, TestServer.skipReason),
        arguments: [
            (SMTPConfiguration.AuthMechanism?.none, "127.0.0.1"), (.plain, "localhost"), (.login, "127.0.0.1"),
        ])
    func startTLSWithAuthArrives(mechanism: SMTPConfiguration.AuthMechanism?, host: String) async throws {
        var config = TestServer.config(port: TestServer.startTLSPort, security: .startTLS, host: host)
        config.authMechanism = mechanism
        let id = uniqueID()
        try await SMTPClient(configuration: config).send(message, messageID: id)
        let mail = try #require(try ReceivedMail.find(id))
        #expect(mail.tls && mail.authenticated)
        #expect(mail.rcpt_tos == ["member@example.com"])
        #expect(mail.subject == message.subject)
        #expect(normalized(mail.text) == normalized(message.textBody))
    }

    @Test(.enabled(if: TestServer.implicitTLSAvailable, TestServer.skipReason))
    func implicitTLSWithAuthArrives() async throws {
        let id = uniqueID()
        try await SMTPClient(configuration: TestServer.config(port: TestServer.implicitTLSPort, security: .tls, host: "localhost"))
            .send(message, messageID: id)
        let mail = try #require(try ReceivedMail.find(id))
        #expect(mail.tls && mail.authenticated)
        #expect(normalized(mail.html) == normalized(message.htmlBody))
    }

    @Test(.enabled(if: TestServer.tlsAvailable, TestServer.skipReason), arguments: [SMTPConfiguration.AuthMechanism.plain, .login])
    func wrongPasswordIsPermanent(mechanism: SMTPConfiguration.AuthMechanism) async throws {
        var config = TestServer.config(port: TestServer.startTLSPort, security: .startTLS)
        config.password = "wrong"
        config.authMechanism = mechanism
        let error = await smtpError { try await SMTPClient(configuration: config).send(message) }
        guard case .rejected(535, _) = error else {
            Issue.record("expected .rejected(535), got \(String(describing: error))")
            return
        }
        #expect(error?.isPermanent == true)
    }

    @Test(.enabled(if: TestServer.tlsAvailable, TestServer.skipReason))
    func untrustedCertificateFails() async throws {
        var config = TestServer.config(port: TestServer.startTLSPort, security: .startTLS)
        config.trustedCAFile = nil  // system roots only: the test CA is unknown
        let error = await smtpError { try await SMTPClient(configuration: config).send(message) }
        guard case .connection(let why) = error else {
            Issue.record("expected .connection, got \(String(describing: error))")
            return
        }
        // The handshake fails on the unknown CA; under load the reason may read as the closed connection.
        #expect(!why.isEmpty)
    }
}
