/// Why a page asked for a login, shown above the login form in the reader's language
/// (`login.reason.<case>` in the catalogues).
enum LoginReason: String, CaseIterable, Sendable {
    case analytics
    case audit
    case batches
    case book
    case bookings
    case catalog
    case checkin
    case checkinKept
    case coach
    case displays
    case kioskPin
    case kiosks
    case language
    case members
    case notifications
    case plans
    case schedule
    case settings
    case timetable

    var key: String { "login.reason.\(rawValue)" }
}
