import Foundation

/// Which sessions a bulk operation touches (SPEC §8). Every field narrows the match; absent fields
/// match everything, but at least one must be given. Calendar fields are org-local: `from`/`to` are
/// inclusive `YYYY-MM-DD` dates, `daysOfWeek` ISO weekdays (1 = Monday … 7 = Sunday), `startTimes`
/// `HH:mm` wall-clock times compared with each session's start on its own date in the org's zone (so
/// "18:00" is 18:00 on both sides of a DST change, whatever the host's zone).
public struct BulkFilter: Codable, Sendable, Equatable {
    public var programId: String?
    public var classTypeId: String?
    public var locationId: String?
    public var from: String?
    public var to: String?
    public var daysOfWeek: [Int]?
    public var startTimes: [String]?
    public var status: [SessionStatus]?
    /// The classes of one weekly series.
    public var seriesId: String?
    /// Exactly these classes (ticked on the timetable page); other fields narrow them further.
    public var sessionIds: [String]?

    public init(
        programId: String? = nil, classTypeId: String? = nil, locationId: String? = nil, from: String? = nil, to: String? = nil,
        daysOfWeek: [Int]? = nil, startTimes: [String]? = nil, status: [SessionStatus]? = nil, seriesId: String? = nil,
        sessionIds: [String]? = nil
    ) {
        self.programId = programId
        self.classTypeId = classTypeId
        self.locationId = locationId
        self.from = from
        self.to = to
        self.daysOfWeek = daysOfWeek
        self.startTimes = startTimes
        self.status = status
        self.seriesId = seriesId
        self.sessionIds = sessionIds
    }

    private enum CodingKeys: String, CodingKey {
        case programId, classTypeId, locationId, from, to, daysOfWeek, startTimes, status, seriesId, sessionIds
    }

    /// `status` may be one status or a list.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        programId = try container.decodeIfPresent(String.self, forKey: .programId)
        classTypeId = try container.decodeIfPresent(String.self, forKey: .classTypeId)
        locationId = try container.decodeIfPresent(String.self, forKey: .locationId)
        from = try container.decodeIfPresent(String.self, forKey: .from)
        to = try container.decodeIfPresent(String.self, forKey: .to)
        daysOfWeek = try container.decodeIfPresent([Int].self, forKey: .daysOfWeek)
        startTimes = try container.decodeIfPresent([String].self, forKey: .startTimes)
        seriesId = try container.decodeIfPresent(String.self, forKey: .seriesId)
        sessionIds = try container.decodeIfPresent([String].self, forKey: .sessionIds)
        if let one = try? container.decodeIfPresent(SessionStatus.self, forKey: .status) {
            status = [one]
        } else {
            status = try container.decodeIfPresent([SessionStatus].self, forKey: .status)
        }
    }

    /// The longest date range one filter may span.
    public static let maxRangeDays = 731

    /// The most class ids one filter may list.
    public static let maxSessionIds = 1000

    /// The filter with ids lower-cased, lists sorted and de-duplicated; throws 400 for anything malformed.
    public func validated(calendar: OrgCalendar) throws -> BulkFilter {
        var filter = self
        for (field, value) in [
            ("programId", programId), ("classTypeId", classTypeId), ("locationId", locationId), ("seriesId", seriesId),
        ] {
            if let value, !NewID.isWellFormed(value) {
                throw DomainError.invalidField(field, "is not an id.")
            }
        }
        filter.programId = programId?.lowercased()
        filter.classTypeId = classTypeId?.lowercased()
        filter.locationId = locationId?.lowercased()
        filter.seriesId = seriesId?.lowercased()
        if let ids = sessionIds {
            guard !ids.isEmpty, ids.count <= Self.maxSessionIds, ids.allSatisfy(NewID.isWellFormed) else {
                throw DomainError.invalidField("sessionIds", "list 1 to \(Self.maxSessionIds) class ids.")
            }
            filter.sessionIds = Array(Set(ids.map { $0.lowercased() })).sorted()
        }
        let start = try from.map { try Self.date($0, field: "from", calendar: calendar) }
        let end = try to.map { try Self.date($0, field: "to", calendar: calendar) }
        if let start, let end {
            guard start <= end else { throw DomainError.invalidField("to", "must not be before from.") }
            guard end.timeIntervalSince(start) <= Double(Self.maxRangeDays) * 86_400 else {
                throw DomainError.invalidField("to", "a filter spans at most \(Self.maxRangeDays) days.")
            }
        }
        if let days = daysOfWeek {
            guard !days.isEmpty, days.allSatisfy((1...7).contains) else {
                throw DomainError.invalidField("daysOfWeek", "list ISO weekdays, 1 (Monday) to 7 (Sunday).")
            }
            filter.daysOfWeek = Array(Set(days)).sorted()
        }
        if let times = startTimes {
            guard !times.isEmpty, times.count <= 96, times.allSatisfy(Self.isClockTime) else {
                throw DomainError.invalidField("startTimes", "list local start times as HH:mm, e.g. \"18:00\".")
            }
            filter.startTimes = Array(Set(times)).sorted()
        }
        if let statuses = status {
            guard !statuses.isEmpty else { throw DomainError.invalidField("status", "list at least one status.") }
            filter.status = Array(Set(statuses)).sorted { $0.rawValue < $1.rawValue }
        }
        guard filter != BulkFilter() else {
            throw DomainError(
                .emptyFilter, "Give at least one filter field (program, class type, location, dates, days, start times or status).")
        }
        return filter
    }

    /// The instant range `[from 00:00, day after to 00:00)` the dates cover; open ends are nil.
    public func instantRange(calendar: OrgCalendar) -> (from: Date?, to: Date?) {
        let start = from.flatMap { calendar.startOfDay(localDate: $0) }
        let end = to.flatMap { calendar.startOfDay(localDate: $0) }.map { calendar.startOfDay($0, addingDays: 1) }
        return (start, end)
    }

    /// Whether a session starting at `startsAt` matches the local weekday and start-time fields
    /// (the other fields are matched by the database query).
    public func matchesLocal(_ startsAt: Date, calendar: OrgCalendar) -> Bool {
        if let days = daysOfWeek, !days.contains(calendar.isoWeekday(startsAt)) { return false }
        if let times = startTimes, !times.contains(calendar.localTimeString(startsAt)) { return false }
        return true
    }

    private static func date(_ text: String, field: String, calendar: OrgCalendar) throws -> Date {
        guard let date = calendar.startOfDay(localDate: text) else {
            throw DomainError.invalidField(field, "use a date as YYYY-MM-DD.")
        }
        return date
    }

    static func isClockTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":"),
            let hour = Int(text.prefix(2)), let minute = Int(text.suffix(2)),
            bytes[0..<2].allSatisfy({ (48...57).contains($0) }), bytes[3..<5].allSatisfy({ (48...57).contains($0) })
        else { return false }
        return (0...23).contains(hour) && (0...59).contains(minute)
    }
}

