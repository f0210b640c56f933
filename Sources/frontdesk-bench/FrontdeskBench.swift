import ArgumentParser
import Foundation
import FrontdeskCore
import FrontdeskFixtures
import FrontdeskQR
import FrontdeskStore
import HTTPTypes
import Logging
import NIOCore
import Synchronization

/// Load tools that drive a running Frontdesk server over HTTP. Build in release:
/// `swift build -c release --product frontdesk-bench`.
@main
struct FrontdeskBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frontdesk-bench",
        abstract: "Benchmarks against running Frontdesk servers.",
        subcommands: [Rush.self, Checkins.self, Micro.self, Bulk.self, Analytics.self, Floor.self, Durability.self, Mix.self, Reads.self]
    )
}

/// The class-release rush: N members, C concurrent clients, all booking one class of K places.
struct Rush: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "N members book one class of K places at once through C concurrent HTTP clients.",
        discussion: """
            Seeds the class and the members (with login tokens) directly into the server's database, then \
            rushes the server(s) over HTTP and checks the result in the database. Several --url values spread \
            the clients over several server processes sharing one PostgreSQL. Exits non-zero when any \
            invariant breaks (overbooking, a member twice, a waitlist with gaps) or a request fails.
            """
    )

    @Option(help: "Base URL of a running server; repeat for several instances.") var url: [String] = ["http://127.0.0.1:8080"]
    @Option(help: "The database the server(s) use (SQLite path or postgres:// URL).") var databaseURL: String = "data/frontdesk.sqlite"
    @Option(help: "Members rushing the class.") var members: Int = 1000
    @Option(help: "Concurrent HTTP clients (one keep-alive connection each).") var clients: Int = 64
    @Option(help: "Places in the class.") var capacity: Int = 20

    func validate() throws {
        guard members >= 1, members <= 100_000 else { throw ValidationError("--members must be 1…100000") }
        guard clients >= 1, clients <= 1_000 else { throw ValidationError("--clients must be 1…1000") }
        guard capacity >= 1, capacity <= 1_000 else { throw ValidationError("--capacity must be 1…1000") }
    }

    func run() async throws {
        var logger = Logger(label: "frontdesk-bench")
        logger.logLevel = .warning
        let targets = try url.map(Target.init)
        let database = try await DatabaseFactory.open(url: databaseURL, logger: logger)
        let fixture = try await RushFixture.create(database: database, members: members, capacity: capacity, now: Date())
        try await analyzeSeeded(database)
        let retriesBefore = try await targets.asyncMap { try await $0.retries() }.reduce(0, +)

        let next = Ticket()
        let tokens = fixture.tokens
        let path = "/api/sessions/\(fixture.sessionId)/bookings"
        PhaseMarker.mark("start")
        let started = ContinuousClock.now
        let samples = try await withThrowingTaskGroup(of: [Sample].self) { group in
            for worker in 0..<clients {
                let target = targets[worker % targets.count]
                group.addTask {
                    try await BenchClient.withClient(
                        host: target.host, port: target.port,
                        timeout: .seconds(30)
                    ) { client in
                        var samples: [Sample] = []
                        while true {
                            let index = next.take()
                            guard index < tokens.count else { break }
                            let headers: HTTPFields = [.authorization: "Bearer \(tokens[index])", .contentLength: "0"]
                            let begin = ContinuousClock.now
                            let response = try await client.post(path, headers: headers, body: ByteBuffer())
                            samples.append(Sample(latency: ContinuousClock.now - begin, status: Int(response.status.code)))
                        }
                        return samples
                    }
                }
            }
            return try await group.reduce(into: [Sample]()) { $0 += $1 }
        }
        let elapsed = ContinuousClock.now - started
        PhaseMarker.mark("end")
        let retriesAfter = try await targets.asyncMap { try await $0.retries() }.reduce(0, +)
        let outcome = try await RushFixture.outcome(database: database, sessionId: fixture.sessionId)
        await database.shutdown()

        let latencies = samples.map { $0.latency.milliseconds }.sorted()
        let seconds = elapsed.milliseconds / 1000
        let failures = samples.filter { $0.status != 201 }
        print(
            """
            class-release rush: \(members) members, \(clients) clients, capacity \(capacity), \(targets.count) server(s), database \(database.backend)
              throughput   \(String(format: "%.0f", Double(samples.count) / seconds)) bookings/s (\(samples.count) requests in \(String(format: "%.2f", seconds)) s)
              latency      p50 \(String(format: "%.1f", percentile(latencies, 0.50))) ms   p99 \(String(format: "%.1f", percentile(latencies, 0.99))) ms   max \(String(format: "%.1f", latencies.last ?? 0)) ms
              retries      \(retriesAfter - retriesBefore) serialization/busy retries on the server(s)
              errors       \(failures.count) (statuses: \(Dictionary(grouping: failures, by: \.status).mapValues(\.count)))
              result       \(outcome.confirmed) confirmed, \(outcome.waitlisted) waitlisted, members twice: \(outcome.membersTwice), waitlist dense: \(outcome.waitlistDense)
            """)
        let expectedConfirmed = min(capacity, members)
        guard failures.isEmpty, outcome.confirmed == expectedConfirmed, outcome.waitlisted == members - expectedConfirmed,
            outcome.membersTwice == 0, outcome.waitlistDense
        else {
            print("INVARIANT BROKEN: expected \(expectedConfirmed) confirmed and \(members - expectedConfirmed) waitlisted, no errors")
            throw ExitCode.failure
        }
        print("invariants hold")
    }
}

