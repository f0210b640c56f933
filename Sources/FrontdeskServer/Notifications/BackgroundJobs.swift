import Foundation
import FrontdeskStore
import Logging
import ServiceLifecycle

/// The time-driven jobs, every `jobsIntervalSeconds`: queue 30-minute push reminders and sweep
/// no-shows (SPEC §7). Both are idempotent set-based statements, so every instance may run them.
struct BackgroundJobs: Service {
    let services: AppServices

    /// How long before a class its reminder goes out.
    static let reminderMinutes = 30

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await runOnce()
                try? await Task.sleep(for: .seconds(services.configuration.jobsIntervalSeconds))
            }
        }
    }

    /// One round at the injected clock's now; what it did.
    @discardableResult
    func runOnce() async -> (reminders: Int, noShows: Int) {
        let jobs = ScheduledJobs(database: services.database)
        var result = (reminders: 0, noShows: 0)
        do {
            result.reminders = try await jobs.queueReminders(now: services.now, minutesBefore: Self.reminderMinutes)
        } catch {
            services.logger.warning("reminder job failed", metadata: ["error": .string("\(error)")])
        }
        do {
            result.noShows = try await jobs.sweepNoShows(now: services.now)
        } catch {
            services.logger.warning("no-show sweep failed", metadata: ["error": .string("\(error)")])
        }
        return result
    }
}
