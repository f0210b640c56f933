import Foundation
import FrontdeskCore
import Synchronization

/// Counts the open server-sent-event streams of this process per display and per client address, so
/// one display link or one client cannot hold an unbounded number of long-lived connections
/// (`maxStreamsPerDisplay`, `maxStreamsPerAddress`). The counts are per process: behind a load
/// balancer each instance enforces its own caps.
public final class StreamSlots: Sendable {
    private struct Counts {
        var perDisplay: [String: Int] = [:]
        var perAddress: [String: Int] = [:]
    }
    private let counts = Mutex(Counts())

    public init() {}

    /// Takes a slot for a stream of `displayId` (nil for streams not tied to a display, e.g. the coach
    /// tablet's) from `address`, or throws 429 `too_many_streams` when a cap is reached. The slot is
    /// given back by `StreamSlot.release()`, at the latest when the slot is deallocated.
    func acquire(displayId: String?, address: String, maxPerDisplay: Int, maxPerAddress: Int) throws -> StreamSlot {
        try counts.withLock { counts in
            if let displayId, counts.perDisplay[displayId, default: 0] >= maxPerDisplay {
                throw DomainError(
                    .tooManyStreams,
                    "This display already has \(maxPerDisplay) live event streams open; close another screen showing it, or wait for a dropped one to time out."
                )
            }
            if counts.perAddress[address, default: 0] >= maxPerAddress {
                throw DomainError(
                    .tooManyStreams,
                    "Too many live event streams (\(maxPerAddress)) are open from your address; close some before opening more.")
            }
            if let displayId { counts.perDisplay[displayId, default: 0] += 1 }
            counts.perAddress[address, default: 0] += 1
        }
        return StreamSlot(owner: self, displayId: displayId, address: address)
    }

    fileprivate func release(displayId: String?, address: String) {
        counts.withLock { counts in
            if let displayId {
                let left = counts.perDisplay[displayId, default: 1] - 1
                counts.perDisplay[displayId] = left > 0 ? left : nil
            }
            let left = counts.perAddress[address, default: 1] - 1
            counts.perAddress[address] = left > 0 ? left : nil
        }
    }

    /// Open streams of a display (for tests and diagnostics).
    public func streams(displayId: String) -> Int { counts.withLock { $0.perDisplay[displayId] ?? 0 } }

    /// Open streams from an address (for tests and diagnostics).
    public func streams(address: String) -> Int { counts.withLock { $0.perAddress[address] ?? 0 } }
}

/// One open stream's place in `StreamSlots`; released once, explicitly or on deallocation (so a
/// response that is dropped before its body runs gives its slot back too).
final class StreamSlot: Sendable {
    private let owner: StreamSlots
    private let displayId: String?
    private let address: String
    private let released = Mutex(false)

    fileprivate init(owner: StreamSlots, displayId: String?, address: String) {
        self.owner = owner
        self.displayId = displayId
        self.address = address
    }

    func release() {
        let first = released.withLock { done in
            defer { done = true }
            return !done
        }
        if first { owner.release(displayId: displayId, address: address) }
    }

    deinit { release() }
}