/// Hands out member indexes to the workers, each once.
final class Ticket: Sendable {
    private let value = Mutex(0)
    func take() -> Int {
        value.withLock { current in
            defer { current += 1 }
            return current
        }
    }
    func peek() -> Int { value.withLock { $0 } }
}

struct Sample: Sendable {
    let latency: Duration
    let status: Int
}

/// A server to drive: host, port, and its retry counter from /metrics.
struct Target: Sendable {
    let host: String
    let port: Int

    init(_ url: String) throws {
        guard let components = URLComponents(string: url), let host = components.host, components.scheme == "http" else {
            throw ValidationError("--url must be http://host:port, got \(url)")
        }
        self.host = host
        self.port = components.port ?? 80
    }

    /// Sum of `frontdesk_db_transaction_retries_total` over backends.
    func retries() async throws -> Int {
        try await BenchClient.withClient(host: host, port: port) { client in
            let text = (try await client.get("/metrics").body).map { String(buffer: $0) } ?? ""
            return text.split(separator: "\n")
                .filter { $0.hasPrefix("frontdesk_db_transaction_retries_total") }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
                .reduce(0) { $0 + Int($1) }
        }
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}

/// In-process costs of the check-in hot path: QR SVG render per token and token verification.
struct Micro: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Time QR SVG rendering and check-in token verification in-process.")
    @Option(help: "Iterations per measurement.") var iterations: Int = 20_000

    func run() async throws {
        let ring = SigningKeyRing(current: SigningKey(id: "k1", secret: Array(repeating: 7, count: 32)))
        let session = NewID.make()
        let now = Date()
        let token = CheckinToken.issue(sessionId: session, at: now, keys: ring)
        let url = "https://studio.example/checkin?session=\(session)&token=\(token)"
        let renders = max(1, iterations / 10)
        var sink = 0
        let renderStart = ContinuousClock.now
        for _ in 0..<renders { sink &+= try QRCode.encode(url, level: .medium).svg(moduleSize: nil).utf8.count }
        let render = (ContinuousClock.now - renderStart).milliseconds * 1000 / Double(renders)
        let verifyStart = ContinuousClock.now
        for _ in 0..<iterations {
            if case .success = CheckinToken.verify(token, sessionId: session, now: now, graceSeconds: 10, keys: ring) { sink &+= 1 }
        }
        let verify = (ContinuousClock.now - verifyStart).milliseconds * 1000 / Double(iterations)
        let issueStart = ContinuousClock.now
        for _ in 0..<iterations { sink &+= CheckinToken.issue(sessionId: session, at: now, keys: ring).count }
        let issue = (ContinuousClock.now - issueStart).milliseconds * 1000 / Double(iterations)
        print(
            """
            check-in hot path (\(iterations) iterations; \(renders) renders; checksum \(sink % 10))
              QR SVG render (encode + SVG) per token   \(String(format: "%.1f", render)) µs
              token verify                             \(String(format: "%.2f", verify)) µs
              token issue                              \(String(format: "%.2f", issue)) µs
            """)
    }
}

