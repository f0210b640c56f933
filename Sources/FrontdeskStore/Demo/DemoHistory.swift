import Foundation
import FrontdeskCore
import SQLKit

/// The large demo org of `frontdesk demo --years`: shipped, because the CLI generates it, so the
/// analytics dashboard and `frontdesk-bench analytics` have realistic data to show. `locations`
/// locations, each with eight classes a weekday and four a weekend day for the past `years` years (2 × 10 ≈ 50,000 classes), and 12 to 31
/// of `members` members booked in each class, up to its capacity, with realistic outcomes
/// (about 78 % attended, 8 % no-show, 9 % cancelled, 5 % late-cancelled). Written in bulk, straight
/// into the database.
public struct DemoHistory: Sendable {
    public let organization: Organization
    public let sessions: Int
    public let bookings: Int

    public static func create(
        database: any FrontdeskDatabase, years: Int, locations locationCount: Int, members memberCount: Int = 3_000,
        membersPerClass: Int = 20, now: Date, progress: (@Sendable (String) -> Void)? = nil
    ) async throws -> DemoHistory {
        let org = Organization(
            id: NewID.make(), name: "Northside Studios (\(years)y × \(locationCount) locations)", timezone: "Europe/Berlin",
            createdAt: now, updatedAt: now)
        let calendar = OrgCalendar(timezone: org.timezone)
        let t = now.epochSeconds
        let programs = ["Yoga", "Strength", "Pilates"].map { (id: NewID.make(), name: $0) }
        let types = [("Vinyasa Flow", 0, 24), ("Yin & Restore", 0, 18), ("Barbell Club", 1, 16), ("HIIT", 1, 28), ("Mat Pilates", 2, 20)]
            .map { (id: NewID.make(), name: $0.0, program: programs[$0.1].id, capacity: $0.2) }
        let locations = (0..<locationCount).map { (id: NewID.make(), name: "Studio \($0 + 1)") }
        let members = (0..<memberCount).map { _ in (user: NewID.make(), membership: NewID.make()) }
        var generator = SplitMix(seed: 20_261_126)

        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO organizations (id, name, timezone, created_at, updated_at)
                VALUES (\(bind: org.id), \(bind: org.name), \(bind: org.timezone), \(bind: t), \(bind: t))
                """
            ).run()
            for program in programs {
                try await sql.raw(
                    """
                    INSERT INTO programs (id, organization_id, name, delivery_mode, created_at, updated_at)
                    VALUES (\(bind: program.id), \(bind: org.id), \(bind: program.name), 'schedule', \(bind: t), \(bind: t))
                    """
                ).run()
            }
            for type in types {
                try await sql.raw(
                    """
                    INSERT INTO class_types (id, organization_id, program_id, name, default_capacity, default_duration_min, color, created_at, updated_at)
                    VALUES (\(bind: type.id), \(bind: org.id), \(bind: type.program), \(bind: type.name), \(bind: type.capacity), 60, '#0f766e', \(bind: t), \(bind: t))
                    """
                ).run()
            }
            for location in locations {
                try await sql.raw(
                    """
                    INSERT INTO locations (id, organization_id, name, created_at, updated_at)
                    VALUES (\(bind: location.id), \(bind: org.id), \(bind: location.name), \(bind: t), \(bind: t))
                    """
                ).run()
            }
            for chunk in Array(members.enumerated()).chunked(into: 500) {
                var users: [SQLQueryString] = [], memberships: [SQLQueryString] = []
                for (index, member) in chunk {
                    let email = "member-\(index)-\(member.user.prefix(6))@northside.frontdesk.test"
                    users.append(
                        "(\(bind: member.user), \(bind: email), \(bind: email), \(bind: "Member \(index)"), 'x', \(bind: t), \(bind: t))")
                    memberships.append(
                        "(\(bind: member.membership), \(bind: org.id), \(bind: member.user), 'member', 'active', \(bind: t), \(bind: t))")
                }
                try await sql.raw(
                    "INSERT INTO users (id, email, email_normalized, name, password_hash, created_at, updated_at) VALUES \(users.joined(separator: ", "))"
                ).run()
                try await sql.raw(
                    "INSERT INTO memberships (id, organization_id, user_id, role, status, created_at, updated_at) VALUES \(memberships.joined(separator: ", "))"
                ).run()
            }
        }

        let weekday: [(Int, Int)] = [(6, 30), (7, 30), (9, 30), (12, 15), (17, 0), (18, 15), (19, 30), (20, 30)]
        let weekend: [(Int, Int)] = [(9, 0), (10, 30), (12, 0), (16, 0)]
        let today = calendar.startOfDay(now)
        let totalDays = 365 * years
        var sessionCount = 0, bookingCount = 0
        // One transaction per month of classes keeps each commit moderate.
        for monthStart in stride(from: totalDays, to: 0, by: -30) {
            var sessionRows: [SQLQueryString] = [], bookingRows: [SQLQueryString] = []
            for back in stride(from: monthStart, to: max(0, monthStart - 30), by: -1) {
                let day = calendar.startOfDay(today, addingDays: -back)
                let slots = calendar.isoWeekday(day) >= 6 ? weekend : weekday
                for location in locations {
                    for (index, slot) in slots.enumerated() {
                        let type = types[(index + location.name.count + back) % types.count]
                        let start = calendar.instant(onDayOf: day, hour: slot.0, minute: slot.1)
                        let session = NewID.make()
                        sessionRows.append(
                            """
                            (\(bind: session), \(bind: org.id), \(bind: type.id), \(bind: location.id), \(bind: start.epochSeconds), 60,
                             \(bind: start.epochSeconds + 3_600), \(bind: type.capacity), 'published', \(bind: t), \(bind: t))
                            """)
                        let booked = min(type.capacity, Int(generator.next() % UInt64(membersPerClass)) + membersPerClass / 2 + 2)
                        let first = Int(generator.next() % UInt64(members.count))
                        for seat in 0..<booked {
                            let member = members[(first + seat * 7) % members.count]
                            let roll = generator.next() % 100
                            let status = roll < 78 ? "attended" : roll < 86 ? "no_show" : "cancelled"
                            let late = roll >= 95
                            bookingRows.append(
                                """
                                (\(bind: NewID.make()), \(bind: org.id), \(bind: session), \(bind: member.membership), \(bind: status),
                                 \(bind: late), \(bind: start.epochSeconds - 86_400), \(bind: start.epochSeconds))
                                """)
                        }
                    }
                }
            }
            let newSessions = sessionRows, newBookings = bookingRows
            try await database.transaction { sql in
                for chunk in newSessions.chunked(into: 1_000) {
                    try await sql.raw(
                        """
                        INSERT INTO class_sessions (id, organization_id, class_type_id, location_id, starts_at, duration_min, ends_at, capacity,
                            status, created_at, updated_at) VALUES \(chunk.joined(separator: ", "))
                        """
                    ).run()
                }
                for chunk in newBookings.chunked(into: 1_000) {
                    try await sql.raw(
                        """
                        INSERT INTO bookings (id, organization_id, session_id, membership_id, status, late_cancel, created_at, updated_at)
                        VALUES \(chunk.joined(separator: ", "))
                        """
                    ).run()
                }
            }
            sessionCount += sessionRows.count
            bookingCount += bookingRows.count
            progress?("\(sessionCount) classes, \(bookingCount) bookings")
        }
        return DemoHistory(organization: org, sessions: sessionCount, bookings: bookingCount)
    }
}

/// A small deterministic random generator (SplitMix64), so generated data is the same every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
