import Foundation
import FrontdeskCore
import Synchronization

/// Someone checked in to a class, as a screen lists them.
public struct CheckedIn: Sendable, Equatable {
    public var bookingId: String
    public var at: Date
    /// "Maya L." (`DisplayName.short`).
    public var name: String

    public init(bookingId: String, at: Date, name: String) {
        self.bookingId = bookingId
        self.at = at
        self.name = name
    }

    /// Check-in order: by time, then booking id (the order the full read sorts by).
    static func precedes(_ a: CheckedIn, _ b: CheckedIn) -> Bool {
        a.at != b.at ? a.at < b.at : a.bookingId < b.bookingId
    }
}

/// The names a class's screens show, kept per class between check-ins (issue 18): after a check-in a
/// screen's state is read again, and reading every name of a class of 3,000 checking in (a join of
/// bookings, memberships and users) cost 9.6 ms of PostgreSQL time per read under the mix — once per
/// check-in, so a class's check-in read its names quadratically. Now a class's names are read in full
/// once per `maxAge`, and in between only the bookings announced as checked in since (`checkedIn`),
/// each by its key.
///
/// What it trusts: the check-in events, which the server applies here before it answers (this
/// instance's) or when the check-in bus delivers them (another instance's) — exactly what the
/// display state cache already trusts to drop a screen. A booking announced is read by its key when
/// next asked, whatever order commits came in; an undo or a no-show drops the class's names (read in
/// full next time). What announces nothing (a member's name changed, an event of another instance
/// lost) shows within `maxAge` of the last full read, as anything else on a screen does.
public final class CheckedInRosters: Sendable {
    /// The longest names rest on a full read, in seconds.
    public let maxAge: Int64
    /// Classes held at most; past that the oldest read goes first.
    public static let capacity = 512
    /// More check-ins announced than this since the last read (a rush nobody's screen polled through):
    /// the class is read in full, not by that many keys in one statement.
    static let maxAnnounced = 500

    struct Roster {
        var entries: [CheckedIn]
        var ids: Set<String>
        /// Unix seconds of the full read the entries rest on.
        let readAt: Int64
        /// Bookings announced as checked in and not yet read.
        var announced: Set<String> = []
        /// Tells this read from a later one of the same class.
        let serial: UInt64
        /// The full read is under way: nobody else may take the (still empty) entries.
        var loading = true

        /// Adds what is not held yet, keeping check-in order (sorting only when an entry came out of order).
        mutating func merge(_ read: [CheckedIn]) {
            var sorted = true
            for entry in read.sorted(by: CheckedIn.precedes) where ids.insert(entry.bookingId).inserted {
                if let last = entries.last, !CheckedIn.precedes(last, entry) { sorted = false }
                entries.append(entry)
            }
            if !sorted { entries.sort(by: CheckedIn.precedes) }
        }
    }

    private let rosters = Mutex<[String: Roster]>([:])
    private let serials = Atomic<UInt64>(0)

    public init(maxAge: Int64) {
        self.maxAge = maxAge
    }

    /// A booking of the class was checked in (committed): `shown` (its name and check-in time, when
    /// the announcer knew them) joins the class's names at once; without it the booking is read when
    /// the class's names are next asked for.
    public func checkedIn(sessionId: String, bookingId: String, shown: CheckedIn? = nil) {
        rosters.withLock { rosters in
            guard rosters[sessionId] != nil else { return }
            if let shown, shown.bookingId == bookingId {
                rosters[sessionId]!.merge([shown])
            } else {
                rosters[sessionId]!.announced.insert(bookingId)
            }
        }
    }

    /// The class's names may have lost someone (an undo, a no-show, …): read them in full next time.
    public func drop(sessionId: String) {
        rosters.withLock { $0[sessionId] = nil }
    }

    /// Classes held now.
    public var count: Int { rosters.withLock { $0.count } }

    enum Plan {
        /// Read the announced bookings and merge them into the roster of `serial`.
        case announced(Set<String>, serial: UInt64)
        /// Nothing announced since: these are the names.
        case held([CheckedIn], readAt: Int64)
        /// Read everything; keep it as the roster of `serial` (nil: another request's full read of the
        /// class is under way, keep nothing).
        case full(serial: UInt64?)
    }

    /// What to read for `sessionId` at `now`. A full read registers its roster at once, so that a
    /// check-in announced while it reads is kept to read afterwards.
    func plan(sessionId: String, now: Date) -> Plan {
        let at = now.epochSeconds
        return rosters.withLock { rosters in
            if let roster = rosters[sessionId], at >= roster.readAt, at < roster.readAt + maxAge,
                roster.announced.count <= Self.maxAnnounced
            {
                if roster.loading { return .full(serial: nil) }
                return roster.announced.isEmpty
                    ? .held(roster.entries, readAt: roster.readAt) : .announced(roster.announced, serial: roster.serial)
            }
            if rosters[sessionId] == nil, rosters.count >= Self.capacity,
                let oldest = rosters.min(by: { $0.value.readAt < $1.value.readAt })?.key
            {
                rosters[oldest] = nil
            }
            let serial = serials.add(1, ordering: .relaxed).newValue
            rosters[sessionId] = Roster(entries: [], ids: [], readAt: at, serial: serial)
            return .full(serial: serial)
        }
    }

    /// Keeps a full read (unless the roster was dropped or replaced meanwhile); the names to show.
    func keep(sessionId: String, serial: UInt64, full: [CheckedIn]) -> [CheckedIn] {
        rosters.withLock { rosters in
            guard rosters[sessionId]?.serial == serial else { return full }
            rosters[sessionId]!.merge(full)
            rosters[sessionId]!.loading = false
            return rosters[sessionId]!.entries
        }
    }

    /// A full read failed: the next request reads again.
    func abandon(sessionId: String, serial: UInt64) {
        rosters.withLock { rosters in
            if rosters[sessionId]?.serial == serial { rosters[sessionId] = nil }
        }
    }

    /// Merges the announced bookings read (`announced`, of which `read` are checked in) into the
    /// roster of `serial`; the names to show and the read they rest on.
    func keep(sessionId: String, serial: UInt64, announced: Set<String>, read: [CheckedIn]) -> ([CheckedIn], readAt: Int64)? {
        rosters.withLock { rosters in
            guard rosters[sessionId]?.serial == serial, !rosters[sessionId]!.loading else { return nil }
            rosters[sessionId]!.merge(read)
            rosters[sessionId]!.announced.subtract(announced)
            return (rosters[sessionId]!.entries, rosters[sessionId]!.readAt)
        }
    }
}
