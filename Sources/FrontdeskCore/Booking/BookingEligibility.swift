import Foundation

/// A plan's booking terms (SPEC §1).
public struct PlanTerms: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// `nil` = unlimited classes.
    public var classCredits: Int?
    public var maxBookingsPerDay: Int?
    public var maxBookingsPerWeek: Int?
    public var allowOverlappingBookings: Bool
    public var priceCents: Int?

    public init(
        id: String, name: String, classCredits: Int?, maxBookingsPerDay: Int?, maxBookingsPerWeek: Int?,
        allowOverlappingBookings: Bool, priceCents: Int?
    ) {
        self.id = id
        self.name = name
        self.classCredits = classCredits
        self.maxBookingsPerDay = maxBookingsPerDay
        self.maxBookingsPerWeek = maxBookingsPerWeek
        self.allowOverlappingBookings = allowOverlappingBookings
        self.priceCents = priceCents
    }
}

/// A member's active subscription as the booking rules see it.
public struct ActiveSubscription: Sendable, Equatable {
    public var id: String
    public var plan: PlanTerms
    /// Credits left on a limited plan; `nil` for unlimited plans.
    public var creditsRemaining: Int?

    public init(id: String, plan: PlanTerms, creditsRemaining: Int?) {
        self.id = id
        self.plan = plan
        self.creditsRemaining = creditsRemaining
    }
}

/// One of the member's other active bookings in the org, by time.
public struct BookedInterval: Sendable, Equatable {
    public var sessionId: String
    public var startsAt: Date
    public var endsAt: Date

    public init(sessionId: String, startsAt: Date, endsAt: Date) {
        self.sessionId = sessionId
        self.startsAt = startsAt
        self.endsAt = endsAt
    }
}

/// Everything the booking decision needs, read inside the booking transaction (or for the schedule).
public struct BookingSnapshot: Sendable {
    public var now: Date
    public var timezone: String
    public var sessionId: String
    public var sessionStartsAt: Date
    public var sessionEndsAt: Date
    public var sessionStatus: SessionStatus
    public var sessionDeleted: Bool
    public var capacity: Int
    /// Confirmed plus attended bookings.
    public var bookedCount: Int
    public var paymentProvider: String?
    public var bookingOpensDaysBefore: Int?
    /// Staff bypass plans, credits, quotas and overlap for their own bookings.
    public var isStaff: Bool
    public var alreadyBooked: Bool
    public var subscriptions: [ActiveSubscription]
    /// The member's other active bookings (any session but this one).
    public var otherBookings: [BookedInterval]
    /// Plans the org sells, offered when the member has no usable plan.
    public var planOffers: [PlanTerms]

    public init(
        now: Date, timezone: String, sessionId: String, sessionStartsAt: Date, sessionEndsAt: Date,
        sessionStatus: SessionStatus, sessionDeleted: Bool, capacity: Int, bookedCount: Int,
        paymentProvider: String?, bookingOpensDaysBefore: Int?, isStaff: Bool, alreadyBooked: Bool,
        subscriptions: [ActiveSubscription], otherBookings: [BookedInterval], planOffers: [PlanTerms]
    ) {
        self.now = now
        self.timezone = timezone
        self.sessionId = sessionId
        self.sessionStartsAt = sessionStartsAt
        self.sessionEndsAt = sessionEndsAt
        self.sessionStatus = sessionStatus
        self.sessionDeleted = sessionDeleted
        self.capacity = capacity
        self.bookedCount = bookedCount
        self.paymentProvider = paymentProvider
        self.bookingOpensDaysBefore = bookingOpensDaysBefore
        self.isStaff = isStaff
        self.alreadyBooked = alreadyBooked
        self.subscriptions = subscriptions
        self.otherBookings = otherBookings
        self.planOffers = planOffers
    }
}

/// The `bookingEligibility` payload of SPEC §4: a status, every reason found, and the plans on offer.
public struct BookingEligibility: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case eligible, noPlan = "no_plan", noCredits = "no_credits", quotaDay = "quota_day", quotaWeek = "quota_week"
        case overlap, full, alreadyBooked = "already_booked", closed
    }

    public var status: Status
    /// Every problem found, most decisive first (`status` is the first); empty when eligible.
    public var reasons: [Status]
    public var plans: [PlanTerms]

    /// Whether a booking may be made: `full` still books onto the waitlist.
    public var canBook: Bool { status == .eligible || status == .full }
}

