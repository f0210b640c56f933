/// The order in which a lane batch handles its requests: as few sets of bookings and sets of cancels
/// as arrival order allows.
///
/// Two requests must keep their arrival order when one can affect the other. What a cancel changes:
/// its class (places, waitlist), its member (a refund), the members waiting in its class — before the
/// batch, or who joined it earlier in the batch — (a promotion confirms and charges them), and its
/// idempotency key. What a booking reads and changes: its class, its member and its key. Requests
/// that share none of these may be handled in any order.
///
/// Each request gets a level: a booking at least the level of every earlier booking it shares
/// something with and one more than every such cancel; a cancel at least the level of every such
/// booking and one more than every such cancel. Level by level, the level's bookings are decided
/// as one set (in arrival order), then its cancels as one set. So every pair that shares something
/// keeps its arrival order, and the answers are exactly those of handling the batch one request at a
/// time; a batch of bookings and cancels of many classes needs few sets. The cancels of one level
/// share nothing at all (each is one more than any earlier cancel it shares something with): no
/// class, member, waiting member or key, so their set is written with no order among them.
public enum BatchSteps {
    public enum Step: Equatable, Sendable {
        /// Bookings decided together, by index into the batch, in arrival order.
        case books([Int])
        /// Cancels that share nothing, by index into the batch, in arrival order.
        case cancels([Int])
    }

    /// The requests a step ordering needs to know about.
    public enum Request: Sendable {
        case book(session: String, member: String, key: String?)
        case cancel(session: String, member: String, key: String?)
    }

    /// The steps for `requests`; `waiting` gives the members waitlisted in each class a cancel of the
    /// batch is for (before the batch).
    public static func steps(_ requests: [Request], waiting: [String: Set<String>]) -> [Step] {
        // The highest level of a booking, and of a cancel, that touched each class ("c"), member ("m")
        // and key ("k") so far.
        var bookingLevel: [String: Int] = [:], cancelLevel: [String: Int] = [:]
        // Members who booked each class earlier in the batch (waitlisted there, they may be promoted).
        var bookers: [String: Set<String>] = [:]
        var levels: [Int] = []
        func level(_ touched: [String]) -> Int {
            touched.map { max(bookingLevel[$0] ?? 0, cancelLevel[$0].map { $0 + 1 } ?? 0) }.max() ?? 0
        }
        for request in requests {
            switch request {
            case .book(let session, let member, let key):
                let touched = ["c \(session)", "m \(member)"] + (key.map { ["k \($0)"] } ?? [])
                let at = level(touched)
                levels.append(at)
                for resource in touched { bookingLevel[resource] = max(bookingLevel[resource] ?? 0, at) }
                bookers[session, default: []].insert(member)
            case .cancel(let session, let member, let key):
                let members = Set([member]).union(waiting[session] ?? []).union(bookers[session] ?? [])
                let touched = ["c \(session)"] + members.sorted().map { "m \($0)" } + (key.map { ["k \($0)"] } ?? [])
                let at = level(touched)
                levels.append(at)
                for resource in touched { cancelLevel[resource] = max(cancelLevel[resource] ?? at, at) }
            }
        }
        var steps: [Step] = []
        for at in 0..<((levels.max() ?? -1) + 1) {
            let here = levels.indices.filter { levels[$0] == at }
            let books = here.filter { if case .book = requests[$0] { true } else { false } }
            if !books.isEmpty { steps.append(.books(books)) }
            let cancels = here.filter { if case .cancel = requests[$0] { true } else { false } }
            if !cancels.isEmpty { steps.append(.cancels(cancels)) }
        }
        return steps
    }
}
