import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// Where e-mail goes.
protocol MailTransport: Sendable {
    /// Sends one message; `SMTPError.rejected` with `isPermanent` means retrying cannot help.
    func send(_ message: MailMessage, messageID: String) async throws
}

/// The embedded default: writes what would be sent to the log.
struct LogMailTransport: MailTransport {
    let logger: Logger

    func send(_ message: MailMessage, messageID: String) async throws {
        logger.info(
            "e-mail (log transport)",
            metadata: [
                "to": .string(message.to), "subject": .string(message.subject), "message-id": .string(messageID),
            ])
    }
}

/// E-mail over SMTP (`SMTPClient`), one connection per message.
struct SMTPMailTransport: MailTransport {
    let client: SMTPClient

    func send(_ message: MailMessage, messageID: String) async throws {
        try await client.send(message, messageID: messageID)
    }
}

/// One push message to one device.
struct PushMessage: Sendable, Equatable {
    let to: String
    let title: String
    let body: String
    let data: [String: String]
}

/// What the push service said about one message.
enum PushOutcome: Sendable, Equatable {
    case delivered
    /// The device is gone (Expo `DeviceNotRegistered`): forget its token.
    case unregistered
    case failed(String)
}

/// Where push notifications go.
protocol PushTransport: Sendable {
    /// One outcome per message, in order; throws when the service could not be asked at all.
    func send(_ messages: [PushMessage]) async throws -> [PushOutcome]
}

struct LogPushTransport: PushTransport {
    let logger: Logger

    func send(_ messages: [PushMessage]) async throws -> [PushOutcome] {
        for message in messages {
            logger.info("push (log transport)", metadata: ["to": .string(message.to), "title": .string(message.title)])
        }
        return messages.map { _ in .delivered }
    }
}

/// A push service answer that no retry can fix (bad request, bad credentials).
struct PushRejected: Error, CustomStringConvertible {
    let description: String
}

/// Expo's push API (`POST /--/api/v2/push/send`, up to 100 messages per request): one ticket per
/// message, `{"status":"ok"}` or `{"status":"error","details":{"error":"DeviceNotRegistered"}}`.
struct ExpoPushTransport: PushTransport {
    let url: String
    let accessToken: String?
    let client: HTTPClient

    struct Ticket: Decodable {
        struct Details: Decodable { let error: String? }
        let status: String
        let message: String?
        let details: Details?
    }

    struct Answer: Decodable {
        let data: [Ticket]?
        struct Problem: Decodable {
            let code: String?
            let message: String?
        }
        let errors: [Problem]?
    }

    struct Body: Encodable {
        let to: String
        let title: String
        let body: String
        let data: [String: String]
        let sound = "default"
    }

    func send(_ messages: [PushMessage]) async throws -> [PushOutcome] {
        var outcomes: [PushOutcome] = []
        for start in stride(from: 0, to: messages.count, by: 100) {
            outcomes += try await sendBatch(Array(messages[start..<min(start + 100, messages.count)]))
        }
        return outcomes
    }

    private func sendBatch(_ messages: [PushMessage]) async throws -> [PushOutcome] {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        if let accessToken { request.headers.add(name: "Authorization", value: "Bearer \(accessToken)") }
        let body = try JSONEncoder().encode(messages.map { Body(to: $0.to, title: $0.title, body: $0.body, data: $0.data) })
        request.body = .bytes(ByteBuffer(data: body))
        let response = try await client.execute(request, timeout: .seconds(15))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let status = Int(response.status.code)
        if status == 429 || status >= 500 {
            throw PushUnavailable(description: "push service answered \(status)")
        }
        guard (200..<300).contains(status), let answer = try? JSONDecoder().decode(Answer.self, from: Data(buffer: bytes)) else {
            throw PushRejected(description: "push service answered \(status): \(String(buffer: bytes).prefix(300))")
        }
        guard let tickets = answer.data, tickets.count == messages.count else {
            let problem = answer.errors?.first.map { "\($0.code ?? "error"): \($0.message ?? "")" } ?? "no tickets"
            throw PushRejected(description: "push service refused the request: \(problem)")
        }
        return tickets.map { ticket in
            if ticket.status == "ok" { return .delivered }
            if ticket.details?.error == "DeviceNotRegistered" { return .unregistered }
            return .failed([ticket.details?.error, ticket.message].compactMap { $0 }.joined(separator: ": "))
        }
    }
}

/// The push service could not be reached or is overloaded: retry later.
struct PushUnavailable: Error, CustomStringConvertible {
    let description: String
}
