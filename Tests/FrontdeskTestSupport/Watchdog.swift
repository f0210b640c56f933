import Foundation
import Synchronization
import Testing

/// Says on stderr when a stage of a test's set-up or tear-down has waited longer than it ever should
/// (a hang then names itself in the test log instead of only stalling the run).
public enum Watchdog {
    public static func watch<T>(_ stage: String, after seconds: Int = 240, _ body: () async throws -> T) async rethrows -> T {
        let alarm = Alarm()
        alarm.start(stage, after: seconds)
        defer { alarm.stop() }
        return try await body()
    }

    /// An alarm started at one point and stopped at another.
    public final class Alarm: Sendable {
        private let task = Mutex<Task<Void, any Error>?>(nil)

        public init() {}

        public func start(_ stage: String, after seconds: Int = 240) {
            let test = Test.current?.displayName ?? Test.current?.name ?? "?"
            task.withLock {
                $0 = Task {
                    try await Task.sleep(for: .seconds(seconds))
                    FileHandle.standardError.write(Data("WATCHDOG: \(test): \(stage) still waiting after \(seconds) s\n".utf8))
                }
            }
        }

        public func stop() { task.withLock { $0?.cancel() } }
    }
}
