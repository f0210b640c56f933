import Foundation

/// A person who can log in. The password hash never leaves the store.
public struct User: Codable, Sendable, Equatable {
    public var id: String
    public var email: String
    public var name: String
    public var createdAt: Date

    public init(id: String, email: String, name: String, createdAt: Date) {
        self.id = id
        self.email = email
        self.name = name
        self.createdAt = createdAt
    }
}

/// A user's place in one organization.
public struct Membership: Codable, Sendable, Equatable {
    public var id: String
    public var organizationId: String
    public var userId: String
    public var role: Role
    public var status: MembershipStatus
    public var createdAt: Date

    public init(id: String, organizationId: String, userId: String, role: Role, status: MembershipStatus, createdAt: Date) {
        self.id = id
        self.organizationId = organizationId
        self.userId = userId
        self.role = role
        self.status = status
        self.createdAt = createdAt
    }
}

/// A membership with the user and organization names, as listed to staff and to the user.
public struct MemberSummary: Codable, Sendable, Equatable {
    public var membership: Membership
    public var user: User
    public var organizationName: String

    public init(membership: Membership, user: User, organizationName: String) {
        self.membership = membership
        self.user = user
        self.organizationName = organizationName
    }
}
