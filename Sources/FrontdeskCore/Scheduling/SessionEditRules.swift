import Foundation

/// Rules for creating and changing a class that need no I/O (issue 17): who may edit what, when two
/// classes collide, and which changes its booked members are told about.
public enum SessionEditRules {
    /// Owners and admins edit any class that is not cancelled; coaches only drafts.
    public static func requireMayEdit(role: Role, status: SessionStatus) throws {
        guard role == .coach, status != .draft else { return }
        throw DomainError(
            .coachEditsDraftsOnly, "Coaches edit draft classes only; ask an owner or admin to change a \(status.rawValue) class.")
    }

    /// Whether `[aStart, aEnd)` and `[bStart, bEnd)` share an instant: a class ending exactly when the
    /// other starts does not overlap it.
    public static func overlaps(_ aStart: Date, _ aEnd: Date, _ bStart: Date, _ bEnd: Date) -> Bool {
        aStart < bEnd && bStart < aEnd
    }

    /// What another class holds that a new time would collide with.
    public enum Clash: String, Sendable, Codable {
        case coach = "coach_busy"
        case room = "room_busy"
    }

    /// The 409 for a clash with another class, naming its local date and time in the studio's zone.
    public static func clashError(
        _ clash: Clash, otherClassName: String, otherStartsAt: Date, otherEndsAt: Date, timezone: String
    ) -> DomainError {
        let calendar = OrgCalendar(timezone: timezone)
        let when =
            "\(calendar.localDateString(otherStartsAt)) \(calendar.localTimeString(otherStartsAt))–\(calendar.localTimeString(otherEndsAt))"
        switch clash {
        case .coach:
            return DomainError(
                .coachBusy, "The coach already teaches \(otherClassName) at \(when); send force: true to schedule both.")
        case .room:
            return DomainError(.roomBusy, "The location already holds \(otherClassName) at \(when); send force: true to schedule both.")
        }
    }

    /// Which of the fields booked members are told about changed: the start, the location, the coach.
    public struct NoticeableChange: Sendable, Equatable {
        public var time: Bool
        public var location: Bool
        public var coach: Bool

        public init(time: Bool, location: Bool, coach: Bool) {
            self.time = time
            self.location = location
            self.coach = coach
        }

        public var any: Bool { time || location || coach }

        /// `time,location,coach` (those that changed), as the notification's payload says.
        public var list: String {
            [time ? "time" : nil, location ? "location" : nil, coach ? "coach" : nil].compactMap { $0 }.joined(separator: ",")
        }
    }

    public static func noticeableChange(before: ClassSession, after: ClassSession) -> NoticeableChange {
        NoticeableChange(
            time: before.startsAt != after.startsAt, location: before.locationId != after.locationId,
            coach: before.coachMembershipId != after.coachMembershipId)
    }
}

/// When staff may change attendance (check-in, undo, no-show) of a class (issue 17): from the
/// opening of its check-in window until `hoursAfterEnd` after it ends, both edges included.
public enum AttendanceRules {
    public static let defaultHoursAfterEnd = 24

    public static func requireOpen(now: Date, startsAt: Date, endsAt: Date, opensMinutesBefore: Int, hoursAfterEnd: Int) throws {
        let opens = startsAt.addingTimeInterval(-TimeInterval(max(0, opensMinutesBefore) * 60))
        if now < opens {
            throw DomainError(
                .attendanceNotOpen, "Attendance for this class opens \(max(0, opensMinutesBefore)) minutes before it starts.")
        }
        if now > endsAt.addingTimeInterval(TimeInterval(max(0, hoursAfterEnd) * 3600)) {
            throw DomainError(
                .attendanceClosed, "Attendance for this class closed \(max(0, hoursAfterEnd)) hours after it ended.")
        }
    }
}
