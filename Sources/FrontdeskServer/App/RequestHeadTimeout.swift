import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Closes a connection that has not delivered a complete request head within `timeout` of opening,
/// or of the end of its previous response (a slow or stalled client holding a connection: "slow
/// loris"). It sits after the HTTP/1 codec (Hummingbird's additional channel handlers), so a head is
/// seen only once it is complete; while a response is being written (a long server-sent-event
/// stream, say) no deadline runs. Hummingbird's own `idleTimeout` covers idle keep-alive connections.
///
/// One timer per connection, not one per request: a head arriving only clears the deadline, and the
/// end of a response sets a new one; the timer, when it fires, closes the connection if the deadline
/// it finds has passed, waits for it if it is later, and stops if there is none (the next response's
/// end starts it again). Scheduling and cancelling a timer at every request was 0.7 % of the server's
/// samples in the PostgreSQL mix (`perf`), on the event loop every request's bytes go through; 0.07 %
/// now.
final class RequestHeadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    /// Requests whose head arrived and whose response has not ended yet.
    private var inFlight = 0
    /// When the connection closes unless a request head arrives first; nil while none is awaited.
    private var deadline: NIODeadline?
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            inFlight += 1
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            inFlight = max(0, inFlight - 1)
            if inFlight == 0 { arm(context) }
        }
        context.write(data, promise: promise)
    }

    /// Awaits a head from now on: a new deadline, and the timer started unless it runs already (it
    /// then finds the later deadline when it fires).
    private func arm(_ context: ChannelHandlerContext) {
        guard deadline == nil, inFlight == 0 else { return }
        let due = context.eventLoop.now + timeout
        deadline = due
        if timer == nil { schedule(context, at: due) }
    }

    private func schedule(_ context: ChannelHandlerContext, at due: NIODeadline) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: due) {
            self.timer = nil
            guard let deadline = self.deadline, self.inFlight == 0 else { return }
            if context.eventLoop.now >= deadline {
                context.close(promise: nil)
            } else {
                self.schedule(context, at: deadline)
            }
        }
    }

    private func stop() {
        deadline = nil
        timer?.cancel()
        timer = nil
    }
}

@available(*, unavailable)
extension RequestHeadTimeoutHandler: Sendable {}
