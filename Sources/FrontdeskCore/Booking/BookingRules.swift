import Foundation

/// What a booking request turns into (SPEC §5), decided from a `BookingSnapshot`.
public enum BookingOutcome: Sendable, Equatable {
    /// A confirmed place; `subscription` is charged one credit when its plan is limited.
    case confirmed(subscription: ActiveSubscription?, chargeCredit: Bool, capacityOverride: Bool)
    /// The class is full: end of the waitlist, nothing charged.
    case waitlisted(subscription: ActiveSubscription?)
}

/// The booking decision: eligibility first (same code as the schedule's payload), then capacity.
public enum BookingRules {
    /// Decides a booking or throws the refusal with its specific code.
    /// `overrideCapacity` (staff only, checked by the caller) confirms even when the class is full.
    public static func decide(_ snapshot: BookingSnapshot, overrideCapacity: Bool = false) throws -> BookingOutcome {
        let decision = EligibilityRules.evaluate(snapshot)
        switch decision.eligibility.status {
        case .closed: throw closedError(snapshot)
        case .alreadyBooked: throw DomainError(.alreadyBooked, "You already hold a place or waitlist spot in this class.")
        case .noPlan: throw DomainError(.noPlan, "A plan is needed to book this class.")
        case .noCredits: throw DomainError(.noCredits, "No class credits left on your plan.")
        case .quotaDay: throw DomainError(.quotaDay, "Your plan's bookings for that day are used up.")
        case .quotaWeek: throw DomainError(.quotaWeek, "Your plan's bookings for that week are used up.")
        case .overlap: throw DomainError(.overlap, "You are already booked into a class at that time.")
        case .eligible, .full: break
        }
        let subscription = decision.subscription
        let charge = subscription.map { $0.plan.classCredits != nil && $0.creditsRemaining != nil } ?? false
        if decision.placeFree || overrideCapacity {
            return .confirmed(subscription: subscription, chargeCredit: charge, capacityOverride: !decision.placeFree)
        }
        return .waitlisted(subscription: subscription)
    }

    /// The specific reason a session is closed for booking.
    static func closedError(_ s: BookingSnapshot) -> DomainError {
        if s.sessionDeleted { return DomainError.notFound("Session") }
        switch s.sessionStatus {
        case .cancelled: return DomainError(.sessionCancelled, "This class has been cancelled.")
        case .draft: return DomainError(.sessionNotPublished, "This class is not open for booking.")
        case .published: break
        }
        if s.now >= s.sessionStartsAt { return DomainError(.sessionStarted, "This class has already started.") }
        return DomainError(.bookingWindowClosed, "Booking opens \(s.bookingOpensDaysBefore ?? 0) days before the class.")
    }
}

/// Whether cancelling a confirmed booking is early (refund), late (no refund) or refused (SPEC §5).
public enum CancellationRules {
    public enum Verdict: Sendable, Equatable {
        case early
        case late
    }

    /// A confirmed booking cancelled less than `windowHours` before the start — to the second — is late.
    /// A late cancel is refused (409 `late_cancel_blocked`) unless the org allows it or staff cancel
    /// on the member's behalf; a late cancel never refunds.
    public static func evaluate(now: Date, startsAt: Date, windowHours: Int, allowLate: Bool, byStaff: Bool) throws -> Verdict {
        let deadline = startsAt.addingTimeInterval(-TimeInterval(windowHours * 3600))
        guard now >= deadline else { return .early }
        guard allowLate || byStaff else {
            throw DomainError(.lateCancelBlocked, "Cancelling within \(windowHours) hours of the start is not allowed at this studio.")
        }
        return .late
    }
}

/// Waitlist promotion (SPEC §5): who moves up when places free.
public enum PromotionRules {
    /// Whether promotion still runs at `now` for a session starting at `startsAt`.
    public static func isOpen(now: Date, startsAt: Date, cutoffMinutes: Int) -> Bool {
        now < startsAt.addingTimeInterval(-TimeInterval(cutoffMinutes * 60))
    }

    /// The waitlisted candidates to confirm, in waitlist order, for `freePlaces` places: each
    /// candidate's snapshot is evaluated as if a place were free; ineligible ones are skipped and stay.
    public static func select(
        freePlaces: Int, candidates: [(bookingId: String, snapshot: BookingSnapshot)]
    )
        -> [(bookingId: String, subscription: ActiveSubscription?, chargeCredit: Bool)]
    {
        var chosen: [(String, ActiveSubscription?, Bool)] = []
        for candidate in candidates where chosen.count < freePlaces {
            var snapshot = candidate.snapshot
            snapshot.alreadyBooked = false
            snapshot.bookedCount = min(snapshot.bookedCount, snapshot.capacity - 1)
            guard case .confirmed(let subscription, let charge, _)? = try? BookingRules.decide(snapshot) else { continue }
            chosen.append((candidate.bookingId, subscription, charge))
        }
        return chosen
    }
}
