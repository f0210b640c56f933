import Configuration
import Foundation

/// One configuration key, declared once in `ServerConfiguration.keys`: where its value lives in `ServerConfiguration`,
/// its dotted name in the JSON file (`smtp.host` is `{"smtp": {"host": …}}`), its environment variable, its flag, what
/// it means and its range. Reading, the range checks, the README's table and the example file's check come from here.
public struct ConfigurationKey: @unchecked Sendable {  // key paths are immutable values
    /// The value's type as the sources spell it.
    public enum Kind: Sendable, Equatable {
        case string, int, bool
        /// One of these strings (a Swift enum in `ServerConfiguration`).
        case choice([String])
    }

    /// Dotted name: the JSON file's nesting, and (with `FRONTDESK_` in front) the environment variable's.
    public let name: String
    /// `FRONTDESK_` + the name in swift-configuration's spelling (`smtp.caFile` → `FRONTDESK_SMTP_CA_FILE`), unless
    /// the key keeps an older name (`dataDirectory` → `FRONTDESK_DATA_DIR`).
    public let environmentVariable: String
    /// A second variable read when the first is unset (`DATABASE_URL`, as hosting platforms set it).
    public let fallbackEnvironmentVariable: String?
    /// The long flag of the commands that take it (`--host`), or nil.
    public let flag: String?
    public let kind: Kind
    /// The values `validated()` accepts (integers only).
    public let range: ClosedRange<Int>?
    /// Kept out of logs (access reports of swift-configuration).
    public let isSecret: Bool
    /// The README's default column when the plain default says too little (empty strings that mean "derived").
    public let defaultText: String?
    public let meaning: String
    /// The Swift property's name, which was the key in the flat file format before sections, when it differs from
    /// `name`; such a key in a file is refused with a message naming the new one.
    public let formerName: String?
    let path: PartialKeyPath<ServerConfiguration>
    /// Reads the key from `reader` into a configuration, keeping what is there when no source has it.
    let read: @Sendable (ConfigReader, inout ServerConfiguration) -> Void
    /// The key's value in a configuration, as swift-configuration content (nil when unset).
    let content: @Sendable (ServerConfiguration) -> ConfigContent?

    /// The flag without its dashes, for ArgumentParser's `.customLong`.
    public var flagName: String? { flag.map { String($0.drop { $0 == "-" }) } }

    /// The key's value in a configuration as JSON would hold it (nil when unset).
    public func jsonValue(in configuration: ServerConfiguration) -> Any? {
        switch content(configuration) {
        case .string(let value): value
        case .int(let value): value
        case .bool(let value): value
        default: nil
        }
    }

    /// `FRONTDESK_` and the environment variable swift-configuration's `EnvironmentVariablesProvider` derives from a
    /// dotted name: camel-case humps and dots become underscores, everything upper case.
    public static func derivedEnvironmentVariable(_ name: String) -> String {
        let components = name.split(separator: ".").map { component -> String in
            var out = ""
            var previous: Character?
            for character in component {
                if let previous, previous.isLowercase, character.isUppercase { out.append("_") }
                out.append(character.isLetter || character.isNumber ? Character(character.uppercased()) : "_")
                previous = character
            }
            return out
        }
        return "FRONTDESK_" + components.joined(separator: "_")
    }

    init<Value>(
        _ name: String, _ path: WritableKeyPath<ServerConfiguration, Value>, kind: Kind, env: String?, fallbackEnv: String?,
        flag: String?, range: ClosedRange<Int>?, secret: Bool, defaultText: String?, formerly: String?, _ meaning: String,
        read: @escaping @Sendable (ConfigReader, ConfigKey, Bool) -> Value?, content: @escaping @Sendable (Value) -> ConfigContent?
    ) {
        self.name = name
        self.environmentVariable = env.map { "FRONTDESK_" + $0 } ?? Self.derivedEnvironmentVariable(name)
        self.fallbackEnvironmentVariable = fallbackEnv
        self.flag = flag
        self.kind = kind
        self.range = range
        self.isSecret = secret
        self.defaultText = defaultText
        self.meaning = meaning
        self.formerName = formerly
        self.path = path
        let key = ConfigKey(name)
        nonisolated(unsafe) let writable = path
        self.read = { reader, configuration in
            if let value = read(reader, key, secret) { configuration[keyPath: writable] = value }
        }
        self.content = { configuration in content(configuration[keyPath: writable]) }
    }
}

