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

    @Test("defaults < file < environment; validation trims the base URL")
    func precedence() throws {
        let path = try Self.writeConfig(#"{"port": 9000, "host": "0.0.0.0", "publicBaseURL": "https://gym.example/", "logLevel": "debug"}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try ServerConfiguration.load(file: path)
        #expect(fromFile.port == 9000)
        #expect(fromFile.host == "0.0.0.0")
        #expect(fromFile.bcryptCost == 12, "untouched keys keep their defaults")
        let withEnv = try fromFile.applying(environment: ["FRONTDESK_PORT": "9100", "FRONTDESK_DATABASE_URL": "postgres://u@h/db"])
            .validated()
        #expect(withEnv.port == 9100)
        #expect(withEnv.host == "0.0.0.0")
        #expect(withEnv.usesPostgres)
        #expect(withEnv.publicBaseURL == "https://gym.example")
        #expect(withEnv.secureCookies)
        #expect(
            ServerConfiguration().resolvedDatabaseURL == "data/frontdesk.sqlite"
                || ServerConfiguration().resolvedDatabaseURL == "./data/frontdesk.sqlite")
    }

    @Test("the shipped example configuration is valid and read by the server")
    func exampleConfig() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try ServerConfiguration.load(file: root.appendingPathComponent("kiosk-config/frontdesk.example.json").path).validated()
        #expect(config.port == 8080)
        #expect(!config.usesPostgres)
    }

    @Test(
        "unknown keys, wrong types and bad values are refused with a clear message",
        arguments: [
            #"{"prot": 8080}"#, #"{"port": "eighty"}"#, #"not json"#, #"{"port": 70000}"#, #"{"bcryptCost": 2}"#,
            #"{"publicBaseURL": "ftp://x"}"#, #"{"logLevel": "loud"}"#,
        ])
    func badConfig(json: String) throws {
        let path = try Self.writeConfig(json)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.load(file: path).validated() }
    }

    @Test("bad environment values are refused")
    func badEnvironment() {
        #expect(throws: ConfigurationError.self) { try ServerConfiguration().applying(environment: ["FRONTDESK_PORT": "x"]) }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration().applying(environment: ["FRONTDESK_MIGRATE": "maybe"]) }
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
    func publicBaseURLFollowsPort(host: String, port: Int, expected: String) throws {
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
        #expect(try ServerConfiguration.load(file: path).validated().publicBaseURL == "https://file.example")
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

    @Test("every configuration key is in the README's table and the example file, and nothing else is")
    func documentedKeys() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(
            readme.components(separatedBy: "## Configuration").dropFirst().first?
                .components(separatedBy: "\n## ").first)
        // The first column of each table row: one key or several, each in backticks.
        var documented = Set<String>()
        for line in section.split(separator: "\n") where line.hasPrefix("| `") {
            let first = line.dropFirst(2).prefix { $0 != "|" }
            for part in first.split(separator: "`") where part.allSatisfy({ $0.isLetter || $0.isNumber }) && !part.isEmpty {
                documented.insert(String(part))
            }
        }
        let keys = Set(ServerConfiguration.keys)
        #expect(keys.subtracting(documented).sorted() == [], "keys missing from the README's table")
        #expect(documented.subtracting(keys).sorted() == [], "README rows for keys the server does not have")
        let example =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: root.appendingPathComponent("kiosk-config/frontdesk.example.json"))) as? [String: Any] ?? [:]
        let exampleKeys = Set(example.keys.filter { !$0.hasPrefix("_") })
        #expect(keys.subtracting(exampleKeys).sorted() == [], "keys missing from kiosk-config/frontdesk.example.json")
    }
}
