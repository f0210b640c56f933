import Foundation
import FrontdeskCore
import FrontdeskServer
import FrontdeskTestSupport
import Testing

@Suite("Configuration and demo data")
struct ConfigurationTests {
    static func writeConfig(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-config-\(NewID.make()).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("defaults < file < environment < flags, through one reader; validation trims the base URL")
    func precedence() async throws {
        let path = try Self.writeConfig(
            #"{"port": 9000, "host": "0.0.0.0", "publicBaseURL": "https://gym.example/", "logLevel": "debug", "smtp": {"host": "mx"}}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try await ServerConfiguration.load(file: path)
        #expect(fromFile.port == 9000)
        #expect(fromFile.host == "0.0.0.0")
        #expect(fromFile.smtpHost == "mx", "nested sections")
        #expect(fromFile.bcryptCost == 12, "untouched keys keep their defaults")
        let environment = ["FRONTDESK_PORT": "9100", "FRONTDESK_DATABASE_URL": "postgres://u@h/db", "FRONTDESK_LOG_LEVEL": "warning"]
        let withEnv = try fromFile.applying(environment: environment).validated()
        #expect(withEnv.port == 9100)
        #expect(withEnv.host == "0.0.0.0")
        #expect(withEnv.usesPostgres)
        #expect(withEnv.publicBaseURL == "https://gym.example")
        #expect(withEnv.secureCookies)
        var flags = ConfigurationFlags()
        flags.set(\.port, 9200)
        flags.set(\.host, nil)
        let resolved = try await ServerConfiguration.resolve(file: path, environment: environment, flags: flags)
        #expect(resolved.port == 9200, "a flag beats the environment")
        #expect(resolved.logLevel == "warning", "the environment beats the file")
        #expect(resolved.host == "0.0.0.0" && resolved.smtpHost == "mx", "the file beats the defaults")
        #expect(resolved.publicBaseURL == "https://gym.example")
        let plain = try await ServerConfiguration.resolve(file: nil, environment: [:])
        #expect(plain == (try ServerConfiguration().validated()), "no sources: the defaults")
        #expect(
            ServerConfiguration().resolvedDatabaseURL == "data/frontdesk.sqlite"
                || ServerConfiguration().resolvedDatabaseURL == "./data/frontdesk.sqlite")
    }

    @Test("the shipped example configuration is valid and read by the server")
    func exampleConfig() async throws {
        let config = try await ServerConfiguration.load(file: Self.root.appendingPathComponent("kiosk-config/frontdesk.example.json").path)
            .validated()
        #expect(config.port == 8080)
        #expect(!config.usesPostgres)
        #expect(config.emailTransport == .smtp && config.migrateOnStart == true && config.trustForwardedFor)
    }

    @Test(
        "unknown keys, wrong types and bad values in the file are refused with a message naming the key",
        arguments: [
            (#"{"prot": 8080}"#, "unknown key 'prot'"), (#"{"smtp": {"hots": "x"}}"#, "unknown key 'smtp.hots'"),
            (#"{"port": "eighty"}"#, "port must be an integer, got 'eighty'"), (#"not json"#, "is not a JSON object"),
            (#"{"port": 70000}"#, "port must be 1…65535"), (#"{"login": {"bcryptCost": 2}}"#, "login.bcryptCost must be 4…31"),
            (#"{"publicBaseURL": "ftp://x"}"#, "publicBaseURL must be"), (#"{"logLevel": "loud"}"#, "unknown logLevel 'loud'"),
            (#"{"smtp": {"security": "ssl"}}"#, "smtp.security must be one of none, starttls, tls, got 'ssl'"),
            (#"{"email": {"transport": "fax"}}"#, "email.transport must be one of log, smtp"),
            (#"{"smtp": "localhost"}"#, "'smtp' must be an object with the keys host, port"),
            (#"{"jobs": {"run": "maybe"}}"#, "jobs.run must be true or false"),
        ])
    func badConfig(json: String, message: String) async throws {
        let path = try Self.writeConfig(json)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = await #expect(throws: ConfigurationError.self) { try await ServerConfiguration.load(file: path).validated() }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "no error")")
    }

    @Test("a file in the flat format of older versions is refused, naming each key's new place")
    func flatKeysRefused() async throws {
        let path = try Self.writeConfig(#"{"port": 8080, "smtpHost": "mx", "bcryptCost": 12, "runJobs": false}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = await #expect(throws: ConfigurationError.self) { try await ServerConfiguration.load(file: path) }
        let message = error?.description ?? ""
        #expect(message.contains("'smtpHost' is now 'smtp.host'"), "\(message)")
        #expect(message.contains("'bcryptCost' is now 'login.bcryptCost'") && message.contains("'runJobs' is now 'jobs.run'"))
    }

    @Test("a bad value in the file is refused even when the environment or a flag overrides it")
    func badValueUnderOverride() async throws {
        let path = try Self.writeConfig(#"{"port": "eighty"}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        await #expect(throws: ConfigurationError.self) {
            try await ServerConfiguration.resolve(file: path, environment: ["FRONTDESK_PORT": "9000"])
        }
    }

    @Test("bad environment values are refused, naming the variable")
    func badEnvironment() throws {
        for (environment, message) in [
            (["FRONTDESK_PORT": "x"], "FRONTDESK_PORT must be an integer, got 'x'"),
            (["FRONTDESK_MIGRATE": "maybe"], "FRONTDESK_MIGRATE must be true or false, got 'maybe'"),
            (["FRONTDESK_EMAIL_TRANSPORT": "pigeon"], "FRONTDESK_EMAIL_TRANSPORT must be one of log, smtp, got 'pigeon'"),
        ] {
            let error = #expect(throws: ConfigurationError.self) { try ServerConfiguration().applying(environment: environment) }
            #expect(error?.description == message)
        }
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration().applying(environment: ["FRONTDESK_BCRYPT_COST": "3"]).validated()
        }
    }

    @Test("the environment: empty means unset, on/off are booleans, DATABASE_URL stands in for FRONTDESK_DATABASE_URL")
    func environmentSpellings() throws {
        let config = try ServerConfiguration().applying(environment: [
            "FRONTDESK_HOST": "", "FRONTDESK_RUN_JOBS": "off", "FRONTDESK_TRUST_FORWARDED_FOR": "on", "DATABASE_URL": "postgres://a@b/c",
            "FRONTDESK_SMTP_CA_FILE": "/etc/ca.pem", "FRONTDESK_SMTP_SECURITY": "tls", "FRONTDESK_SCHEDULE_HORIZON_WEEKS": "4",
        ])
        #expect(config.host == "127.0.0.1")
        #expect(!config.runJobs && config.trustForwardedFor)
        #expect(config.databaseURL == "postgres://a@b/c")
        #expect(config.smtpCAFile == "/etc/ca.pem" && config.smtpSecurity == .tls && config.scheduleHorizonWeeks == 4)
        let both = try ServerConfiguration().applying(environment: [
            "DATABASE_URL": "postgres://a@b/c", "FRONTDESK_DATABASE_URL": "x.sqlite",
        ])
        #expect(both.databaseURL == "x.sqlite")
    }

    /// Every variable of the flat format, which scripts, units and tests set.
    static let formerEnvironmentVariables = [
        "HOST", "PORT", "DATABASE_URL", "DATA_DIR", "PUBLIC_BASE_URL", "LOG_LEVEL", "MIGRATE", "SESSION_TTL_HOURS", "BCRYPT_COST",
        "TRUST_FORWARDED_FOR", "DATABASE_POOL_SIZE", "PUBLIC_DIR", "BULK_MAX_SESSIONS", "EMAIL_TRANSPORT", "SMTP_HOST", "SMTP_PORT",
        "SMTP_SECURITY", "SMTP_USERNAME", "SMTP_PASSWORD", "EMAIL_FROM", "EMAIL_FROM_NAME", "SMTP_CA_FILE", "PUSH_TRANSPORT",
        "EXPO_PUSH_URL", "EXPO_ACCESS_TOKEN", "OUTBOX_POLL_SECONDS", "OUTBOX_MAX_ATTEMPTS", "OUTBOX_LEASE_SECONDS",
        "JOBS_INTERVAL_SECONDS", "RUN_JOBS", "ORG_CREATION", "METRICS_TOKEN", "SECRETS_KEY_FILE", "IDLE_TIMEOUT_SECONDS",
        "REQUEST_HEAD_TIMEOUT_SECONDS", "MAX_STREAMS_PER_DISPLAY", "MAX_STREAMS_PER_ADDRESS",
    ].map { "FRONTDESK_" + $0 }

    @Test("every environment variable of the flat format still sets its key; the others follow the dotted name")
    func environmentNames() throws {
        let declared = ServerConfiguration.keys.map(\.environmentVariable)
        #expect(Set(declared).count == declared.count, "one variable per key")
        #expect(Set(Self.formerEnvironmentVariables).subtracting(declared).sorted() == [])
        for key in ServerConfiguration.keys where !Self.formerEnvironmentVariables.contains(key.environmentVariable) {
            #expect(key.environmentVariable == ConfigurationKey.derivedEnvironmentVariable(key.name), "\(key.name)")
        }
        #expect(ConfigurationKey.derivedEnvironmentVariable("smtp.caFile") == "FRONTDESK_SMTP_CA_FILE")
        #expect(ConfigurationKey.derivedEnvironmentVariable("publicBaseURL") == "FRONTDESK_PUBLIC_BASE_URL")
        // Each variable reaches its key: a value that is not the default shows up in the configuration.
        let defaults = ServerConfiguration()
        for key in ServerConfiguration.keys {
            let value: String
            switch key.kind {
            case .string: value = "/x"
            case .int: value = "\(key.range?.upperBound ?? 7)"
            case .bool: value = (key.jsonValue(in: defaults) as? Bool) == true ? "false" : "true"
            case .choice(let cases): value = cases.first { "\($0)" != "\(key.jsonValue(in: defaults) ?? "")" } ?? cases[0]
            }
            let changed = try defaults.applying(environment: [key.environmentVariable: value])
            #expect(changed != defaults, "\(key.environmentVariable) sets \(key.name)")
        }
    }

    @Test("the demo seeder creates a usable studio once, and its printed logins work")
    func demoSeeder() async throws {
        try await TestApp.run { app in
            let first = try await DemoSeeder(services: app.services).seed()
            #expect(first.created)
            let second = try await DemoSeeder(services: app.services).seed()
            #expect(!second.created)
            #expect(second.organizationId == first.organizationId)
            let owner = try #require(first.logins.first { $0.role == "owner" })
            let token = try await app.login(owner.email, password: owner.password)
            let org = try await app.request(.get, "/api/orgs/\(first.organizationId)", token: token)
            #expect(org.string("timezone") == "Europe/Berlin")
            let locations = try await app.request(.get, "/api/orgs/\(first.organizationId)/locations", token: token)
            let items = try #require(locations["items"] as? [[String: Any]])
            #expect(items.count == 2)
            #expect(items.allSatisfy { $0["latitude"] != nil && $0["longitude"] != nil })
            let members = try await app.request(.get, "/api/orgs/\(first.organizationId)/members", token: token)
            #expect((members["members"] as? [Any])?.count == first.logins.count)
            for login in first.logins { _ = try await app.login(login.email, password: login.password) }
            let now = app.clock.now()
            let sessions = try await app.services.sessions.sessions(
                orgId: first.organizationId, from: now, to: now.addingTimeInterval(8 * 86_400))
            #expect(sessions.count >= 25)
            #expect(sessions.contains { $0.startsAt.timeIntervalSince(now) <= 30 * 60 }, "one class starts soon")
        }
    }

    @Test(
        "an unset publicBaseURL follows the listening host and port; a set one (file, env) is kept",
        arguments: [
            ("127.0.0.1", 9000, "http://127.0.0.1:9000"), ("0.0.0.0", 8081, "http://127.0.0.1:8081"), ("::", 8082, "http://127.0.0.1:8082"),
            ("192.168.1.20", 80, "http://192.168.1.20:80"), ("::1", 9001, "http://[::1]:9001"),
            ("studio.local", 8080, "http://studio.local:8080"),
        ])
    func publicBaseURLFollowsPort(host: String, port: Int, expected: String) async throws {
        var config = ServerConfiguration()
        config.host = host
        config.port = port
        #expect(try config.validated().publicBaseURL == expected)
        let fromEnv = try config.applying(environment: ["FRONTDESK_PORT": "9100"]).validated()
        #expect(fromEnv.publicBaseURL == expected.replacingOccurrences(of: ":\(port)", with: ":9100"))
        let explicit = try config.applying(environment: ["FRONTDESK_PUBLIC_BASE_URL": "https://gym.example/"]).validated()
        #expect(explicit.publicBaseURL == "https://gym.example")
        let path = try Self.writeConfig(#"{"publicBaseURL": "https://file.example", "port": 9300}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try await ServerConfiguration.load(file: path).validated().publicBaseURL == "https://file.example")
    }

    @Test("the demo banner and the demo display URL use the listening port when publicBaseURL is not set")
    func demoBannerFollowsPort() async throws {
        try await TestApp.run(configure: { config in
            config.publicBaseURL = ""
            config.port = 9000
            config = (try? config.validated()) ?? config
        }) { app in
            #expect(app.services.configuration.publicBaseURL == "http://127.0.0.1:9000")
            let report = try await DemoSeeder(services: app.services).seed()
            let banner = ServerRunner.demoBanner(report, configuration: app.services.configuration)
            #expect(banner.contains("http://127.0.0.1:9000/healthz"))
            #expect(banner.contains("http://127.0.0.1:9000/api/auth/login"))
            #expect(!banner.contains(":8080"))
            #expect(report.displayURL?.hasPrefix("http://127.0.0.1:9000/display/") == true, "\(report.displayURL ?? "nil")")
        }
    }

    @Test("the README's table is the one the key declarations give, and the example file has every key and nothing else")
    func documentedKeys() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(
            readme.components(separatedBy: "## Configuration").dropFirst().first?
                .components(separatedBy: "\n## ").first)
        let table = section.split(separator: "\n").filter { $0.hasPrefix("|") }.joined(separator: "\n")
        #expect(table == ServerConfiguration.markdownTable, "README.md's table should read:\n\(ServerConfiguration.markdownTable)")
        let example =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: Self.root.appendingPathComponent("kiosk-config/frontdesk.example.json"))) as? [String: Any] ?? [:]
        var exampleKeys = Set<String>()
        func walk(_ object: [String: Any], _ prefix: String) {
            for (name, value) in object where !name.hasPrefix("_") {
                let dotted = prefix.isEmpty ? name : prefix + "." + name
                if let nested = value as? [String: Any] { walk(nested, dotted) } else { exampleKeys.insert(dotted) }
            }
        }
        walk(example, "")
        let keys = Set(ServerConfiguration.keys.map(\.name))
        #expect(keys.count == ServerConfiguration.keys.count, "each key declared once")
        #expect(keys.subtracting(exampleKeys).sorted() == [], "keys missing from kiosk-config/frontdesk.example.json")
        #expect(exampleKeys.subtracting(keys).sorted() == [], "keys in the example file the server does not have")
    }

    @Test("every stored property of ServerConfiguration has a key, and every key's former flat name is a property")
    func everyPropertyDeclared() {
        let properties = Set(Mirror(reflecting: ServerConfiguration()).children.compactMap(\.label))
        #expect(properties.count == ServerConfiguration.keys.count)
        let flat = Set(ServerConfiguration.keys.map { $0.formerName ?? $0.name })
        #expect(flat.subtracting(properties).sorted() == [], "former names that are no property")
    }

    @Test("the CLI's flags are the ones the keys declare", .enabled(if: FileManager.default.fileExists(atPath: ConfigurationTests.cli)))
    func cliFlags() async throws {
        // Run and read on a thread of its own: blocking Swift's cooperative pool (two threads on a
        // two-core machine) would stall every other test of the run meanwhile.
        let help: String = try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result {
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: Self.cli)
                        process.arguments = ["serve", "--help"]
                        let pipe = Pipe()
                        process.standardOutput = pipe
                        try process.run()
                        let help = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                        process.waitUntilExit()
                        return help
                    })
            }.start()
        }
        for key in ServerConfiguration.keys {
            guard let flag = key.flag else { continue }
            #expect(help.contains(flag + " ") || help.contains(flag + "\n"), "serve --help lacks \(flag)")
        }
        #expect(help.contains("FRONTDESK_DATA_DIR") && help.contains("database.url"))
    }

    static var cli: String { root.appendingPathComponent(".build/debug/frontdesk").path }
}