extension ConfigurationKey {
    static func string(
        _ name: String, _ path: WritableKeyPath<ServerConfiguration, String>, env: String? = nil, fallbackEnv: String? = nil,
        flag: String? = nil, secret: Bool = false, default defaultText: String? = nil, formerly: String? = nil, _ meaning: String
    ) -> ConfigurationKey {
        .init(
            name, path, kind: .string, env: env, fallbackEnv: fallbackEnv, flag: flag, range: nil, secret: secret,
            defaultText: defaultText, formerly: formerly, meaning,
            read: { reader, key, secret in reader.string(forKey: key, isSecret: secret) }, content: { .string($0) })
    }

    static func optionalString(
        _ name: String, _ path: WritableKeyPath<ServerConfiguration, String?>, secret: Bool = false, formerly: String? = nil,
        _ meaning: String
    ) -> ConfigurationKey {
        .init(
            name, path, kind: .string, env: nil, fallbackEnv: nil, flag: nil, range: nil, secret: secret, defaultText: nil,
            formerly: formerly, meaning,
            read: { reader, key, secret in reader.string(forKey: key, isSecret: secret).map { .some($0) } },
            content: { $0.map { .string($0) } })
    }

    static func int(
        _ name: String, _ path: WritableKeyPath<ServerConfiguration, Int>, env: String? = nil, flag: String? = nil,
        range: ClosedRange<Int>?, formerly: String? = nil, _ meaning: String
    ) -> ConfigurationKey {
        .init(
            name, path, kind: .int, env: env, fallbackEnv: nil, flag: flag, range: range, secret: false, defaultText: nil,
            formerly: formerly, meaning, read: { reader, key, _ in reader.int(forKey: key) }, content: { .int($0) })
    }

    static func bool(
        _ name: String, _ path: WritableKeyPath<ServerConfiguration, Bool>, env: String? = nil, formerly: String? = nil,
        _ meaning: String
    ) -> ConfigurationKey {
        .init(
            name, path, kind: .bool, env: env, fallbackEnv: nil, flag: nil, range: nil, secret: false, defaultText: nil,
            formerly: formerly, meaning, read: { reader, key, _ in reader.bool(forKey: key) }, content: { .bool($0) })
    }

    static func optionalBool(
        _ name: String, _ path: WritableKeyPath<ServerConfiguration, Bool?>, env: String? = nil, flag: String? = nil,
        default defaultText: String, formerly: String? = nil, _ meaning: String
    ) -> ConfigurationKey {
        .init(
            name, path, kind: .bool, env: env, fallbackEnv: nil, flag: flag, range: nil, secret: false, defaultText: defaultText,
            formerly: formerly, meaning, read: { reader, key, _ in reader.bool(forKey: key).map { .some($0) } },
            content: { $0.map { .bool($0) } })
    }

    static func choice<Choice: RawRepresentable<String> & CaseIterable & Sendable>(
        _ name: String, _ path: WritableKeyPath<ServerConfiguration, Choice>, formerly: String? = nil, _ meaning: String
    ) -> ConfigurationKey {
        .init(
            name, path, kind: .choice(Choice.allCases.map(\.rawValue)), env: nil, fallbackEnv: nil, flag: nil, range: nil,
            secret: false, defaultText: nil, formerly: formerly, meaning,
            read: { reader, key, _ in reader.string(forKey: key, as: Choice.self) }, content: { .string($0.rawValue) })
    }
}

