import Foundation
import FrontdeskCore
import FrontdeskStore
import Synchronization

/// Login sessions this process recently found in the database (token hash → user and expiry), so an
/// authenticated request for a known, live session makes no database round trip (docs/accounts.md,
/// "Login sessions in memory").
///
/// Correctness rests on four rules:
/// - an entry answers only while its session is unexpired by the injected clock — the very comparison
///   the database makes (`expires_at > now`, whole epoch seconds) — and for at most `safetyTTL` after
///   the database last confirmed it;
/// - `AccountsStore` reports every ended session (`drop`): in this process at once, on the other
///   instances through `LoginSessionListener` (PostgreSQL NOTIFY);
/// - an answer read from the database is kept only if nothing was dropped while it was being read
///   (the `generation` it was read under is still current), so a look-up racing a logout can never
///   put the ended session back;
/// - while another instance could end a session unheard (PostgreSQL before its listener is proven
///   live, or after it lost its connection), nothing is served or kept (`serving` is false).
///
/// Unknown tokens are not cached: a live client only sends a token it was given, so misses come
/// from expired cookies (answered once, then dropped by the browser) or from guessing, which would
/// only churn the cache and evict live sessions.
public final class LoginSessionCache: Sendable {
    /// How long an entry answers without the database confirming it again, whatever invalidation
    /// says: defence in depth against a notification lost without the listener noticing (a silently
    /// dead connection). Short enough that such a session outlives its end by at most a minute, long
    /// enough that an active client's look-ups almost all hit.
    public static let safetyTTL: TimeInterval = 60

    /// Entries kept at most, by default; past it the oldest is evicted. About 10 MB at most, room for
    /// the active clients of the busiest studios several times over.
    public static let defaultCapacity = 50_000

    /// What `lookUp` found.
    enum Lookup: Equatable {
        /// A live cached session.
        case hit(User)
        /// Not cached; an answer read now may be kept if `generation` is still current when it arrives
        /// (nil: not serving, keep nothing).
        case miss(generation: UInt64?)
    }

    private struct Entry {
        let user: User
        let expiresAt: Int64
        let confirmedAt: Date
        let sequence: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Token hashes in the order they were stored (with the sequence they were stored under; an
        /// item whose entry is gone or newer is skipped), for evicting the oldest.
        var order: [(sequence: UInt64, tokenHash: String)] = []
        var orderStart = 0
        var nextSequence: UInt64 = 0
        /// Bumped by every drop and every change of `serving`.
        var generation: UInt64 = 0
        var serving: Bool
        var hits = 0
        var misses = 0
    }

    let capacity: Int
    private let state: Mutex<State>

    /// `serving` from the start when no other process can end a session unheard (SQLite: one process);
    /// otherwise the listener turns it on once it is proven to hear notifications.
    public init(serving: Bool, capacity: Int = LoginSessionCache.defaultCapacity) {
        precondition(capacity > 0)
        self.capacity = capacity
        state = Mutex(State(serving: serving))
    }

    /// The cache for `database`: serving at once on SQLite, after its listener connects on PostgreSQL.
    public convenience init(database: any FrontdeskDatabase) {
        self.init(serving: database.backend != .postgres)
    }

    /// The user of the session `tokenHash`: from the cache when it holds it live, else from `load` (the
    /// database), whose answer is kept when that is safe.
    func user(tokenHash: String, now: Date, load: () async throws -> LoginSession?) async throws -> User? {
        switch lookUp(tokenHash: tokenHash, now: now) {
        case .hit(let user):
            return user
        case .miss(let generation):
            guard let session = try await load() else { return nil }
            if let generation { keep(session, tokenHash: tokenHash, confirmedAt: now, readUnder: generation) }
            return session.user
        }
    }

    /// A cached live session, or a miss (and then the generation an answer must be read under).
    func lookUp(tokenHash: String, now: Date) -> Lookup {
        state.withLock { state in
            guard state.serving else {
                state.misses += 1
                return .miss(generation: nil)
            }
            if let entry = state.entries[tokenHash] {
                if entry.expiresAt > now.epochSeconds, now < entry.confirmedAt.addingTimeInterval(Self.safetyTTL),
                    now >= entry.confirmedAt
                {
                    state.hits += 1
                    return .hit(entry.user)
                }
                state.entries[tokenHash] = nil
            }
            state.misses += 1
            return .miss(generation: state.generation)
        }
    }

    /// Keeps a session the database answered, unless something was dropped (or serving changed) since
    /// the look-up began under `generation`.
    func keep(_ session: LoginSession, tokenHash: String, confirmedAt: Date, readUnder generation: UInt64) {
        state.withLock { state in
            guard state.serving, state.generation == generation else { return }
            let sequence = state.nextSequence
            state.nextSequence += 1
            state.entries[tokenHash] = Entry(
                user: session.user, expiresAt: session.expiresAt.epochSeconds, confirmedAt: confirmedAt, sequence: sequence)
            state.order.append((sequence, tokenHash))
            Self.evict(&state, capacity: capacity)
        }
    }

    /// Evicts the oldest entries past `capacity`, and compacts the order list when most of it is stale.
    private static func evict(_ state: inout State, capacity: Int) {
        while state.entries.count > capacity, state.orderStart < state.order.count {
            let (sequence, tokenHash) = state.order[state.orderStart]
            state.orderStart += 1
            if state.entries[tokenHash]?.sequence == sequence { state.entries[tokenHash] = nil }
        }
        let pending = state.order.count - state.orderStart
        guard pending > 2 * state.entries.count + 64 else { return }
        state.order = state.order[state.orderStart...].filter { state.entries[$0.tokenHash]?.sequence == $0.sequence }
        state.orderStart = 0
    }

    /// Forgets the sessions that ended (reported by `AccountsStore` here or, through the listener, by
    /// another instance).
    public func drop(_ ended: EndedLoginSessions) {
        state.withLock { state in
            state.generation += 1
            if let tokenHash = ended.tokenHash { state.entries[tokenHash] = nil }
            if let userId = ended.userId {
                state.entries = state.entries.filter { $0.value.user.id != userId || $0.key == ended.keeping }
            }
        }
    }

    /// Starts (`true`, once ended sessions are sure to be heard) or stops serving; either way every
    /// entry is forgotten, since a notification may have been missed in between.
    public func setServing(_ serving: Bool) {
        state.withLock { state in
            state.generation += 1
            state.serving = serving
            state.entries = [:]
            state.order = []
            state.orderStart = 0
        }
    }

    /// Whether cached entries answer now.
    public var isServing: Bool { state.withLock { $0.serving } }

    /// Entries held (live or not yet noticed to be stale).
    public var count: Int { state.withLock { $0.entries.count } }

    /// Look-ups answered from memory and look-ups that went to the database, since start.
    public var counts: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }
}
