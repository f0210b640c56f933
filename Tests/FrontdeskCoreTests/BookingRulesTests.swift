import Foundation
import Testing
@testable import FrontdeskCore

// Unit tests of the booking decision (`BookingRules.decide`), the cancellation policy
// (`CancellationRules.evaluate`) and waitlist promotion (`PromotionRules`).
// `EligibilityRulesTests` covers the eligibility statuses; these suites cover the refusal codes and
// HTTP statuses, the outcomes, and every boundary to the second. The org zone is Europe/Berlin
// (CET +01:00 in winter, CEST +02:00 in summer); every instant is an ISO-8601 string with its offset.

/// Shared builders for the three suites.
private enum BookingFixture {
    static let zone = "Europe/Berlin"

    static func plan(
        id: String = "plan", credits: Int? = 10, perDay: Int? = nil, perWeek: Int? = nil,
        overlap: Bool = false
    ) -> PlanTerms {
        PlanTerms(
            id: id, name: "Plan \(id)", classCredits: credits, maxBookingsPerDay: perDay, maxBookingsPerWeek: perWeek,
            allowOverlappingBookings: overlap, priceCents: 1000)
    }

    /// A subscription to a limited plan (10 credits) with `credits` left.
    static func limited(
        _ credits: Int = 5, id: String = "limited", perDay: Int? = nil, perWeek: Int? = nil,
        overlap: Bool = false
    ) -> ActiveSubscription {
        ActiveSubscription(
            id: id, plan: plan(id: "p-\(id)", credits: 10, perDay: perDay, perWeek: perWeek, overlap: overlap),
            creditsRemaining: credits)
    }

    /// A subscription to an unlimited plan.
    static func unlimited(
        id: String = "unlimited", perDay: Int? = nil, perWeek: Int? = nil,
        overlap: Bool = false
    ) -> ActiveSubscription {
        ActiveSubscription(
            id: id, plan: plan(id: "p-\(id)", credits: nil, perDay: perDay, perWeek: perWeek, overlap: overlap),
            creditsRemaining: nil)
    }

