import Foundation
import Synchronization

/// What a write may change, from least to most, so the read cache forgets only what depends on it.
/// Only the hot writers name a scope narrower than `everything`; each is listed where it is used.
public enum WriteScope: Int, Sendable, Comparable, CaseIterable {
    /// Bookkeeping no cached read shows: a display's last-seen time, the outbox's delivery state, the
    /// calendar events' versions.
    case housekeeping
    /// Bookings and what a booking moves with them (credits, ledger, attendance, outbox and audit
    /// rows, idempotency keys) — never memberships, studios, classes or plans.
    case bookings
    /// Anything.
    case everything

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// What a cached read is filed under: the kind of read, its parameters, and the narrowest write
/// that can change it (`bookings`: forgotten on bookings and everything; `everything`: forgotten
/// only on writes that may change anything).
public struct ReadCacheKey: Hashable, Sendable {
    let kind: String
    let parts: [String]
    let changedBy: WriteScope

    public init(_ kind: String, _ parts: [String], changedBy: WriteScope = .bookings) {
        precondition(changedBy != .housekeeping, "a cached read must be forgotten by some write")
        self.kind = kind
        self.parts = parts
        self.changedBy = changedBy
    }
}

/// Results of hot reads (a member's week, the org scope every request resolves), kept until the
/// database is written in a way that can change them: every write this process commits moves a
/// generation on (`written(_:)`, by its `WriteScope`), and every write another process commits does
/// too once it is heard (PostgreSQL: `WriteListener` on `channel`; SQLite has one server process).
/// An entry serves only while the generation it was read at is the current one, so a read after a
/// write that can change it always goes to the database. Time-dependent filtering (what is active
/// *now*) stays out of what is cached; callers apply it to the result.
///
/// Two limits bound what can go wrong: an entry serves at most `maxAge` (a write by a process that
/// publishes nothing — the CLI on SQLite — or a lost notification shows within it), and the cache
/// holds at most `limit` entries (when full, it starts afresh). On PostgreSQL it serves only while
/// this instance's LISTEN is proven live (`setServing`).
public final class ReadCache: Sendable {
    /// The PostgreSQL channel every writer NOTIFYs after its commits; the payload is the writer's `instance`.
    public static let channel = "frontdesk_writes"

    private struct State {
        /// Moved on by every write `bookings` or wider, and by serving on or off.
        var generation: UInt64 = 0
        /// Moved on by writes of `everything`, and by serving on or off.
        var structure: UInt64 = 0
        var serving: Bool
        var entries: [ReadCacheKey: Entry] = [:]
        /// Keys being read from the database now, with the requests waiting for that read.
        var loading: [ReadCacheKey: Flight] = [:]

        func stamp(_ key: ReadCacheKey) -> UInt64 { key.changedBy == .bookings ? generation : structure }

        /// Keeps `value` read at `stamp`, unless a write came since or the cache stopped serving;
        /// at `limit` entries it starts afresh.
        mutating func keep(_ key: ReadCacheKey, _ value: any Sendable, stamp: UInt64, at now: ContinuousClock.Instant, limit: Int) {
            guard serving, self.stamp(key) == stamp else { return }
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(value: value, storedAt: now, stamp: stamp)
        }
    }

    private struct Entry {
        let value: any Sendable
        let storedAt: ContinuousClock.Instant
        let stamp: UInt64
    }

    /// One read of a key in progress, at the generation it started in.
    private struct Flight {
        let stamp: UInt64
        /// Resumed with the value read, or nil when the read failed (each then reads for itself).
        var waiters: [CheckedContinuation<(any Sendable)?, Never>] = []
    }

    private enum Step {
        case hit(any Sendable)
        /// Read it; keep it at this stamp (nil: not serving, nothing kept); `leads`: others wait for it.
        case load(stamp: UInt64?, leads: Bool)
        case wait(stamp: UInt64)
    }

    /// This process's name in `channel`'s payloads, so it can ignore its own.
    public let instance = UUID().uuidString
    public let limit: Int
    public let maxAge: Duration
    private let state: Mutex<State>
    private let hits = Atomic<Int>(0)
    private let misses = Atomic<Int>(0)

    public init(serving: Bool, limit: Int = 20_000, maxAge: Duration = .seconds(2)) {
        self.limit = limit
        self.maxAge = maxAge
        state = Mutex(State(serving: serving))
    }

