import Foundation
import FrontdeskCore
import FrontdeskStore
import Logging
import ServiceLifecycle
import Synchronization

/// A change on the check-in floor that screens and tablets show live, or (`displayChanged`) a
/// display whose key version changed or that was revoked: its open event streams must end.
public struct CheckinEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case checkedIn = "checked_in", undone, noShow = "no_show", displayChanged = "display_changed"
    }
    public var organizationId: String
    /// Empty for `displayChanged`.
    public var sessionId: String
    /// Empty for `displayChanged`.
    public var bookingId: String
    public var kind: Kind
    public var at: Date
    /// The instance that published it (a listener ignores its own, already delivered locally).
    public var origin: String
    /// The display of a `displayChanged` event.
    public var displayId: String?
    /// A `checkedIn` event's member as screens show them ("Maya L.") and the booking's check-in time,
    /// when the announcing instance knew them (a member's own check-in): screens then add the name
    /// without reading it (`CheckedInRosters`).
    public var shownName: String?
    public var checkedInAt: Date?

    public init(
        organizationId: String, sessionId: String, bookingId: String, kind: Kind, at: Date, origin: String = "",
        displayId: String? = nil, shownName: String? = nil, checkedInAt: Date? = nil
    ) {
        self.organizationId = organizationId
        self.sessionId = sessionId
        self.bookingId = bookingId
        self.kind = kind
        self.at = at
        self.origin = origin
        self.displayId = displayId
        self.shownName = shownName
        self.checkedInAt = checkedInAt
    }

    /// The name as a screen lists it, when the event carries it.
    var shown: CheckedIn? {
        guard kind == .checkedIn, let shownName, let checkedInAt else { return nil }
        return CheckedIn(bookingId: bookingId, at: checkedInAt, name: shownName)
    }

    /// `display` was rotated or revoked.
    public static func displayChanged(_ display: Display, at: Date) -> CheckinEvent {
        CheckinEvent(
            organizationId: display.organizationId, sessionId: "", bookingId: "", kind: .displayChanged, at: at,
            displayId: display.id)
    }
}

/// Check-in events: delivered at once to this process's subscribers and, on PostgreSQL, sent with
/// NOTIFY so subscribers on every other instance hear them too (the `run()` service listens).
public final class CheckinEventBus: Service, Sendable {
    static let channel = "frontdesk_checkin"
    let instance = NewID.make()
    private let database: any FrontdeskDatabase
    private let logger: Logger
    private let subscribers = Mutex<[String: AsyncStream<CheckinEvent>.Continuation]>([:])
    /// On PostgreSQL: the events not yet sent to the other instances, and the task sending them.
    private let outbox: Outbox?

    public init(database: any FrontdeskDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
        outbox = (database as? PostgresBackend).map { Outbox(postgres: $0, logger: logger) }
    }

    /// Publishes after the change committed: delivered here at once; on PostgreSQL queued for the other
    /// instances, and sent by one task with as few NOTIFYs as fit what queued while the last was sent
    /// (`CheckinEventBus.payloads`). The caller does not wait for the NOTIFY: each is a commit of its own,
    /// and a check-in answered only after it made the PostgreSQL rush wait on those commits (issue 18:
    /// 1,160 → 1,658 check-ins/s with the same code otherwise). Delivery there is best effort: a display
    /// that misses one converges on its next state poll.
    public func publish(_ event: CheckinEvent) async {
        var event = event
        event.origin = instance
        deliver(event)
        outbox?.add(event)
    }

    /// Events waiting for their NOTIFY, in publishing order, and the one task that sends them.
    private final class Outbox: Sendable {
        /// The least time between two rounds of NOTIFYs. A NOTIFY per check-in was a statement per
        /// check-in under the mix (1,375 in 10 s, ~4 % of all); events published meanwhile share the
        /// next payload, and the other instances hear an event at most this much later (their screens'
        /// promise is 2 s).
        static let interval: Duration = .milliseconds(50)

        private let waiting: Waiting
        private let due: AsyncStream<Void>.Continuation
        private let sender: Task<Void, Never>

        private final class Waiting: Sendable {
            private let events = Mutex<[CheckinEvent]>([])

            func add(_ event: CheckinEvent) { events.withLock { $0.append(event) } }

            func take() -> [CheckinEvent] {
                events.withLock { events in
                    defer { events = [] }
                    return events
                }
            }
        }

        init(postgres: PostgresBackend, logger: Logger) {
            let (signals, due) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
            let waiting = Waiting()
            (self.waiting, self.due) = (waiting, due)
            sender = Task {
                for await _ in signals {
                    for payload in CheckinEventBus.payloads(waiting.take()) {
                        do {
                            try await postgres.notify(channel: CheckinEventBus.channel, payload: payload)
                        } catch {
                            logger.warning("check-in NOTIFY failed", metadata: ["error": .string("\(error)")])
                        }
                    }
                    // At most one round of NOTIFYs per `interval`: what is published meanwhile goes in the next.
                    try? await Task.sleep(for: Outbox.interval)
                }
            }
        }

