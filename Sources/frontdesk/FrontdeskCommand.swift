import ArgumentParser
import Foundation
import FrontdeskServer

/// Options every command that touches the database shares. The flags of configuration keys take their names and help
/// from the key's declaration (`ServerConfiguration.keys`).
struct ConfigOptions: ParsableArguments {
    @Option(help: "JSON configuration file (see kiosk-config/frontdesk.example.json). Env: FRONTDESK_CONFIG.")
    var config: String?
    @Option(name: .key(\.databaseURL), help: .key(\.databaseURL)) var databaseURL: String?
    @Option(name: .key(\.dataDirectory), help: .key(\.dataDirectory)) var dataDir: String?
    @Option(name: .key(\.logLevel), help: .key(\.logLevel)) var logLevel: String?

    /// Defaults < config file < environment < flags, through `ServerConfiguration.resolve`.
    func resolve(_ apply: (inout ConfigurationFlags) -> Void = { _ in }) async throws -> ServerConfiguration {
        var flags = ConfigurationFlags()
        flags.set(\.databaseURL, databaseURL)
        flags.set(\.dataDirectory, dataDir)
        flags.set(\.logLevel, logLevel)
        apply(&flags)
        return try await ServerConfiguration.resolve(file: config ?? ProcessInfo.processInfo.environment["FRONTDESK_CONFIG"], flags: flags)
    }
}

extension NameSpecification {
    /// The long flag a configuration key declares.
    static func key(_ path: PartialKeyPath<ServerConfiguration>) -> NameSpecification {
        guard let name = ServerConfiguration.key(path).flagName else { preconditionFailure("the key of \(path) declares no flag") }
        return .customLong(name)
    }
}

extension ArgumentHelp {
    /// A configuration key's meaning, environment variable and file key.
    static func key(_ path: PartialKeyPath<ServerConfiguration>) -> ArgumentHelp {
        let key = ServerConfiguration.key(path)
        let meaning = key.meaning.replacingOccurrences(of: "`", with: "")
        return ArgumentHelp("\(meaning). Env: \(key.environmentVariable). Config file: \(key.name).")
    }
}

/// Runs a subcommand's operation, reporting its `UsageError` as ArgumentParser's usage error (exit status 64).
func operate(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as UsageError {
        throw ValidationError(error.message)
    }
}

@main
struct Frontdesk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frontdesk",
        abstract: "Class schedule, bookings and check-in for fitness and yoga studios.",
        subcommands: [
            Serve.self, Migrate.self, Demo.self, UserCommand.self, OrgCommand.self, DisplayCommand.self, KeysCommand.self,
            OutboxCommand.self,
        ],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP server (API, pages, background jobs).",
        discussion:
            "Without a database setting it uses the embedded SQLite file ./data/frontdesk.sqlite and migrates it. On PostgreSQL it refuses to start with pending migrations unless --migrate is given."
    )
    @OptionGroup var options: ConfigOptions
    @Option(name: .key(\.host), help: .key(\.host)) var host: String?
    @Option(name: .key(\.port), help: .key(\.port)) var port: Int?
    @Option(name: .key(\.publicBaseURL), help: .key(\.publicBaseURL)) var publicBaseURL: String?
    @Flag(name: .key(\.migrateOnStart), help: "Apply pending migrations before serving (default on SQLite). Env: FRONTDESK_MIGRATE.")
    var migrate = false
    @Flag(help: "Seed the demo studio (if absent) and print its logins.") var demo = false

    func run() async throws {
        let configuration = try await options.resolve { flags in
            flags.set(\.host, host)
            flags.set(\.port, port)
            flags.set(\.publicBaseURL, publicBaseURL)
            flags.set(\.migrateOnStart, migrate ? true : nil)
        }
        try await ServerRunner.serve(configuration: configuration, migrate: migrate ? true : nil, demo: demo)
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")
    @OptionGroup var options: ConfigOptions
    @Flag(help: "Only report applied and pending migrations.") var status = false

    func run() async throws {
        try await Operations.migrate(configuration: try await options.resolve(), statusOnly: status)
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
        try await Operations.demo(configuration: try await options.resolve(), years: years, locations: locations)
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage users.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user who can log in.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "E-mail address (login).") var email: String
        @Option(help: "Display name.") var name: String
        @Option(help: "Password (at least 8 characters). Env: FRONTDESK_NEW_PASSWORD, so it stays out of shell history.") var password:
            String?

        func run() async throws {
            let configuration = try await options.resolve()
            guard let password = password ?? ProcessInfo.processInfo.environment["FRONTDESK_NEW_PASSWORD"] else {
                throw ValidationError("give --password or set FRONTDESK_NEW_PASSWORD")
            }
            try await operate { try await Operations.addUser(configuration: configuration, email: email, name: name, password: password) }
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
            let configuration = try await options.resolve()
            try await operate {
                try await Operations.createOrganization(configuration: configuration, name: name, timezone: timezone, ownerEmail: owner)
            }
        }
    }
}

struct DisplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "display",
        abstract: "Manage check-in display screens; prints each signed URL and its QR code for the terminal.",
        subcommands: [Create.self, URLCommand.self, Rotate.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a display for a location.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "Organization id.") var org: String
        @Option(help: "Location id.") var location: String
        @Option(help: "Display name.") var name: String = "Check-in screen"

        func run() async throws {
            let configuration = try await options.resolve()
            try await operate {
                try await Operations.createDisplay(configuration: configuration, orgId: org, locationId: location, name: name)
            }
        }
    }

    struct URLCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "url", abstract: "Print a fresh signed URL of a display.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Display id.") var id: String

        func run() async throws {
            let configuration = try await options.resolve()
            try await operate { try await Operations.displayURL(configuration: configuration, id: id) }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bump a display's key version: every earlier URL stops working.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Display id.") var id: String

        func run() async throws {
            let configuration = try await options.resolve()
            try await operate { try await Operations.rotateDisplay(configuration: configuration, id: id) }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Switch a display off for good.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Display id.") var id: String

        func run() async throws {
            let configuration = try await options.resolve()
            try await operate { try await Operations.revokeDisplay(configuration: configuration, id: id) }
        }
    }
}

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Rotate the keys that sign QR tokens and display URLs.",
        discussion:
            "rotate adds a key that signs from now on (old tokens and URLs keep verifying); retire stops accepting an old key. Instances pick changes up within 30 seconds. rewrap re-encrypts the stored keys under a new secrets key file.",
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
            try await Operations.rewrapSigningKeys(configuration: try await options.resolve(), newKeyFile: newKeyFile)
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a new signing key.")
        @OptionGroup var options: ConfigOptions

        func run() async throws {
            try await Operations.rotateSigningKey(configuration: try await options.resolve())
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop accepting an old signing key.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Key id, e.g. k1.") var keyId: String

        func run() async throws {
            let configuration = try await options.resolve()
            try await operate { try await Operations.retireSigningKey(configuration: configuration, keyId: keyId) }
        }
    }
}
