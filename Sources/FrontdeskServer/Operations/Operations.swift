import Foundation
import FrontdeskCore
import FrontdeskQR
import FrontdeskStore

/// The work of each `frontdesk` subcommand, one function each: the executable parses flags and
/// calls one of these. Each opens and shuts down the database once (`withServices`), prints what
/// the command prints, and throws `UsageError` where the command answers with a usage error.
public enum Operations {
    // MARK: Database

    /// `frontdesk migrate [--status]`.
    public static func migrate(configuration: ServerConfiguration, statusOnly: Bool) async throws {
        try await withDatabase(configuration: configuration) { database in
            let migrator = Migrator(database: database)
            if statusOnly {
                let state = try await migrator.status()
                print("applied: \(state.applied)\npending: \(state.pending)")
            } else {
                let applied = try await migrator.migrate(now: Date())
                print(applied.isEmpty ? "database is up to date" : "applied migrations \(applied)")
            }
        }
    }

    /// `frontdesk demo [--years N --locations M]`: the demo studio, and with `years` a large generated org
    /// that the demo owner owns too (so its dashboard can be looked at).
    public static func demo(configuration: ServerConfiguration, years: Int?, locations: Int) async throws {
        try await withServices(configuration: configuration) { services in
            let report = try await DemoSeeder(services: services).seed()
            print(ServerRunner.demoBanner(report, configuration: configuration))
            guard let years else { return }
            let started = Date()
            let history = try await DemoHistory.create(database: services.database, years: years, locations: locations, now: Date()) {
                FileHandle.standardError.write(Data("  generated \($0)\r".utf8))
            }
            _ = try await services.organizations.addMember(
                orgId: history.organization.id, email: DemoSeeder.logins[0].email, role: .owner,
                now: Date()
            ) { ("Demo Owner", "x") }
            print(
                "\ngenerated \(history.organization.name): organization \(history.organization.id), \(history.sessions) classes, "
                    + "\(history.bookings) bookings in \(Int(Date().timeIntervalSince(started))) s")
        }
    }

    // MARK: Users and organizations

    /// `frontdesk user add`.
    public static func addUser(configuration: ServerConfiguration, email: String, name: String, password: String) async throws {
        try await withServices(configuration: configuration) { services in
            try await UsageError.fromDomain {
                let user = try await services.accounts.createUser(
                    email: try Validate.email(email), name: try Validate.name(name),
                    passwordHash: services.passwords.hashNow(try Validate.password(password)), now: Date())
                print("created user \(user.id) <\(user.email)>")
            }
        }
    }

    /// `frontdesk org create`: an organization owned by an existing user.
    public static func createOrganization(
        configuration: ServerConfiguration, name: String, timezone: String, ownerEmail: String
    ) async throws {
        try await withServices(configuration: configuration) { services in
            try await UsageError.fromDomain {
                guard let owner = try await services.accounts.credentials(email: ownerEmail) else {
                    throw UsageError("no user with e-mail \(ownerEmail); create one with `frontdesk user add`")
                }
                let now = Date()
                let org = Organization(
                    id: NewID.make(), name: try Validate.name(name), timezone: try Validate.timeZone(timezone),
                    createdAt: now, updatedAt: now)
                _ = try await services.organizations.create(org, ownerUserId: owner.user.id)
                print("created organization \(org.id) (\(org.name)), owner \(owner.user.email)")
            }
        }
    }
}
