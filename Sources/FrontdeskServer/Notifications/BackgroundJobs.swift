import Foundation
import FrontdeskStore
import Logging
import ServiceLifecycle

/// The time-driven jobs, every `jobsIntervalSeconds`: queue 30-minute push reminders, sweep no-shows
/// (SPEC §7) and keep the weekly series' classes made `scheduleHorizonWeeks` ahead. Each is idempotent
/// (set-based statements, unique keys), so every instance may run them.
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
    func runOnce() async -> (reminders: Int, noShows: Int, classes: Int) {
        let jobs = ScheduledJobs(database: services.database)
        var result = (reminders: 0, noShows: 0, classes: 0)
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
        do {
            result.classes = try await SeriesStore(database: services.database).materialiseAll(
                now: services.now, horizonWeeks: services.configuration.scheduleHorizonWeeks)
        } catch {
            services.logger.warning("series job failed", metadata: ["error": .string("\(error)")])
        }
        return result
    }
}
