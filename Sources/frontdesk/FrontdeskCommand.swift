import ArgumentParser
import Foundation
import FrontdeskCore
import FrontdeskQR
import FrontdeskServer
import FrontdeskStore

/// Options every command that touches the database shares: config file, env, then flags.
struct ConfigOptions: ParsableArguments {
    @Option(help: "JSON configuration file (see kiosk-config/frontdesk.example.json). Env: FRONTDESK_CONFIG.")
    var config: String?
    @Option(help: "postgres://user:pass@host:port/db, or an SQLite file path. Env: FRONTDESK_DATABASE_URL.")
    var databaseURL: String?
    @Option(help: "Directory for the embedded database. Env: FRONTDESK_DATA_DIR.")
    var dataDir: String?
    @Option(help: "trace, debug, info, notice, warning, error. Env: FRONTDESK_LOG_LEVEL.")
    var logLevel: String?

    /// Defaults < config file < environment < flags.
    func resolve(_ apply: (inout ServerConfiguration) -> Void = { _ in }) throws -> ServerConfiguration {
        let environment = ProcessInfo.processInfo.environment
        var configuration = ServerConfiguration()
        if let file = config ?? environment["FRONTDESK_CONFIG"] {
            configuration = try ServerConfiguration.load(file: file)
        }
        configuration = try configuration.applying(environment: environment)
        if let databaseURL { configuration.databaseURL = databaseURL }
        if let dataDir { configuration.dataDirectory = dataDir }
        if let logLevel { configuration.logLevel = logLevel }
        apply(&configuration)
        return try configuration.validated()
    }
}

@main
struct Frontdesk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frontdesk",
        abstract: "Class schedule, bookings and check-in for fitness and yoga studios.",
        subcommands: [Serve.self, Migrate.self, Demo.self, UserCommand.self, OrgCommand.self, DisplayCommand.self, KeysCommand.self,
                      OutboxCommand.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP server (API, pages, background jobs).",
        discussion: "Without a database setting it uses the embedded SQLite file ./data/frontdesk.sqlite and migrates it. On PostgreSQL it refuses to start with pending migrations unless --migrate is given."
    )
    @OptionGroup var options: ConfigOptions
    @Option(help: "Interface to listen on. Env: FRONTDESK_HOST.") var host: String?
    @Option(help: "Port to listen on. Env: FRONTDESK_PORT.") var port: Int?
    @Option(help: "URL phones reach this server at (QR codes, e-mails). Env: FRONTDESK_PUBLIC_BASE_URL.") var publicBaseURL: String?
    @Flag(help: "Apply pending migrations before serving (default on SQLite).") var migrate = false
    @Flag(help: "Seed the demo studio (if absent) and print its logins.") var demo = false

    func run() async throws {
        let configuration = try options.resolve { config in
            if let host { config.host = host }
            if let port { config.port = port }
            if let publicBaseURL { config.publicBaseURL = publicBaseURL }
        }
        try await ServerRunner.serve(configuration: configuration, migrate: migrate ? true : nil, demo: demo)
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")
    @OptionGroup var options: ConfigOptions
    @Flag(help: "Only report applied and pending migrations.") var status = false

    func run() async throws {
        let configuration = try options.resolve()
        let logger = ServerRunner.logger(configuration)
        let database = try await DatabaseFactory.open(url: configuration.resolvedDatabaseURL, logger: logger)
        defer { Task { await database.shutdown() } }
        let migrator = Migrator(database: database)
        if status {
            let state = try await migrator.status()
            print("applied: \(state.applied)\npending: \(state.pending)")
        } else {
            let applied = try await migrator.migrate(now: Date())
            print(applied.isEmpty ? "database is up to date" : "applied migrations \(applied)")
        }
        await database.shutdown()
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Seed the demo studio (idempotent) and print its logins.",
        discussion: "With --years, also generate a large org with that many years of past classes and bookings (for analytics benchmarks).")
    @OptionGroup var options: ConfigOptions
    @Option(help: "Years of past classes for a large generated org (1…5).") var years: Int?
    @Option(help: "Locations of the generated org (1…50).") var locations: Int = 10

    func validate() throws {
        if let years, !(1...5).contains(years) { throw ValidationError("--years must be 1…5") }
        guard (1...50).contains(locations) else { throw ValidationError("--locations must be 1…50") }
    }

    func run() async throws {
        let configuration = try options.resolve()
        let services = try await openServices(configuration)
        let report = try await DemoSeeder(services: services).seed()
        print(ServerRunner.demoBanner(report, configuration: configuration))
        if let years {
            let started = Date()
            let fixture = try await DemoHistory.create(database: services.database, years: years, locations: locations, now: Date()) {
                FileHandle.standardError.write(Data("  generated \($0)\r".utf8))
            }
            // The demo owner owns it too, so its dashboard can be looked at.
            _ = try await services.organizations.addMember(orgId: fixture.organization.id, email: DemoSeeder.logins[0].email, role: .owner,
                                                           now: Date()) { ("Demo Owner", "x") }
            print("\ngenerated \(fixture.organization.name): organization \(fixture.organization.id), \(fixture.sessions) classes, "
                  + "\(fixture.bookings) bookings in \(Int(Date().timeIntervalSince(started))) s")
        }
        await services.database.shutdown()
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage users.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user who can log in.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "E-mail address (login).") var email: String
        @Option(help: "Display name.") var name: String
        @Option(help: "Password (at least 8 characters). Env: FRONTDESK_NEW_PASSWORD, so it stays out of shell history.") var password: String?

        func run() async throws {
            let configuration = try options.resolve()
            guard let password = password ?? ProcessInfo.processInfo.environment["FRONTDESK_NEW_PASSWORD"] else {
                throw ValidationError("give --password or set FRONTDESK_NEW_PASSWORD")
            }
            let services = try await openServices(configuration)
            defer { Task { await services.database.shutdown() } }
            do {
                let user = try await services.accounts.createUser(
                    email: try Validate.email(email), name: try Validate.name(name),
                    passwordHash: services.passwords.hashNow(try Validate.password(password)), now: Date())
                print("created user \(user.id) <\(user.email)>")
            } catch let error as DomainError {
                throw ValidationError(error.message)
            }
            await services.database.shutdown()
        }
    }
}