/// What a bulk operation does.
public enum BulkAction: String, Codable, Sendable, CaseIterable {
    case delete, publish, cancel

    /// The audit action recorded for a batch.
    public var auditAction: String { "sessions.bulk_\(rawValue)" }
}

/// One session a bulk filter matched, with the bookings an operation would affect.
public struct BulkMatch: Codable, Sendable, Equatable {
    public var id: String
    public var startsAt: Date
    public var localDate: String
    public var localTime: String
    public var className: String
    public var locationId: String?
    public var status: SessionStatus
    public var confirmed: Int
    public var waitlisted: Int
    public var attended: Int

    public init(
        id: String, startsAt: Date, localDate: String, localTime: String, className: String, locationId: String?,
        status: SessionStatus, confirmed: Int, waitlisted: Int, attended: Int
    ) {
        self.id = id
        self.startsAt = startsAt
        self.localDate = localDate
        self.localTime = localTime
        self.className = className
        self.locationId = locationId
        self.status = status
        self.confirmed = confirmed
        self.waitlisted = waitlisted
        self.attended = attended
    }

    /// Whether `action` changes this session (the others are skipped): publish takes drafts, cancel
    /// takes published sessions, delete takes every match.
    public func isChanged(by action: BulkAction) -> Bool {
        switch action {
        case .delete: true
        case .publish: status == .draft
        case .cancel: status == .published
        }
    }
}

/// The preview of a bulk filter: the matches, totals and the fingerprint an execution must present.
public struct BulkPreview: Codable, Sendable, Equatable {
    public struct Totals: Codable, Sendable, Equatable {
        public var sessions = 0
        public var drafts = 0
        public var published = 0
        public var cancelled = 0
        public var confirmed = 0
        public var waitlisted = 0
        public var attended = 0
    }

    public var filter: BulkFilter
    public var fingerprint: String
    public var totals: Totals
    public var sessions: [BulkMatch]

    /// The preview of `matches` (any order), sorted by start.
    public init(filter: BulkFilter, matches: [BulkMatch]) {
        self.filter = filter
        sessions = matches.sorted { ($0.startsAt, $0.id) < ($1.startsAt, $1.id) }
        var totals = Totals()
        for match in sessions {
            totals.sessions += 1
            switch match.status {
            case .draft: totals.drafts += 1
            case .published: totals.published += 1
            case .cancelled: totals.cancelled += 1
            }
            totals.confirmed += match.confirmed
            totals.waitlisted += match.waitlisted
            totals.attended += match.attended
        }
        self.totals = totals
        fingerprint = Self.fingerprint(sessions)
    }

    /// A digest of what an execution would act on: each matched session's id and status and its
    /// booking counts. A session added, removed, re-statused or booked since changes it.
    public static func fingerprint(_ matches: [BulkMatch]) -> String {
        let lines = matches.sorted { $0.id < $1.id }
            .map { "\($0.id)|\($0.status.rawValue)|\($0.confirmed)|\($0.waitlisted)|\($0.attended)" }
        return String(Hashing.sha256Hex(lines.joined(separator: "\n")).prefix(32))
    }
}
