import ArgumentParser
import Foundation
import FrontdeskServer
import FrontdeskStore

/// Operators' view of the notification outbox: what is waiting or stuck, and putting it back in line.
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "List notifications and retry failed or dead ones.",
        subcommands: [List.self, Retry.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest notifications, with counts per status.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "Only this status: pending, sending, sent, failed or dead.") var status: String?
        @Option(help: "How many rows (1…1000).") var limit: Int = 50

        func validate() throws {
            if let status, !["pending", "sending", "sent", "failed", "dead"].contains(status) {
                throw ValidationError("--status must be pending, sending, sent, failed or dead")
            }
            guard (1...1_000).contains(limit) else { throw ValidationError("--limit must be 1…1000") }
        }

        func run() async throws {
            let services = try await openServices(try options.resolve())
            let store = OutboxStore(database: services.database)
            let counts = try await store.counts()
            print("counts: " + ["pending", "sending", "sent", "failed", "dead"].map { "\($0) \(counts[$0] ?? 0)" }.joined(separator: ", "))
            let formatter = ISO8601DateFormatter()
            for row in try await store.list(status: status, limit: limit) {
                var line = "\(row.id)  \(row.status.padding(toLength: 7, withPad: " ", startingAt: 0))  \(row.channel.padding(toLength: 5, withPad: " ", startingAt: 0))  "
                line += "\(row.template)  attempts \(row.attempts)  created \(formatter.string(from: row.createdAt))"
                if row.status == "failed" { line += "  next \(formatter.string(from: row.availableAt))" }
                if let error = row.lastError { line += "\n    last error: \(error)" }
                print(line)
            }
            await services.database.shutdown()
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put one failed or dead notification, or every dead one, back in line.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "The notification's id (from `outbox list`).") var id: String?
        @Flag(help: "Every dead notification.") var allDead = false

        func validate() throws {
            guard (id == nil) != !allDead else { throw ValidationError("give a notification id or --all-dead") }
        }

        func run() async throws {
            let services = try await openServices(try options.resolve())
            let count = try await OutboxStore(database: services.database).retry(id: id?.lowercased(), now: Date())
            await services.database.shutdown()
            if id != nil && count == 0 { throw ValidationError("no failed or dead notification with id \(id!)") }
            print("\(count) notification\(count == 1 ? "" : "s") queued again")
        }
    }
}