struct OrgCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "org", abstract: "Manage organizations.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an organization owned by an existing user.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "Organization name.") var name: String
        @Option(help: "IANA time zone, e.g. Europe/Berlin.") var timezone: String
        @Option(help: "E-mail of the user who becomes owner.") var owner: String

        func run() async throws {
            let configuration = try options.resolve()
            let services = try await openServices(configuration)
            defer { Task { await services.database.shutdown() } }
            do {
                guard let owner = try await services.accounts.credentials(email: owner) else {
                    throw ValidationError("no user with e-mail \(self.owner); create one with `frontdesk user add`")
                }
                let now = Date()
                let org = Organization(id: NewID.make(), name: try Validate.name(name), timezone: try Validate.timeZone(timezone),
                                       createdAt: now, updatedAt: now)
                _ = try await services.organizations.create(org, ownerUserId: owner.user.id)
                print("created organization \(org.id) (\(org.name)), owner \(owner.user.email)")
            } catch let error as DomainError {
                throw ValidationError(error.message)
            }
            await services.database.shutdown()
        }
    }
}

/// Opens the database for a one-shot command (migrating the embedded one) and wraps it in services.
func openServices(_ configuration: ServerConfiguration) async throws -> AppServices {
    let logger = ServerRunner.logger(configuration)
    let database = try await openDatabase(configuration: configuration, clock: SystemClock(), logger: logger)
    return AppServices(configuration: configuration, clock: SystemClock(), database: database, logger: logger)
}

