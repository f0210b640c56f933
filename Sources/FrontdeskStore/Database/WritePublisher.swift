import Synchronization

/// Sends "this instance wrote" to the other instances without ever holding up a writer: `signal(_:)`
/// only records that a notification is due (and the widest scope written since the last one), and one
/// task sends them one at a time, so a burst of commits while one is being sent costs a single
/// further notification.
final class WritePublisher: Sendable {
    /// The least time between two notifications. Every listening connection of the database reads
    /// every notification, so a notification per commit grows with writers × listeners (the test
    /// suite's hundreds of applications on one PostgreSQL); another instance hears a write at most
    /// this much later.
    static let interval: Duration = .milliseconds(100)

    private let due: AsyncStream<Void>.Continuation
    private let widest = Pending()
    private let task: Task<Void, Never>

    /// The widest scope written since the last notification was sent, if any.
    private final class Pending: Sendable {
        private let scope = Mutex<WriteScope?>(nil)

        func add(_ written: WriteScope) { scope.withLock { $0 = max($0 ?? written, written) } }

        func take() -> WriteScope? {
            scope.withLock { pending in
                defer { pending = nil }
                return pending
            }
        }
    }

    init(send: @escaping @Sendable (WriteScope) async -> Void) {
        let (stream, due) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.due = due
        let widest = widest
        task = Task {
            for await _ in stream {
                guard let scope = widest.take() else { continue }
                await send(scope)
                // At most one notification per `interval`: what is written meanwhile goes in the next.
                try? await Task.sleep(for: Self.interval)
            }
        }
    }

    func signal(_ scope: WriteScope) {
        guard scope != .housekeeping else { return }
        widest.add(scope)
        due.yield()
    }

    /// Sends nothing more.
    func stop() async {
        due.finish()
        task.cancel()
        await task.value
    }
}