    /// Another active booking of the member, from `from` to `to`.
    static func booking(
        _ from: String, _ to: String, session: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> BookedInterval {
        BookedInterval(
            sessionId: session ?? "other-\(from)", startsAt: try iso(from, sourceLocation: sourceLocation),
            endsAt: try iso(to, sourceLocation: sourceLocation))
    }

    /// Another active booking of the member starting at `from` and lasting 30 minutes.
    static func booking(at from: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> BookedInterval {
        let start = try iso(from, sourceLocation: sourceLocation)
        return BookedInterval(sessionId: "other-\(from)", startsAt: start, endsAt: start.addingTimeInterval(1800))
    }

    static func snapshot(
        now: Date, start: Date, end: Date, status: SessionStatus = .published, deleted: Bool = false,
        capacity: Int = 10, booked: Int = 0, provider: String? = "stripe", opensDaysBefore: Int? = nil,
        staff: Bool = false, alreadyBooked: Bool = false, subscriptions: [ActiveSubscription] = [],
        others: [BookedInterval] = []
    ) -> BookingSnapshot {
        BookingSnapshot(
            now: now, timezone: zone, sessionId: "session", sessionStartsAt: start, sessionEndsAt: end,
            sessionStatus: status, sessionDeleted: deleted, capacity: capacity, bookedCount: booked,
            paymentProvider: provider, bookingOpensDaysBefore: opensDaysBefore, isStaff: staff,
            alreadyBooked: alreadyBooked, subscriptions: subscriptions, otherBookings: others,
            planOffers: [plan(id: "offer")])
    }
}

/// Runs `body`, expects a `DomainError` with `status` and `code`, and returns it.
@discardableResult
private func expectDomainError<R>(
    status: Int, code: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> R
) -> DomainError? {
    let error = #expect(throws: DomainError.self, sourceLocation: sourceLocation) { _ = try body() }
    #expect(error?.status == status, "status of \(String(describing: error))", sourceLocation: sourceLocation)
    #expect(error?.code == code, "code of \(String(describing: error))", sourceLocation: sourceLocation)
    return error
}

// MARK: - BookingRules.decide

@Suite("BookingRules.decide")
struct BookingRulesTests {
    private typealias F = BookingFixture

    /// The class: Friday 2027-01-15, 18:00–19:00 Berlin time.
    let start: Date
    let end: Date
    /// The default "now": the day before at noon, well before the start.
    let now: Date

    init() throws {
        start = try iso("2027-01-15T18:00:00+01:00")
        end = try iso("2027-01-15T19:00:00+01:00")
        now = try iso("2027-01-14T12:00:00+01:00")
    }

    /// A snapshot of the Friday class (unless `start`/`end` are given) for a member of an org using Stripe.
    func snapshot(
        now: Date? = nil, start: Date? = nil, end: Date? = nil, status: SessionStatus = .published, deleted: Bool = false,
        capacity: Int = 10, booked: Int = 0, provider: String? = "stripe", opensDaysBefore: Int? = nil,
        staff: Bool = false, alreadyBooked: Bool = false, subscriptions: [ActiveSubscription] = [F.limited()],
        others: [BookedInterval] = []
    ) -> BookingSnapshot {
        let start = start ?? self.start
        return F.snapshot(
            now: now ?? self.now, start: start, end: end ?? start.addingTimeInterval(3600), status: status,
            deleted: deleted, capacity: capacity, booked: booked, provider: provider,
            opensDaysBefore: opensDaysBefore, staff: staff, alreadyBooked: alreadyBooked,
            subscriptions: subscriptions, others: others)
    }

    @discardableResult
    func expectRefusal(
        _ snapshot: BookingSnapshot, overrideCapacity: Bool = false, status: Int, code: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> DomainError? {
        expectDomainError(status: status, code: code, sourceLocation: sourceLocation) {
            try BookingRules.decide(snapshot, overrideCapacity: overrideCapacity)
        }
    }

    /// The plain confirmation a member with the default limited subscription gets.
    var chargedConfirmation: BookingOutcome {
        .confirmed(subscription: F.limited(), chargeCredit: true, capacityOverride: false)
    }

    // MARK: Closed sessions

    @Test("deleted session → 404 not_found, before every other closing reason")
    func deletedSession() {
        for status in SessionStatus.allCases {
            expectRefusal(snapshot(status: status, deleted: true), status: 404, code: "not_found")
        }
        expectRefusal(snapshot(now: start, deleted: true), status: 404, code: "not_found")
        expectRefusal(snapshot(deleted: true, opensDaysBefore: 1), status: 404, code: "not_found")
        expectRefusal(snapshot(deleted: true, staff: true, alreadyBooked: true), status: 404, code: "not_found")
    }

    @Test("cancelled session → 409 session_cancelled, even once started or outside the window")
    func cancelledSession() {
        expectRefusal(snapshot(status: .cancelled), status: 409, code: "session_cancelled")
        expectRefusal(snapshot(now: start, status: .cancelled), status: 409, code: "session_cancelled")
        expectRefusal(snapshot(status: .cancelled, opensDaysBefore: 1), status: 409, code: "session_cancelled")
        expectRefusal(snapshot(status: .cancelled, staff: true), status: 409, code: "session_cancelled")
    }

    @Test("draft session → 409 session_not_published, even once started or outside the window")
    func draftSession() {
        expectRefusal(snapshot(status: .draft), status: 409, code: "session_not_published")
        expectRefusal(snapshot(now: start, status: .draft), status: 409, code: "session_not_published")
        expectRefusal(snapshot(status: .draft, opensDaysBefore: 1), status: 409, code: "session_not_published")
        expectRefusal(snapshot(status: .draft, staff: true), status: 409, code: "session_not_published")
    }

    @Test("session_started from startsAt exactly; one second before still books")
    func startedBoundary() throws {
        expectRefusal(snapshot(now: try iso("2027-01-15T18:00:00+01:00")), status: 409, code: "session_started")
        expectRefusal(snapshot(now: try iso("2027-01-15T17:00:00Z")), status: 409, code: "session_started")  // the same instant in UTC
        expectRefusal(snapshot(now: try iso("2027-01-15T18:00:01+01:00")), status: 409, code: "session_started")
        expectRefusal(snapshot(now: try iso("2027-01-15T19:30:00+01:00")), status: 409, code: "session_started")
        #expect(try BookingRules.decide(snapshot(now: try iso("2027-01-15T17:59:59+01:00"))) == chargedConfirmation)
        // A started class is `session_started`, not `booking_window_closed`, whatever the window; staff too.
        expectRefusal(snapshot(now: start, opensDaysBefore: 1), status: 409, code: "session_started")
        expectRefusal(snapshot(now: start, staff: true), status: 409, code: "session_started")
        expectRefusal(snapshot(now: start, capacity: 1, booked: 1), overrideCapacity: true, status: 409, code: "session_started")
    }

    struct WindowCase: Sendable, CustomTestStringConvertible {
        var days: Int
        /// `startsAt - days × 86 400 s` for the Friday class.
        var opens: String
        /// One second before `opens`.
        var justBefore: String
        var testDescription: String { "\(days) days" }
    }

    @Test(
        "booking window opens to the second: now == opens books, one second earlier is booking_window_closed",
        arguments: [
            WindowCase(days: 1, opens: "2027-01-14T18:00:00+01:00", justBefore: "2027-01-14T17:59:59+01:00"),
            WindowCase(days: 2, opens: "2027-01-13T18:00:00+01:00", justBefore: "2027-01-13T17:59:59+01:00"),
            WindowCase(days: 7, opens: "2027-01-08T17:00:00Z", justBefore: "2027-01-08T16:59:59Z"),
            WindowCase(days: 365, opens: "2026-01-15T18:00:00+01:00", justBefore: "2026-01-15T17:59:59+01:00"),
        ])
    func bookingWindowBoundary(_ window: WindowCase) throws {
        let atOpening = snapshot(now: try iso(window.opens), opensDaysBefore: window.days)
        #expect(try BookingRules.decide(atOpening) == chargedConfirmation)
        let early = snapshot(now: try iso(window.justBefore), opensDaysBefore: window.days)
        let error = expectRefusal(early, status: 409, code: "booking_window_closed")
        #expect(error?.message.contains("\(window.days) days") == true, "message: \(error?.message ?? "-")")
        // Staff, a full class with an override and a no-provider org are held to the window as well.
        expectRefusal(
            snapshot(now: try iso(window.justBefore), opensDaysBefore: window.days, staff: true),
            status: 409, code: "booking_window_closed")
        expectRefusal(
            snapshot(now: try iso(window.justBefore), capacity: 1, booked: 1, opensDaysBefore: window.days),
            overrideCapacity: true, status: 409, code: "booking_window_closed")
        expectRefusal(
            snapshot(now: try iso(window.justBefore), provider: nil, opensDaysBefore: window.days),
            status: 409, code: "booking_window_closed")
    }

    @Test("no booking window (nil): a class can be booked years ahead")
    func noBookingWindow() throws {
        #expect(try BookingRules.decide(snapshot(now: try iso("2020-01-01T00:00:00+01:00"))) == chargedConfirmation)
    }

    @Test("closing reasons come before already_booked and plan problems")
    func closedComesFirst() {
        expectRefusal(snapshot(now: start, alreadyBooked: true, subscriptions: []), status: 409, code: "session_started")
        expectRefusal(snapshot(status: .cancelled, alreadyBooked: true), status: 409, code: "session_cancelled")
        expectRefusal(snapshot(opensDaysBefore: 1, subscriptions: [F.limited(0)]), status: 409, code: "booking_window_closed")
    }

    // MARK: Member refusals

    @Test("already_booked → 409, before plan problems; for staff and without a provider too")
    func alreadyBooked() throws {
        expectRefusal(snapshot(alreadyBooked: true), status: 409, code: "already_booked")
        expectRefusal(snapshot(alreadyBooked: true, subscriptions: []), status: 409, code: "already_booked")
        expectRefusal(snapshot(alreadyBooked: true, subscriptions: [F.limited(0)]), status: 409, code: "already_booked")
        expectRefusal(snapshot(staff: true, alreadyBooked: true), status: 409, code: "already_booked")
        expectRefusal(snapshot(provider: nil, alreadyBooked: true), status: 409, code: "already_booked")
        expectRefusal(
            snapshot(capacity: 1, booked: 1, alreadyBooked: true), overrideCapacity: true,
            status: 409, code: "already_booked")
    }

    @Test(
        "no_plan → 402 when the org takes payments and the member has no subscription",
        arguments: ["stripe", "mollie", "gocardless", "manual"])
    func noPlan(provider: String) {
        expectRefusal(snapshot(provider: provider, subscriptions: []), status: 402, code: "no_plan")
        // Not a waitlist place either, and an override does not help.
        expectRefusal(snapshot(capacity: 1, booked: 1, provider: provider, subscriptions: []), status: 402, code: "no_plan")
        expectRefusal(
            snapshot(capacity: 1, booked: 1, provider: provider, subscriptions: []), overrideCapacity: true,
            status: 402, code: "no_plan")
    }

    @Test("no_credits → 402 at zero credits; one credit left books and charges it")
    func noCredits() throws {
        expectRefusal(snapshot(subscriptions: [F.limited(0)]), status: 402, code: "no_credits")
        expectRefusal(snapshot(subscriptions: [F.limited(-1)]), status: 402, code: "no_credits")
        expectRefusal(snapshot(subscriptions: [F.limited(0, id: "a"), F.limited(0, id: "b")]), status: 402, code: "no_credits")
        expectRefusal(snapshot(capacity: 1, booked: 1, subscriptions: [F.limited(0)]), status: 402, code: "no_credits")
        expectRefusal(
            snapshot(capacity: 1, booked: 1, subscriptions: [F.limited(0)]), overrideCapacity: true,
            status: 402, code: "no_credits")
        #expect(
            try BookingRules.decide(snapshot(subscriptions: [F.limited(1)]))
                == .confirmed(subscription: F.limited(1), chargeCredit: true, capacityOverride: false))
    }

    /// `count` other bookings on Friday 2027-01-15 (local), from local midnight on, 30 minutes each.
    func fridayBookings(_ count: Int) throws -> [BookedInterval] {
        try (0..<count).map { try F.booking(at: String(format: "2027-01-15T%02d:00:00+01:00", $0)) }
    }

    @Test("quota_day → 409: N-1 other bookings that local day book, N refuse", arguments: [1, 2, 3])
    func quotaDay(limit: Int) throws {
        let sub = F.limited(perDay: limit)
        // Other bookings just outside the local day never count: 23:59:59 the day before, 00:00 the day after
        // (the latter is still Friday in UTC).
        let outside = [try F.booking(at: "2027-01-14T23:59:59+01:00"), try F.booking(at: "2027-01-16T00:00:00+01:00")]
        let below = snapshot(subscriptions: [sub], others: try fridayBookings(limit - 1) + outside)
        #expect(try BookingRules.decide(below) == .confirmed(subscription: sub, chargeCredit: true, capacityOverride: false))
        expectRefusal(snapshot(subscriptions: [sub], others: try fridayBookings(limit)), status: 409, code: "quota_day")
        expectRefusal(snapshot(subscriptions: [sub], others: try fridayBookings(limit) + outside), status: 409, code: "quota_day")
        // Unlimited plans have day quotas too; a full class refuses rather than waitlists.
        let unlimited = F.unlimited(perDay: limit)
        expectRefusal(snapshot(subscriptions: [unlimited], others: try fridayBookings(limit)), status: 409, code: "quota_day")
        expectRefusal(
            snapshot(capacity: 1, booked: 1, subscriptions: [sub], others: try fridayBookings(limit)),
            status: 409, code: "quota_day")
    }

    @Test("quota_day counts by local day in Europe/Berlin, also on DST days")
    func quotaDayLocalMidnight() throws {
        let sub = F.limited(perDay: 1)
        // Local midnight Friday (Thursday 23:00 UTC) is the same local day as the class.
        expectRefusal(
            snapshot(subscriptions: [sub], others: [try F.booking(at: "2027-01-15T00:00:00+01:00")]),
            status: 409, code: "quota_day")
        #expect(
            try BookingRules.decide(snapshot(subscriptions: [sub], others: [try F.booking(at: "2027-01-14T23:59:59+01:00")]))
                == .confirmed(subscription: sub, chargeCredit: true, capacityOverride: false))
        // A late class: 23:30–00:30 local is Friday; an 00:00 Saturday booking is the next day (but still Friday in UTC).
        let late = try iso("2027-01-15T23:30:00+01:00")
        #expect(
            try BookingRules.decide(
                snapshot(
                    start: late, subscriptions: [F.limited(perDay: 1, overlap: true)],
                    others: [try F.booking(at: "2027-01-16T00:00:00+01:00")])
            ).isConfirmed)
        // Spring forward (Sunday 2027-03-28 has 23 hours) and fall back (Sunday 2027-10-31 has 25 hours).
        for (day, first, nextDay) in [
            ("2027-03-28", "2027-03-28T00:00:00+01:00", "2027-03-29T00:00:00+02:00"),
            ("2027-10-31", "2027-10-31T00:00:00+02:00", "2027-11-01T00:00:00+01:00"),
        ] {
            let classStart = try iso("\(day)T23:00:00+0\(day.hasPrefix("2027-03") ? 2 : 1):00")
            expectRefusal(
                snapshot(
                    now: try iso("\(day)T20:00:00Z"), start: classStart, subscriptions: [sub],
                    others: [try F.booking(at: first)]), status: 409, code: "quota_day")
            #expect(
                try BookingRules.decide(
                    snapshot(
                        now: try iso("\(day)T20:00:00Z"), start: classStart,
                        subscriptions: [F.limited(perDay: 1, overlap: true)],
                        others: [try F.booking(at: nextDay)])
                ).isConfirmed,
                "\(day): the next local day does not count")
        }
    }

    /// `count` other bookings in the week of Monday 2027-01-11, from Monday 00:00 local on, one a day.
    func weekBookings(_ count: Int) throws -> [BookedInterval] {
        try (0..<count).map { try F.booking(at: String(format: "2027-01-%02dT00:00:00+01:00", 11 + $0)) }
    }

    @Test("quota_week → 409: N-1 other bookings that local week book, N refuse", arguments: [1, 2, 3])
    func quotaWeek(limit: Int) throws {
        let sub = F.limited(perWeek: limit)
        // Just outside the week (Sunday 23:59:59 before it, Monday 00:00 after it) never counts.
        let outside = [try F.booking(at: "2027-01-10T23:59:59+01:00"), try F.booking(at: "2027-01-18T00:00:00+01:00")]
        let below = snapshot(subscriptions: [sub], others: try weekBookings(limit - 1) + outside)
        #expect(try BookingRules.decide(below) == .confirmed(subscription: sub, chargeCredit: true, capacityOverride: false))
        expectRefusal(snapshot(subscriptions: [sub], others: try weekBookings(limit)), status: 409, code: "quota_week")
        expectRefusal(snapshot(subscriptions: [sub], others: try weekBookings(limit) + outside), status: 409, code: "quota_week")
        expectRefusal(
            snapshot(subscriptions: [F.unlimited(perWeek: limit)], others: try weekBookings(limit)),
            status: 409, code: "quota_week")
        expectRefusal(
            snapshot(capacity: 1, booked: 1, subscriptions: [sub], others: try weekBookings(limit)),
            status: 409, code: "quota_week")
    }

    @Test("quota_week: the week starts Monday 00:00 Berlin time; Sunday 23:30 is the previous week")
    func quotaWeekMondayBoundary() throws {
        let sub = F.limited(perWeek: 1, overlap: true)
        // A class on Sunday 23:30 local belongs to the week of Monday 2027-01-11 …
        let sunday = try iso("2027-01-17T23:30:00+01:00")
        expectRefusal(
            snapshot(start: sunday, subscriptions: [sub], others: [try F.booking(at: "2027-01-11T00:00:00+01:00")]),
            status: 409, code: "quota_week")
        #expect(
            try BookingRules.decide(
                snapshot(
                    start: sunday, subscriptions: [sub],
                    others: [try F.booking(at: "2027-01-18T00:00:00+01:00")])
            ).isConfirmed)
        // … and one on Monday 00:00 local (Sunday 23:00 UTC) to the new week.
        let monday = try iso("2027-01-18T00:00:00+01:00")
        #expect(
            try BookingRules.decide(
                snapshot(
                    start: monday, subscriptions: [sub],
                    others: [try F.booking(at: "2027-01-17T23:30:00+01:00")])
            ).isConfirmed)
        expectRefusal(
            snapshot(start: monday, subscriptions: [sub], others: [try F.booking(at: "2027-01-24T23:30:00+01:00")]),
            status: 409, code: "quota_week")
        // Other bookings: Sunday 23:30 counts for the old week, Monday 00:00 for the new one.
        let wednesday = try iso("2027-01-20T18:00:00+01:00")
        #expect(
            try BookingRules.decide(
                snapshot(
                    start: wednesday, subscriptions: [sub],
                    others: [try F.booking(at: "2027-01-17T23:30:00+01:00")])
            ).isConfirmed)
        expectRefusal(
            snapshot(start: wednesday, subscriptions: [sub], others: [try F.booking(at: "2027-01-18T00:00:00+01:00")]),
            status: 409, code: "quota_week")
    }

    @Test("quota_week across DST weeks (spring forward 2027-03-28, fall back 2027-10-31)")
    func quotaWeekDST() throws {
        let sub = F.limited(perWeek: 1, overlap: true)
        for (sunday, monday, nextMonday) in [
            ("2027-03-28T23:30:00+02:00", "2027-03-22T00:00:00+01:00", "2027-03-29T00:00:00+02:00"),
            ("2027-10-31T23:30:00+01:00", "2027-10-25T00:00:00+02:00", "2027-11-01T00:00:00+01:00"),
        ] {
            let start = try iso(sunday)
            let now = start.addingTimeInterval(-86_400)
            expectRefusal(
                snapshot(now: now, start: start, subscriptions: [sub], others: [try F.booking(at: monday)]),
                status: 409, code: "quota_week")
            #expect(
                try BookingRules.decide(
                    snapshot(
                        now: now, start: start, subscriptions: [sub],
                        others: [try F.booking(at: nextMonday)])
                ).isConfirmed, "\(sunday)")
        }
    }

    struct OverlapCase: Sendable, CustomTestStringConvertible {
        var from: String
        var to: String
        var overlaps: Bool
        var testDescription: String { "\(from)–\(to) \(overlaps ? "overlaps" : "does not overlap")" }
    }

    @Test(
        "overlap with the 18:00–19:00 class: touching edges book, one second of overlap → 409 overlap",
        arguments: [
            OverlapCase(from: "2027-01-15T17:00:00+01:00", to: "2027-01-15T18:00:00+01:00", overlaps: false),
            OverlapCase(from: "2027-01-15T19:00:00+01:00", to: "2027-01-15T20:00:00+01:00", overlaps: false),
            OverlapCase(from: "2027-01-15T16:00:00Z", to: "2027-01-15T17:00:00Z", overlaps: false),
            OverlapCase(from: "2027-01-15T18:00:00Z", to: "2027-01-15T19:00:00Z", overlaps: false),
            OverlapCase(from: "2027-01-15T17:00:00+01:00", to: "2027-01-15T18:00:01+01:00", overlaps: true),
            OverlapCase(from: "2027-01-15T18:59:59+01:00", to: "2027-01-15T20:00:00+01:00", overlaps: true),
            OverlapCase(from: "2027-01-15T18:00:00+01:00", to: "2027-01-15T19:00:00+01:00", overlaps: true),
            OverlapCase(from: "2027-01-15T17:00:00+01:00", to: "2027-01-15T20:00:00+01:00", overlaps: true),
            OverlapCase(from: "2027-01-15T18:15:00+01:00", to: "2027-01-15T18:45:00+01:00", overlaps: true),
            OverlapCase(from: "2027-01-15T16:30:00Z", to: "2027-01-15T17:00:01Z", overlaps: true),
        ])
    func overlap(_ c: OverlapCase) throws {
        let other = try F.booking(c.from, c.to)
        let member = snapshot(others: [other])
        let freeOrg = snapshot(provider: nil, subscriptions: [], others: [other])
        if c.overlaps {
            expectRefusal(member, status: 409, code: "overlap")
            expectRefusal(freeOrg, status: 409, code: "overlap")
            expectRefusal(snapshot(capacity: 1, booked: 1, others: [other]), overrideCapacity: true, status: 409, code: "overlap")
        } else {
            #expect(try BookingRules.decide(member) == chargedConfirmation)
            #expect(try BookingRules.decide(freeOrg) == .confirmed(subscription: nil, chargeCredit: false, capacityOverride: false))
        }
        // A plan allowing overlaps and staff always book.
        let overlapping = F.limited(overlap: true)
        #expect(
            try BookingRules.decide(snapshot(subscriptions: [overlapping], others: [other]))
                == .confirmed(subscription: overlapping, chargeCredit: true, capacityOverride: false))
        #expect(
            try BookingRules.decide(snapshot(staff: true, others: [other]))
                == .confirmed(subscription: nil, chargeCredit: false, capacityOverride: false))
    }

    @Test("overlap: a booking of this same session is ignored; one overlapping booking among others refuses")
    func overlapOthers() throws {
        let same = try F.booking("2027-01-15T18:00:00+01:00", "2027-01-15T19:00:00+01:00", session: "session")
        #expect(try BookingRules.decide(snapshot(others: [same])) == chargedConfirmation)
        let others = [
            try F.booking("2027-01-15T10:00:00+01:00", "2027-01-15T11:00:00+01:00"),
            try F.booking("2027-01-15T18:30:00+01:00", "2027-01-15T19:30:00+01:00"),
            try F.booking("2027-01-15T19:00:00+01:00", "2027-01-15T20:00:00+01:00"),
        ]
        expectRefusal(snapshot(others: others), status: 409, code: "overlap")
    }

    @Test("refusal precedence within a plan: no_credits, then quota_day, quota_week, overlap")
    func planRefusalOrder() throws {
        let overlapping = try F.booking("2027-01-15T18:30:00+01:00", "2027-01-15T19:30:00+01:00")
        let sameDay = try F.booking(at: "2027-01-15T08:00:00+01:00")
        let sameWeek = try F.booking(at: "2027-01-12T08:00:00+01:00")
        let all = [overlapping, sameDay, sameWeek]
        expectRefusal(snapshot(subscriptions: [F.limited(0, perDay: 1, perWeek: 1)], others: all), status: 402, code: "no_credits")
        expectRefusal(snapshot(subscriptions: [F.limited(perDay: 1, perWeek: 1)], others: all), status: 409, code: "quota_day")
        expectRefusal(snapshot(subscriptions: [F.limited(perDay: 3, perWeek: 1)], others: all), status: 409, code: "quota_week")
        expectRefusal(snapshot(subscriptions: [F.limited(perDay: 3, perWeek: 4)], others: all), status: 409, code: "overlap")
    }

    // MARK: Outcomes

    @Test("free place: confirmed; a credit is charged on a limited plan only")
    func confirmedCharge() throws {
        #expect(try BookingRules.decide(snapshot()) == chargedConfirmation)
        let unlimited = F.unlimited()
        #expect(
            try BookingRules.decide(snapshot(subscriptions: [unlimited]))
                == .confirmed(subscription: unlimited, chargeCredit: false, capacityOverride: false))
        // No payment provider: no plan needed, none recorded, nothing charged — even if the member holds one.
        #expect(
            try BookingRules.decide(snapshot(provider: nil, subscriptions: []))
                == .confirmed(subscription: nil, chargeCredit: false, capacityOverride: false))
        #expect(
            try BookingRules.decide(snapshot(provider: nil, subscriptions: [F.limited()]))
                == .confirmed(subscription: nil, chargeCredit: false, capacityOverride: false))
        // … and plan limits do not apply.
        #expect(
            try BookingRules.decide(
                snapshot(
                    provider: nil, subscriptions: [F.limited(0, perDay: 1)],
                    others: try fridayBookings(1)))
                == .confirmed(subscription: nil, chargeCredit: false, capacityOverride: false))
        // Staff: no subscription, nothing charged.
        #expect(
            try BookingRules.decide(snapshot(staff: true))
                == .confirmed(subscription: nil, chargeCredit: false, capacityOverride: false))
    }

    @Test("the subscription used decides the charge: unlimited before limited, a limited one when the unlimited is over quota")
    func chargeFollowsChosenSubscription() throws {
        #expect(
            try BookingRules.decide(snapshot(subscriptions: [F.limited(), F.unlimited()]))
                == .confirmed(subscription: F.unlimited(), chargeCredit: false, capacityOverride: false))
        let three = F.limited(3, id: "three")
        #expect(
            try BookingRules.decide(snapshot(subscriptions: [F.limited(0, id: "empty"), three]))
                == .confirmed(subscription: three, chargeCredit: true, capacityOverride: false))
        let capped = F.unlimited(perDay: 1)
        #expect(
            try BookingRules.decide(snapshot(subscriptions: [capped, three], others: try fridayBookings(1)))
                == .confirmed(subscription: three, chargeCredit: true, capacityOverride: false))
    }

    @Test("capacity: last free place confirms, full waitlists without charge, over-full waitlists")
    func capacity() throws {
        let sub = F.limited()
        #expect(try BookingRules.decide(snapshot(capacity: 10, booked: 9)) == chargedConfirmation)
        #expect(try BookingRules.decide(snapshot(capacity: 1, booked: 0)) == chargedConfirmation)
        #expect(try BookingRules.decide(snapshot(capacity: 10, booked: 10)) == .waitlisted(subscription: sub))
        #expect(try BookingRules.decide(snapshot(capacity: 10, booked: 12)) == .waitlisted(subscription: sub))
        #expect(
            try BookingRules.decide(snapshot(capacity: 1, booked: 1, subscriptions: [F.unlimited()]))
                == .waitlisted(subscription: F.unlimited()))
        #expect(try BookingRules.decide(snapshot(capacity: 1, booked: 1, provider: nil)) == .waitlisted(subscription: nil))
        #expect(try BookingRules.decide(snapshot(capacity: 1, booked: 1, staff: true)) == .waitlisted(subscription: nil))
    }

    @Test("overrideCapacity: full → confirmed with capacityOverride; with a free place it is not an override")
    func overrideCapacity() throws {
        let sub = F.limited()
        #expect(
            try BookingRules.decide(snapshot(capacity: 10, booked: 10), overrideCapacity: true)
                == .confirmed(subscription: sub, chargeCredit: true, capacityOverride: true))
        #expect(
            try BookingRules.decide(snapshot(capacity: 10, booked: 11), overrideCapacity: true)
                == .confirmed(subscription: sub, chargeCredit: true, capacityOverride: true))
        #expect(try BookingRules.decide(snapshot(capacity: 10, booked: 9), overrideCapacity: true) == chargedConfirmation)
        #expect(
            try BookingRules.decide(snapshot(capacity: 1, booked: 1, subscriptions: [F.unlimited()]), overrideCapacity: true)
                == .confirmed(subscription: F.unlimited(), chargeCredit: false, capacityOverride: true))
        #expect(
            try BookingRules.decide(snapshot(capacity: 1, booked: 1, provider: nil), overrideCapacity: true)
                == .confirmed(subscription: nil, chargeCredit: false, capacityOverride: true))
        #expect(
            try BookingRules.decide(snapshot(capacity: 1, booked: 1, staff: true), overrideCapacity: true)
                == .confirmed(subscription: nil, chargeCredit: false, capacityOverride: true))
    }

    @Test("staff bypass no_plan, no_credits, quotas and overlap (but not closing or already_booked)")
    func staffBypass() throws {
        let confirmed = BookingOutcome.confirmed(subscription: nil, chargeCredit: false, capacityOverride: false)
        #expect(try BookingRules.decide(snapshot(staff: true, subscriptions: [])) == confirmed)
        #expect(try BookingRules.decide(snapshot(staff: true, subscriptions: [F.limited(0)])) == confirmed)
        #expect(
            try BookingRules.decide(snapshot(staff: true, subscriptions: [F.limited(perDay: 1)], others: try fridayBookings(1)))
                == confirmed)
        #expect(
            try BookingRules.decide(snapshot(staff: true, subscriptions: [F.limited(perWeek: 1)], others: try weekBookings(1)))
                == confirmed)
        let overlapping = try F.booking("2027-01-15T18:30:00+01:00", "2027-01-15T19:30:00+01:00")
        #expect(try BookingRules.decide(snapshot(staff: true, others: [overlapping])) == confirmed)
        #expect(try BookingRules.decide(snapshot(provider: nil, staff: true, others: [overlapping])) == confirmed)
        let everything = snapshot(
            staff: true, subscriptions: [F.limited(0, perDay: 1, perWeek: 1)],
            others: [overlapping] + (try weekBookings(5)))
        #expect(try BookingRules.decide(everything) == confirmed)
        expectRefusal(snapshot(now: start, staff: true), status: 409, code: "session_started")
        expectRefusal(snapshot(staff: true, alreadyBooked: true), status: 409, code: "already_booked")
    }
}

