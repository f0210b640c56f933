import Foundation
import FrontdeskCore
import FrontdeskStore
import SQLKit

/// The data the bulk-delete benchmark needs, written in bulk: an org in Europe/Berlin, `sessions`
/// published classes from tomorrow on (ten a day, on the hour from 06:00), and `members` members
/// with a limited plan, each booked and charged a credit in every class. Used by `frontdesk-bench` only.
public struct BulkFixture: Sendable {
    public let organization: Organization
    /// The org's owner, who runs the batch.
    public let owner: BookingActor
    /// The org-local dates the classes span, inclusive.
    public let from: String
    public let to: String

    public static func create(database: any FrontdeskDatabase, sessions: Int, members: Int, now: Date) async throws -> BulkFixture {
        let org = Organization(id: NewID.make(), name: "Bulk Studio", timezone: "Europe/Berlin", createdAt: now, updatedAt: now)
        let program = NewID.make(), type = NewID.make(), plan = NewID.make()
        let t = now.epochSeconds
        let calendar = OrgCalendar(timezone: org.timezone)
        let firstDay = calendar.startOfDay(now, addingDays: 1)
        let starts = (0..<sessions).map { index in
            calendar.instant(onDayOf: calendar.startOfDay(firstDay, addingDays: index / 10), hour: 6 + index % 10, minute: 0)
        }
        let sessionIds = starts.map { _ in NewID.make() }
        let memberships = (0..<members).map { _ in (user: NewID.make(), membership: NewID.make(), subscription: NewID.make()) }
        let owner = BookingActor(userId: NewID.make(), membershipId: NewID.make(), role: .owner)
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO organizations (id, name, timezone, created_at, updated_at)
                VALUES (\(bind: org.id), \(bind: org.name), \(bind: org.timezone), \(bind: t), \(bind: t))
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO programs (id, organization_id, name, delivery_mode, created_at, updated_at)
                VALUES (\(bind: program), \(bind: org.id), 'Yoga', 'schedule', \(bind: t), \(bind: t))
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO class_types (id, organization_id, program_id, name, default_capacity, default_duration_min, color, created_at, updated_at)
                VALUES (\(bind: type), \(bind: org.id), \(bind: program), 'Flow', \(bind: members), 60, '#0f766e', \(bind: t), \(bind: t))
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO plans (id, organization_id, name, class_credits, active, created_at, updated_at)
                VALUES (\(bind: plan), \(bind: org.id), 'Big pack', \(bind: sessions * 2), \(bind: true), \(bind: t), \(bind: t))
                """
            ).run()
            let ownerEmail = "owner-\(owner.userId.prefix(8))@bench.frontdesk.test"
            try await sql.raw(
                """
                INSERT INTO users (id, email, email_normalized, name, password_hash, created_at, updated_at)
                VALUES (\(bind: owner.userId), \(bind: ownerEmail), \(bind: ownerEmail), 'Owner', 'x', \(bind: t), \(bind: t))
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO memberships (id, organization_id, user_id, role, status, created_at, updated_at)
                VALUES (\(bind: owner.membershipId), \(bind: org.id), \(bind: owner.userId), 'owner', 'active', \(bind: t), \(bind: t))
                """
            ).run()
            for (index, member) in memberships.enumerated() {
                let email = "bulk-\(index)-\(member.user.prefix(8))@bench.frontdesk.test"
                try await sql.raw(
                    """
                    INSERT INTO users (id, email, email_normalized, name, password_hash, created_at, updated_at)
                    VALUES (\(bind: member.user), \(bind: email), \(bind: email), \(bind: "Member \(index)"), 'x', \(bind: t), \(bind: t))
                    """
                ).run()
                try await sql.raw(
                    """
                    INSERT INTO memberships (id, organization_id, user_id, role, status, created_at, updated_at)
                    VALUES (\(bind: member.membership), \(bind: org.id), \(bind: member.user), 'member', 'active', \(bind: t), \(bind: t))
                    """
                ).run()
                try await sql.raw(
                    """
                    INSERT INTO subscriptions (id, organization_id, membership_id, plan_id, status, credits_granted, credits_remaining,
                        starts_at, created_at, updated_at)
                    VALUES (\(bind: member.subscription), \(bind: org.id), \(bind: member.membership), \(bind: plan), 'active',
                        \(bind: sessions * 2), \(bind: sessions), \(bind: t), \(bind: t), \(bind: t))
                    """
                ).run()
            }
            for chunk in Array(zip(sessionIds, starts)).chunked(into: 500) {
                let rows: [SQLQueryString] = chunk.map { id, start in
                    """
                    (\(bind: id), \(bind: org.id), \(bind: type), \(bind: start.epochSeconds), 60, \(bind: start.epochSeconds + 3600),
                     \(bind: members), 'published', \(bind: t), \(bind: t))
                    """
                }
                try await sql.raw(
                    """
                    INSERT INTO class_sessions (id, organization_id, class_type_id, starts_at, duration_min, ends_at, capacity, status, created_at, updated_at)
                    VALUES \(rows.joined(separator: ", "))
                    """
                ).run()
            }
            let bookings = sessionIds.flatMap { session in memberships.map { (session, $0.membership, $0.subscription) } }
            for chunk in bookings.chunked(into: 1_000) {
                let rows: [SQLQueryString] = chunk.map { session, membership, subscription in
                    """
                    (\(bind: NewID.make()), \(bind: org.id), \(bind: session), \(bind: membership), \(bind: subscription), 'confirmed',
                     \(bind: true), \(bind: t), \(bind: t))
                    """
                }
                try await sql.raw(
                    """
                    INSERT INTO bookings (id, organization_id, session_id, membership_id, subscription_id, status, credit_charged, created_at, updated_at)
                    VALUES \(rows.joined(separator: ", "))
                    """
                ).run()
            }
        }
        return BulkFixture(
            organization: org, owner: owner, from: calendar.localDateString(starts.first ?? firstDay),
            to: calendar.localDateString(starts.last ?? firstDay))
    }
}
