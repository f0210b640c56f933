import Foundation

/// A booking's state (SPEC §1).
public enum BookingStatus: String, Codable, Sendable, CaseIterable {
    case confirmed, waitlisted, attended
    case noShow = "no_show"
    case cancelled

    /// Active bookings hold a place or a waitlist spot (one per session × membership).
    public var isActive: Bool { self == .confirmed || self == .waitlisted || self == .attended }
}

/// A member's place (or waitlist spot) in a session.
public struct Booking: Codable, Sendable, Equatable {
    public var id: String
    public var organizationId: String
    public var sessionId: String
    public var membershipId: String
    public var subscriptionId: String?
    public var status: BookingStatus
    public var waitlistPosition: Int?
    public var creditCharged: Bool
    public var lateCancel: Bool
    public var capacityOverride: Bool
    public var checkedInAt: Date?
    public var checkinMethod: String?
    public var cancelledAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, organizationId: String, sessionId: String, membershipId: String, subscriptionId: String?,
        status: BookingStatus, waitlistPosition: Int?, creditCharged: Bool, lateCancel: Bool, capacityOverride: Bool,
        checkedInAt: Date?, checkinMethod: String?, cancelledAt: Date?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.organizationId = organizationId
        self.sessionId = sessionId
        self.membershipId = membershipId
        self.subscriptionId = subscriptionId
        self.status = status
        self.waitlistPosition = waitlistPosition
        self.creditCharged = creditCharged
        self.lateCancel = lateCancel
        self.capacityOverride = capacityOverride
        self.checkedInAt = checkedInAt
        self.checkinMethod = checkinMethod
        self.cancelledAt = cancelledAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
