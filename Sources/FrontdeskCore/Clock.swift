import Foundation

/// The source of "now" for everything in Frontdesk. Injected everywhere so tests can set time.
public protocol FrontdeskClock: Sendable {
    /// The current instant.
    func now() -> Date
}

/// The real wall clock.
public struct SystemClock: FrontdeskClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that only moves when told to; used by tests and the demo seeder.
public final class ManualClock: FrontdeskClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    /// Creates a clock frozen at `start`.
    public init(_ start: Date) { self.current = start }

    public func now() -> Date { lock.withLock { current } }

    /// Moves the clock forward (or backward, for negative intervals).
    public func advance(by seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }

    /// Sets the clock to an absolute instant.
    public func set(_ date: Date) { lock.withLock { current = date } }
}
