import Foundation
import FrontdeskCore
import SQLKit

/// What a notification says: its recipient and, when it concerns a booking or class, the class.
public struct NotificationContext: Sendable, Equatable {
    public var recipientEmail: String
    public var recipientName: String
    public var organizationName: String?
    public var timezone: String
    public var sessionId: String?
    public var className: String?
    public var startsAt: Date?
    public var endsAt: Date?
    public var locationName: String?
    public var locationAddress: String?
    public var waitlistPosition: Int?
    public var cancelReason: String?
    /// The recipient's own language and the studio's default (codes, nil when not chosen).
    public var language: String? = nil
    public var studioLanguage: String? = nil

    public init(
        recipientEmail: String, recipientName: String, organizationName: String? = nil, timezone: String, sessionId: String? = nil,
        className: String? = nil, startsAt: Date? = nil, endsAt: Date? = nil, locationName: String? = nil,
        locationAddress: String? = nil, waitlistPosition: Int? = nil, cancelReason: String? = nil
    ) {
        self.recipientEmail = recipientEmail
        self.recipientName = recipientName
        self.organizationName = organizationName
        self.timezone = timezone
        self.sessionId = sessionId
        self.className = className
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.locationName = locationName
        self.locationAddress = locationAddress
        self.waitlistPosition = waitlistPosition
        self.cancelReason = cancelReason
    }
}

/// A registered device for push notifications.
public struct PushTokenRegistration: Codable, Sendable, Equatable {
    public var id: String
    public var token: String
    public var platform: String?
    public var createdAt: Date
}

/// Class-notification preferences per channel (SPEC §7); absent means on.
public struct NotificationPreferences: Codable, Sendable, Equatable {
    public var email: Bool
    public var push: Bool

    public init(email: Bool, push: Bool) {
        self.email = email
        self.push = push
    }
}

/// Reads and writes around notifications: rendering context, devices, preferences.
public struct NotificationsStore: Sendable {
    let database: any FrontdeskDatabase

    public init(database: any FrontdeskDatabase) { self.database = database }

    /// The context of `item`, or nil when its recipient no longer exists.
    public func context(for item: OutboxItem) async throws -> NotificationContext? {
        try await database.read { sql in
            var context: NotificationContext
            if let userId = item.userId {
                guard let user = try await sql.raw("SELECT email, name, language FROM users WHERE id = \(bind: userId)").first() else {
                    return nil
                }
                let own = try user.string("email")
                context = NotificationContext(
                    recipientEmail: item.recipientEmail ?? own,
                    recipientName: try user.string("name"), timezone: "UTC", cancelReason: item.payload["reason"])
                context.language = try user.optionalString("language")
            } else if let address = item.recipientEmail {
                // An account e-mail to an address rather than a user (an invitation, a sign-up): when the
                // address already has an account, its owner's own language still applies.
                context = NotificationContext(recipientEmail: address, recipientName: item.payload["name"] ?? "", timezone: "UTC")
                context.language = try await sql.raw(
                    "SELECT language FROM users WHERE email_normalized = \(bind: Validate.normalizedEmail(address))"
                ).first()?.optionalString("language")
            } else {
                return nil
            }
            if let orgId = item.organizationId,
                let org = try await sql.raw("SELECT name, timezone, default_language FROM organizations WHERE id = \(bind: orgId)").first()
            {
                context.organizationName = try org.string("name")
                context.timezone = try org.string("timezone")
                context.studioLanguage = try org.optionalString("default_language")
            }
            if let sessionId = item.payload["sessionId"],
                let session = try await sql.raw(
                    """
                    SELECT s.id, s.starts_at, s.ends_at, s.cancel_reason, ct.name AS class_name, l.name AS location_name, l.address AS location_address
                    FROM class_sessions s JOIN class_types ct ON ct.id = s.class_type_id LEFT JOIN locations l ON l.id = s.location_id
                    WHERE s.id = \(bind: sessionId)
                    """
                ).first()
            {
                context.sessionId = try session.string("id")
                context.className = try session.string("class_name")
                context.startsAt = try session.date("starts_at")
                context.endsAt = try session.date("ends_at")
                context.locationName = try session.optionalString("location_name")
                context.locationAddress = try session.optionalString("location_address")
                context.cancelReason = try context.cancelReason ?? session.optionalString("cancel_reason")
            }
            if let position = item.payload["waitlistPosition"].flatMap(Int.init) {
                context.waitlistPosition = position
            } else if let bookingId = item.payload["bookingId"],
                let booking = try await sql.raw("SELECT waitlist_position FROM bookings WHERE id = \(bind: bookingId)").first()
            {
                context.waitlistPosition = try booking.optionalInt("waitlist_position")
            }
            return context
        }
    }

