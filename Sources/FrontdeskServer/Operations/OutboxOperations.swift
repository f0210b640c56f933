import Foundation
import FrontdeskStore

/// `frontdesk outbox …`: operators' view of the notification outbox.
extension Operations {
    /// The statuses a notification can have, in the order `outbox list` counts them.
    public static let outboxStatuses = ["pending", "sending", "sent", "failed", "dead"]

    /// `frontdesk outbox list`: counts per status, then the newest `limit` notifications (of `status`, if given).
    public static func listOutbox(configuration: ServerConfiguration, status: String?, limit: Int) async throws {
        try await withServices(configuration: configuration) { services in
            let store = OutboxStore(database: services.database)
            let counts = try await store.counts()
            print("counts: " + outboxStatuses.map { "\($0) \(counts[$0] ?? 0)" }.joined(separator: ", "))
            let formatter = ISO8601DateFormatter()
            for row in try await store.list(status: status, limit: limit) {
                var line =
                    "\(row.id)  \(row.status.padding(toLength: 7, withPad: " ", startingAt: 0))  \(row.channel.padding(toLength: 5, withPad: " ", startingAt: 0))  "
                line += "\(row.template)  attempts \(row.attempts)  created \(formatter.string(from: row.createdAt))"
                if row.status == "failed" { line += "  next \(formatter.string(from: row.availableAt))" }
                if let error = row.lastError { line += "\n    last error: \(error)" }
                print(line)
            }
        }
    }

    /// `frontdesk outbox retry ID | --all-dead`: one failed or dead notification (`id`), or every dead
    /// one (`id` nil), back in line.
    public static func retryOutbox(configuration: ServerConfiguration, id: String?) async throws {
        let count = try await withServices(configuration: configuration) { services in
            try await OutboxStore(database: services.database).retry(id: id?.lowercased(), now: Date())
        }
        if let id, count == 0 { throw UsageError("no failed or dead notification with id \(id)") }
        print("\(count) notification\(count == 1 ? "" : "s") queued again")
    }
}