private extension BookingOutcome {
    var isConfirmed: Bool {
        if case .confirmed = self { return true }
        return false
    }
}

// MARK: - CancellationRules.evaluate

@Suite("CancellationRules.evaluate")
struct CancellationRulesTests {
    /// The class starts Friday 2027-01-15 at 18:00 Berlin time.
    let start: Date

    init() throws {
        start = try iso("2027-01-15T18:00:00+01:00")
    }

    func evaluate(
        _ now: String, window: Int, allowLate: Bool = false, byStaff: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> CancellationRules.Verdict {
        try CancellationRules.evaluate(
            now: try iso(now, sourceLocation: sourceLocation), startsAt: start, windowHours: window,
            allowLate: allowLate, byStaff: byStaff)
    }

    func expectBlocked(_ now: String, window: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = expectDomainError(status: 409, code: "late_cancel_blocked", sourceLocation: sourceLocation) {
            try evaluate(now, window: window, sourceLocation: sourceLocation)
        }
        #expect(
            error?.message.contains("\(window) hours") == true, "message: \(error?.message ?? "-")",
            sourceLocation: sourceLocation)
    }

    struct WindowCase: Sendable, CustomTestStringConvertible {
        var hours: Int
        /// `startsAt - hours × 3600 s`.
        var deadline: String
        var justBefore: String
        var testDescription: String { "\(hours) h" }
    }

