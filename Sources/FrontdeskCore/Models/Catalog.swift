import Foundation

/// A program groups class types and decides how they reach members.
public struct Program: Codable, Sendable, Equatable {
    public var id: String
    public var organizationId: String
    public var name: String
    public var deliveryMode: DeliveryMode
    public var createdAt: Date

    public init(id: String, organizationId: String, name: String, deliveryMode: DeliveryMode, createdAt: Date) {
        self.id = id
        self.organizationId = organizationId
        self.name = name
        self.deliveryMode = deliveryMode
        self.createdAt = createdAt
    }
}

/// A kind of class with the defaults new sessions take.
public struct ClassType: Codable, Sendable, Equatable {
    public var id: String
    public var organizationId: String
    public var programId: String
    public var name: String
    public var description: String?
    public var defaultCapacity: Int
    public var defaultDurationMin: Int
    public var color: String
    public var createdAt: Date

    public init(
        id: String, organizationId: String, programId: String, name: String, description: String?,
        defaultCapacity: Int, defaultDurationMin: Int, color: String, createdAt: Date
    ) {
        self.id = id
        self.organizationId = organizationId
        self.programId = programId
        self.name = name
        self.description = description
        self.defaultCapacity = defaultCapacity
        self.defaultDurationMin = defaultDurationMin
        self.color = color
        self.createdAt = createdAt
    }
}

/// A room or site of the organization; coordinates enable GPS check-in.
public struct Location: Codable, Sendable, Equatable {
    public var id: String
    public var organizationId: String
    public var name: String
    public var address: String?
    public var latitude: Double?
    public var longitude: Double?
    public var createdAt: Date

    public init(
        id: String, organizationId: String, name: String, address: String?,
        latitude: Double?, longitude: Double?, createdAt: Date
    ) {
        self.id = id
        self.organizationId = organizationId
        self.name = name
        self.address = address
        self.latitude = latitude
        self.longitude = longitude
        self.createdAt = createdAt
    }
}

/// Ranges shared by class types and sessions.
public enum CatalogLimits {
    public static let capacity = 1...1_000
    public static let durationMin = 1...1_440
}
