import Foundation
import FrontdeskCore
import SQLKit

/// What a batch of outbox messages is written with, read in one query per kind of fact: the
/// recipients, the owners of bare addresses (for their language), the studios, the classes, the
/// bookings whose waitlist position the payload does not carry, and the push messages' devices.
/// `context(for:)` puts one message's together exactly as reading its own facts would.
struct ContextFacts: Sendable {
    struct Recipient: Sendable {
        let email: String
        let name: String
        let language: String?
    }

    struct Studio: Sendable {
        let name: String
        let timezone: String
        let language: String?
    }

    struct ClassFacts: Sendable {
        let id: String
        let name: String
        let startsAt: Date
        let endsAt: Date
        let locationName: String?
        let locationAddress: String?
        let cancelReason: String?
    }

    var users: [String: Recipient] = [:]
    /// Languages of the accounts behind bare addresses, by normalised address (nil: not chosen).
    var addressLanguages: [String: String?] = [:]
    var studios: [String: Studio] = [:]
    var classes: [String: ClassFacts] = [:]
    var waitlistPositions: [String: Int?] = [:]
    /// The devices of the push messages' recipients, oldest first (a user without any: absent).
    var pushTokens: [String: [String]] = [:]

    static func read(_ items: [OutboxItem], _ sql: any SQLDatabase) async throws -> ContextFacts {
        var facts = ContextFacts()
        let userIds = distinct(items.compactMap(\.userId))
        if !userIds.isEmpty {
            for row in try await sql.raw("SELECT id, email, name, language FROM users WHERE id \(PortableSQL.isIn(sql, userIds))").all() {
                facts.users[try row.string("id")] = Recipient(
                    email: try row.string("email"), name: try row.string("name"), language: try row.optionalString("language"))
            }
        }
        let addresses = distinct(items.filter { $0.userId == nil }.compactMap(\.recipientEmail).map(Validate.normalizedEmail))
        if !addresses.isEmpty {
            let rows = try await sql.raw(
                "SELECT email_normalized, language FROM users WHERE email_normalized \(PortableSQL.isIn(sql, addresses))"
            ).all()
            for row in rows { facts.addressLanguages[try row.string("email_normalized")] = try row.optionalString("language") }
        }
        let orgIds = distinct(items.compactMap(\.organizationId))
        if !orgIds.isEmpty {
            let rows = try await sql.raw(
                "SELECT id, name, timezone, default_language FROM organizations WHERE id \(PortableSQL.isIn(sql, orgIds))"
            )
            .all()
            for row in rows {
                facts.studios[try row.string("id")] = Studio(
                    name: try row.string("name"), timezone: try row.string("timezone"),
                    language: try row.optionalString("default_language"))
            }
        }
        let sessionIds = distinct(items.compactMap { $0.payload["sessionId"] })
        if !sessionIds.isEmpty {
            let rows = try await sql.raw(
                """
                SELECT s.id, s.starts_at, s.ends_at, s.cancel_reason, ct.name AS class_name, l.name AS location_name, l.address AS location_address
                FROM class_sessions s JOIN class_types ct ON ct.id = s.class_type_id LEFT JOIN locations l ON l.id = s.location_id
                WHERE s.id \(PortableSQL.isIn(sql, sessionIds))
                """
            ).all()
            for row in rows {
                let id = try row.string("id")
                facts.classes[id] = ClassFacts(
                    id: id, name: try row.string("class_name"), startsAt: try row.date("starts_at"), endsAt: try row.date("ends_at"),
                    locationName: try row.optionalString("location_name"), locationAddress: try row.optionalString("location_address"),
                    cancelReason: try row.optionalString("cancel_reason"))
            }
        }
        let bookingIds = distinct(
            items.filter { $0.payload["waitlistPosition"].flatMap(Int.init) == nil }.compactMap { $0.payload["bookingId"] })
        if !bookingIds.isEmpty {
            for row in try await sql.raw("SELECT id, waitlist_position FROM bookings WHERE id \(PortableSQL.isIn(sql, bookingIds))").all() {
                facts.waitlistPositions[try row.string("id")] = try row.optionalInt("waitlist_position")
            }
        }
        let pushUsers = distinct(items.filter { $0.channel == "push" }.compactMap(\.userId))
        if !pushUsers.isEmpty {
            let rows = try await sql.raw(
                "SELECT user_id, token FROM push_tokens WHERE user_id \(PortableSQL.isIn(sql, pushUsers)) ORDER BY created_at, id"
            ).all()
            for row in rows { facts.pushTokens[try row.string("user_id"), default: []].append(try row.string("token")) }
        }
        return facts
    }

    /// `item`'s context from these facts, or nil when its recipient no longer exists.
    func context(for item: OutboxItem) -> NotificationContext? {
        var context: NotificationContext
        if let userId = item.userId {
            guard let user = users[userId] else { return nil }
            context = NotificationContext(
                recipientEmail: item.recipientEmail ?? user.email, recipientName: user.name, timezone: "UTC",
                cancelReason: item.payload["reason"])
            context.language = user.language
        } else if let address = item.recipientEmail {
            // An account e-mail to an address rather than a user (an invitation, a sign-up): when the
            // address already has an account, its owner's own language still applies.
            context = NotificationContext(recipientEmail: address, recipientName: item.payload["name"] ?? "", timezone: "UTC")
            context.language = addressLanguages[Validate.normalizedEmail(address)] ?? nil
        } else {
            return nil
        }
        if let orgId = item.organizationId, let studio = studios[orgId] {
            context.organizationName = studio.name
            context.timezone = studio.timezone
            context.studioLanguage = studio.language
        }
        if let sessionId = item.payload["sessionId"], let session = classes[sessionId] {
            context.sessionId = session.id
            context.className = session.name
            context.startsAt = session.startsAt
            context.endsAt = session.endsAt
            context.locationName = session.locationName
            context.locationAddress = session.locationAddress
            context.cancelReason = context.cancelReason ?? session.cancelReason
        }
        if item.channel == "push", let userId = item.userId {
            context.pushTokens = pushTokens[userId] ?? []
        }
        if let position = item.payload["waitlistPosition"].flatMap(Int.init) {
            context.waitlistPosition = position
        } else if let bookingId = item.payload["bookingId"], let position = waitlistPositions[bookingId] {
            context.waitlistPosition = position
        }
        return context
    }

    /// `values` without repeats, first occurrence first.
    private static func distinct(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
