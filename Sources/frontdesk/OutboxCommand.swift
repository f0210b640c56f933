import ArgumentParser
import FrontdeskServer

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
            if let status, !Operations.outboxStatuses.contains(status) {
                throw ValidationError("--status must be pending, sending, sent, failed or dead")
            }
            guard (1...1_000).contains(limit) else { throw ValidationError("--limit must be 1…1000") }
        }

        func run() async throws {
            try await Operations.listOutbox(configuration: try await options.resolve(), status: status, limit: limit)
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
            let configuration = try await options.resolve()
            try await operate { try await Operations.retryOutbox(configuration: configuration, id: id) }
        }
    }
}
