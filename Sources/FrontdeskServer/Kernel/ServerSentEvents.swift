import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// `text/event-stream` responses fed by the check-in event bus: screens and tablets hear check-ins as
/// they happen and refetch what they show. A comment line every 15 s keeps proxies from closing an
/// idle stream; each stream ends after 30 minutes (the browser reconnects at once), so nothing
/// lives forever, and at shutdown. Each stream holds a `StreamSlot` (per display and per client
/// address caps) until it ends. A display's stream ends, after a last `refresh` event (the page then
/// refetches its state, is refused, and shows why), as soon as its display is rotated or revoked:
/// at once through a `display_changed` event on the bus (from this instance or, on PostgreSQL, any
/// other), and at the latest on the next keep-alive, which re-reads the display (this covers changes
/// that announce nothing, e.g. `frontdesk display rotate` on SQLite).
struct ServerSentEvents {
    static let heartbeat: Duration = .seconds(15)
    static let maximumLifetime: Duration = .seconds(1800)

    /// What a display's stream watches: its display, and a re-check of whether the link that opened
    /// the stream still holds (false: the stream ends).
    struct DisplayWatch: Sendable {
        let displayId: String
        let stillValid: @Sendable () async -> Bool

        /// Holds while `display` keeps the key version it had and is not revoked (re-read from the database).
        /// `seen` gets the re-read row while the link holds (the display's last-seen time).
        static func link(
            of display: Display, store: DisplaysStore, logger: Logger, seen: (@Sendable (Display) async -> Void)? = nil
        ) -> DisplayWatch {
            DisplayWatch(displayId: display.id) {
                do {
                    guard let current = try await store.display(id: display.id) else { return false }
                    let holds = current.keyVersion == display.keyVersion && current.revokedAt == nil
                    if holds, let seen { await seen(current) }
                    return holds
                } catch {
                    // The database is briefly unreachable: keep the stream; the next keep-alive checks again.
                    logger.debug("display stream re-check failed", metadata: ["error": .string("\(error)")])
                    return true
                }
            }
        }
    }

    /// A stream for the request's client: takes a slot (429 `too_many_streams` over a cap) and
    /// subscribes to `organizationId`'s events. For streams not tied to a display (the coach tablet).
    static func open(_ request: Request, context: AppRequestContext, services: AppServices, organizationId: String) throws -> Response {
        let events = services.checkinEvents.subscribe()
        let slot = try slot(request, context: context, services: services, displayId: nil)
        return response(events: events, organizationId: organizationId, slot: slot, closedBy: request)
    }

    /// A slot for one more stream of `displayId` from the request's client address, or 429.
    static func slot(_ request: Request, context: AppRequestContext, services: AppServices, displayId: String?) throws -> StreamSlot {
        let configuration = services.configuration
        let address = ClientAddress.of(request, context: context, trustForwardedFor: configuration.trustForwardedFor)
        return try services.streamSlots.acquire(
            displayId: displayId, address: address, maxPerDisplay: configuration.maxStreamsPerDisplay,
            maxPerAddress: configuration.maxStreamsPerAddress)
    }

    /// `events` (subscribed by the caller, before it checked access, so nothing in between is missed)
    /// of `organizationId` as a stream response. The stream gives `slot` back when it ends, however.
    /// With `request`, the stream also ends as soon as the client closes the connection.
    static func response(
        events: AsyncStream<CheckinEvent>, organizationId: String, slot: StreamSlot, watch: DisplayWatch? = nil,
        heartbeat: Duration = heartbeat, closedBy request: Request? = nil
    ) -> Response {
        var headers: HTTPFields = [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"]
        headers[.init("X-Accel-Buffering")!] = "no"
        headers[.init("Referrer-Policy")!] = "no-referrer"
        let body = ResponseBody { writer in
            defer { slot.release() }
            try await writer.write(ByteBuffer(string: "retry: 2000\n: connected\n\n"))
            let (messages, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(64))
            // The display changed: one last `refresh` so the page refetches (and learns its link is dead), then the end.
            let displayGone: @Sendable () -> Void = {
                continuation.yield(Self.refresh)
                continuation.finish()
            }
            let forward = Task {
                for await event in events {
                    if event.kind == .displayChanged {
                        if let watch, event.displayId == watch.displayId {
                            displayGone()
                            return
                        }
                    } else if event.organizationId == organizationId {
                        continuation.yield(Self.message(event))
                    }
                }
                continuation.finish()
            }
            let beat = Task {
                let started = ContinuousClock.now
                while !Task.isCancelled {
                    try? await Task.sleep(for: heartbeat)
                    if Task.isCancelled || ContinuousClock.now - started > maximumLifetime { break }
                    if let watch, await !watch.stillValid() {
                        displayGone()
                        return
                    }
                    continuation.yield(": keep-alive\n\n")
                }
                continuation.finish()
            }
            defer {
                forward.cancel()
                beat.cancel()
            }
            try await withGracefulShutdownHandler {
                if let request {
                    // The client hung up: end now (giving the slot back), not at the next keep-alive's failed write.
                    try await request.body.consumeWithInboundCloseHandler { _ in
                        for await message in messages {
                            try await writer.write(ByteBuffer(string: message))
                        }
                    } onInboundClosed: {
                        continuation.finish()
                    }
                } else {
                    for await message in messages {
                        try await writer.write(ByteBuffer(string: message))
                    }
                }
            } onGracefulShutdown: {
                continuation.finish()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    static let refresh = "event: refresh\ndata: {}\n\n"

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
