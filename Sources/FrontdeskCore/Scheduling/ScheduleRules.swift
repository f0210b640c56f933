import Foundation

/// Rules of the schedule read (SPEC §4) that need no I/O.
public enum ScheduleRules {
    /// The longest range one schedule request may cover.
    public static let maxRangeDays = 62

    /// Validates a `[from, to)` range: `from` before `to`, at most 62 days.
    public static func validateRange(from: Date, to: Date) throws {
        guard from < to else {
            throw DomainError(.invalidRange, "from must be before to.")
        }
        guard to.timeIntervalSince(from) <= TimeInterval(maxRangeDays * 86_400) else {
            throw DomainError(.rangeTooLong, "A schedule request may cover at most \(maxRangeDays) days.")
        }
    }

    /// Whether a member (not staff) sees a session: published sessions of schedule-mode programs,
    /// plus any session they hold an active booking for, whatever its program's mode.
    public static func memberCanSee(status: SessionStatus, deliveryMode: DeliveryMode, hasActiveBooking: Bool) -> Bool {
        hasActiveBooking || (status == .published && deliveryMode == .schedule)
    }

    /// Sessions must start in a sane period (guards against absurd timestamps).
    public static let earliestStart = Date(timeIntervalSince1970: 946_684_800)  // 2000-01-01
    public static let latestStart = Date(timeIntervalSince1970: 4_102_444_800)  // 2100-01-01

    /// Validates a start instant and truncates it to whole seconds (what the database stores).
    public static func validateStart(_ date: Date, field: String = "startsAt") throws -> Date {
        guard date >= earliestStart, date < latestStart else {
            throw DomainError.invalidField(field, "must be between 2000 and 2100.")
        }
        return Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}

/// Where a session's workouts come from (SPEC §4).
public enum WorkoutSource: String, Codable, Sendable {
    case session
    case dailyProgramming = "daily_programming"
    case none
}

/// Resolution of a session's workouts: its own, else the daily programming of its local date for
/// its program, else the org-wide programming of that date, else none.
public enum WorkoutResolution {
    public static func resolve(
        sessionWorkoutIds: [String], programProgrammingIds: [String], orgProgrammingIds: [String]
    ) -> (source: WorkoutSource, workoutIds: [String]) {
        if !sessionWorkoutIds.isEmpty { return (.session, sessionWorkoutIds) }
        if !programProgrammingIds.isEmpty { return (.dailyProgramming, programProgrammingIds) }
        if !orgProgrammingIds.isEmpty { return (.dailyProgramming, orgProgrammingIds) }
        return (.none, [])
    }
}