/// Self check-in under load: N booked members scan the same QR code through C concurrent clients.
struct Checkins: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "N booked members self-check-in with one QR token through C concurrent HTTP clients.")
    @Option(help: "Base URL of a running server; repeat for several instances.") var url: [String] = ["http://127.0.0.1:8080"]
    @Option(help: "The database the server(s) use.") var databaseURL: String = "data/frontdesk.sqlite"
    @Option(help: "Members checking in.") var members: Int = 2000
    @Option(help: "Concurrent HTTP clients.") var clients: Int = 32

    func run() async throws {
        var logger = Logger(label: "frontdesk-bench")
        logger.logLevel = .warning
        let targets = try url.map(Target.init)
        let database = try await DatabaseFactory.open(url: databaseURL, logger: logger)
        let now = Date()
        let fixture = try await RushFixture.create(
            database: database, members: members, capacity: members, now: now, startsIn: 600, booked: true)
        try await analyzeSeeded(database)
        let ring = try await benchSigningKeys(database).ring(now: now)
        let tokens = fixture.tokens
        let path = "/api/sessions/\(fixture.sessionId)/self-checkin"
        let next = Ticket()
        PhaseMarker.mark("start")
        let started = ContinuousClock.now
        let samples = try await withThrowingTaskGroup(of: [Sample].self) { group in
            for worker in 0..<clients {
                let target = targets[worker % targets.count]
                group.addTask {
                    try await BenchClient.withClient(host: target.host, port: target.port, timeout: .seconds(30)) { client in
                        var samples: [Sample] = []
                        while true {
                            let index = next.take()
                            guard index < tokens.count else { break }
                            // A fresh token per request, as phones scanning the rotating code would send.
                            let qr = CheckinToken.issue(sessionId: fixture.sessionId, at: Date(), keys: ring)
                            let headers: HTTPFields = [.authorization: "Bearer \(tokens[index])", .contentType: "application/json"]
                            let begin = ContinuousClock.now
                            let response = try await client.post(path, headers: headers, body: ByteBuffer(string: #"{"token":"\#(qr)"}"#))
                            samples.append(Sample(latency: ContinuousClock.now - begin, status: Int(response.status.code)))
                        }
                        return samples
                    }
                }
            }
            return try await group.reduce(into: [Sample]()) { $0 += $1 }
        }
        let elapsed = ContinuousClock.now - started
        PhaseMarker.mark("end")
        let attended = try await database.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM bookings WHERE session_id = \(bind: fixture.sessionId) AND status = 'attended'")
                .first()?.decode(column: "n", as: Int.self) ?? 0
        }
        await database.shutdown()
        let latencies = samples.map { $0.latency.milliseconds }.sorted()
        let failures = samples.filter { $0.status != 200 }
        print(
            """
            self check-in: \(members) booked members, \(clients) clients, \(targets.count) server(s), database \(database.backend)
              throughput   \(String(format: "%.0f", Double(samples.count) / (elapsed.milliseconds / 1000))) check-ins/s
              latency      p50 \(String(format: "%.1f", percentile(latencies, 0.50))) ms   p99 \(String(format: "%.1f", percentile(latencies, 0.99))) ms
              errors       \(failures.count) (statuses: \(Dictionary(grouping: failures, by: \.status).mapValues(\.count)))
              result       \(attended) attended of \(members)
            """)
        guard failures.isEmpty, attended == members else { throw ExitCode.failure }
    }
}

/// Opens the database at `url`, runs `body`, and closes it whether `body` succeeds or throws (an
/// SQLite connection must be closed before it goes away).
func withBenchDatabase(_ url: String, _ body: (any FrontdeskDatabase) async throws -> Void) async throws {
    var logger = Logger(label: "frontdesk-bench")
    logger.logLevel = .warning
    let database = try await DatabaseFactory.open(url: url, logger: logger)
    do {
        try await body(database)
        await database.shutdown()
    } catch {
        await database.shutdown()
        throw error
    }
}

/// On PostgreSQL, statistics for the tables just seeded, as a studio's live database has them
/// (autovacuum analyses a table within a minute of its first writes): a bench starts seconds after
/// seeding, and without statistics the planner took the seeded tables for empty — e.g. it read a
/// batch's members' bookings through every booking of the class all 3,000 members hold (2.6 ms
/// instead of 0.6 ms, `EXPLAIN ANALYZE`, docs/benchmarks.md). SQLite keeps its own plans.
func analyzeSeeded(_ database: any FrontdeskDatabase) async throws {
    guard database.backend == .postgres else { return }
    try await database.transaction { sql in try await sql.raw("ANALYZE").run() }
}

/// The signing keys as the servers store them, sealed under their secrets key file: the same default
/// as `frontdesk serve` run from this directory (`FRONTDESK_SECRETS_KEY_FILE`, else
/// `<FRONTDESK_DATA_DIR or ./data>/frontdesk-secrets.key`). Without the file only plain keys are readable.
func benchSigningKeys(_ database: any FrontdeskDatabase) throws -> SigningKeysStore {
    let environment = ProcessInfo.processInfo.environment
    let path =
        environment["FRONTDESK_SECRETS_KEY_FILE"]
        ?? ((environment["FRONTDESK_DATA_DIR"] ?? "data") as NSString).appendingPathComponent("frontdesk-secrets.key")
    return SigningKeysStore(database: database, secrets: try SecretsKey.read(path: path))
}
