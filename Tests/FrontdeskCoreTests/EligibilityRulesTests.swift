import Foundation
import Testing
@testable import FrontdeskCore

@Suite("EligibilityRules")
struct EligibilityRulesTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)  // a Friday, 2027-01-15 08:00 UTC

    static func plan(credits: Int? = 10, perDay: Int? = nil, perWeek: Int? = nil, overlap: Bool = false) -> PlanTerms {
        PlanTerms(
            id: "plan", name: "Plan", classCredits: credits, maxBookingsPerDay: perDay, maxBookingsPerWeek: perWeek,
            allowOverlappingBookings: overlap, priceCents: 1000)
    }

    static func snapshot(
        now: Date = start.addingTimeInterval(-86_400), status: SessionStatus = .published, deleted: Bool = false,
        capacity: Int = 10, booked: Int = 0, provider: String? = "stripe", opensDaysBefore: Int? = nil, staff: Bool = false,
        alreadyBooked: Bool = false, subscriptions: [ActiveSubscription] = [], others: [BookedInterval] = []
    ) -> BookingSnapshot {
        BookingSnapshot(
            now: now, timezone: "Europe/Berlin", sessionId: "s", sessionStartsAt: start,
            sessionEndsAt: start.addingTimeInterval(3600), sessionStatus: status, sessionDeleted: deleted,
            capacity: capacity, bookedCount: booked, paymentProvider: provider, bookingOpensDaysBefore: opensDaysBefore,
            isStaff: staff, alreadyBooked: alreadyBooked, subscriptions: subscriptions, otherBookings: others,
            planOffers: [plan()])
    }

    static func sub(_ plan: PlanTerms = plan(), credits: Int? = 5, id: String = "sub") -> ActiveSubscription {
        ActiveSubscription(id: id, plan: plan, creditsRemaining: credits)
    }

    static func other(_ offsetHours: Double, duration: Double = 1) -> BookedInterval {
        BookedInterval(
            sessionId: "o\(offsetHours)", startsAt: start.addingTimeInterval(offsetHours * 3600),
            endsAt: start.addingTimeInterval((offsetHours + duration) * 3600))
    }

    func status(_ s: BookingSnapshot) -> BookingEligibility.Status { EligibilityRules.evaluate(s).eligibility.status }

    @Test("no payment provider: eligible with no plans; provider without subscription: no_plan with offers")
    func plans() {
        let free = EligibilityRules.evaluate(Self.snapshot(provider: nil))
        #expect(free.eligibility.status == .eligible)
        #expect(free.eligibility.plans.isEmpty)
        #expect(free.subscription == nil)
        let noPlan = EligibilityRules.evaluate(Self.snapshot())
        #expect(noPlan.eligibility.status == .noPlan)
        #expect(noPlan.eligibility.plans.count == 1)
        #expect(!noPlan.eligibility.canBook)
    }

    @Test("closed: started, cancelled, draft, deleted, outside the booking window")
    func closed() {
        #expect(status(Self.snapshot(now: Self.start, subscriptions: [Self.sub()])) == .closed)
        #expect(status(Self.snapshot(status: .cancelled, subscriptions: [Self.sub()])) == .closed)
        #expect(status(Self.snapshot(status: .draft, subscriptions: [Self.sub()])) == .closed)
        #expect(status(Self.snapshot(deleted: true, subscriptions: [Self.sub()])) == .closed)
        #expect(
            status(Self.snapshot(now: Self.start.addingTimeInterval(-3 * 86_400), opensDaysBefore: 2, subscriptions: [Self.sub()]))
                == .closed)
        #expect(
            status(Self.snapshot(now: Self.start.addingTimeInterval(-2 * 86_400), opensDaysBefore: 2, subscriptions: [Self.sub()]))
                == .eligible)
    }

    @Test("the booking window counts calendar days in the org's zone, across a DST change")
    func bookingWindowAcrossDST() throws {
        let start = try iso("2027-03-29T18:00:00+02:00")
        let opens = try iso("2027-03-27T18:00:00+01:00")
        func at(_ now: Date) -> BookingEligibility.Status {
            var snapshot = Self.snapshot(now: now, opensDaysBefore: 2, subscriptions: [Self.sub()])
            snapshot.sessionStartsAt = start
            snapshot.sessionEndsAt = start.addingTimeInterval(3600)
            return status(snapshot)
        }
        #expect(at(opens.addingTimeInterval(-1)) == .closed)
        #expect(at(opens) == .eligible)
    }

    @Test("credits, quotas and overlap, in that order; all reasons listed")
    func limits() {
        #expect(status(Self.snapshot(subscriptions: [Self.sub(credits: 0)])) == .noCredits)
        #expect(status(Self.snapshot(subscriptions: [Self.sub(Self.plan(credits: nil), credits: nil)])) == .eligible, "unlimited")
        let perDay = Self.sub(Self.plan(perDay: 1))
        #expect(status(Self.snapshot(subscriptions: [perDay], others: [Self.other(3)])) == .quotaDay)
        #expect(status(Self.snapshot(subscriptions: [perDay], others: [Self.other(24)])) == .eligible, "next day")
        let perWeek = Self.sub(Self.plan(perWeek: 2))
        // Friday session; Monday and Wednesday of the same week are booked, the next Monday is not the same week.
        #expect(status(Self.snapshot(subscriptions: [perWeek], others: [Self.other(-96), Self.other(-48)])) == .quotaWeek)
        #expect(status(Self.snapshot(subscriptions: [perWeek], others: [Self.other(-96), Self.other(72)])) == .eligible)
        #expect(status(Self.snapshot(subscriptions: [Self.sub()], others: [Self.other(0.5)])) == .overlap)
        #expect(status(Self.snapshot(subscriptions: [Self.sub()], others: [Self.other(1)])) == .eligible, "back to back is fine")
        #expect(status(Self.snapshot(subscriptions: [Self.sub(Self.plan(overlap: true))], others: [Self.other(0.5)])) == .eligible)
        #expect(status(Self.snapshot(provider: nil, others: [Self.other(-0.5)])) == .overlap, "nobody attends two classes at once")
        let many = EligibilityRules.evaluate(
            Self.snapshot(subscriptions: [Self.sub(Self.plan(perDay: 1), credits: 0)], others: [Self.other(0.5)]))
        #expect(many.eligibility.reasons == [.noCredits, .quotaDay, .overlap])
    }

    @Test("full still books (waitlist); already booked does not; staff bypass plans but not capacity or closing")
    func capacityAndStaff() {
        let full = EligibilityRules.evaluate(Self.snapshot(capacity: 2, booked: 2, subscriptions: [Self.sub()]))
        #expect(full.eligibility.status == .full)
        #expect(full.eligibility.canBook)
        #expect(!full.placeFree)
        #expect(status(Self.snapshot(alreadyBooked: true, subscriptions: [Self.sub()])) == .alreadyBooked)
        #expect(status(Self.snapshot(staff: true)) == .eligible)
        #expect(status(Self.snapshot(capacity: 1, booked: 1, staff: true)) == .full)
        #expect(status(Self.snapshot(now: Self.start, staff: true)) == .closed)
    }

    @Test("with several subscriptions the first that allows the booking is chosen, unlimited first")
    func choosesSubscription() {
        let empty = Self.sub(credits: 0, id: "empty")
        let limited = Self.sub(credits: 3, id: "limited")
        let unlimited = Self.sub(Self.plan(credits: nil), credits: nil, id: "unlimited")
        #expect(EligibilityRules.evaluate(Self.snapshot(subscriptions: [empty, limited])).subscription?.id == "limited")
        #expect(EligibilityRules.evaluate(Self.snapshot(subscriptions: [limited, unlimited])).subscription?.id == "unlimited")
        #expect(EligibilityRules.evaluate(Self.snapshot(subscriptions: [empty])).subscription == nil)
    }
}
