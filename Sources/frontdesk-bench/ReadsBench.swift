import ArgumentParser
import AsyncHTTPClient
import Foundation
import FrontdeskFixtures
import FrontdeskStore

/// The read path as an outsider measures it: `wrk` against `/healthz` (the framework's floor in this
/// server), a member's week and the wall display's state poll, one after another on one server, each
/// figure also as a share of `/healthz` of the same run. The poll twice: as a screen's first poll
/// (every code's SVG in the answer) and as its polls after that, which name the codes it holds
/// (`have=`, so only a new window's SVG is sent).
struct Reads: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "wrk against /healthz, a member's week and the display state poll; prints req/s, p50, p99 and the share of /healthz.",
        discussion:
            "Seeds a studio (members booked into today's class, ten coming classes, a wall display) into the server's database first.")

    @Option(help: "Base URL of the running server.") var url: String = "http://127.0.0.1:8080"
    @Option(help: "The database the server uses.") var databaseURL: String = ""
    @Option(help: "wrk connections.") var clients: Int = 32
    @Option(help: "wrk threads.") var threads: Int = 2
    @Option(help: "Seconds per measurement.") var seconds: Int = 10
    @Option(help: "The wrk executable.") var wrk: String = "wrk"

    struct Figure {
        let name: String
        let perSecond: Double
        let p50: Double
        let p99: Double
    }

    func run() async throws {
        let target = try Target(url)
        let base = "http://\(target.host):\(target.port)"
        try await withBenchDatabase(databaseURL) { database in
            let now = Date()
            let fixture = try await RushFixture.create(
                database: database, members: 200, capacity: 200, now: now, startsIn: 600, booked: true)
            let wall = try await WallDisplay.create(database: database, fixture: fixture, now: now)
            _ = try await WallDisplay.upcomingClasses(database: database, fixture: fixture, locationId: wall.locationId, now: now)
            try await analyzeSeeded(database)
            let auth = "Authorization: Bearer \(fixture.tokens[0])"
            let cases: [(String, String, [String])] = [
                ("/healthz", "/healthz", []),
                ("member's week", "/api/orgs/\(fixture.organizationId)/sessions", [auth]),
                ("display state poll", wall.statePath, []),
                ("display, codes held", try await Self.holding(base: base, statePath: wall.statePath), []),
            ]
            var figures: [Figure] = []
            for (name, path, headers) in cases {
                figures.append(try measure(name: name, url: base + path, headers: headers))
            }
            print("reads: \(clients) connections, \(threads) threads, \(seconds) s each, database \(database.backend)")
            print("  request               req/s   p50 ms   p99 ms   share of /healthz")
            let floor = figures[0].perSecond
            for figure in figures {
                let name = figure.name.padding(toLength: 20, withPad: " ", startingAt: 0)
                print(
                    "  \(name)"
                        + String(
                            format: " %7.0f %8.2f %8.2f %10.0f %%", figure.perSecond, figure.p50, figure.p99,
                            floor > 0 ? 100 * figure.perSecond / floor : 0))
            }
        }
    }

    /// The state path as a screen polls once it holds the codes of its first answer: `&have=<url>`
    /// for the current code and each code ahead.
    static func holding(base: String, statePath: String) async throws -> String {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + statePath), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code == 200,
            let state = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        else { throw ValidationError("the display state answered \(response.status.code)") }
        let codes = ([state["qr"]] + ((state["ahead"] as? [Any]) ?? [])).compactMap { ($0 as? [String: Any])?["url"] as? String }
        guard !codes.isEmpty else { throw ValidationError("the display state holds no code to name") }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return statePath + codes.map { "&have=" + ($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0) }.joined()
    }

    /// One wrk run; every answer must be a 2xx (a fast refusal is no read).
    func measure(name: String, url: String, headers: [String]) throws -> Figure {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [wrk, "-t\(threads)", "-c\(clients)", "-d\(seconds)s", "--latency"] + headers.flatMap { ["-H", $0] } + [url]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let perSecond = Self.number(after: "Requests/sec:", in: output) else {
            throw ValidationError("wrk failed for \(name):\n\(output)")
        }
        if let failed = Self.number(after: "Non-2xx or 3xx responses:", in: output), failed > 0 {
            throw ValidationError("\(name): \(Int(failed)) answers were not 2xx:\n\(output)")
        }
        return Figure(
            name: name, perSecond: perSecond, p50: Self.milliseconds(after: "50%", in: output) ?? 0,
            p99: Self.milliseconds(after: "99%", in: output) ?? 0)
    }

    static func number(after label: String, in output: String) -> Double? {
        guard let line = output.split(separator: "\n").first(where: { $0.contains(label) }) else { return nil }
        return line.components(separatedBy: label).last.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// A latency-distribution line of wrk (`99%   12.34ms`) in milliseconds.
    static func milliseconds(after label: String, in output: String) -> Double? {
        guard let line = output.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }),
            let text = line.split(separator: " ", omittingEmptySubsequences: true).last
        else { return nil }
        for (unit, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0)] where text.hasSuffix(unit) {
            return Double(text.dropLast(unit.count)).map { $0 * scale }
        }
        return nil
    }
}