    @Test(
        "window boundary to the second: one second before the deadline is early, the deadline itself is late",
        arguments: [
            WindowCase(hours: 1, deadline: "2027-01-15T17:00:00+01:00", justBefore: "2027-01-15T16:59:59+01:00"),
            WindowCase(hours: 12, deadline: "2027-01-15T06:00:00+01:00", justBefore: "2027-01-15T05:59:59+01:00"),
            WindowCase(hours: 24, deadline: "2027-01-14T17:00:00Z", justBefore: "2027-01-14T16:59:59Z"),
            WindowCase(hours: 336, deadline: "2027-01-01T18:00:00+01:00", justBefore: "2027-01-01T17:59:59+01:00"),
        ])
    func windowBoundary(_ c: WindowCase) throws {
        for (allowLate, byStaff) in [(false, false), (true, false), (false, true), (true, true)] {
            #expect(try evaluate(c.justBefore, window: c.hours, allowLate: allowLate, byStaff: byStaff) == .early)
            #expect(try evaluate("2026-06-01T12:00:00+02:00", window: c.hours, allowLate: allowLate, byStaff: byStaff) == .early)
        }
        expectBlocked(c.deadline, window: c.hours)
        expectBlocked("2027-01-15T17:59:59+01:00", window: c.hours)
        #expect(try evaluate(c.deadline, window: c.hours, allowLate: true) == .late)
        #expect(try evaluate(c.deadline, window: c.hours, byStaff: true) == .late)
        #expect(try evaluate(c.deadline, window: c.hours, allowLate: true, byStaff: true) == .late)
        #expect(try evaluate("2027-01-15T17:59:59+01:00", window: c.hours, allowLate: true) == .late)
    }