struct DisplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "display",
        abstract: "Manage check-in display screens; prints each signed URL and its QR code for the terminal.",
        subcommands: [Create.self, URLCommand.self, Rotate.self, Revoke.self]
    )

    static func show(_ display: Display, services: AppServices) async throws {
        print("display \(display.id) (\(display.name)), key version \(display.keyVersion)\(display.revokedAt == nil ? "" : ", REVOKED")")
        guard let url = try await services.signedDisplayURL(display) else { return }
        print(url)
        if let code = try? QRCode.encode(url, level: .low) { print(code.ansiText()) }
    }

    static func find(_ services: AppServices, _ id: String) async throws -> Display {
        guard NewID.isWellFormed(id), let display = try await DisplaysStore(database: services.database).display(id: id.lowercased()) else {
            throw ValidationError("no display \(id)")
        }
        return display
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a display for a location.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "Organization id.") var org: String
        @Option(help: "Location id.") var location: String
        @Option(help: "Display name.") var name: String = "Check-in screen"

        func run() async throws {
            let services = try await openServices(try options.resolve())
            do {
                let display = try await DisplaysStore(database: services.database).create(
                    orgId: org.lowercased(), locationId: location.lowercased(), name: try Validate.name(name), createdBy: nil, now: Date())
                try await DisplayCommand.show(display, services: services)
            } catch let error as DomainError {
                await services.database.shutdown()
                throw ValidationError(error.message)
            }
            await services.database.shutdown()
        }
    }

    struct URLCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "url", abstract: "Print a fresh signed URL of a display.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Display id.") var id: String

        func run() async throws {
            let services = try await openServices(try options.resolve())
            try await DisplayCommand.show(try await DisplayCommand.find(services, id), services: services)
            await services.database.shutdown()
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bump a display's key version: every earlier URL stops working.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Display id.") var id: String

        func run() async throws {
            let services = try await openServices(try options.resolve())
            let display = try await DisplayCommand.find(services, id)
            let rotated = try await DisplaysStore(database: services.database).rotate(orgId: display.organizationId, id: display.id, now: Date())
            // On PostgreSQL every running instance hears it and ends the display's open streams now (on SQLite
            // they notice at their next keep-alive).
            await services.displayChanged(rotated)
            try await DisplayCommand.show(rotated, services: services)
            await services.database.shutdown()
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Switch a display off for good.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Display id.") var id: String

        func run() async throws {
            let services = try await openServices(try options.resolve())
            let display = try await DisplayCommand.find(services, id)
            let revoked = try await DisplaysStore(database: services.database).revoke(orgId: display.organizationId, id: display.id, now: Date())
            await services.displayChanged(revoked)
            try await DisplayCommand.show(revoked, services: services)
            await services.database.shutdown()
        }
    }
}

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Rotate the keys that sign QR tokens and display URLs.",
        discussion: "rotate adds a key that signs from now on (old tokens and URLs keep verifying); retire stops accepting an old key. Instances pick changes up within 30 seconds. rewrap re-encrypts the stored keys under a new secrets key file.",
        subcommands: [Rotate.self, Retire.self, Rewrap.self]
    )

    struct Rewrap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-encrypt the stored signing keys under a new secrets key file.",
            discussion: """
                Stop every instance first. Reads the keys with the current secretsKeyFile, re-encrypts them under the key in \
                --new-key-file (created, mode 0600, if it does not exist) in one transaction. Then replace the configured file \
                with the new one on every instance and start them again; keep the old file until they all run.
                """)
        @OptionGroup var options: ConfigOptions
        @Option(help: "The new secrets key file (created if absent).") var newKeyFile: String

        func run() async throws {
            let configuration = try options.resolve()
            let services = try await openServices(configuration)
            do {
                let store = try await services.keyRing.store()
                let newKey = try SecretsKey.read(path: newKeyFile) ?? SecretsKey.create(path: newKeyFile)
                let count = try await store.rewrap(to: newKey)
                print("""
                    re-encrypted \(count) signing keys under secrets key \(newKey.id) (\(newKeyFile)).
                    Now replace \(configuration.resolvedSecretsKeyFile) with it on every instance, then start them.
                    """)
            } catch {
                await services.database.shutdown()
                throw error
            }
            await services.database.shutdown()
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a new signing key.")
        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let services = try await openServices(try options.resolve())
            do {
                let store = try await services.keyRing.store()
                _ = try await store.ring(now: Date())
                print("new signing key: \(try await store.rotate(now: Date()))")
            } catch {
                await services.database.shutdown()
                throw error
            }
            await services.database.shutdown()
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop accepting an old signing key.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Key id, e.g. k1.") var keyId: String

        func run() async throws {
            let services = try await openServices(try options.resolve())
            do {
                try await services.keyRing.store().retire(keyId: keyId, now: Date())
                print("retired \(keyId)")
            } catch let error as DomainError {
                await services.database.shutdown()
                throw ValidationError(error.message)
            }
            await services.database.shutdown()
        }
    }
}
