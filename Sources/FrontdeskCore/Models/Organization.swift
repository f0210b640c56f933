import Foundation

/// A studio (or chain of studios) and its policies. Defaults follow SPEC §1, §5 and §6.
public struct Organization: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// IANA zone every calendar notion of this org is computed in.
    public var timezone: String
    /// Hours before start inside which a confirmed booking's cancellation is late.
    public var cancellationWindowHours: Int
    /// Whether a late cancel is allowed (without refund) or refused.
    public var allowLateCancellation: Bool
    /// The payment provider; `nil` means none configured and members book without a plan.
    public var paymentProvider: String?
    public var latitude: Double?
    public var longitude: Double?
    /// Brand colour used by the floor pages, `#RRGGBB`.
    public var primaryColor: String
    /// Check-in opens this many minutes before the start.
    public var checkinOpensMinutesBefore: Int
    /// Seconds a QR token stays acceptable after its 60-second window, for scan latency.
    public var checkinGraceSeconds: Int
    /// Maximum distance for GPS self check-in.
    public var gpsMaxMeters: Int
    /// Worst reported GPS accuracy accepted.
    public var gpsMaxAccuracyMeters: Int
    /// Minutes after the end before unchecked confirmed bookings become no-shows.
    public var noShowGraceMinutes: Int
    /// Bookings open this many days before the start; `nil` means no window.
    public var bookingOpensDaysBefore: Int?
    /// Waitlist promotion stops this many minutes before the start.
    public var waitlistCutoffMinutes: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, name: String, timezone: String,
        cancellationWindowHours: Int = 12, allowLateCancellation: Bool = false,
        paymentProvider: String? = nil, latitude: Double? = nil, longitude: Double? = nil,
        primaryColor: String = "#3b5bdb", checkinOpensMinutesBefore: Int = 30,
        checkinGraceSeconds: Int = 10, gpsMaxMeters: Int = 150, gpsMaxAccuracyMeters: Int = 100,
        noShowGraceMinutes: Int = 30, bookingOpensDaysBefore: Int? = nil, waitlistCutoffMinutes: Int = 0,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.timezone = timezone
        self.cancellationWindowHours = cancellationWindowHours
        self.allowLateCancellation = allowLateCancellation
        self.paymentProvider = paymentProvider
        self.latitude = latitude
        self.longitude = longitude
        self.primaryColor = primaryColor
        self.checkinOpensMinutesBefore = checkinOpensMinutesBefore
        self.checkinGraceSeconds = checkinGraceSeconds
        self.gpsMaxMeters = gpsMaxMeters
        self.gpsMaxAccuracyMeters = gpsMaxAccuracyMeters
        self.noShowGraceMinutes = noShowGraceMinutes
        self.bookingOpensDaysBefore = bookingOpensDaysBefore
        self.waitlistCutoffMinutes = waitlistCutoffMinutes
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The ranges each organization setting must stay inside; used by create and update alike.
public enum OrganizationLimits {
    public static let cancellationWindowHours = 0...336
    public static let checkinOpensMinutesBefore = 0...240
    public static let checkinGraceSeconds = 0...120
    public static let gpsMaxMeters = 10...5_000
    public static let gpsMaxAccuracyMeters = 5...5_000
    public static let noShowGraceMinutes = 0...1_440
    public static let bookingOpensDaysBefore = 1...365
    public static let waitlistCutoffMinutes = 0...1_440
    /// Payment providers the product knows about.
    public static let paymentProviders: Set<String> = ["stripe", "mollie", "gocardless", "manual"]
}