    @Test("late cancels: refused 409 late_cancel_blocked unless the org allows them or staff cancel")
    func lateCancel() throws {
        expectBlocked("2027-01-15T12:00:00+01:00", window: 24)
        #expect(try evaluate("2027-01-15T12:00:00+01:00", window: 24, allowLate: true) == .late)
        #expect(try evaluate("2027-01-15T12:00:00+01:00", window: 24, byStaff: true) == .late)
    }

    @Test("windowHours 0: everything before the start is early, the start and after are late")
    func zeroWindow() throws {
        #expect(try evaluate("2027-01-15T17:59:59+01:00", window: 0) == .early)
        #expect(try evaluate("2027-01-14T18:00:00+01:00", window: 0) == .early)
        expectBlocked("2027-01-15T18:00:00+01:00", window: 0)
        #expect(try evaluate("2027-01-15T18:00:00+01:00", window: 0, allowLate: true) == .late)
        #expect(try evaluate("2027-01-15T18:00:00+01:00", window: 0, byStaff: true) == .late)
    }

    @Test("after the start a cancel is always late", arguments: [0, 1, 24, 336])
    func afterStart(window: Int) throws {
        for now in ["2027-01-15T18:00:01+01:00", "2027-01-15T19:30:00+01:00", "2027-01-20T09:00:00+01:00"] {
            expectBlocked(now, window: window)
            #expect(try evaluate(now, window: window, allowLate: true) == .late)
            #expect(try evaluate(now, window: window, byStaff: true) == .late)
        }
    }

