import ArgumentParser
import AsyncHTTPClient
import Foundation
import FrontdeskCore
import FrontdeskFixtures
import FrontdeskStore
import HTTPTypes
import Logging
import NIOCore

/// A studio's day in one command: members reading the schedule, booking and cancelling, wall
/// displays polling and streaming, and a class checking in — all at once against running servers,
/// for `--seconds`. Prints a table per kind of request and checks the classes' invariants after.
struct Mix: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The realistic mix: schedule reads, bookings, cancels, display polls and streams, QR check-ins.")

    @Option(help: "Base URL of a running server; repeat for several.") var url: [String] = []
    @Option(help: "The database the servers use.") var databaseURL: String = ""
    @Option(help: "Concurrent clients (members' phones and screens).") var clients: Int = 32
    @Option(help: "How long to run.") var seconds: Int = 20
    @Option(help: "Wall displays holding an event stream open.") var streams: Int = 8

    enum Kind: String, CaseIterable, Sendable {
        case schedule = "schedule read", book, cancel, poll = "display poll", checkin = "QR check-in"
    }

    struct Sample: Sendable {
        let kind: Kind
        let latency: Duration
        let status: Int
    }

    func run() async throws {
        let targets = try url.map(Target.init)
        try await withBenchDatabase(databaseURL) { database in
            let now = Date()
            // The class checking in now (every member booked), ten classes in the coming days to book, a display.
            let fixture = try await RushFixture.create(
                database: database, members: 3_000, capacity: 3_000, now: now, startsIn: 600, booked: true)
            let wall = try await WallDisplay.create(database: database, fixture: fixture, now: now)
            let ring = wall.ring, statePath = wall.statePath, eventsPath = wall.eventsPath
            let upcoming = try await WallDisplay.upcomingClasses(
                database: database, fixture: fixture, locationId: wall.locationId, now: now)
            try await analyzeSeeded(database)
            let tokens = fixture.tokens
            let classes = upcoming
            let org = fixture.organizationId
            let session = fixture.sessionId

            // Screens holding the event stream open, counting what they hear.
            let heard = Locked(0)
            var listeners: [Task<Void, Never>] = []
            for index in 0..<streams {
                let target = targets[index % targets.count]
                listeners.append(
                    Task {
                        var request = HTTPClientRequest(url: "http://\(target.host):\(target.port)\(eventsPath)")
                        request.headers.add(name: "Accept", value: "text/event-stream")
                        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(3_600)) else { return }
                        guard response.status == .ok else {
                            // e.g. 429 too_many_streams: all streams are of one display; start the servers with
                            // FRONTDESK_MAX_STREAMS_PER_DISPLAY >= --streams.
                            print("display stream \(index) answered \(response.status.code); raise maxStreamsPerDisplay on the servers")
                            return
                        }
                        do {
                            for try await chunk in response.body {
                                let events = String(buffer: chunk).components(separatedBy: "event: checkin").count - 1
                                if events > 0 { heard.withLock { $0 += events } }
                            }
                        } catch {}
                    })
            }

            let checkinNext = Ticket()
            PhaseMarker.mark("start")
            let deadline = ContinuousClock.now + .seconds(seconds)
            let samples = try await withThrowingTaskGroup(of: [Sample].self) { group in
                for worker in 0..<clients {
                    let target = targets[worker % targets.count]
                    group.addTask {
                        try await BenchClient.withClient(host: target.host, port: target.port, timeout: .seconds(30)) { client in
                            var random = SystemRandomNumberGenerator()
                            var mine: [String] = []
                            var samples: [Sample] = []
                            while ContinuousClock.now < deadline {
                                let roll = Int.random(in: 0..<100, using: &random)
                                let member = tokens[(worker * 97 + Int.random(in: 0..<90, using: &random)) % tokens.count]
                                let auth: HTTPFields = [.authorization: "Bearer \(member)", .contentLength: "0"]
                                let begin = ContinuousClock.now
                                let kind: Kind
                                let status: Int
                                switch roll {
                                case 0..<50:
                                    kind = .schedule
                                    status = Int(try await client.get("/api/orgs/\(org)/sessions", headers: auth).status.code)
                                case 50..<65:
                                    kind = .poll
                                    status = Int(try await client.get(statePath).status.code)
                                case 65..<80:
                                    kind = .book
                                    let response = try await client.post(
                                        "/api/sessions/\(classes.randomElement(using: &random)!)/bookings", headers: auth,
                                        body: ByteBuffer())
                                    status = Int(response.status.code)
                                    if status == 201, let body = response.body,
                                        let id = (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])?["id"]
                                            as? String
                                    {
                                        mine.append("\(member)|\(id)")
                                    }
                                case 80..<90:
                                    guard let entry = mine.popLast() else { continue }
                                    let parts = entry.split(separator: "|")
                                    kind = .cancel
                                    status = Int(
                                        try await client.post(
                                            "/api/bookings/\(parts[1])/cancel",
                                            headers: [.authorization: "Bearer \(parts[0])", .contentLength: "0"], body: ByteBuffer()
                                        ).status.code)
                                default:
                                    kind = .checkin
                                    let index = checkinNext.take() % tokens.count
                                    let qr = CheckinToken.issue(sessionId: session, at: Date(), keys: ring)
                                    status = Int(
                                        try await client.post(
                                            "/api/sessions/\(session)/self-checkin",
                                            headers: [.authorization: "Bearer \(tokens[index])", .contentType: "application/json"],
                                            body: ByteBuffer(string: #"{"token":"\#(qr)"}"#)
                                        ).status.code)
                                }
                                samples.append(Sample(kind: kind, latency: ContinuousClock.now - begin, status: status))
                            }
                            return samples
                        }
                    }
                }
                return try await group.reduce(into: [Sample]()) { $0 += $1 }
            }
            PhaseMarker.mark("end")
            // How far the servers' notification delivery kept up with the run (counted at its end).
            let outbox = try await database.read { sql in
                try await sql.raw(
                    "SELECT COUNT(*) AS queued, COUNT(*) FILTER (WHERE status = 'sent') AS sent FROM notification_outbox"
                ).first().map { (try $0.decode(column: "queued", as: Int.self), try $0.decode(column: "sent", as: Int.self)) }
                    ?? (0, 0)
            }
            try await Task.sleep(for: .milliseconds(500))
            for listener in listeners { listener.cancel() }

            var broken: [String] = []
            for id in classes {
                let outcome = try await RushFixture.outcome(database: database, sessionId: id)
                if outcome.confirmed > 20 || outcome.membersTwice > 0 || !outcome.waitlistDense { broken.append(id) }
            }

            print(
                "mix: \(clients) clients, \(streams) display streams, \(targets.count) server(s), database \(database.backend), \(seconds) s"
            )
            print("  request           count    per s   p50 ms   p99 ms    4xx  503 busy  other failures")
            var total = 0
            for kind in Kind.allCases {
                let mine = samples.filter { $0.kind == kind }
                let latencies = mine.map { $0.latency.milliseconds }.sorted()
                total += mine.count
                let client = mine.filter { (400..<500).contains($0.status) }.count
                let busy = mine.filter { $0.status == 503 }.count
                let failed = mine.filter { ($0.status >= 500 && $0.status != 503) || $0.status == 0 }.count
                let name = kind.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)
                print(
                    "  \(name)"
                        + String(
                            format: " %7d %8.0f %8.1f %8.1f %6d %9d %15d", mine.count, Double(mine.count) / Double(seconds),
                            percentile(latencies, 0.5), percentile(latencies, 0.99), client, busy, failed))
            }
            print(
                "  \("all".padding(toLength: 14, withPad: " ", startingAt: 0))"
                    + String(format: " %7d %8.0f", total, Double(total) / Double(seconds)))
            print("  streams          \(heard.withLock { $0 }) check-in events heard by \(streams) displays")
            print("  notifications    \(outbox.0) queued, \(outbox.1) sent by the run's end (\(outbox.0 - outbox.1) behind)")
            // 503 `busy` (retries exhausted under contention, nothing changed, Retry-After) is an allowed answer.
            let failures = samples.filter { ($0.status >= 500 && $0.status != 503) || $0.status == 0 }.count
            guard failures == 0, broken.isEmpty else {
                print("INVARIANT BROKEN: \(failures) server errors, classes broken: \(broken)")
                throw ExitCode.failure
            }
            print("invariants hold")
        }
    }
}
