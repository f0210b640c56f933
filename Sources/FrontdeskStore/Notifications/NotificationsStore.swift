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
    /// A push's devices, oldest first (nil for an e-mail).
    public var pushTokens: [String]? = nil

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
        try await contexts(for: [item])[item.id]
    }

    /// The contexts of a claimed batch, by item id (absent: the recipient no longer exists): one
    /// set-based read per kind of fact the batch needs (its users, addresses, studios, classes and
    /// waitlist positions), whatever the batch's size, instead of up to four reads per message — the
    /// outbox fell minutes behind a busy hour's bookings reading them one by one.
    public func contexts(for items: [OutboxItem]) async throws -> [String: NotificationContext] {
        guard !items.isEmpty else { return [:] }
        let facts = try await database.read { sql in try await ContextFacts.read(items, sql) }
        var contexts: [String: NotificationContext] = [:]
        for item in items {
            if let context = facts.context(for: item) { contexts[item.id] = context }
        }
        return contexts
    }

    // MARK: Devices

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