    @Test("the window is elapsed hours, not wall-clock hours, across a DST change")
    func windowAcrossDST() throws {
        // Sunday 2027-03-28 12:00 CEST is 10:00 UTC; 24 hours earlier is Saturday 11:00 CET.
        let start = try iso("2027-03-28T12:00:00+02:00")
        let early = try iso("2027-03-27T10:59:59+01:00")
        let deadline = try iso("2027-03-27T11:00:00+01:00")
        #expect(try CancellationRules.evaluate(now: early, startsAt: start, windowHours: 24, allowLate: false, byStaff: false) == .early)
        #expect(try CancellationRules.evaluate(now: deadline, startsAt: start, windowHours: 24, allowLate: true, byStaff: false) == .late)
        expectDomainError(status: 409, code: "late_cancel_blocked") {
            try CancellationRules.evaluate(now: deadline, startsAt: start, windowHours: 24, allowLate: false, byStaff: false)
        }
    }
}

// MARK: - PromotionRules

@Suite("PromotionRules")
struct PromotionRulesTests {
    private typealias F = BookingFixture

    /// The class: Friday 2027-01-15, 18:00–19:00 Berlin time.
    let start: Date
    let now: Date

    init() throws {
        start = try iso("2027-01-15T18:00:00+01:00")
        now = try iso("2027-01-15T10:00:00+01:00")
    }

