import Foundation
import FrontdeskCore
import FrontdeskStore
import Logging
import Metrics
import ServiceLifecycle

/// Delivers the notification outbox (SPEC §7): claims due rows with a lease, renders and sends each,
/// marks it sent, or failed with exponential back-off and jitter, or dead after the last attempt or a
/// permanent refusal. Woken by `OutboxSignal` (queued in this process, or `NOTIFY` from another
/// instance), else it polls. On shutdown it finishes the message in hand and releases the rest.
final class OutboxWorker: Service, Sendable {
    let services: AppServices
    let mail: any MailTransport
    let push: any PushTransport
    let signal: OutboxSignal
    let worker = "worker-\(NewID.make().prefix(8))"
    let store: OutboxStore
    let notifications: NotificationsStore
    let renderer: NotificationRenderer
    private let sent = Counter(label: "frontdesk_outbox_delivered_total")
    private let failures = Counter(label: "frontdesk_outbox_failures_total")

    static let batchSize = 20

    /// Bookings before e-mails: while this process's booking lanes have work (a class release), each
    /// round of delivery first waits for them, at most this long. Members waiting on their booking get
    /// the CPU and the database; the messages go out right after, delayed, never lost, and the outbox
    /// moves on after the limit however busy the lanes stay (docs/notifications.md).
    static let yieldLimit: Duration = .milliseconds(250)

    /// Sent rows waiting to be marked sent: those sent while a mark is being written go in the next one.
    private let sentMarks: Lanes<String, Void>

    /// Messages sent and not yet marked sent, at most, the one being sent included: a worker killed
    /// mid-batch (SIGKILL, power) sends at most this many again once their lease runs out (delivery is
    /// at least once; the stable Message-ID lets receivers drop the copy). Marking one by one, in turn
    /// with the sends, let the outbox fall ever further behind a busy hour's bookings.
    static let unmarkedLimit = 4

    init(services: AppServices, mail: any MailTransport, push: any PushTransport, signal: OutboxSignal = .shared) {
        self.services = services
        self.mail = mail
        self.push = push
        self.signal = signal
        store = OutboxStore(database: services.database)
        notifications = NotificationsStore(database: services.database)
        renderer = NotificationRenderer(templates: services.pages, publicBaseURL: services.configuration.publicBaseURL)
        sentMarks = Lanes(maxBatch: Self.batchSize) { [store, worker, services] _, ids in
            do {
                try await store.markSent(ids, worker: worker, now: services.now)
                return ids.map { _ in .success(()) }
            } catch {
                return ids.map { _ in .failure(error) }
            }
        }
    }

