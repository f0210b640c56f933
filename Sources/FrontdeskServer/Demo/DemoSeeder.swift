import Foundation
import FrontdeskCore
import FrontdeskStore

/// Seeds the demo studio of SPEC §11: owner, coach, members, two locations with coordinates,
/// programs, class types, a week of published classes and one starting soon. Idempotent: if the
/// demo owner already exists nothing is written and the same logins are reported.
public struct DemoSeeder: Sendable {
    public struct Login: Sendable, Equatable {
        public let role: String
        public let email: String
        public let password: String
    }

    /// What was seeded (or found).
    public struct Report: Sendable {
        public let organizationId: String
        public let logins: [Login]
        public let created: Bool
        /// A signed URL of the demo's check-in display (the Loft).
        public let displayURL: String?
    }

    public static let logins: [Login] = [
        Login(role: "owner", email: "owner@demo.frontdesk.test", password: "demo-owner-pass"),
        Login(role: "coach", email: "coach@demo.frontdesk.test", password: "demo-coach-pass"),
        Login(role: "member", email: "maya@demo.frontdesk.test", password: "demo-member-pass"),
        Login(role: "member", email: "jonas@demo.frontdesk.test", password: "demo-member-pass"),
        Login(role: "member", email: "aiko@demo.frontdesk.test", password: "demo-member-pass"),
    ]
    static let names = ["Olivia Owner", "Carlos Coach", "Maya Lindqvist", "Jonas Becker", "Aiko Tanaka"]

    let services: AppServices

    public init(services: AppServices) { self.services = services }

    public func seed() async throws -> Report {
        let now = services.now
        if let existing = try await services.accounts.credentials(email: Self.logins[0].email),
            let membership = try await services.organizations.memberships(userId: existing.user.id).first
        {
            let orgId = membership.membership.organizationId
            let display = try await DisplaysStore(database: services.database).displays(orgId: orgId).first { $0.revokedAt == nil }
            var url: String?
            if let display { url = try await services.signedDisplayURL(display) }
            return Report(organizationId: orgId, logins: Self.logins, created: false, displayURL: url)
        }
        var users: [User] = []
        for (login, name) in zip(Self.logins, Self.names) {
            users.append(
                try await services.accounts.createUser(
                    email: login.email, name: name, passwordHash: services.passwords.hashNow(login.password), now: now))
        }
        let org = Organization(
            id: NewID.make(), name: "Lotus & Iron Studio", timezone: "Europe/Berlin",
            latitude: 52.5301, longitude: 13.4012, primaryColor: "#0f766e", createdAt: now, updatedAt: now)
        let (_, ownerMembership) = try await services.organizations.create(org, ownerUserId: users[0].id)
        var coachMembershipId = ownerMembership.id
        for (index, user) in users.enumerated().dropFirst() {
            let role: Role = index == 1 ? .coach : .member
            let (summary, _) = try await services.organizations.addMember(orgId: org.id, email: user.email, role: role, now: now) {
                (user.name, "")
            }
            if role == .coach { coachMembershipId = summary.membership.id }
        }

        let catalog = services.catalog
        let loft = Location(
            id: NewID.make(), organizationId: org.id, name: "Loft (Mitte)", address: "Torstraße 101, Berlin",
            latitude: 52.5299, longitude: 13.4010, createdAt: now)
        let garden = Location(
            id: NewID.make(), organizationId: org.id, name: "Garden Room (Kreuzberg)", address: "Oranienstraße 25, Berlin",
            latitude: 52.5018, longitude: 13.4181, createdAt: now)
        for location in [loft, garden] { try await catalog.save(location, now: now) }
        let yoga = Program(id: NewID.make(), organizationId: org.id, name: "Yoga", deliveryMode: .schedule, createdAt: now)
        let strength = Program(id: NewID.make(), organizationId: org.id, name: "Strength", deliveryMode: .schedule, createdAt: now)
        let openGym = Program(id: NewID.make(), organizationId: org.id, name: "Open Gym", deliveryMode: .feed, createdAt: now)
        for program in [yoga, strength, openGym] { try await catalog.save(program, now: now) }
        let vinyasa = ClassType(
            id: NewID.make(), organizationId: org.id, programId: yoga.id, name: "Vinyasa Flow",
            description: "Breath-led flow for all levels.", defaultCapacity: 16, defaultDurationMin: 60,
            color: "#0f766e", createdAt: now)
        let yin = ClassType(
            id: NewID.make(), organizationId: org.id, programId: yoga.id, name: "Yin & Restore",
            description: "Long holds, slow evening practice.", defaultCapacity: 12, defaultDurationMin: 75,
            color: "#7c3aed", createdAt: now)
        let barbell = ClassType(
            id: NewID.make(), organizationId: org.id, programId: strength.id, name: "Barbell Club",
            description: "Coached strength training.", defaultCapacity: 10, defaultDurationMin: 60,
            color: "#b45309", createdAt: now)
        for classType in [vinyasa, yin, barbell] { try await catalog.save(classType, now: now) }

        let calendar = OrgCalendar(timezone: org.timezone)
        var sessions: [ClassSession] = []
        func add(_ type: ClassType, _ location: Location, _ start: Date) {
            sessions.append(
                ClassSession(
                    id: NewID.make(), organizationId: org.id, classTypeId: type.id, locationId: location.id,
                    coachMembershipId: coachMembershipId, startsAt: start, durationMin: type.defaultDurationMin,
                    capacity: type.defaultCapacity, status: .published, createdAt: now, updatedAt: now))
        }
        // One class starting soon at the Loft, so the display and check-in have something to show at once.
        add(vinyasa, loft, Date(epochSeconds: (now.epochSeconds / 60 + 20) * 60))
        for day in 0..<7 {
            let date = calendar.startOfDay(now, addingDays: day)
            add(barbell, loft, calendar.instant(onDayOf: date, hour: 7, minute: 0))
            add(vinyasa, loft, calendar.instant(onDayOf: date, hour: 12, minute: 15))
            add(vinyasa, garden, calendar.instant(onDayOf: date, hour: 18, minute: 0))
            add(yin, garden, calendar.instant(onDayOf: date, hour: 19, minute: 30))
        }
        try await services.sessions.insert(sessions.filter { $0.startsAt > now }, createdBy: ownerMembership.id)
        let display = try await DisplaysStore(database: services.database)
            .create(orgId: org.id, locationId: loft.id, name: "Loft check-in screen", createdBy: ownerMembership.id, now: now)
        return Report(organizationId: org.id, logins: Self.logins, created: true, displayURL: try await services.signedDisplayURL(display))
    }
}