    // MARK: Devices

    public func pushTokens(userId: String) async throws -> [String] {
        try await database.read { sql in
            try await sql.raw("SELECT token FROM push_tokens WHERE user_id = \(bind: userId) ORDER BY created_at, id").all().map {
                try $0.string("token")
            }
        }
    }

    /// Forgets devices the push service reported as gone.
    public func removePushTokens(_ tokens: [String]) async throws {
        guard !tokens.isEmpty else { return }
        try await database.transaction { sql in
            try await sql.raw("DELETE FROM push_tokens WHERE token IN (\(binds: tokens))").run()
        }
    }

    /// Registers `token` for `userId`; a token registered before (by anyone) moves to this user.
    public func registerPushToken(userId: String, token: String, platform: String?, now: Date) async throws -> PushTokenRegistration {
        try await database.transaction { sql in
            let at = now.epochSeconds
            let row = try await sql.raw(
                """
                INSERT INTO push_tokens (id, user_id, token, platform, created_at, last_seen_at)
                VALUES (\(bind: NewID.make()), \(bind: userId), \(bind: token), \(bind: platform), \(bind: at), \(bind: at))
                ON CONFLICT (token) DO UPDATE SET user_id = excluded.user_id, platform = excluded.platform, last_seen_at = excluded.last_seen_at
                RETURNING id, token, platform, created_at
                """
            ).first()
            guard let row else { throw DatabaseConfigurationError("the push token upsert returned no row") }
            return PushTokenRegistration(
                id: try row.string("id"), token: try row.string("token"), platform: try row.optionalString("platform"),
                createdAt: try row.date("created_at"))
        }
    }

    /// Removes one of the user's devices; false when it is not theirs.
    public func deletePushToken(userId: String, id: String) async throws -> Bool {
        try await database.transaction { sql in
            !(try await sql.raw("DELETE FROM push_tokens WHERE id = \(bind: id) AND user_id = \(bind: userId) RETURNING id").all().isEmpty)
        }
    }

    public func devices(userId: String) async throws -> [PushTokenRegistration] {
        try await database.read { sql in
            try await sql.raw(
                "SELECT id, token, platform, created_at FROM push_tokens WHERE user_id = \(bind: userId) ORDER BY created_at, id"
            )
            .all().map { row in
                PushTokenRegistration(
                    id: try row.string("id"), token: try row.string("token"), platform: try row.optionalString("platform"),
                    createdAt: try row.date("created_at"))
            }
        }
    }

    // MARK: Preferences

    public func preferences(userId: String) async throws -> NotificationPreferences {
        try await database.read { sql in
            var preferences = NotificationPreferences(email: true, push: true)
            for row in try await sql.raw(
                """
                SELECT channel, enabled FROM notification_preferences WHERE user_id = \(bind: userId) AND category = 'class'
                """
            ).all() {
                let enabled = try row.bool("enabled")
                switch try row.string("channel") {
                case "email": preferences.email = enabled
                case "push": preferences.push = enabled
                default: break
                }
            }
            return preferences
        }
    }

    public func setPreferences(userId: String, _ preferences: NotificationPreferences, now: Date) async throws {
        try await database.transaction { sql in
            for (channel, enabled) in [("email", preferences.email), ("push", preferences.push)] {
                try await sql.raw(
                    """
                    INSERT INTO notification_preferences (user_id, channel, category, enabled, updated_at)
                    VALUES (\(bind: userId), \(bind: channel), 'class', \(bind: enabled), \(bind: now.epochSeconds))
                    ON CONFLICT (user_id, channel, category) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at
                    """
                ).run()
            }
        }
    }
}
