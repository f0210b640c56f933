import Foundation

/// How a booking became attended (SPEC §6).
public enum CheckinMethod: String, Codable, Sendable, CaseIterable {
    case manual, qr, gps
}

/// When members may check themselves in (SPEC §6).
public enum CheckinRules {
    /// Self check-in is open from `opensMinutesBefore` before the start until the session ends.
    public static func requireOpen(now: Date, startsAt: Date, endsAt: Date, opensMinutesBefore: Int) throws {
        let opens = startsAt.addingTimeInterval(-TimeInterval(opensMinutesBefore * 60))
        if now < opens {
            throw DomainError(.checkinNotOpen, "Check-in opens \(opensMinutesBefore) minutes before the class starts.")
        }
        if now >= endsAt {
            throw DomainError(.checkinClosed, "This class has ended; check-in is closed.")
        }
    }
}