extension ServerConfiguration {
    /// Every configuration key, each declared here once, in the order of the README's table and the example file.
    public static let keys: [ConfigurationKey] = [
        .string("host", \.host, flag: "--host", "interface to listen on"),
        .int("port", \.port, flag: "--port", range: 1...65_535, "TCP port"),
        .string(
            "publicBaseURL", \.publicBaseURL, flag: "--public-base-url",
            default: "`http://<host>:<port>` of the listening socket (`0.0.0.0`/`::` → `127.0.0.1`)",
            "the URL phones reach the server at (QR codes, e-mails); `https://` also makes cookies `Secure`. Unset, it follows"
                + " `--port`, but a wildcard host is printed as `127.0.0.1`, which phones cannot reach: set it for real use"),
        .string("logLevel", \.logLevel, flag: "--log-level", "`trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`"),
        .string("dataDirectory", \.dataDirectory, env: "DATA_DIR", flag: "--data-dir", "where the embedded database lives"),
        .string("publicDirectory", \.publicDirectory, env: "PUBLIC_DIR", "static files"),
        .string(
            "secretsKeyFile", \.secretsKeyFile, default: "`<dataDirectory>/frontdesk-secrets.key`",
            "the key that encrypts the signing keys in the database (see \"Signing keys at rest\"); created on first start;"
                + " every instance on one database needs the same file"),
        .bool(
            "trustForwardedFor", \.trustForwardedFor,
            "take the client address from `X-Forwarded-For` (only behind your own proxy)"),
        .int(
            "idleTimeoutSeconds", \.idleTimeoutSeconds, range: 1...3_600,
            "close a connection idle this long (no request in progress, or a request body stalled)"),
        .int(
            "requestHeadTimeoutSeconds", \.requestHeadTimeoutSeconds, range: 1...300,
            "close a connection that has not sent a complete request head this long after opening or after its previous"
                + " response. Neither timeout cuts a response in progress (event streams)"),
        .choice(
            "orgCreation", \.orgCreation,
            "who creates studios: `cli` (only `frontdesk org create`) or `anyone` signed in (mail held until the owner's"
                + " e-mail is verified; docs/accounts.md)"),

        .string(
            "database.url", \.databaseURL, fallbackEnv: "DATABASE_URL", flag: "--database-url",
            default: "empty → `<dataDirectory>/frontdesk.sqlite`", formerly: "databaseURL",
            "`postgres://user:pass@host:port/db?sslmode=…` or an SQLite file path"),
        .int(
            "database.poolSize", \.databasePoolSize, range: 1...500, formerly: "databasePoolSize",
            "PostgreSQL connections per process for writes"),
        .int(
            "database.readPoolSize", \.databaseReadPoolSize, range: 1...500, formerly: "databaseReadPoolSize",
            "PostgreSQL connections per process for reads, a pool of their own so reads never wait behind writers"),
        .optionalBool(
            "database.migrateOnStart", \.migrateOnStart, env: "MIGRATE", flag: "--migrate",
            default: "on for SQLite, off for PostgreSQL", formerly: "migrateOnStart", "apply pending migrations when `serve` starts"),
        .int(
            "database.readinessTimeoutSeconds", \.readinessTimeoutSeconds, range: 1...60, formerly: "readinessTimeoutSeconds",
            "how long `/readyz` waits for the database before 503"),

        .int(
            "login.sessionTTLHours", \.sessionTTLHours, env: "SESSION_TTL_HOURS", range: 1...8_760, formerly: "sessionTTLHours",
            "lifetime of a login"),
        .int("login.bcryptCost", \.bcryptCost, env: "BCRYPT_COST", range: 4...31, formerly: "bcryptCost", "cost of new password hashes"),
        .int(
            "login.failuresPerAccount", \.loginFailuresPerAccount, range: nil, formerly: "loginFailuresPerAccount",
            "failed logins per account per 15 min before 429"),
        .int(
            "login.attemptsPerAddress", \.loginAttemptsPerAddress, range: nil, formerly: "loginAttemptsPerAddress",
            "login attempts per client address per 15 min before 429"),

        .choice("email.transport", \.emailTransport, formerly: "emailTransport", "`log` (write e-mails to the log) or `smtp`"),
        .string("email.from", \.emailFrom, formerly: "emailFrom", "the sender's address"),
        .string("email.fromName", \.emailFromName, formerly: "emailFromName", "the sender's name"),
        .string("smtp.host", \.smtpHost, formerly: "smtpHost", "the SMTP server"),
        .int("smtp.port", \.smtpPort, range: 1...65_535, formerly: "smtpPort", "the SMTP server's port"),
        .choice(
            "smtp.security", \.smtpSecurity, formerly: "smtpSecurity",
            "`starttls`, `tls` (implicit, port 465) or `none` (credentials are then only sent to a server on this machine)"),
        .optionalString("smtp.username", \.smtpUsername, formerly: "smtpUsername", "AUTH PLAIN or LOGIN when set"),
        .optionalString("smtp.password", \.smtpPassword, secret: true, formerly: "smtpPassword", "the SMTP password"),
        .optionalString("smtp.caFile", \.smtpCAFile, formerly: "smtpCAFile", "extra trusted CA (PEM) for the SMTP server's certificate"),

        .choice("push.transport", \.pushTransport, formerly: "pushTransport", "`log` or `expo`"),
        .string("expo.pushURL", \.expoPushURL, formerly: "expoPushURL", "Expo's push API"),
        .optionalString("expo.accessToken", \.expoAccessToken, secret: true, formerly: "expoAccessToken", "the Expo access token"),

        .int(
            "outbox.pollSeconds", \.outboxPollSeconds, range: 1...3_600, formerly: "outboxPollSeconds",
            "outbox poll interval when nothing wakes the worker"),
        .int(
            "outbox.maxAttempts", \.outboxMaxAttempts, range: 1...100, formerly: "outboxMaxAttempts",
            "attempts before a notification is `dead`"),
        .int(
            "outbox.leaseSeconds", \.outboxLeaseSeconds, range: 2...3_600, formerly: "outboxLeaseSeconds",
            "how long a claimed notification stays with its worker"),
        .bool("jobs.run", \.runJobs, env: "RUN_JOBS", formerly: "runJobs", "run the outbox worker and the jobs in this process"),
        .int(
            "jobs.intervalSeconds", \.jobsIntervalSeconds, range: 5...3_600, formerly: "jobsIntervalSeconds",
            "how often the reminder and no-show jobs run"),

        .int(
            "schedule.horizonWeeks", \.scheduleHorizonWeeks, range: 1...52, formerly: "scheduleHorizonWeeks",
            "how far ahead a weekly series keeps its classes made (the series job and every series or closure change)"),
        .int(
            "attendance.staffHoursAfterEnd", \.staffAttendanceHoursAfterEnd, range: 0...720, formerly: "staffAttendanceHoursAfterEnd",
            "how long after a class ends staff may still check in, undo or mark no-shows (from the check-in window's opening)"),

        .int(
            "maxStreams.perDisplay", \.maxStreamsPerDisplay, range: 1...1_000, formerly: "maxStreamsPerDisplay",
            "open live event streams per display (`/display/:id/events`); more answer 429 `too_many_streams`"),
        .int(
            "maxStreams.perAddress", \.maxStreamsPerAddress, range: 1...100_000, formerly: "maxStreamsPerAddress",
            "open live event streams (displays and coach tablets) per client address (`X-Forwarded-For` with"
                + " `trustForwardedFor`); more answer 429. Both caps count per process"),
        .int(
            "bulk.maxSessions", \.bulkMaxSessions, range: 1...100_000, formerly: "bulkMaxSessions",
            "the most classes one bulk operation may match"),
        .optionalString(
            "metrics.token", \.metricsToken, secret: true, formerly: "metricsToken",
            "when set (16+ characters), `GET /metrics` needs `Authorization: Bearer <token>`, else 401"),
        .optionalString(
            "universalLinks.appleAppIds", \.appleAppIds, formerly: "appleAppIds",
            "iOS apps (`TEAMID.bundle.id`, comma-separated) that open the check-in links: served in"
                + " `/.well-known/apple-app-site-association` (404 while unset)"),
        .optionalString(
            "universalLinks.androidPackage", \.androidPackage, formerly: "androidPackage",
            "the Android app's package name that opens the check-in links: served in `/.well-known/assetlinks.json`"
                + " with the fingerprints below (404 while unset)"),
        .optionalString(
            "universalLinks.androidCertFingerprints", \.androidCertFingerprints, formerly: "androidCertFingerprints",
            "SHA-256 fingerprints of the Android app's signing certificates (`AB:CD:…`, 32 bytes each, comma-separated)"),
    ]

