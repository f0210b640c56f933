/// A member's role inside one organization.
public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
    case owner, admin, coach, member

    /// Owner, admin and coach are staff: they run the floor and bypass eligibility for their own bookings.
    public var isStaff: Bool { self != .member }
    /// Owner and admin manage settings, plans, members, displays, publishing and bulk operations.
    public var isManager: Bool { self == .owner || self == .admin }

    private var rank: Int {
        switch self {
        case .owner: 3
        case .admin: 2
        case .coach: 1
        case .member: 0
        }
    }
    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// Whether a membership may act in its organization.
public enum MembershipStatus: String, Codable, Sendable, CaseIterable {
    case active, suspended
}

/// How a program's content reaches members (SPEC §1); only `schedule` sessions are listed to non-booked members.
public enum DeliveryMode: String, Codable, Sendable, CaseIterable {
    case schedule, feed, coaching, course
}

/// The minimum role an action needs.
public enum Permission: Sendable {
    /// Any active member of the org.
    case member
    /// Owner, admin or coach.
    case staff
    /// Owner or admin.
    case manager

    /// Whether `role` satisfies this permission.
    public func allows(_ role: Role) -> Bool {
        switch self {
        case .member: true
        case .staff: role.isStaff
        case .manager: role.isManager
        }
    }
}
