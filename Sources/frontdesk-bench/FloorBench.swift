import ArgumentParser
import AsyncHTTPClient
import Foundation
import FrontdeskCore
import FrontdeskFixtures
import FrontdeskStore
import HTTPTypes
import Logging
import NIOCore
import Synchronization

/// Two (or more) instances on one database, a class's whole life at once: members book and cancel
/// at every instance, then check in by QR at every instance, while the class's wall display listens
/// on the last instance. Checks the invariants and that the display heard every check-in in time.
struct Floor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bookings, cancels and QR check-ins spread over several servers; the display on the last one must see every check-in.")

    @Option(help: "Base URL of a running server; repeat (the display listens on the last).") var url: [String] = []
    @Option(help: "The database the servers share.") var databaseURL: String = ""
    @Option(help: "Members.") var members: Int = 120
    @Option(help: "Places in the class.") var capacity: Int = 60
    @Option(help: "Concurrent clients.") var clients: Int = 16
    @Option(help: "Longest acceptable delay, in ms, between a check-in's answer and the display hearing it.") var maxDelay: Double = 2_000

    struct Heard: Sendable {
        let bookingId: String
        let at: ContinuousClock.Instant
    }

    func run() async throws {
        guard url.count >= 2 else { throw ValidationError("give at least two --url") }
        let targets = try url.map(Target.init)
        try await withBenchDatabase(databaseURL) { database in
            let now = Date()
            let fixture = try await RushFixture.create(database: database, members: members, capacity: capacity, now: now, startsIn: 600)
            // The class at a location with a wall display; members may cancel up to the start (the class
            // is minutes away, inside its check-in window).
            let wall = try await WallDisplay.create(database: database, fixture: fixture, now: now)
            let ring = wall.ring, displayPath = wall.eventsPath
            try await database.transaction { sql in
                try await sql.raw("UPDATE organizations SET cancellation_window_hours = 0 WHERE id = \(bind: fixture.organizationId)").run()
            }
            try await analyzeSeeded(database)

            // The display listens on the last instance.
            let heard = Locked<[Heard]>([])
            let listening = Locked(false)
            let screen = targets[targets.count - 1]
            let listener = Task {
                var request = HTTPClientRequest(url: "http://\(screen.host):\(screen.port)\(displayPath)")
                request.headers.add(name: "Accept", value: "text/event-stream")
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
                guard response.status == .ok else {
                    print("the display's event stream answered \(response.status.code)")
                    return
                }
                listening.withLock { $0 = true }
                var pending = ""
                for try await chunk in response.body {
                    pending += String(buffer: chunk)
                    while let end = pending.range(of: "\n\n") {
                        let frame = String(pending[..<end.lowerBound])
                        pending = String(pending[end.upperBound...])
                        guard frame.contains("event: checkin"),
                            let data = frame.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }),
                            let json = try? JSONSerialization.jsonObject(with: Data(data.dropFirst(6).utf8)) as? [String: String],
                            json["kind"] == "checked_in", let bookingId = json["bookingId"]
                        else { continue }
                        heard.withLock { $0.append(Heard(bookingId: bookingId, at: .now)) }
                    }
                }
            }
            for _ in 0..<100 where !listening.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(50)) }

            // 1. Everyone books, spread over the instances; every fourth member then cancels.
            let tokens = fixture.tokens
            let booked = try await spread(targets: targets, count: tokens.count) { client, index in
                let headers: HTTPFields = [.authorization: "Bearer \(tokens[index])", .contentLength: "0"]
                let response = try await client.post("/api/sessions/\(fixture.sessionId)/bookings", headers: headers, body: ByteBuffer())
                let body = response.body.map { String(buffer: $0) } ?? ""
                let id = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["id"] as? String
                return (Int(response.status.code), id)
            }
            let cancels = try await spread(targets: targets, count: tokens.count) { client, index in
                guard index % 4 == 0, let id = booked[index].1 else { return (0, nil) }
                let headers: HTTPFields = [.authorization: "Bearer \(tokens[index])", .contentLength: "0"]
                return (Int(try await client.post("/api/bookings/\(id)/cancel", headers: headers, body: ByteBuffer()).status.code), nil)
            }

            // 2. The confirmed members check in by QR, spread over the instances.
            let confirmed = try await database.read { sql in
                try await sql.raw(
                    """
                    SELECT b.id, m.user_id FROM bookings b JOIN memberships m ON m.id = b.membership_id
                    WHERE b.session_id = \(bind: fixture.sessionId) AND b.status = 'confirmed'
                    """
                ).all().map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "user_id", as: String.self)) }
            }
            let tokenOf = try await database.read { sql in
                try await sql.raw(
                    """
                    SELECT m.user_id, a.token_hash FROM memberships m JOIN auth_sessions a ON a.user_id = m.user_id
                    WHERE m.organization_id = \(bind: fixture.organizationId)
                    """
                ).all().reduce(into: [String: String]()) {
                    $0[try $1.decode(column: "token_hash", as: String.self)] = try $1.decode(column: "user_id", as: String.self)
                }
            }
            let tokenByUser = Dictionary(tokens.map { (tokenOf[SecretToken.hash($0)] ?? "", $0) }, uniquingKeysWith: { first, _ in first })
            let answered = Locked<[String: (instance: Int, at: ContinuousClock.Instant)]>([:])
            let checkins = try await spread(targets: targets, count: confirmed.count) { client, index in
                let (bookingId, userId) = confirmed[index]
                let qr = CheckinToken.issue(sessionId: fixture.sessionId, at: Date(), keys: ring)
                let headers: HTTPFields = [.authorization: "Bearer \(tokenByUser[userId] ?? "")", .contentType: "application/json"]
                let response = try await client.post(
                    "/api/sessions/\(fixture.sessionId)/self-checkin", headers: headers,
                    body: ByteBuffer(string: #"{"token":"\#(qr)"}"#))
                answered.withLock { $0[bookingId] = (index % targets.count, .now) }
                return (Int(response.status.code), nil)
            }
            try await Task.sleep(for: .milliseconds(Int(maxDelay) + 500))
            listener.cancel()

            let outcome = try await RushFixture.outcome(database: database, sessionId: fixture.sessionId)
            let attended = try await database.read { sql in
                try await sql.raw(
                    "SELECT COUNT(*) AS n FROM bookings WHERE session_id = \(bind: fixture.sessionId) AND status = 'attended'"
                )
                .first()?.decode(column: "n", as: Int.self) ?? 0
            }
            let heardAt = Dictionary(heard.withLock { $0 }.map { ($0.bookingId, $0.at) }, uniquingKeysWith: { first, _ in first })
            var delays: [Double] = []
            var missed = 0
            for (bookingId, answer) in answered.withLock({ $0 }) where answer.instance != targets.count - 1 {
                guard let at = heardAt[bookingId] else {
                    missed += 1
                    continue
                }
                delays.append(max(0, (at - answer.at).milliseconds))
            }
            delays.sort()
            let bookErrors = booked.filter { $0.0 != 201 }.count
            let cancelErrors = cancels.filter { $0.0 != 0 && $0.0 != 200 }.count
            let checkinErrors = checkins.filter { $0.0 != 200 }.count
            print(
                """
                floor: \(members) members, class of \(capacity), \(targets.count) servers, the display on the last
                  bookings     \(booked.count - bookErrors) booked, \(bookErrors) errors; \(cancels.filter { $0.0 == 200 }.count) cancelled, \(cancelErrors) errors
                  check-ins    \(confirmed.count) confirmed members checked in: \(checkins.count - checkinErrors) ok, \(checkinErrors) errors; \(attended) attended
                  result       \(outcome.confirmed + attended) holding a place of \(capacity), \(outcome.waitlisted) waitlisted, members twice: \(outcome.membersTwice), waitlist dense: \(outcome.waitlistDense)
                  display      heard \(delays.count) check-ins made on other servers, missed \(missed); delay p50 \(String(format: "%.0f", percentile(delays, 0.5))) ms, max \(String(format: "%.0f", delays.last ?? 0)) ms
                """)
            guard bookErrors == 0, cancelErrors == 0, checkinErrors == 0, attended == confirmed.count, outcome.confirmed == 0,
                attended <= capacity, outcome.membersTwice == 0, outcome.waitlistDense, missed == 0, (delays.last ?? 0) <= maxDelay
            else {
                print("INVARIANT BROKEN")
                throw ExitCode.failure
            }
            print("invariants hold")
        }
    }

    /// Runs `body` for indexes 0..<count over `clients` workers, worker w on instance w % targets.
    func spread(
        targets: [Target], count: Int,
        _ body: @escaping @Sendable (BenchClient, Int) async throws -> (Int, String?)
    ) async throws -> [(Int, String?)] {
        try await Self.spread(targets: targets, count: count, clients: clients, body)
    }

    static func spread(
        targets: [Target], count: Int, clients: Int,
        _ body: @escaping @Sendable (BenchClient, Int) async throws -> (Int, String?)
    ) async throws -> [(Int, String?)] {
        let next = Ticket()
        let results = Locked<[Int: (Int, String?)]>([:])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<clients {
                let target = targets[worker % targets.count]
                group.addTask {
                    try await BenchClient.withClient(host: target.host, port: target.port, timeout: .seconds(30)) { client in
                        while true {
                            let index = next.take()
                            guard index < count else { break }
                            let result = try await body(client, index)
                            results.withLock { $0[index] = result }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        return (0..<count).map { results.withLock { $0 }[$0] ?? (0, nil) }
    }
}

/// A value behind a lock that escaping closures can share.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T: Sendable>(_ body: (inout sending Value) throws -> sending T) rethrows -> T { try mutex.withLock(body) }
}
