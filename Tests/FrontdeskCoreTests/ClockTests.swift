import Foundation
import Testing

import FrontdeskCore

@Suite("Clocks")
struct ClockTests {
    @Test("ManualClock starts where it is told and does not move by itself")
    func frozen() throws {
        let start = try iso("2026-03-29T06:30:00+02:00")
        let clock = ManualClock(start)
        #expect(clock.now() == start)
        #expect(clock.now() == clock.now())
    }

    @Test("ManualClock.set jumps to an absolute instant, forwards or backwards")
    func set() throws {
        let clock = ManualClock(try iso("2026-01-01T00:00:00Z"))
        let later = try iso("2026-10-25T05:30:00Z")
        clock.set(later)
        #expect(clock.now() == later)
        let earlier = try iso("2025-12-31T23:59:59Z")
        clock.set(earlier)
        #expect(clock.now() == earlier)
    }

    @Test("ManualClock.advance moves by the interval", arguments: [0.0, 1.0, 0.5, 60.0, 86_400.0, -3_600.0, -0.25])
    func advance(seconds: TimeInterval) throws {
        let start = try iso("2026-06-01T12:00:00Z")
        let clock = ManualClock(start)
        clock.advance(by: seconds)
        #expect(clock.now() == start.addingTimeInterval(seconds))
    }

    @Test("ManualClock.advance accumulates and composes with set")
    func accumulate() throws {
        let start = try iso("2026-06-01T12:00:00Z")
        let clock = ManualClock(start)
        clock.advance(by: 60)
        clock.advance(by: 60)
        clock.advance(by: -30)
        #expect(clock.now() == start.addingTimeInterval(90))
        let reset = try iso("2026-03-29T01:00:00Z")
        clock.set(reset)
        clock.advance(by: 3_600)
        #expect(clock.now() == (try iso("2026-03-29T04:00:00+02:00")))
    }

    @Test("ManualClock is safe to advance from many tasks at once")
    func concurrentAdvance() async throws {
        let start = try iso("2026-06-01T12:00:00Z")
        let clock = ManualClock(start)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<500 {
                        clock.advance(by: 1)
                        _ = clock.now()
                    }
                }
            }
        }
        #expect(clock.now() == start.addingTimeInterval(4_000))
    }

    @Test("ManualClock works through the FrontdeskClock protocol")
    func asProtocol() throws {
        let start = try iso("2026-06-01T12:00:00Z")
        let manual = ManualClock(start)
        let clock: any FrontdeskClock = manual
        manual.advance(by: 5)
        #expect(clock.now() == start.addingTimeInterval(5))
    }

    @Test("SystemClock reads the wall clock")
    func system() {
        let before = Date()
        let now = SystemClock().now()
        let after = Date()
        #expect(now >= before)
        #expect(now <= after)
    }
}