    /// A write of `scope` committed (or may have): nothing it can change that was read before serves again.
    public func written(_ scope: WriteScope) {
        guard scope != .housekeeping else { return }
        state.withLock {
            $0.generation &+= 1
            if scope == .everything {
                $0.structure &+= 1
                $0.entries.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Whether the cache may serve (PostgreSQL: while the LISTEN is proven live). Either way it starts afresh.
    public func setServing(_ serving: Bool) {
        state.withLock {
            $0.serving = serving
            $0.generation &+= 1
            $0.structure &+= 1
            $0.entries.removeAll()
        }
    }

    /// `channel`'s payload for a write of `scope` by `instance`.
    public static func payload(instance: String, scope: WriteScope) -> String { "\(instance) \(scope.rawValue)" }

    /// What another instance's notification says it wrote (`everything` when unreadable); nil for this instance's own.
    public func heard(_ payload: String) -> WriteScope? {
        let parts = payload.split(separator: " ")
        if parts.first.map(String.init) == instance { return nil }
        return parts.count == 2 ? Int(parts[1]).flatMap(WriteScope.init(rawValue:)) ?? .everything : .everything
    }

    /// Whether it serves (always on SQLite; on PostgreSQL while this instance's LISTEN is proven live).
    public var isServing: Bool { state.withLock { $0.serving } }

    /// Entries held.
    public var count: Int { state.withLock { $0.entries.count } }

    /// Requests waiting for another request's read of the same key.
    public var waiting: Int { state.withLock { $0.loading.values.reduce(0) { $0 + $1.waiters.count } } }

    /// Cache hits and misses since start.
    public var counts: (hits: Int, misses: Int) { (hits.load(ordering: .relaxed), misses.load(ordering: .relaxed)) }

    /// The generation a read of keys changed by `scope` starting now is kept at; nil when not serving.
    /// For a read made outside `value(_:load:)` whose answers are filed under keys afterwards (`keep`):
    /// take it before the read, as `value` does.
    public func stamp(changedBy scope: WriteScope) -> UInt64? {
        state.withLock { state in
            guard state.serving else { return nil }
            return scope == .bookings ? state.generation : state.structure
        }
    }

    /// Keeps `value` under `key` as a value `value(_:load:)` would read for it, unless a write that can
    /// change it came after `stamp` (then, or when `stamp` is nil, nothing is kept). `value` must be
    /// of the type the key's readers ask for.
    public func keep<Value: Sendable>(_ key: ReadCacheKey, _ value: Value, stamp: UInt64?) {
        guard let stamp else { return }
        let now = ContinuousClock.now
        state.withLock { $0.keep(key, value, stamp: stamp, at: now, limit: limit) }
    }

    /// The cached value for `key`, or `load()`'s, which is kept unless a write committed meanwhile.
    ///
    /// One read per key at a time: a request that finds the key being read (at the same generation)
    /// waits for that read's value instead of reading too. Every `maxAge` all the requests of a hot
    /// key miss together; without this each of them went to the database at once (the PostgreSQL
    /// week's p99 was 13–42 ms). If that read fails, each waiting request reads for itself.
    public func value<Value: Sendable>(_ key: ReadCacheKey, load: () async throws -> Value) async throws -> Value {
        let now = ContinuousClock.now
        let step = state.withLock { state -> Step in
            guard state.serving else { return .load(stamp: nil, leads: false) }
            let stamp = state.stamp(key)
            if let entry = state.entries[key], entry.stamp == stamp, entry.storedAt.duration(to: now) < maxAge {
                return .hit(entry.value)
            }
            // One flight per key: a request of a later generation than the flight's reads on its own.
            if let flight = state.loading[key] {
                return flight.stamp == stamp ? .wait(stamp: stamp) : .load(stamp: stamp, leads: false)
            }
            state.loading[key] = Flight(stamp: stamp)
            return .load(stamp: stamp, leads: true)
        }
        switch step {
        case .hit(let cached):
            // Unwrapped first: a missing entry cast to an optional `Value` would pass as a cached nil.
            if let hit = cached as? Value {
                hits.add(1, ordering: .relaxed)
                return hit
            }
            return try await read(key, stamp: state.withLock { $0.stamp(key) }, leads: false, at: now, load: load)
        case .wait(let stamp):
            let shared: (any Sendable)? = await withCheckedContinuation { continuation in
                let waiting = state.withLock { state -> Bool in
                    guard state.loading[key]?.stamp == stamp else { return false }
                    state.loading[key]!.waiters.append(continuation)
                    return true
                }
                if !waiting { continuation.resume(returning: nil) }
            }
            if let shared, let value = shared as? Value {
                hits.add(1, ordering: .relaxed)
                return value
            }
            return try await read(key, stamp: nil, leads: false, at: now, load: load)
        case .load(let stamp, let leads):
            return try await read(key, stamp: stamp, leads: leads, at: now, load: load)
        }
    }

    /// Reads with `load`, keeps the value at `stamp` (unless a write came meanwhile) and, when this
    /// request `leads` the key's flight, ends it: its waiters get the value, or nil on a failure.
    private func read<Value: Sendable>(
        _ key: ReadCacheKey, stamp: UInt64?, leads: Bool, at now: ContinuousClock.Instant, load: () async throws -> Value
    ) async throws -> Value {
        misses.add(1, ordering: .relaxed)
        let value: Value
        do {
            value = try await load()
        } catch {
            if leads { land(key, stamp: stamp, value: nil, at: now) }
            throw error
        }
        if leads {
            // Boxed explicitly: an optional `Value` that is nil is a value to keep and share, not a failure.
            land(key, stamp: stamp, value: .some(value as any Sendable), at: now)
        } else if let stamp {
            state.withLock { $0.keep(key, value, stamp: stamp, at: now, limit: limit) }
        }
        return value
    }

    /// Ends the flight of `key`: keeps `value` if no write came since `stamp`, and answers its waiters.
    private func land(_ key: ReadCacheKey, stamp: UInt64?, value: (any Sendable)?, at now: ContinuousClock.Instant) {
        let waiters = state.withLock { state -> [CheckedContinuation<(any Sendable)?, Never>] in
            // Flights are never replaced, so the key's flight is this one.
            let flight = state.loading.removeValue(forKey: key)
            if let value, let stamp { state.keep(key, value, stamp: stamp, at: now, limit: limit) }
            return flight?.waiters ?? []
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }
}
