import Foundation
import FrontdeskCore
import FrontdeskStore
import Synchronization
@testable import FrontdeskServer

/// A mail transport that keeps what it was given, and can be told to fail.
final class RecordingMail: MailTransport, Sendable {
    struct Sent: Sendable {
        let message: MailMessage
        let messageID: String
    }
    private let state = Mutex<(sent: [Sent], failure: (any Error & Sendable)?)>(([], nil))

    var sent: [Sent] { state.withLock { $0.sent } }
    func fail(with error: (any Error & Sendable)?) { state.withLock { $0.failure = error } }

    func send(_ message: MailMessage, messageID: String) async throws {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            state.sent.append(Sent(message: message, messageID: messageID))
        }
    }
}

/// A push transport that keeps what it was given and answers with scripted outcomes per token.
final class RecordingPush: PushTransport, Sendable {
    private let state = Mutex<(sent: [PushMessage], outcomes: [String: PushOutcome])>(([], [:]))

    var sent: [PushMessage] { state.withLock { $0.sent } }
    func answer(_ outcome: PushOutcome, for token: String) { state.withLock { $0.outcomes[token] = outcome } }

    func send(_ messages: [PushMessage]) async throws -> [PushOutcome] {
        state.withLock { state in
            state.sent += messages
            return messages.map { state.outcomes[$0.to] ?? .delivered }
        }
    }
}

/// A transient failure, as a network error would be.
struct Flaky: Error, CustomStringConvertible {
    var description: String { "connection reset" }
}

extension NotificationContext {
    /// A class notification's context with every field set, names that need escaping in HTML.
    static func sample() -> NotificationContext {
        NotificationContext(
            recipientEmail: "ana@example.com", recipientName: "Ana Lopez", organizationName: "Loft & Garden", timezone: "Europe/Berlin",
            sessionId: NewID.make(), className: "Yin & Restore", startsAt: Date(timeIntervalSince1970: 1_795_000_000),
            endsAt: Date(timeIntervalSince1970: 1_795_003_600), locationName: "Garden <Room>", locationAddress: "Oranienstraße 25",
            waitlistPosition: 3, cancelReason: "Coach ill")
    }
}

extension TestApp {
    /// A worker over this app's database with recording transports.
    func worker(mail: RecordingMail = RecordingMail(), push: RecordingPush = RecordingPush()) -> OutboxWorker {
        OutboxWorker(services: services, mail: mail, push: push, signal: OutboxSignal())
    }

    /// Outbox rows by status for one template (all templates when nil).
    func outboxCount(status: String, template: String? = nil) async throws -> Int {
        let filter = template.map { " AND template = '\($0)'" } ?? ""
        return try await count("SELECT COUNT(*) AS n FROM notification_outbox WHERE status = '\(status)'\(filter)")
    }

    /// Registers a push device for the member behind `token`.
    @discardableResult
    func registerDevice(token: String, device: String = "ExponentPushToken[\(NewID.make().prefix(12))]") async throws -> String {
        let reply = try await request(.post, "/api/me/push-tokens", token: token, body: ["token": device, "platform": "ios"])
        precondition(reply.status == 201, reply.text)
        return device
    }
}

extension OutboxItem {
    /// A message of `template` on `channel` to some user, with no payload, as the renderer takes it.
    static func sample(_ template: String, channel: String = "email", at now: Date) -> OutboxItem {
        OutboxItem(
            id: NewID.make(), organizationId: nil, userId: NewID.make(), channel: channel, template: template, payload: [:],
            dedupeKey: template + channel, attempts: 1, createdAt: now)
    }
}
