import Foundation

/// A weekly timetable entry: the classes it makes and when (issue 17). Its classes are ordinary
/// sessions that remember the series and their local date.
public struct ClassSeries: Codable, Sendable, Equatable {
    public var id: String
    public var organizationId: String
    public var classTypeId: String
    public var locationId: String?
    public var coachMembershipId: String?
    public var capacity: Int
    public var durationMin: Int
    public var weekdays: [Int]
    public var startTime: String
    public var firstDate: String
    public var lastDate: String?
    /// Classes are made published (else drafts).
    public var publish: Bool
    /// The last local date classes have been made up to, nil before the first run.
    public var generatedThrough: String?
    /// The series this one was split from by a "this and following" edit.
    public var splitFromSeriesId: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, organizationId: String, classTypeId: String, locationId: String?, coachMembershipId: String?, capacity: Int,
        durationMin: Int, pattern: SeriesPattern, publish: Bool, generatedThrough: String? = nil, splitFromSeriesId: String? = nil,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.organizationId = organizationId
        self.classTypeId = classTypeId
        self.locationId = locationId
        self.coachMembershipId = coachMembershipId
        self.capacity = capacity
        self.durationMin = durationMin
        self.weekdays = pattern.weekdays
        self.startTime = pattern.startTime
        self.firstDate = pattern.firstDate
        self.lastDate = pattern.lastDate
        self.publish = publish
        self.generatedThrough = generatedThrough
        self.splitFromSeriesId = splitFromSeriesId
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// When the series has classes.
    public var pattern: SeriesPattern {
        get { SeriesPattern(weekdays: weekdays, startTime: startTime, firstDate: firstDate, lastDate: lastDate) }
        set {
            weekdays = newValue.weekdays
            startTime = newValue.startTime
            firstDate = newValue.firstDate
            lastDate = newValue.lastDate
        }
    }
}

/// A closure: dates on which the studio, or one location, holds no classes.
public struct Closure: Codable, Sendable, Equatable {
    public var id: String
    public var organizationId: String
    public var locationId: String?
    public var from: String
    public var to: String
    public var reason: String?
    public var createdAt: Date

    public init(id: String, organizationId: String, range: ClosureRange, reason: String?, createdAt: Date) {
        self.id = id
        self.organizationId = organizationId
        self.locationId = range.locationId
        self.from = range.firstDate
        self.to = range.lastDate
        self.reason = reason
        self.createdAt = createdAt
    }

    public var range: ClosureRange { ClosureRange(locationId: locationId, firstDate: from, lastDate: to) }
}
