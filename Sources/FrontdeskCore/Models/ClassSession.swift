import Foundation

/// Lifecycle state of a class session.
public enum SessionStatus: String, Codable, Sendable, CaseIterable {
    case draft, published, cancelled
}

/// One concrete class at a time and (usually) a place.
public struct ClassSession: Codable, Sendable, Equatable {
    public var id: String
    public var organizationId: String
    public var classTypeId: String
    public var locationId: String?
    public var coachMembershipId: String?
    public var startsAt: Date
    public var durationMin: Int
    public var capacity: Int
    public var status: SessionStatus
    public var cancelReason: String?
    public var createdAt: Date
    public var updatedAt: Date

    /// When the session ends.
    public var endsAt: Date { startsAt.addingTimeInterval(TimeInterval(durationMin * 60)) }

    public init(
        id: String, organizationId: String, classTypeId: String, locationId: String?, coachMembershipId: String?,
        startsAt: Date, durationMin: Int, capacity: Int, status: SessionStatus, cancelReason: String? = nil,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.organizationId = organizationId
        self.classTypeId = classTypeId
        self.locationId = locationId
        self.coachMembershipId = coachMembershipId
        self.startsAt = startsAt
        self.durationMin = durationMin
        self.capacity = capacity
        self.status = status
        self.cancelReason = cancelReason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