    struct CutoffCase: Sendable, CustomTestStringConvertible {
        var minutes: Int
        /// `startsAt - minutes × 60 s`: promotion has stopped.
        var cutoff: String
        /// One second before the cutoff: promotion still runs.
        var justBefore: String
        var testDescription: String { "\(minutes) min" }
    }

    @Test(
        "isOpen until one second before the cutoff; closed at the cutoff and after",
        arguments: [
            CutoffCase(minutes: 0, cutoff: "2027-01-15T18:00:00+01:00", justBefore: "2027-01-15T17:59:59+01:00"),
            CutoffCase(minutes: 1, cutoff: "2027-01-15T17:59:00+01:00", justBefore: "2027-01-15T17:58:59+01:00"),
            CutoffCase(minutes: 30, cutoff: "2027-01-15T16:30:00Z", justBefore: "2027-01-15T16:29:59Z"),
            CutoffCase(minutes: 1440, cutoff: "2027-01-14T18:00:00+01:00", justBefore: "2027-01-14T17:59:59+01:00"),
        ])
    func isOpen(_ c: CutoffCase) throws {
        #expect(PromotionRules.isOpen(now: try iso(c.justBefore), startsAt: start, cutoffMinutes: c.minutes))
        #expect(PromotionRules.isOpen(now: try iso("2027-01-01T00:00:00+01:00"), startsAt: start, cutoffMinutes: c.minutes))
        #expect(!PromotionRules.isOpen(now: try iso(c.cutoff), startsAt: start, cutoffMinutes: c.minutes))
        #expect(!PromotionRules.isOpen(now: try iso(c.cutoff).addingTimeInterval(1), startsAt: start, cutoffMinutes: c.minutes))
        #expect(!PromotionRules.isOpen(now: start, startsAt: start, cutoffMinutes: c.minutes))
        #expect(!PromotionRules.isOpen(now: try iso("2027-01-15T19:00:00+01:00"), startsAt: start, cutoffMinutes: c.minutes))
    }