    /// The declaration of the key stored at `path`; every stored property has one.
    public static func key(_ path: PartialKeyPath<ServerConfiguration>) -> ConfigurationKey {
        guard let key = keys.first(where: { $0.path == path }) else { preconditionFailure("no configuration key for \(path)") }
        return key
    }

    /// The README's configuration table (a test compares it with README.md).
    public static var markdownTable: String {
        let defaults = ServerConfiguration()
        var lines = ["| key | env | flag | default | meaning |", "|---|---|---|---|---|"]
        for key in keys {
            var env = "`\(key.environmentVariable)`"
            if let fallback = key.fallbackEnvironmentVariable { env += " (or `\(fallback)`)" }
            let defaultText: String
            if let text = key.defaultText {
                defaultText = text
            } else if let value = key.jsonValue(in: defaults) {
                defaultText = "`\(value)`"
            } else {
                defaultText = "none"
            }
            var meaning = key.meaning
            if let range = key.range { meaning += "; \(range.lowerBound)–\(range.upperBound)" }
            let cells = ["`\(key.name)`", env, key.flag.map { "`\($0)`" } ?? "", defaultText, meaning]
            lines.append("|" + cells.map { $0.isEmpty ? " " : " \($0) " }.joined(separator: "|") + "|")
        }
        return lines.joined(separator: "\n")
    }
}
