import Foundation
import FrontdeskCore
import FrontdeskStore
import FrontdeskTestSupport
import Testing
@testable import FrontdeskServer

/// The signing keys are stored encrypted under the secrets key file; legacy plain rows keep working
/// and get sealed; a missing or wrong key file stops the server instead of minting new keys.
@Suite("Signing keys at rest")
struct SigningKeyEncryptionTests {
    static func temporaryKeyPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-keys-\(NewID.make())/frontdesk-secrets.key").path
    }

    static func storedSecrets(_ database: any FrontdeskDatabase) async throws -> [String: String] {
        try await database.read { sql in
            try await sql.raw("SELECT key_id, secret FROM signing_keys").all().reduce(into: [String: String]()) {
                $0[try $1.decode(column: "key_id", as: String.self)] = try $1.decode(column: "secret", as: String.self)
            }
        }
    }

    @Test("a new key is stored sealed: the row holds no secret; the key file is created 0600 and opens it")
    func sealedAtRest() async throws {
        let path = Self.temporaryKeyPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try await TestApp.run(configure: { $0.secretsKeyFile = path }) { app in
            let ring = try await app.services.keyRing.ring(now: app.clock.now())
            let secret = ring.current.secret
            let stored = try #require(try await Self.storedSecrets(app.services.database)[ring.current.id])
            let key = try #require(try SecretsKey.read(path: path))
            #expect(stored.hasPrefix("v1:\(key.id):"), "\(stored)")
            #expect(!stored.contains(Base64URL.encode(secret)))
            #expect(!stored.contains(Data(secret).base64EncodedString()))
            #expect(try key.open(stored, context: ring.current.id) == secret)
            #expect(throws: SecretsKeyError.self) { try key.open(stored, context: "k9") }
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            #expect(Data(base64Encoded: try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .newlines))?.count == 32)

            // A rotation is sealed too, and the display links it signs work.
            let studio = try await app.studio()
            _ = try await app.services.keyRing.store().rotate(now: app.clock.now())
            app.services.keyRing.invalidate()
            let display = try await app.displayPath(studio)
            #expect(display.path.contains("sig=k2."))
            #expect(try await app.request(.get, display.path.replacingOccurrences(of: "?", with: "/state?")).status == 200)
            let rows = try await Self.storedSecrets(app.services.database)
            #expect(rows.count == 2 && rows.values.allSatisfy { $0.hasPrefix("v1:\(key.id):") })
        }
    }

    @Test("legacy plain rows are still accepted and rewritten sealed, retired ones too")
    func legacyRows() async throws {
        let path = Self.temporaryKeyPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try await TestApp.run(configure: { $0.secretsKeyFile = path }) { app in
            let old = SecretToken.generate(bytes: 32), live = SecretToken.generate(bytes: 32)
            try await app.services.database.transaction { sql in
                try await sql.raw("INSERT INTO signing_keys (key_id, secret, created_at, retired_at) VALUES ('k1', \(bind: old), 1, 2)")
                    .run()
                try await sql.raw("INSERT INTO signing_keys (key_id, secret, created_at) VALUES ('k2', \(bind: live), 3)").run()
            }
            // A display link signed with the plain key before the upgrade keeps working.
            let studio = try await app.studio()
            let created = try await app.request(
                .post, "/api/orgs/\(studio.orgId)/displays", token: studio.ownerToken,
                body: ["locationId": studio.locationId])
            let displayId = try #require((created["display"] as? [String: Any])?["id"] as? String)
            let legacyRing = SigningKeyRing(current: SigningKey(id: "k2", secret: try #require(Base64URL.decode(live))))
            let signedPath = DisplaySignature.path(
                displayId: displayId, expires: app.clock.now().epochSeconds + 3_600, keyVersion: 1, keys: legacyRing)
            #expect(try await app.request(.get, signedPath.replacingOccurrences(of: "?", with: "/state?")).status == 200)

            let key = try #require(try SecretsKey.read(path: self.keyPath(app)))
            let rows = try await Self.storedSecrets(app.services.database)
            #expect(rows["k1"]?.hasPrefix("v1:\(key.id):") == true, "retired row still plain")
            #expect(rows["k2"]?.hasPrefix("v1:\(key.id):") == true, "live row still plain")
            #expect(!rows.values.contains { $0.contains(live) || $0.contains(old) })
            #expect(try key.open(try #require(rows["k2"]), context: "k2") == Base64URL.decode(live))
            // And it still verifies after a reload from the sealed rows.
            app.services.keyRing.invalidate()
            #expect(try await app.services.keyRing.ring(now: app.clock.now()).current.secret == Base64URL.decode(live))
        }
    }

    func keyPath(_ app: TestApp) -> String { app.services.configuration.resolvedSecretsKeyFile }

    @Test("a wrong or missing key file against sealed rows is refused with the reason; nothing new is created")
    func wrongKeyFile() async throws {
        let right = Self.temporaryKeyPath(), wrong = Self.temporaryKeyPath(), missing = Self.temporaryKeyPath()
        defer {
            for path in [right, wrong, missing] {
                try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
            }
        }
        try await TestApp.run(configure: { $0.secretsKeyFile = right }) { app in
            try await app.services.keyRing.prepare(now: app.clock.now())
            let before = try await Self.storedSecrets(app.services.database)
            _ = try SecretsKey.create(path: wrong)

            let withWrong = KeyRingCache(database: app.services.database, secretsKeyFile: wrong)
            let wrongError = await #expect(throws: DatabaseConfigurationError.self) { try await withWrong.prepare(now: app.clock.now()) }
            #expect(wrongError?.description.contains("wrong secrets key file") == true, "\(String(describing: wrongError))")

            let withMissing = KeyRingCache(database: app.services.database, secretsKeyFile: missing)
            let missingError = await #expect(throws: DatabaseConfigurationError.self) {
                try await withMissing.prepare(now: app.clock.now())
            }
            #expect(missingError?.description.contains("is missing") == true, "\(String(describing: missingError))")
            #expect(!FileManager.default.fileExists(atPath: missing), "a new key file was created")
            #expect(try await Self.storedSecrets(app.services.database) == before, "the stored keys changed")

            // A damaged file is refused too.
            try "not a key\n".write(toFile: wrong, atomically: true, encoding: .utf8)
            await #expect(throws: (any Error).self) {
                try await KeyRingCache(database: app.services.database, secretsKeyFile: wrong).prepare(now: app.clock.now())
            }
        }
    }

    @Test("rewrap re-seals every key under a new key file; then only the new file opens them")
    func rewrap() async throws {
        let current = Self.temporaryKeyPath(), next = Self.temporaryKeyPath()
        defer { for path in [current, next] { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) } }
        try await TestApp.run(configure: { $0.secretsKeyFile = current }) { app in
            let ring = try await app.services.keyRing.ring(now: app.clock.now())
            let newKey = try SecretsKey.create(path: next)
            #expect(try await app.services.keyRing.store().rewrap(to: newKey) == 1)
            let reopened = KeyRingCache(database: app.services.database, secretsKeyFile: next)
            #expect(try await reopened.ring(now: app.clock.now()).current.secret == ring.current.secret)
            await #expect(throws: DatabaseConfigurationError.self) {
                try await KeyRingCache(database: app.services.database, secretsKeyFile: current).prepare(now: app.clock.now())
            }
        }
    }

    @Test(
        "serve stops at start, before listening, when the key file does not open the stored keys",
        .enabled(if: TestBackend.current == .sqlite))
    func serveRefuses() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-serve-\(NewID.make())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory
        configuration.port = 1
        configuration.logLevel = "critical"
        configuration.runJobs = false
        configuration = try configuration.validated()
        // First start: creates the key file and seals k1.
        let database = try await openDatabase(configuration: configuration, clock: SystemClock(), logger: TestBackend.logger)
        try await KeyRingCache(database: database, secretsKeyFile: configuration.resolvedSecretsKeyFile).prepare(now: Date())
        await database.shutdown()
        // The key file is lost (replaced by another one): serve must refuse.
        try FileManager.default.removeItem(atPath: configuration.resolvedSecretsKeyFile)
        _ = try SecretsKey.create(path: configuration.resolvedSecretsKeyFile)
        let validated = configuration
        let outcome = await OpsRoutes.firstAnswer(within: .seconds(20)) { () -> String in
            do {
                try await ServerRunner.serve(configuration: validated, migrate: nil, demo: false)
                return "served"
            } catch {
                return "\(error)"
            }
        }
        #expect(outcome?.contains("wrong secrets key file") == true, "\(outcome ?? "still running after 20 s")")
    }
}
