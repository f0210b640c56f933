import Foundation
import Logging

/// Everything `frontdesk serve` can be told. Sources, lowest precedence first: built-in defaults,
/// the JSON config file (`kiosk-config/frontdesk.example.json` documents every key), environment
/// variables (`FRONTDESK_*`), command-line flags.
public struct ServerConfiguration: Sendable, Codable, Equatable {
    /// Interface to listen on.
    public var host: String = "127.0.0.1"
    /// TCP port to listen on.
    public var port: Int = 8080
    /// `postgres://…` for PostgreSQL; anything else is an SQLite file path. Empty: `<dataDirectory>/frontdesk.sqlite`.
    public var databaseURL: String = ""
    /// Where the embedded database and other local state live.
    public var dataDirectory: String = "./data"
    /// The URL members' phones reach this server at; used in QR codes, e-mails and display URLs.
    /// Empty (the default): `validated()` makes it `http://<host>:<port>` of what the server listens on
    /// (`0.0.0.0` and `::` become `127.0.0.1`, since a wildcard cannot be visited).
    public var publicBaseURL: String = ""
    /// trace, debug, info, notice, warning, error, critical.
    public var logLevel: String = "info"
    /// Apply pending migrations on start. Defaults to on for SQLite; on PostgreSQL `serve` refuses to
    /// start with pending migrations unless this is set (or `--migrate` is passed).
    public var migrateOnStart: Bool? = nil
    /// Lifetime of a login session.
    public var sessionTTLHours: Int = 24 * 30
    /// bcrypt cost for new password hashes (10–14 in production; tests use the minimum, 4).
    public var bcryptCost: Int = 12
    /// Failed logins allowed per account per 15 minutes.
    public var loginFailuresPerAccount: Int = 10
    /// Login attempts allowed per client address per 15 minutes.
    public var loginAttemptsPerAddress: Int = 50
    /// Take the client address from `X-Forwarded-For` (only behind a proxy you control).
    public var trustForwardedFor: Bool = false
    /// Maximum PostgreSQL connections of this process.
    public var databasePoolSize: Int = 20
    /// Where static assets are served from.
    public var publicDirectory: String = "public"
    /// How long `/readyz` waits for the database before answering 503.
    public var readinessTimeoutSeconds: Int = 2
    /// The most sessions one bulk operation may change (SPEC §8).
    public var bulkMaxSessions: Int = 2_000
    /// How e-mail leaves: `log` (written to the log, the embedded default) or `smtp`.
    public var emailTransport: EmailTransport = .log
    public var smtpHost: String = "127.0.0.1"
    public var smtpPort: Int = 587
    /// `starttls`, `tls` (implicit, port 465) or `none` (only sensible for a relay on this machine).
    public var smtpSecurity: SMTPConfiguration.Security = .startTLS
    public var smtpUsername: String? = nil
    public var smtpPassword: String? = nil
    /// The sender address (and name) of every e-mail.
    public var emailFrom: String = "frontdesk@localhost"
    public var emailFromName: String = "Frontdesk"
    /// A PEM file of extra trusted certificate authorities for the SMTP server (e.g. a private CA).
    public var smtpCAFile: String? = nil
    /// How push notifications leave: `log` or `expo` (Expo's push HTTP API).
    public var pushTransport: PushTransport = .log
    public var expoPushURL: String = "https://exp.host/--/api/v2/push/send"
    public var expoAccessToken: String? = nil
    /// Seconds between outbox polls when nothing wakes the worker.
    public var outboxPollSeconds: Int = 5
    /// Delivery attempts before a notification is `dead`.
    public var outboxMaxAttempts: Int = 8
    /// How long a claimed notification stays with its worker; a worker that dies gives it up after this.
    public var outboxLeaseSeconds: Int = 120
    /// Seconds between runs of the reminder and no-show jobs.
    public var jobsIntervalSeconds: Int = 60
    /// Background workers (outbox delivery, reminders, no-show sweep) run in this process.
    public var runJobs: Bool = true
    /// Who may create a studio: `cli` (only the operator, `frontdesk org create`) or `anyone` signed in
    /// (such a studio sends no mail until its owner's e-mail address is verified).
    public var orgCreation: OrgCreation = .cli

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
    /// The file holding the key that encrypts the signing keys in the database (created on first start:
    /// 32 random bytes, base64, mode 0600). Empty: `<dataDirectory>/frontdesk-secrets.key`. Every
    /// instance on one database needs the same file; back it up with the database.
    public var secretsKeyFile: String = ""
    /// Seconds a connection may sit idle (no request in progress, or a request body stalled) before it is closed.
    public var idleTimeoutSeconds: Int = 75
    /// Seconds a connection has to deliver a complete request head, from opening or from the end of the previous response.
    public var requestHeadTimeoutSeconds: Int = 10
    /// Open server-sent-event streams allowed per display (its link); more answer 429 `too_many_streams`.
    public var maxStreamsPerDisplay: Int = 4
    /// Open server-sent-event streams (displays and coach tablets) allowed per client address.
    public var maxStreamsPerAddress: Int = 20
    /// When set, `GET /metrics` answers only requests with `Authorization: Bearer <metricsToken>` (at least 16 characters).
    public var metricsToken: String? = nil

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