    func run() async throws {
        let logger = services.logger
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let postgres = services.database as? PostgresBackend {
                group.addTask { [signal] in
                    await Self.listen(postgres, signal: signal, logger: logger)
                }
            }
            group.addTask { [self] in
                await cancelWhenGracefulShutdown {
                    while !Task.isCancelled {
                        do {
                            _ = try await self.deliverDue()
                        } catch {
                            logger.warning("outbox delivery round failed", metadata: ["error": .string("\(error)")])
                        }
                        await self.signal.wait(timeout: .seconds(self.services.configuration.outboxPollSeconds))
                    }
                }
                try? await store.release(worker: worker)
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Holds a LISTEN on the outbox channel and pokes `signal` for every commit that queued something.
    static func listen(_ postgres: PostgresBackend, signal: OutboxSignal, logger: Logger) async {
        var delay: Duration = .milliseconds(200)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown {
                    try await postgres.listen(channel: OutboxSignal.channel) { _ in signal.poke() }
                }
                delay = .milliseconds(200)
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                logger.warning("outbox LISTEN failed; retrying", metadata: ["error": .string("\(error)")])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
    }

    /// Claims and delivers due rows until none are left (or shutdown begins); returns how many were handled.
    @discardableResult
    func deliverDue() async throws -> Int {
        var handled = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await services.classLanes.waitUntilIdle(atMost: Self.yieldLimit)
            let batch = try await store.claim(
                worker: worker, limit: Self.batchSize, leaseSeconds: services.configuration.outboxLeaseSeconds,
                now: services.now)
            if batch.isEmpty { break }
            // The batch's facts and calendar attachments in a few set-based reads; should they fail, each
            // message reads its own (and fails on its own, with its own back-off).
            let contexts = try? await notifications.contexts(for: batch)
            let attachments = try? await CalendarMail(services: services).attachments(for: batch)
            var marks: [LaneReply<Void>] = []
            for item in batch {
                if Task.isShuttingDownGracefully || Task.isCancelled { break }
                if marks.count >= Self.unmarkedLimit { await confirm(&marks) }
                if let mark = await deliver(item, contexts: contexts, attachments: attachments) { marks.append(mark) }
                handled += 1
            }
            await confirm(&marks)
        }
        return handled
    }

    /// Waits until the rows sent so far are marked sent.
    private func confirm(_ marks: inout [LaneReply<Void>]) async {
        for mark in marks {
            do {
                try await mark.value
                sent.increment()
            } catch {
                // Sent, but not marked: the lease runs out and it is sent again (at least once).
                services.logger.warning("notification sent but not marked sent", metadata: ["error": .string("\(error)")])
            }
        }
        marks.removeAll()
    }

    /// Sends one row and records the outcome. `contexts`: its batch's, by row id (a row absent from
    /// them: its recipient no longer exists); nil: read its own. `attachments`: likewise its batch's
    /// (a row absent: it has none); nil: read its own. A sent row is marked sent through
    /// `sentMarks` without waiting (the reply answers once it is), so the next message is sent meanwhile
    /// and the marks of messages sent one after another go in one statement; nil when it was not sent.
    func deliver(
        _ item: OutboxItem, contexts: [String: NotificationContext]? = nil, attachments: [String: [MailAttachment]]? = nil
    ) async -> LaneReply<Void>? {
        do {
            let found = if let contexts { contexts[item.id] } else { try await notifications.context(for: item) }
            guard let context = found else {
                throw Permanent(description: "the recipient no longer exists")
            }
            let content: NotificationContent
            do {
                content = try renderer.render(item, context: context, now: services.now)
            } catch {
                throw Permanent(description: "cannot render: \(error)")
            }
            switch item.channel {
            case "email":
                let files =
                    if let attachments { attachments[item.id] ?? [] } else {
                        try await CalendarMail(services: services).attachments(for: item)
                    }
                try await sendMail(item, context: context, content: content, attachments: files)
            case "push": try await sendPush(item, content: content, tokens: context.pushTokens ?? [])
            default: throw Permanent(description: "unknown channel \(item.channel)")
            }
            return sentMarks.enqueue(key: "sent", item.id)
        } catch {
            failures.increment()
            let permanent = Self.isPermanent(error)
            let dead = permanent || item.attempts >= services.configuration.outboxMaxAttempts
            services.logger.warning(
                "notification delivery failed",
                metadata: [
                    "id": .string(item.id), "template": .string(item.template), "attempt": .stringConvertible(item.attempts),
                    "dead": .stringConvertible(dead), "error": .string("\(error)"),
                ])
            try? await store.markFailed(
                item.id, worker: worker, error: "\(error)", dead: dead,
                retryAt: services.now.addingTimeInterval(Self.backoff(attempt: item.attempts)))
            return nil
        }
    }

    func sendMail(
        _ item: OutboxItem, context: NotificationContext, content: NotificationContent, attachments: [MailAttachment]
    ) async throws {
        let configuration = services.configuration
        var message = MailMessage(
            fromAddress: configuration.emailFrom, fromName: configuration.emailFromName,
            to: context.recipientEmail, subject: content.subject, textBody: content.text, htmlBody: content.html)
        message.attachments = attachments
        let domain = configuration.emailFrom.split(separator: "@").last.map(String.init) ?? "frontdesk.local"
        // Stable per row: a receiving system sees a retried message as the same message.
        try await mail.send(message, messageID: "<\(item.id)@\(domain)>")
    }

    /// `tokens`: the recipient's devices, read with the message's context.
    func sendPush(_ item: OutboxItem, content: NotificationContent, tokens: [String]) async throws {
        guard item.userId != nil else { return }  // account mail has no push side
        guard !tokens.isEmpty else { return }  // no device: nothing to deliver
        let data = item.payload.merging(["template": item.template]) { first, _ in first }
        let outcomes = try await push.send(tokens.map { PushMessage(to: $0, title: content.pushTitle, body: content.pushBody, data: data) })
        let gone = zip(tokens, outcomes).filter { $0.1 == .unregistered }.map(\.0)
        try await notifications.removePushTokens(gone)
        let problems = outcomes.compactMap { outcome -> String? in
            if case .failed(let reason) = outcome { return reason }
            return nil
        }
        // Delivered to at least one device (or every device is gone): done. Only when every live
        // device failed is it worth another attempt, which cannot send anyone a message twice.
        if !problems.isEmpty && !outcomes.contains(.delivered) {
            throw PushUnavailable(description: problems.joined(separator: "; "))
        }
    }

    /// Delay before attempt `attempt + 1`: 30 s doubling up to an hour, ±20 % jitter.
    static func backoff(attempt: Int) -> TimeInterval {
        let base = min(3_600, 30 * pow(2, Double(max(0, attempt - 1))))
        return base * Double.random(in: 0.8...1.2)
    }

    struct Permanent: Error, CustomStringConvertible {
        let description: String
    }

    static func isPermanent(_ error: any Error) -> Bool {
        if error is Permanent || error is PushRejected { return true }
        if let smtp = error as? SMTPError { return smtp.isPermanent }
        return false
    }
}
