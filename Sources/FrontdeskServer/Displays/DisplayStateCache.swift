import Foundation
import FrontdeskCore
import FrontdeskStore
import Synchronization

/// What a display's state poll reads from the database, kept per display so that polls in the same
/// check-in window (minute) cost no statement: the display row (its key version and revocation, which
/// the URL's signature is checked against on every request), its studio, and the screen (the class in
/// its check-in window with the names checked in, and the next one).
///
/// What it trusts, and for how long:
/// - An entry never outlives its check-in window (the minute: the QR token rotates then), nor
///   `ttlSeconds` (10 s) from its read, nor the next instant at which the screen changes by the clock
///   alone (a class's check-in window opening, a shown class ending).
/// - A check-in, undo or no-show (`AppServices.announce` on this instance, the check-in bus's events
///   from the others) changes only the names of the class it is for: the entries showing that class
///   keep their display, studio and classes and read only the names again at their next poll
///   (`namesChanged`, `CheckedInRosters`: the announced bookings by key). Under the mix a screen's
///   class has a check-in between most polls, and reading the display, studio and classes again
///   each time was 3 of every 4 statements of a poll.
/// - Dropped at once, on this instance, by what this instance does: a display rotated or revoked
///   (`DisplayService`), a class created, edited, published, unpublished, cancelled or deleted
///   through the sessions API (`SessionRoutes`); by the bus's display changes from other instances
///   (PostgreSQL NOTIFY) within their delivery time.
/// - Everything else that can change a screen announces nothing (a class changed by a series, bulk
///   or closure edit or on another instance, names and studio branding, `frontdesk display rotate` on
///   SQLite): the 10 s bound covers it. A display polls every 15 s, so it sees such a change at its
///   next poll either way, and no revoked link is served for more than 10 s.
/// A refusal is never stored: only a display whose link verified is, and every request verifies its
/// link again against the stored row. At most `capacity` displays are held.
/// Each entry also keeps the answer its first poll of a window made (`Entry.screen`, with the signing
/// key it was made with): the codes and classes of a read change only with the window or the key, so
/// a later poll restates only its instants (`DisplayRoutes.cachedState`).
final class DisplayStateCache: Sendable {
    /// The longest an entry is trusted.
    static let ttlSeconds: Int64 = 10
    /// Displays held at most; past that the entry closest to expiry goes first.
    static let capacity = 2_048

    /// One display's database facts, as read at `loadedAt`.
    struct Entry: Sendable {
        var display: Display
        let organization: Organization
        var current: DisplaySession?
        let next: DisplaySession?
        /// Unix seconds of the read.
        let loadedAt: Int64
        /// Unix seconds from which the entry is stale (see the type's comment).
        var expiresAt: Int64
        /// Tells this read from another of the same display (a memo is kept only on the read it came from).
        let serial = UInt64.random(in: 1...UInt64.max)
        /// The answer made from this read by its first poll of a window with a signing key (`noteScreen`):
        /// the later polls of that window only restate its instants.
        var screen: Screen?
        /// Check-ins, undos and no-shows announced for `current`'s class since its names were read:
        /// while not 0 the names are read again before the entry serves (`names(of:…)`).
        var namesChanged: UInt64 = 0

        struct Screen: Sendable {
            let window: Int64
            let keyId: String
            let answer: AnswerTemplate
        }

        init(display: Display, organization: Organization, current: DisplaySession?, next: DisplaySession?, now: Date) {
            self.display = display
            self.organization = organization
            self.current = current
            self.next = next
            loadedAt = now.epochSeconds
            expiresAt = Self.expiry(organization: organization, current: current, next: next, now: now)
        }

        /// The first instant at which the entry may be wrong without any event: the end of its check-in
        /// window or of the TTL, a shown class ending, or (nothing in its window yet) the next class's
        /// check-in window opening. `DisplaysStore.screen` answers differently only after one of these.
        static func expiry(organization: Organization, current: DisplaySession?, next: DisplaySession?, now: Date) -> Int64 {
            let at = now.epochSeconds
            var expiry = min(at + ttlSeconds, CheckinToken.windowStart(now) + CheckinToken.windowSeconds)
            for shown in [current, next].compactMap(\.self) { expiry = min(expiry, shown.session.endsAt.epochSeconds) }
            if let namesReadAt = current?.namesReadAt { expiry = min(expiry, namesReadAt.epochSeconds + ttlSeconds) }
            if current == nil, let next {
                expiry = min(expiry, next.session.startsAt.epochSeconds - Int64(organization.checkinOpensMinutesBefore) * 60)
            }
            return max(expiry, at + 1)
        }

        func isFresh(at now: Date) -> Bool {
            let at = now.epochSeconds
            return at >= loadedAt && at < expiresAt
        }
    }

    /// Proof that a read started at a moment: an invalidation after it keeps the read out of the cache.
    struct Ticket: Sendable {
        fileprivate let generation: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Bumped by every invalidation.
        var generation: UInt64 = 0
        /// The generation of each studio's last invalidation.
        var invalidated: [String: UInt64] = [:]
        /// Reads started before this generation are not stored (set when `invalidated` is cleared).
        var floor: UInt64 = 0
        var listening = false
    }

    private let state = Mutex(State())
    /// The names of the classes on screens, read in full at most `ttlSeconds` apart (`CheckedInRosters`).
    let rosters = CheckedInRosters(maxAge: ttlSeconds)
    private let listener = Mutex<Task<Void, Never>?>(nil)

    init() {}

    deinit {
        listener.withLock { $0?.cancel() }
    }