    /// A waitlisted member's snapshot as the promotion job reads it: already holding a waitlist spot,
    /// the class full.
    func waitlisted(
        subscriptions: [ActiveSubscription] = [F.limited()], others: [BookedInterval] = [], provider: String? = "stripe",
        staff: Bool = false, now: Date? = nil, status: SessionStatus = .published, capacity: Int = 10, booked: Int = 10
    ) -> BookingSnapshot {
        F.snapshot(
            now: now ?? self.now, start: start, end: start.addingTimeInterval(3600), status: status,
            capacity: capacity, booked: booked, provider: provider, staff: staff, alreadyBooked: true,
            subscriptions: subscriptions, others: others)
    }

    typealias Candidate = (bookingId: String, snapshot: BookingSnapshot)

    func ids(_ freePlaces: Int, _ candidates: [Candidate]) -> [String] {
        PromotionRules.select(freePlaces: freePlaces, candidates: candidates).map(\.bookingId)
    }

    @Test("picks in waitlist order and stops at freePlaces")
    func order() {
        let candidates: [Candidate] = ["w1", "w2", "w3"].map { ($0, waitlisted()) }
        #expect(ids(1, candidates) == ["w1"])
        #expect(ids(2, candidates) == ["w1", "w2"])
        #expect(ids(3, candidates) == ["w1", "w2", "w3"])
        #expect(ids(10, candidates) == ["w1", "w2", "w3"])
        let reversed: [Candidate] = ["w3", "w2", "w1"].map { ($0, waitlisted()) }
        #expect(ids(2, reversed) == ["w3", "w2"], "waitlist order is the candidates' order, not the ids'")
    }

    @Test("zero free places, negative free places and no candidates select nobody")
    func nothingToSelect() {
        let candidates: [Candidate] = ["w1", "w2"].map { ($0, waitlisted()) }
        #expect(ids(0, candidates).isEmpty)
        #expect(ids(-1, candidates).isEmpty)
        #expect(ids(0, []).isEmpty)
        #expect(ids(3, []).isEmpty)
    }

    @Test("ineligible candidates (no credits, quotas, overlap, no plan, closed) are skipped and order is kept")
    func skipsIneligible() throws {
        let fridayMorning = try F.booking(at: "2027-01-15T08:00:00+01:00")
        let tuesday = try F.booking(at: "2027-01-12T08:00:00+01:00")
        let overlapping = try F.booking("2027-01-15T18:30:00+01:00", "2027-01-15T19:30:00+01:00")
        let ineligible: [Candidate] = [
            ("no-credits", waitlisted(subscriptions: [F.limited(0)])),
            ("quota-day", waitlisted(subscriptions: [F.limited(perDay: 1)], others: [fridayMorning])),
            ("quota-week", waitlisted(subscriptions: [F.limited(perWeek: 1)], others: [tuesday])),
            ("overlap", waitlisted(others: [overlapping])),
            ("overlap-free-org", waitlisted(subscriptions: [], others: [overlapping], provider: nil)),
            ("no-plan", waitlisted(subscriptions: [])),
            ("started", waitlisted(now: start)),
            ("cancelled", waitlisted(status: .cancelled)),
        ]
        for candidate in ineligible {
            #expect(ids(1, [candidate]).isEmpty, "\(candidate.bookingId) is not promoted")
        }
        let mixed: [Candidate] = [
            ineligible[0], ("a", waitlisted()), ineligible[1], ineligible[2],
            ("b", waitlisted()), ineligible[3], ("c", waitlisted()), ineligible[4],
        ]
        #expect(ids(2, mixed) == ["a", "b"])
        #expect(ids(3, mixed) == ["a", "b", "c"])
        #expect(ids(8, mixed) == ["a", "b", "c"])
        #expect(ids(2, ineligible + [("last", waitlisted())]) == ["last"])
        #expect(ids(5, ineligible).isEmpty)
    }

    @Test("each candidate is evaluated as if a place were free, ignoring its own waitlist spot")
    func evaluatedAsFree() {
        #expect(ids(1, [("full", waitlisted(capacity: 10, booked: 10))]) == ["full"])
        #expect(ids(1, [("over-full", waitlisted(capacity: 10, booked: 13))]) == ["over-full"])
        #expect(ids(1, [("free", waitlisted(capacity: 10, booked: 4))]) == ["free"])
        #expect(ids(1, [("single", waitlisted(capacity: 1, booked: 1))]) == ["single"])
    }

    @Test("returns the subscription to use and whether to charge a credit")
    func charge() {
        let limited = F.limited(3)
        let unlimited = F.unlimited()
        let candidates: [Candidate] = [
            ("limited", waitlisted(subscriptions: [limited])),
            ("unlimited", waitlisted(subscriptions: [unlimited])),
            ("both", waitlisted(subscriptions: [limited, unlimited])),
            ("free-org", waitlisted(subscriptions: [limited], provider: nil)),
            ("staff", waitlisted(subscriptions: [], staff: true)),
        ]
        let chosen = PromotionRules.select(freePlaces: 5, candidates: candidates)
        #expect(chosen.map(\.bookingId) == ["limited", "unlimited", "both", "free-org", "staff"])
        #expect(chosen.map(\.subscription) == [limited, unlimited, unlimited, nil, nil])
        #expect(chosen.map(\.chargeCredit) == [true, false, false, false, false])
    }
}
