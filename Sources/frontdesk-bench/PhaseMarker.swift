import Foundation

/// Marks the measured phase of a bench for tools outside it (CPU per request from `/proc`): with
/// `FRONTDESK_BENCH_PHASE_FILE` set, `start` is written to that file as the phase begins and `end`
/// as it ends, so a watcher can sample the processes' CPU time exactly around it, seeding excluded.
enum PhaseMarker {
    static func mark(_ phase: String) {
        guard let path = ProcessInfo.processInfo.environment["FRONTDESK_BENCH_PHASE_FILE"] else { return }
        try? Data((phase + "\n").utf8).write(to: URL(fileURLWithPath: path))
    }
}