/// The decision, with the subscription a booking would use and whether it would be confirmed.
public struct EligibilityDecision: Sendable, Equatable {
    public var eligibility: BookingEligibility
    /// The subscription to charge (or record); `nil` for staff and when no payment provider is configured.
    public var subscription: ActiveSubscription?
    /// Whether a place is free (confirmed) or the booking would be waitlisted.
    public var placeFree: Bool
}

/// The one implementation of SPEC §4/§5's eligibility rules, used by the schedule read and by the
/// booking transaction alike.
public enum EligibilityRules {
    /// Why the session is closed for booking, if it is.
    public static func closedReason(_ s: BookingSnapshot) -> Bool {
        if s.sessionDeleted || s.sessionStatus != .published { return true }
        if s.now >= s.sessionStartsAt { return true }
        if let days = s.bookingOpensDaysBefore {
            // Calendar days in the org's zone: the window opens at the class's local time, DST or not.
            let opens = OrgCalendar(timezone: s.timezone).sameLocalTime(s.sessionStartsAt, addingDays: -days)
            if s.now < opens { return true }
        }
        return false
    }

    public static func evaluate(_ s: BookingSnapshot) -> EligibilityDecision {
        let placeFree = s.bookedCount < s.capacity
        var reasons: [BookingEligibility.Status] = []
        if closedReason(s) { reasons.append(.closed) }
        if s.alreadyBooked { reasons.append(.alreadyBooked) }

        var chosen: ActiveSubscription?
        if !s.isStaff {
            if s.paymentProvider == nil {
                // No payment set up: no plan needed and no limits, but nobody attends two classes at once.
                if overlaps(s) { reasons.append(.overlap) }
            } else if s.subscriptions.isEmpty {
                reasons.append(.noPlan)
            } else {
                // The first subscription that allows this booking wins: unlimited plans first, then most credits.
                let ordered = s.subscriptions.sorted { a, b in
                    (a.creditsRemaining ?? .max, a.id) > (b.creditsRemaining ?? .max, b.id)
                }
                var best: [BookingEligibility.Status]?
                for subscription in ordered {
                    let problems = planProblems(subscription, s)
                    if problems.isEmpty {
                        chosen = subscription
                        best = []
                        break
                    }
                    if best == nil { best = problems }
                }
                reasons += best ?? []
            }
        }
        if reasons.isEmpty && !placeFree { reasons.append(.full) }

        let status = reasons.first ?? .eligible
        let offersPlans = s.paymentProvider != nil && (status == .noPlan || status == .noCredits)
        let eligibility = BookingEligibility(status: status, reasons: reasons, plans: offersPlans ? s.planOffers : [])
        return EligibilityDecision(eligibility: eligibility, subscription: chosen, placeFree: placeFree)
    }

    static func planProblems(_ subscription: ActiveSubscription, _ s: BookingSnapshot) -> [BookingEligibility.Status] {
        var problems: [BookingEligibility.Status] = []
        if let credits = subscription.creditsRemaining, subscription.plan.classCredits != nil, credits < 1 {
            problems.append(.noCredits)
        }
        let calendar = OrgCalendar(timezone: s.timezone)
        if let perDay = subscription.plan.maxBookingsPerDay {
            let day = calendar.startOfDay(s.sessionStartsAt)
            let count = s.otherBookings.filter { calendar.startOfDay($0.startsAt) == day }.count
            if count >= perDay { problems.append(.quotaDay) }
        }
        if let perWeek = subscription.plan.maxBookingsPerWeek {
            let week = calendar.startOfWeek(s.sessionStartsAt)
            let count = s.otherBookings.filter { calendar.startOfWeek($0.startsAt) == week }.count
            if count >= perWeek { problems.append(.quotaWeek) }
        }
        if !subscription.plan.allowOverlappingBookings, overlaps(s) { problems.append(.overlap) }
        return problems
    }

    static func overlaps(_ s: BookingSnapshot) -> Bool {
        s.otherBookings.contains { $0.sessionId != s.sessionId && $0.startsAt < s.sessionEndsAt && s.sessionStartsAt < $0.endsAt }
    }
}
