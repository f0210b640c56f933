/// The order in which a lane batch handles its requests: as few sets of bookings as arrival order
/// allows, and each cancel on its own.
///
/// A booking may be decided before a cancel (or a booking) that arrived earlier only when the two
/// cannot affect each other. What a cancel changes: its class (places, waitlist), its member (refund),
/// the members waiting in its class (a promotion confirms and charges them), and its idempotency key.
/// What a booking reads and changes: its class, its member and its key. So a booking joins the first
/// set when none of its class, member or key was touched by an earlier request left in place; every
/// other request keeps its arrival order after that set, with runs of bookings as sets. Bookings within
/// a set are decided in arrival order too, so the answers are exactly those of handling the batch one
/// request at a time.
public enum BatchSteps {
    public enum Step: Equatable, Sendable {
        /// Bookings decided together, by index into the batch, in arrival order.
        case books([Int])
        /// One cancel, by index into the batch.
        case cancel(Int)
    }

    /// The requests a step ordering needs to know about.
    public enum Request: Sendable {
        case book(session: String, member: String, key: String?)
        case cancel(session: String, member: String, key: String?)
    }

    /// The steps for `requests`; `waiting` gives the members waitlisted in each class a cancel of the
    /// batch is for (before the batch).
    public static func steps(_ requests: [Request], waiting: [String: Set<String>]) -> [Step] {
        var classes = Set<String>(), members = Set<String>(), keys = Set<String>()
        var first: [Int] = [], rest: [Int] = []
        // Members of the first set's bookings, by class: a later cancel of that class may promote them.
        var firstMembers: [String: [String]] = [:]
        for (index, request) in requests.enumerated() {
            switch request {
            case .cancel(let session, let member, let key):
                rest.append(index)
                classes.insert(session)
                members.insert(member)
                members.formUnion(waiting[session] ?? [])
                members.formUnion(firstMembers[session] ?? [])
                if let key { keys.insert(key) }
            case .book(let session, let member, let key):
                if classes.contains(session) || members.contains(member) || key.map(keys.contains) == true {
                    rest.append(index)
                    classes.insert(session)
                    members.insert(member)
                    if let key { keys.insert(key) }
                } else {
                    first.append(index)
                    firstMembers[session, default: []].append(member)
                }
            }
        }
        var steps: [Step] = first.isEmpty ? [] : [.books(first)]
        var run: [Int] = []
        for index in rest {
            guard case .cancel = requests[index] else {
                run.append(index)
                continue
            }
            if !run.isEmpty { steps.append(.books(run)) }
            run = []
            steps.append(.cancel(index))
        }
        if !run.isEmpty { steps.append(.books(run)) }
        return steps
    }
}
