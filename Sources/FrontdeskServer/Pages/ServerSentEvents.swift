import Foundation
import FrontdeskCore
import Hummingbird
import NIOCore
import ServiceLifecycle

/// `text/event-stream` responses fed by the check-in event bus: screens and tablets hear check-ins as
/// they happen and refetch what they show. A comment line every 15 s keeps proxies from closing an
/// idle stream; each stream ends after 30 minutes (the browser reconnects at once), so nothing
/// lives forever, and at shutdown.
struct ServerSentEvents {
    static let heartbeat: Duration = .seconds(15)
    static let maximumLifetime: Duration = .seconds(1800)

    /// The events of `organizationId` as a stream response.
    static func response(bus: CheckinEventBus, organizationId: String) -> Response {
        let events = bus.subscribe()
        var headers: HTTPFields = [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"]
        headers[.init("X-Accel-Buffering")!] = "no"
        headers[.init("Referrer-Policy")!] = "no-referrer"
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: "retry: 2000\n: connected\n\n"))
            let (messages, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(64))
            let forward = Task {
                for await event in events where event.organizationId == organizationId {
                    continuation.yield(Self.message(event))
                }
                continuation.finish()
            }
            let beat = Task {
                let started = ContinuousClock.now
                while !Task.isCancelled {
                    try? await Task.sleep(for: heartbeat)
                    if Task.isCancelled || ContinuousClock.now - started > maximumLifetime { break }
                    continuation.yield(": keep-alive\n\n")
                }
                continuation.finish()
            }
            defer {
                forward.cancel()
                beat.cancel()
            }
            try await withGracefulShutdownHandler {
                for await message in messages {
                    try await writer.write(ByteBuffer(string: message))
                }
            } onGracefulShutdown: {
                continuation.finish()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    struct Payload: Encodable {
        let sessionId: String
        let bookingId: String
        let kind: String
    }

    static func message(_ event: CheckinEvent) -> String {
        let payload = Payload(sessionId: event.sessionId, bookingId: event.bookingId, kind: event.kind.rawValue)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = (try? encoder.encode(payload)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return "event: checkin\ndata: \(json)\n\n"
    }
}
