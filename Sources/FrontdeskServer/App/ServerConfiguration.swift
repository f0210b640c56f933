import Configuration
import Foundation
import Logging

/// Everything `frontdesk serve` can be told: the typed values the rest of the server reads.
///
/// Each key is declared once, in `ServerConfiguration.keys` (ServerConfigurationKeys.swift): its dotted name in the JSON
/// file (`smtp.host` is `{"smtp": {"host": …}}`), environment variable, flag, default, meaning and range. Reading
/// (ServerConfigurationReading.swift, through swift-configuration's `ConfigReader`), the range checks of `validated()`,
/// the README's table and the check of `kiosk-config/frontdesk.example.json` all come from that list. Sources, lowest
/// precedence first: the defaults below, the JSON file, `FRONTDESK_*` environment variables, command-line flags.
public struct ServerConfiguration: Sendable, Equatable {
    // The server itself (top-level keys of the file).
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// Empty (the default): `validated()` makes it `listeningBaseURL`.
    public var publicBaseURL: String = ""
    public var logLevel: String = "info"
    public var dataDirectory: String = "./data"
    public var publicDirectory: String = "public"
    /// Empty: `<dataDirectory>/frontdesk-secrets.key` (`resolvedSecretsKeyFile`).
    public var secretsKeyFile: String = ""
    public var trustForwardedFor: Bool = false
    public var idleTimeoutSeconds: Int = 75
    public var requestHeadTimeoutSeconds: Int = 10
    public var orgCreation: OrgCreation = .cli
    // database.*
    /// Empty: `<dataDirectory>/frontdesk.sqlite` (`resolvedDatabaseURL`).
    public var databaseURL: String = ""
    public var databasePoolSize: Int = 20
    public var databaseReadPoolSize: Int = 10
    /// Unset: on for SQLite; on PostgreSQL `serve` refuses to start with pending migrations.
    public var migrateOnStart: Bool? = nil
    public var readinessTimeoutSeconds: Int = 2
    // login.*
    public var sessionTTLHours: Int = 24 * 30
    public var bcryptCost: Int = 12
    public var loginFailuresPerAccount: Int = 10
    public var loginAttemptsPerAddress: Int = 50
    // email.*, smtp.*
    public var emailTransport: EmailTransport = .log
    public var emailFrom: String = "frontdesk@localhost"
    public var emailFromName: String = "Frontdesk"
    public var smtpHost: String = "127.0.0.1"
    public var smtpPort: Int = 587
    public var smtpSecurity: SMTPConfiguration.Security = .startTLS
    public var smtpUsername: String? = nil
    public var smtpPassword: String? = nil
    public var smtpCAFile: String? = nil
    // push.*, expo.*
    public var pushTransport: PushTransport = .log
    public var expoPushURL: String = "https://exp.host/--/api/v2/push/send"
    public var expoAccessToken: String? = nil
    // outbox.*, jobs.*
    public var outboxPollSeconds: Int = 5
    public var outboxMaxAttempts: Int = 8
    public var outboxLeaseSeconds: Int = 120
    public var runJobs: Bool = true
    public var jobsIntervalSeconds: Int = 60
    // schedule.*
    public var scheduleHorizonWeeks: Int = 8
    // attendance.*
    public var staffAttendanceHoursAfterEnd: Int = 24
    // maxStreams.*, bulk.*, metrics.*
    public var maxStreamsPerDisplay: Int = 4
    public var maxStreamsPerAddress: Int = 20
    public var bulkMaxSessions: Int = 2_000
    public var metricsToken: String? = nil
    // universalLinks.*
    public var appleAppIds: String? = nil
    public var androidPackage: String? = nil
    public var androidCertFingerprints: String? = nil

    /// Who may create a studio: only the operator through the CLI, or anyone signed in.
    public enum OrgCreation: String, Codable, Sendable, CaseIterable {
        case cli, anyone
    }

    /// How e-mail leaves: written to the log, or sent over SMTP.
    public enum EmailTransport: String, Codable, Sendable, CaseIterable {
        case log, smtp
    }

    /// How push notifications leave: written to the log, or Expo's push API.
    public enum PushTransport: String, Codable, Sendable, CaseIterable {
        case log, expo
    }

    public init() {}

    /// The effective database URL.
    public var resolvedDatabaseURL: String {
        databaseURL.isEmpty ? (dataDirectory as NSString).appendingPathComponent("frontdesk.sqlite") : databaseURL
    }

    /// The effective secrets key file.
    public var resolvedSecretsKeyFile: String {
        secretsKeyFile.isEmpty ? (dataDirectory as NSString).appendingPathComponent("frontdesk-secrets.key") : secretsKeyFile
    }

    /// Whether the database is PostgreSQL.
    public var usesPostgres: Bool { resolvedDatabaseURL.hasPrefix("postgres://") || resolvedDatabaseURL.hasPrefix("postgresql://") }

    /// Whether cookies get the `Secure` attribute.
    public var secureCookies: Bool { publicBaseURL.lowercased().hasPrefix("https://") }

    /// `http://<host>:<port>` of the listening socket, the default `publicBaseURL`: a wildcard host
    /// (`0.0.0.0`, `::`, empty) becomes `127.0.0.1`; an IPv6 literal gets its brackets.
    public var listeningBaseURL: String {
        var name = host.trimmingCharacters(in: .whitespaces)
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if ["", "0.0.0.0", "::", "0:0:0:0:0:0:0:0"].contains(name) { name = "127.0.0.1" }
        if name.contains(":") { name = "[\(name)]" }
        return "http://\(name):\(port)"
    }

    public var parsedLogLevel: Logger.Level { Logger.Level(rawValue: logLevel.lowercased()) ?? .info }

    /// Checks every declared range (`ConfigurationKey.range`) and the values no range describes; the server refuses to
    /// start on a bad configuration. An unset `publicBaseURL` becomes `listeningBaseURL`.
    public func validated() throws -> ServerConfiguration {
        for key in Self.keys {
            guard let range = key.range, case .int(let value) = key.content(self) else { continue }
            guard range.contains(value) else { throw ConfigurationError("\(key.name) must be \(range.lowerBound)…\(range.upperBound)") }
        }
        guard let expo = URL(string: expoPushURL), ["http", "https"].contains(expo.scheme?.lowercased() ?? ""), expo.host != nil else {
            throw ConfigurationError("expo.pushURL must be an absolute http(s) URL")
        }
        if let metricsToken, metricsToken.count < 16 || metricsToken.contains(where: \.isWhitespace) {
            throw ConfigurationError("metrics.token must be at least 16 characters without spaces")
        }
        try UniversalLinks.validate(self)
        guard Logger.Level(rawValue: logLevel.lowercased()) != nil else { throw ConfigurationError("unknown logLevel '\(logLevel)'") }
        var config = self
        if config.publicBaseURL.trimmingCharacters(in: .whitespaces).isEmpty { config.publicBaseURL = listeningBaseURL }
        guard let url = URL(string: config.publicBaseURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw ConfigurationError("publicBaseURL must be an absolute http(s) URL, got '\(config.publicBaseURL)'")
        }
        while config.publicBaseURL.hasSuffix("/") { config.publicBaseURL.removeLast() }
        return config
    }
}

/// The configuration cannot be used; the message says why.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