    /// Subscribes to `bus` once, before the first read is stored.
    func listen(to bus: CheckinEventBus) {
        let start = state.withLock { state in
            defer { state.listening = true }
            return !state.listening
        }
        guard start else { return }
        let events = bus.subscribe()
        let here = bus.instance
        let task = Task(priority: .high) { [weak self] in
            // This instance's own events were applied where they were announced, before publishing.
            for await event in events where event.origin != here {
                guard let self else { return }
                self.apply(event)
            }
        }
        listener.withLock { $0 = task }
    }

    /// A check-in, undo or no-show tells the class's names what changed and marks the names of the
    /// screens showing that class as changed; a display change drops that display.
    func apply(_ event: CheckinEvent) {
        switch event.kind {
        case .checkedIn: rosters.checkedIn(sessionId: event.sessionId, bookingId: event.bookingId, shown: event.shown)
        case .undone, .noShow: rosters.drop(sessionId: event.sessionId)
        case .displayChanged: break
        }
        if event.kind == .displayChanged {
            if let id = event.displayId {
                invalidate(displayId: id, organizationId: event.organizationId)
            } else {
                invalidate(organizationId: event.organizationId)
            }
        } else {
            namesChanged(organizationId: event.organizationId, sessionId: event.sessionId)
        }
    }

    /// The names of `sessionId` changed: every entry showing it as its current class reads them again
    /// before it serves, and a read of the studio under way is not kept (it may have missed them).
    func namesChanged(organizationId: String, sessionId: String) {
        state.withLock { state in
            Self.bump(&state, organizationId: organizationId)
            for (id, entry) in state.entries where entry.organization.id == organizationId && entry.current?.session.id == sessionId {
                state.entries[id]!.namesChanged &+= 1
                state.entries[id]!.screen = nil
            }
        }
    }

    /// Puts the names read for `entry`'s class (`names`, read in full at `readAt`) in the held entry, if
    /// it is still that read; its names count as current unless another change came since `entry` was
    /// taken. The entry to serve from.
    func names(of entry: Entry, names: [String], readAt: Date, now: Date) -> Entry {
        state.withLock { state in
            var updated = state.entries[entry.display.id].flatMap { $0.serial == entry.serial ? $0 : nil } ?? entry
            updated.current?.checkedIn = names
            updated.current?.namesReadAt = readAt
            updated.expiresAt = max(min(updated.expiresAt, readAt.epochSeconds + Self.ttlSeconds), now.epochSeconds + 1)
            updated.screen = nil
            if updated.namesChanged == entry.namesChanged { updated.namesChanged = 0 }
            if state.entries[entry.display.id]?.serial == entry.serial { state.entries[entry.display.id] = updated }
            updated.namesChanged = 0
            return updated
        }
    }

    /// The fresh entry of a display, if held.
    func entry(displayId: String, now: Date) -> Entry? {
        state.withLock { state in
            guard let entry = state.entries[displayId] else { return nil }
            guard entry.isFresh(at: now) else {
                state.entries[displayId] = nil
                return nil
            }
            return entry
        }
    }

    /// To take before reading what `store` will keep.
    func ticket() -> Ticket {
        state.withLock { Ticket(generation: $0.generation) }
    }

    /// Keeps `entry` unless its studio or display was invalidated since `ticket` was taken.
    func store(_ entry: Entry, ticket: Ticket) {
        state.withLock { state in
            guard ticket.generation >= state.floor,
                (state.invalidated[entry.organization.id] ?? 0) <= ticket.generation
            else { return }
            if state.entries[entry.display.id] == nil, state.entries.count >= Self.capacity {
                Self.makeRoom(&state.entries, now: entry.loadedAt)
            }
            state.entries[entry.display.id] = entry
        }
    }

    /// Records that the display's last-seen time was written (so the next poll does not write it again).
    func noteSeen(displayId: String, at now: Date) {
        state.withLock { state in
            state.entries[displayId]?.display.lastSeenAt = now
        }
    }

    /// Keeps the answer made from `entry` (if that read is still the one held).
    func noteScreen(_ screen: Entry.Screen, for entry: Entry) {
        state.withLock { state in
            guard state.entries[entry.display.id]?.serial == entry.serial else { return }
            state.entries[entry.display.id]?.screen = screen
        }
    }

    /// Drops every display of the studio.
    func invalidate(organizationId: String) {
        state.withLock { state in
            Self.bump(&state, organizationId: organizationId)
            state.entries = state.entries.filter { $0.value.organization.id != organizationId }
        }
    }

    /// Drops one display (and, so that no read in flight stores it, marks its studio).
    func invalidate(displayId: String, organizationId: String) {
        state.withLock { state in
            Self.bump(&state, organizationId: organizationId)
            state.entries[displayId] = nil
        }
    }

    /// Displays held now.
    var count: Int { state.withLock { $0.entries.count } }

    private static func bump(_ state: inout State, organizationId: String) {
        state.generation += 1
        state.invalidated[organizationId] = state.generation
        if state.invalidated.count > capacity {
            // Forget which studios: every read in flight is refused instead.
            state.invalidated.removeAll()
            state.floor = state.generation
        }
    }

    /// Frees places: the entries stale at `now` (Unix seconds), else the one expiring first.
    private static func makeRoom(_ entries: inout [String: Entry], now: Int64) {
        let before = entries.count
        entries = entries.filter { $0.value.expiresAt > now }
        if entries.count < before { return }
        if let first = entries.min(by: { $0.value.expiresAt < $1.value.expiresAt }) { entries[first.key] = nil }
    }
}
