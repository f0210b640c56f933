import ArgumentParser
import Foundation
import FrontdeskCore
import FrontdeskFixtures
import FrontdeskStore
import HTTPTypes
import Logging
import NIOCore

/// The class-release rush while something goes wrong (a server killed, the database restarted):
/// clients carry on where they can, and afterwards every booking a client saw acknowledged must be
/// in the database, whole (with the notification written in its transaction), and the class's
/// invariants must hold. Requests that failed may or may not have happened — both are fine.
struct Durability: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rush that tolerates failures, then checks every acknowledged booking is stored whole.")

    @Option(help: "Base URL of a running server; repeat for several.") var url: [String] = []
    @Option(help: "The database the servers use.") var databaseURL: String = ""
    @Option(help: "Members.") var members: Int = 600
    @Option(help: "Places in the class.") var capacity: Int = 40
    @Option(help: "Concurrent clients.") var clients: Int = 16
    @Option(help: "Pause between a client's requests, ms (spreads the rush over time).") var pauseMs: Int = 10

    func run() async throws {
        let targets = try url.map(Target.init)
        try await withBenchDatabase(databaseURL) { database in
            let fixture = try await RushFixture.create(database: database, members: members, capacity: capacity, now: Date())
            print("durability: rushing \(members) members at \(targets.count) server(s); class \(fixture.sessionId)")
            let tokens = fixture.tokens
            let acknowledged = Locked<[String: String]>([:])  // booking id → status the client was told
            let failed = Locked(0)
            let next = Ticket()
            let pause = pauseMs
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<clients {
                    let target = targets[worker % targets.count]
                    group.addTask {
                        // A dead server fails the connection: reconnect and go on with the next member.
                        while next.peek() < tokens.count {
                            do {
                                try await BenchClient.withClient(host: target.host, port: target.port, timeout: .seconds(10)) { client in
                                    while true {
                                        let index = next.take()
                                        guard index < tokens.count else { return }
                                        let headers: HTTPFields = [.authorization: "Bearer \(tokens[index])", .contentLength: "0"]
                                        do {
                                            let response = try await client.post(
                                                "/api/sessions/\(fixture.sessionId)/bookings", headers: headers, body: ByteBuffer())
                                            let body = response.body.map { String(buffer: $0) } ?? ""
                                            let json = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
                                            if response.status.code == 201, let id = json?["id"] as? String,
                                                let status = json?["status"] as? String
                                            {
                                                acknowledged.withLock { $0[id] = status }
                                            } else {
                                                failed.withLock { $0 += 1 }
                                            }
                                        } catch {
                                            failed.withLock { $0 += 1 }
                                            throw error
                                        }
                                        try await Task.sleep(for: .milliseconds(pause))
                                    }
                                }
                            } catch {
                                try? await Task.sleep(for: .milliseconds(200))
                            }
                        }
                    }
                }
            }
            let told = acknowledged.withLock { $0 }
            let (stored, whole) = try await database.read { sql in
                let rows = try await sql.raw("SELECT id, status FROM bookings WHERE session_id = \(bind: fixture.sessionId)").all()
                let stored = try rows.reduce(into: [String: String]()) {
                    $0[try $1.decode(column: "id", as: String.self)] = try $1.decode(column: "status", as: String.self)
                }
                // Whole: each booking's e-mail was queued in the same transaction.
                let whole =
                    try await sql.raw(
                        """
                        SELECT COUNT(*) AS n FROM bookings b WHERE b.session_id = \(bind: fixture.sessionId)
                          AND EXISTS (SELECT 1 FROM notification_outbox o WHERE o.dedupe_key = 'booking_' || b.status || ':' || b.id || ':email')
                        """
                    ).first()?.decode(column: "n", as: Int.self) ?? 0
                return (stored, whole)
            }
            let outcome = try await RushFixture.outcome(database: database, sessionId: fixture.sessionId)
            let lost = told.filter { stored[$0.key] != $0.value }
            print(
                """
                  acknowledged \(told.count) bookings (\(told.values.filter { $0 == "confirmed" }.count) confirmed), \(failed.withLock { $0 }) requests failed or unanswered
                  stored       \(stored.count) bookings, \(whole) with their notification; acknowledged but missing or different: \(lost.count)
                  result       \(outcome.confirmed) confirmed of \(capacity), \(outcome.waitlisted) waitlisted, members twice: \(outcome.membersTwice), waitlist dense: \(outcome.waitlistDense)
                """)
            guard lost.isEmpty, whole == stored.count, outcome.confirmed <= capacity, outcome.membersTwice == 0, outcome.waitlistDense
            else {
                print("INVARIANT BROKEN")
                throw ExitCode.failure
            }
            print("invariants hold")
        }
    }
}