        deinit {
            due.finish()
            sender.cancel()
        }

        func add(_ event: CheckinEvent) {
            waiting.add(event)
            due.yield()
        }
    }

    /// PostgreSQL refuses a NOTIFY payload of 8000 bytes or more.
    static let maxPayloadBytes = 7999

    /// The NOTIFY payloads that carry `events`: a JSON array of events per payload, as many events as fit
    /// in `limit` bytes; a payload of one event is the event itself (what instances before batching send
    /// and expect). An event that cannot fit alone is left out (the events' ids and kinds keep them far
    /// below the limit).
    static func payloads(_ events: [CheckinEvent], limit: Int = maxPayloadBytes) -> [String] {
        var payloads: [String] = []
        var chunk: [String] = []
        var size = 0  // of the chunk's events and the commas between them
        func flush() {
            if !chunk.isEmpty { payloads.append(chunk.count == 1 ? chunk[0] : "[" + chunk.joined(separator: ",") + "]") }
            chunk = []
            size = 0
        }
        for event in events {
            let data = event.payloadJSON
            guard data.count <= limit else { continue }
            if !chunk.isEmpty && 2 + size + 1 + data.count > limit { flush() }
            size += chunk.isEmpty ? data.count : data.count + 1
            chunk.append(String(decoding: data, as: UTF8.self))
        }
        flush()
        return payloads
    }

    /// The events of a NOTIFY payload: a JSON array of events, or one event (an older instance's); none
    /// when it is neither.
    static func events(fromPayload payload: String) -> [CheckinEvent] {
        let decoder = JSONDecoder.events
        let data = Data(payload.utf8)
        if payload.utf8.first == UInt8(ascii: "[") {
            return (try? decoder.decode([CheckinEvent].self, from: data)) ?? []
        }
        return (try? decoder.decode(CheckinEvent.self, from: data)).map { [$0] } ?? []
    }

    /// The events of a NOTIFY payload that another instance published. A payload is one instance's
    /// batch, so one naming `instance` is this instance's own (already delivered here) and is not
    /// decoded at all: decoding its own check-ins back was 2 % of the server's time in a check-in rush.
    static func foreignEvents(inPayload payload: String, instance: String) -> [CheckinEvent] {
        payload.utf8.firstRange(of: instance.utf8) != nil ? [] : events(fromPayload: payload)
    }

    /// A stream of every event from now on; ends when the caller stops iterating.
    public func subscribe() -> AsyncStream<CheckinEvent> {
        let id = NewID.make()
        let (stream, continuation) = AsyncStream<CheckinEvent>.makeStream(bufferingPolicy: .bufferingNewest(256))
        continuation.onTermination = { [weak self] _ in self?.subscribers.withLock { _ = $0.removeValue(forKey: id) } }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    func deliver(_ event: CheckinEvent) {
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield(event) }
    }

    /// On PostgreSQL: listens for other instances' events until shutdown, reconnecting after failures.
    public func run() async throws {
        guard let postgres = database as? PostgresBackend else {
            try? await gracefulShutdown()
            return
        }
        var delay: Duration = .milliseconds(200)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown {
                    try await postgres.listen(channel: Self.channel) { [self] payload in
                        for event in Self.foreignEvents(inPayload: payload, instance: self.instance) { self.deliver(event) }
                    }
                }
                delay = .milliseconds(200)
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                logger.warning("check-in LISTEN failed; retrying", metadata: ["error": .string("\(error)")])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
    }
}

extension CheckinEvent {
    /// The event as a NOTIFY payload carries it: what `JSONEncoder` with `.secondsSince1970` wrote
    /// before (instants as seconds since 1970), written straight into bytes (`JSONOutput`) —
    /// Foundation's encoder, once per event, was 2 % of the server's time in a check-in rush.
    /// `CheckinBatchTests` decodes it back with `JSONDecoder.events`, alongside Foundation's encoding.
    var payloadJSON: [UInt8] {
        var json = JSONOutput(capacity: 320)
        json.object { event in
            event.field("at", SecondsSince1970(at))
            event.field("bookingId", bookingId)
            event.field("checkedInAt", checkedInAt.map(SecondsSince1970.init))
            event.field("displayId", displayId)
            event.field("kind", kind)
            event.field("organizationId", organizationId)
            event.field("origin", origin)
            event.field("sessionId", sessionId)
            event.field("shownName", shownName)
        }
        return json.bytes
    }
}

extension CheckinEvent.Kind: JSONWritable {}

/// An instant as a JSON number of seconds since 1970, as `JSONEncoder`'s `.secondsSince1970` writes it
/// (the shortest decimal that reads back as the same `Double`).
struct SecondsSince1970: JSONWritable {
    let date: Date

    init(_ date: Date) {
        self.date = date
    }

    func write(to json: inout JSONOutput) { json.raw(Array(date.timeIntervalSince1970.description.utf8)) }
}

extension JSONDecoder {
    static var events: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }
}