    /// Every configuration key, as the file, the README's table and the example file spell it.
    public static var keys: [String] { CodingKeys.allCases.map(\.rawValue) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, databaseURL, dataDirectory, publicBaseURL, logLevel, migrateOnStart, sessionTTLHours,
            bcryptCost, loginFailuresPerAccount, loginAttemptsPerAddress, trustForwardedFor, databasePoolSize,
            publicDirectory, readinessTimeoutSeconds, bulkMaxSessions, emailTransport, smtpHost, smtpPort, smtpSecurity,
            smtpUsername, smtpPassword, emailFrom, emailFromName, smtpCAFile, pushTransport, expoPushURL, expoAccessToken,
            outboxPollSeconds, outboxMaxAttempts, outboxLeaseSeconds, jobsIntervalSeconds, runJobs, orgCreation, metricsToken,
            maxStreamsPerDisplay, maxStreamsPerAddress, idleTimeoutSeconds, requestHeadTimeoutSeconds,
            secretsKeyFile
    }

    /// Reads a config file; unknown keys are an error so typos do not pass silently.
    public static func load(file path: String, over base: ServerConfiguration = ServerConfiguration()) throws -> ServerConfiguration {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ConfigurationError("cannot read config file \(path): \(error.localizedDescription)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigurationError("config file \(path) is not a JSON object")
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        let keys = object.keys.filter { !$0.hasPrefix("_") }
        if let unknown = keys.first(where: { !known.contains($0) }) {
            throw ConfigurationError("config file \(path): unknown key '\(unknown)'")
        }
        var merged = try JSONSerialization.jsonObject(with: JSONEncoder().encode(base)) as? [String: Any] ?? [:]
        for key in keys { merged[key] = object[key] }
        do {
            return try JSONDecoder().decode(ServerConfiguration.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch {
            throw ConfigurationError("config file \(path): \(error)")
        }
    }

    /// Applies `FRONTDESK_*` environment variables (e.g. `FRONTDESK_DATABASE_URL`, `FRONTDESK_PORT`).
    public func applying(environment: [String: String]) throws -> ServerConfiguration {
        var config = self
        func value(_ name: String) -> String? { environment["FRONTDESK_" + name].flatMap { $0.isEmpty ? nil : $0 } }
        func int(_ name: String) throws -> Int? {
            guard let raw = value(name) else { return nil }
            guard let number = Int(raw) else { throw ConfigurationError("FRONTDESK_\(name) must be an integer, got '\(raw)'") }
            return number
        }
        func bool(_ name: String) throws -> Bool? {
            guard let raw = value(name)?.lowercased() else { return nil }
            switch raw {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default: throw ConfigurationError("FRONTDESK_\(name) must be true or false, got '\(raw)'")
            }
        }
        func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws -> T? where T.RawValue == String {
            guard let raw = value(name) else { return nil }
            guard let chosen = T(rawValue: raw) else {
                throw ConfigurationError(
                    "FRONTDESK_\(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got '\(raw)'")
            }
            return chosen
        }
        if let v = value("HOST") { config.host = v }
        if let v = try int("PORT") { config.port = v }
        if let v = value("DATABASE_URL") ?? environment["DATABASE_URL"].flatMap({ $0.isEmpty ? nil : $0 }) { config.databaseURL = v }
        if let v = value("DATA_DIR") { config.dataDirectory = v }
        if let v = value("PUBLIC_BASE_URL") { config.publicBaseURL = v }
        if let v = value("LOG_LEVEL") { config.logLevel = v }
        if let v = try bool("MIGRATE") { config.migrateOnStart = v }
        if let v = try int("SESSION_TTL_HOURS") { config.sessionTTLHours = v }
        if let v = try int("BCRYPT_COST") { config.bcryptCost = v }
        if let v = try bool("TRUST_FORWARDED_FOR") { config.trustForwardedFor = v }
        if let v = try int("DATABASE_POOL_SIZE") { config.databasePoolSize = v }
        if let v = value("PUBLIC_DIR") { config.publicDirectory = v }
        if let v = try int("BULK_MAX_SESSIONS") { config.bulkMaxSessions = v }
        if let v = try choice("EMAIL_TRANSPORT", EmailTransport.self) { config.emailTransport = v }
        if let v = value("SMTP_HOST") { config.smtpHost = v }
        if let v = try int("SMTP_PORT") { config.smtpPort = v }
        if let v = try choice("SMTP_SECURITY", SMTPConfiguration.Security.self) { config.smtpSecurity = v }
        if let v = value("SMTP_USERNAME") { config.smtpUsername = v }
        if let v = value("SMTP_PASSWORD") { config.smtpPassword = v }
        if let v = value("EMAIL_FROM") { config.emailFrom = v }
        if let v = value("EMAIL_FROM_NAME") { config.emailFromName = v }
        if let v = value("SMTP_CA_FILE") { config.smtpCAFile = v }
        if let v = try choice("PUSH_TRANSPORT", PushTransport.self) { config.pushTransport = v }
        if let v = value("EXPO_PUSH_URL") { config.expoPushURL = v }
        if let v = value("EXPO_ACCESS_TOKEN") { config.expoAccessToken = v }
        if let v = try int("OUTBOX_POLL_SECONDS") { config.outboxPollSeconds = v }
        if let v = try int("OUTBOX_MAX_ATTEMPTS") { config.outboxMaxAttempts = v }
        if let v = try int("OUTBOX_LEASE_SECONDS") { config.outboxLeaseSeconds = v }
        if let v = try int("JOBS_INTERVAL_SECONDS") { config.jobsIntervalSeconds = v }
        if let v = try bool("RUN_JOBS") { config.runJobs = v }
        if let v = try choice("ORG_CREATION", OrgCreation.self) { config.orgCreation = v }
        if let v = value("METRICS_TOKEN") { config.metricsToken = v }
        if let v = value("SECRETS_KEY_FILE") { config.secretsKeyFile = v }
        if let v = try int("IDLE_TIMEOUT_SECONDS") { config.idleTimeoutSeconds = v }
        if let v = try int("REQUEST_HEAD_TIMEOUT_SECONDS") { config.requestHeadTimeoutSeconds = v }
        if let v = try int("MAX_STREAMS_PER_DISPLAY") { config.maxStreamsPerDisplay = v }
        if let v = try int("MAX_STREAMS_PER_ADDRESS") { config.maxStreamsPerAddress = v }
        return config
    }

    /// Checks ranges; the server refuses to start on a bad configuration.
    public func validated() throws -> ServerConfiguration {
        guard (1...65_535).contains(port) else { throw ConfigurationError("port must be 1…65535") }
        guard (4...31).contains(bcryptCost) else { throw ConfigurationError("bcryptCost must be 4…31") }
        guard (1...24 * 365).contains(sessionTTLHours) else { throw ConfigurationError("sessionTTLHours must be 1…8760") }
        guard (1...60).contains(readinessTimeoutSeconds) else { throw ConfigurationError("readinessTimeoutSeconds must be 1…60") }
        guard (1...65_535).contains(smtpPort) else { throw ConfigurationError("smtpPort must be 1…65535") }
        guard let expo = URL(string: expoPushURL), ["http", "https"].contains(expo.scheme?.lowercased() ?? ""), expo.host != nil else {
            throw ConfigurationError("expoPushURL must be an absolute http(s) URL")
        }
        guard (1...3_600).contains(outboxPollSeconds) else { throw ConfigurationError("outboxPollSeconds must be 1…3600") }
        guard (2...3_600).contains(outboxLeaseSeconds) else { throw ConfigurationError("outboxLeaseSeconds must be 2…3600") }
        guard (1...100).contains(outboxMaxAttempts) else { throw ConfigurationError("outboxMaxAttempts must be 1…100") }
        guard (5...3_600).contains(jobsIntervalSeconds) else { throw ConfigurationError("jobsIntervalSeconds must be 5…3600") }
        guard (1...100_000).contains(bulkMaxSessions) else { throw ConfigurationError("bulkMaxSessions must be 1…100000") }
        guard (1...500).contains(databasePoolSize) else { throw ConfigurationError("databasePoolSize must be 1…500") }
        guard (1...3_600).contains(idleTimeoutSeconds) else { throw ConfigurationError("idleTimeoutSeconds must be 1…3600") }
        guard (1...300).contains(requestHeadTimeoutSeconds) else { throw ConfigurationError("requestHeadTimeoutSeconds must be 1…300") }
        guard (1...1_000).contains(maxStreamsPerDisplay) else { throw ConfigurationError("maxStreamsPerDisplay must be 1…1000") }
        guard (1...100_000).contains(maxStreamsPerAddress) else { throw ConfigurationError("maxStreamsPerAddress must be 1…100000") }
        if let metricsToken, metricsToken.count < 16 || metricsToken.contains(where: \.isWhitespace) {
            throw ConfigurationError("metricsToken must be at least 16 characters without spaces")
        }
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
