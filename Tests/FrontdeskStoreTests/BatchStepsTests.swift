import FrontdeskStore
import Testing

/// The order a lane batch handles its requests in: bookings no earlier request can affect join the
/// first set; everything else keeps arrival order.
@Suite("Lane batch steps")
struct BatchStepsTests {
    typealias R = BatchSteps.Request

    static func book(_ session: String, _ member: String, key: String? = nil) -> R { .book(session: session, member: member, key: key) }
    static func cancel(_ session: String, _ member: String, key: String? = nil) -> R { .cancel(session: session, member: member, key: key) }

    @Test("bookings alone, of any classes: one set in arrival order; nothing: no step")
    func bookingsAlone() {
        #expect(BatchSteps.steps([Self.book("x", "a"), Self.book("y", "b"), Self.book("x", "c")], waiting: [:]) == [.books([0, 1, 2])])
        #expect(BatchSteps.steps([], waiting: [:]) == [])
        #expect(BatchSteps.steps([Self.cancel("x", "a")], waiting: [:]) == [.cancels([0])])
    }

    @Test("a booking after a cancel joins the first set only when it shares no class, member or key with what stays in place")
    func whoMovesAhead() {
        // Another class and member: ahead of the cancel.
        #expect(
            BatchSteps.steps([Self.book("x", "a"), Self.cancel("x", "b"), Self.book("y", "c")], waiting: [:]) == [
                .books([0, 2]), .cancels([1]),
            ])
        // The cancel's class: after it.
        #expect(BatchSteps.steps([Self.cancel("x", "b"), Self.book("x", "c")], waiting: [:]) == [.cancels([0]), .books([1])])
        // The cancel's member, in another class (a refund may pay for it): after it.
        #expect(BatchSteps.steps([Self.cancel("x", "b"), Self.book("y", "b")], waiting: [:]) == [.cancels([0]), .books([1])])
        // A member waiting in the cancel's class (a promotion may charge them): after it; a member waiting elsewhere: ahead.
        #expect(
            BatchSteps.steps([Self.cancel("x", "b"), Self.book("y", "w"), Self.book("z", "v")], waiting: ["x": ["w"], "y": ["v"]])
                == [.books([2]), .cancels([0]), .books([1])])
        // A member who joined the cancel's class earlier in the batch (waitlisted there, maybe promoted): after it.
        #expect(
            BatchSteps.steps([Self.book("x", "m"), Self.cancel("x", "b"), Self.book("y", "m")], waiting: [:])
                == [.books([0]), .cancels([1]), .books([2])])
        // The same user's idempotency key: after it.
        #expect(
            BatchSteps.steps(
                [Self.cancel("x", "b", key: "u k"), Self.book("y", "c", key: "u k"), Self.book("z", "d", key: "u j")], waiting: [:])
                == [.books([2]), .cancels([0]), .books([1])])
    }

    @Test("what stays in place holds back what follows it: its class and member are taken too; runs between cancels are sets")
    func chains() {
        // b's booking of y stays (b cancelled); so c's booking of y stays after it; d's of z goes ahead.
        #expect(
            BatchSteps.steps(
                [Self.cancel("x", "b"), Self.book("y", "b"), Self.book("y", "c"), Self.book("z", "d")], waiting: [:])
                == [.books([3]), .cancels([0]), .books([1, 2])])
        #expect(
            BatchSteps.steps(
                [Self.cancel("x", "a"), Self.book("x", "b"), Self.cancel("x", "c"), Self.book("x", "d"), Self.book("x", "e")],
                waiting: [:]) == [.cancels([0]), .books([1]), .cancels([2]), .books([3, 4])])
    }

    @Test("bookings and cancels of different classes: the cancels first, then every booking that followed one in a single set")
    func acrossCancels() {
        // Old order would be four steps; b waits for a's cancel, d for c's, and the two bookings go together.
        #expect(
            BatchSteps.steps([Self.cancel("x", "a"), Self.book("x", "b"), Self.cancel("y", "c"), Self.book("y", "d")], waiting: [:])
                == [.cancels([0, 2]), .books([1, 3])])
        // A cancel after a booking it shares the class with runs after that booking's set.
        #expect(
            BatchSteps.steps([Self.cancel("x", "a"), Self.book("y", "a"), Self.cancel("y", "c")], waiting: [:])
                == [.cancels([0]), .books([1]), .cancels([2])])
        // A cancel whose class a member waits in runs after that member's earlier booking elsewhere (their
        // eligibility for the promotion counts that booking).
        #expect(
            BatchSteps.steps(
                [Self.cancel("z", "q"), Self.book("y", "q"), Self.book("y", "w"), Self.cancel("x", "a")], waiting: ["x": ["w"]])
                == [.cancels([0]), .books([1, 2]), .cancels([3])])
        // Cancels that share nothing: one set; sharing a class, a member or a key: one set after the other.
        #expect(
            BatchSteps.steps([Self.cancel("x", "a"), Self.cancel("y", "b"), Self.cancel("z", "c")], waiting: ["x": ["w"], "y": ["v"]])
                == [.cancels([0, 1, 2])])
        #expect(BatchSteps.steps([Self.cancel("x", "a"), Self.cancel("x", "b")], waiting: [:]) == [.cancels([0]), .cancels([1])])
        #expect(BatchSteps.steps([Self.cancel("x", "a"), Self.cancel("y", "a")], waiting: [:]) == [.cancels([0]), .cancels([1])])
        #expect(
            BatchSteps.steps([Self.cancel("x", "a", key: "u k"), Self.cancel("y", "b", key: "u k")], waiting: [:])
                == [.cancels([0]), .cancels([1])])
        // A member waiting in one cancel's class is another cancel's member: one after the other.
        #expect(BatchSteps.steps([Self.cancel("x", "a"), Self.cancel("y", "w")], waiting: ["x": ["w"]]) == [.cancels([0]), .cancels([1])])
        // Two cancels sharing a waiting member: one after the other, in arrival order.
        #expect(
            BatchSteps.steps([Self.cancel("x", "a"), Self.cancel("y", "b")], waiting: ["x": ["w"], "y": ["w"]])
                == [.cancels([0]), .cancels([1])])
    }
}
