import Foundation
import FrontdeskCore
import SQLKit

/// The facts about one member that eligibility needs, read once for a whole schedule:
/// active subscriptions with their plans, active bookings in `[from, to)`, the org's plan offers.
public struct MemberFacts: Sendable {
    public var subscriptions: [ActiveSubscription]
    public var bookings: [BookedInterval]
    public var planOffers: [PlanTerms]
}

/// What the booking rules need to know about a member: plans, subscriptions, booked intervals.
enum MemberFactsRows {
    static func plan(_ row: any SQLRow, prefix: String = "") throws -> PlanTerms {
        PlanTerms(
            id: try row.string(prefix + "id"), name: try row.string(prefix + "name"),
            classCredits: try row.optionalInt(prefix + "class_credits"),
            maxBookingsPerDay: try row.optionalInt(prefix + "max_bookings_per_day"),
            maxBookingsPerWeek: try row.optionalInt(prefix + "max_bookings_per_week"),
            allowOverlappingBookings: try row.bool(prefix + "allow_overlapping_bookings"),
            priceCents: try row.optionalInt(prefix + "price_cents"))
    }

    static func memberFacts(
        _ sql: any SQLDatabase, orgId: String, membershipId: String, from: Date, to: Date, now: Date,
        withOffers: Bool = true
    ) async throws -> MemberFacts {
        let subscriptions = try await sql.raw(
            """
            SELECT sub.id AS sub_id, sub.credits_remaining, p.id, p.name, p.class_credits, p.max_bookings_per_day,
                p.max_bookings_per_week, p.allow_overlapping_bookings, p.price_cents
            FROM subscriptions sub JOIN plans p ON p.id = sub.plan_id
            WHERE sub.membership_id = \(bind: membershipId) AND sub.organization_id = \(bind: orgId) AND sub.status = 'active'
              AND sub.starts_at <= \(bind: now.epochSeconds) AND (sub.ends_at IS NULL OR sub.ends_at > \(bind: now.epochSeconds))
            """
        ).all().map {
            ActiveSubscription(id: try $0.string("sub_id"), plan: try plan($0), creditsRemaining: try $0.optionalInt("credits_remaining"))
        }
        let bookings = try await sql.raw(
            """
            SELECT s.id, s.starts_at, s.ends_at FROM bookings b JOIN class_sessions s ON s.id = b.session_id
            WHERE b.membership_id = \(bind: membershipId) AND b.status IN ('confirmed', 'waitlisted', 'attended')
              AND s.deleted_at IS NULL AND s.starts_at < \(bind: to.epochSeconds) AND s.ends_at > \(bind: from.epochSeconds)
            """
        ).all().map {
            BookedInterval(sessionId: try $0.string("id"), startsAt: try $0.date("starts_at"), endsAt: try $0.date("ends_at"))
        }
        guard withOffers else { return MemberFacts(subscriptions: subscriptions, bookings: bookings, planOffers: []) }
        let offers = try await sql.raw(
            """
            SELECT * FROM plans WHERE organization_id = \(bind: orgId) AND active = \(bind: true) ORDER BY name, id
            """
        ).all().map { try plan($0) }
        return MemberFacts(subscriptions: subscriptions, bookings: bookings, planOffers: offers)
    }
}
