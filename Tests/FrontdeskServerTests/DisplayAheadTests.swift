import Foundation
import FrontdeskCore
import FrontdeskStore
@testable import FrontdeskServer
import HTTPTypes
import Testing

/// The codes a screen holds for the coming windows (issue 19: it keeps rotating through an outage).
@Suite("Display codes held ahead")
struct DisplayAheadTests {
    func frames(_ state: Reply) -> [[String: Any]] {
        (state["ahead"] as? [[String: Any]]) ?? []
    }

    @Test("the state carries the next five windows' codes, each accepted only within its own window")
    func eachOnlyInItsWindow() async throws {
        try await TestApp.run { app in
            let s = try await CompactCheckinTests().scene(app)
            let state = try await app.request(.get, s.display)
            let now = CheckinToken.windowStart(app.clock.now())
            let ahead = frames(state)
            #expect(ahead.count == 5)
            var tokens: [String] = []
            for (index, frame) in ahead.enumerated() {
                let window = now + Int64(index + 1) * 60
                #expect(frame["sessionId"] as? String == s.session)
                #expect((frame["svg"] as? String)?.hasPrefix("<svg") == true)
                let start = try #require(frame["windowStart"] as? String)
                #expect(start == ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(window))))
                tokens.append(try CompactCheckinTests.token(try #require(frame["url"] as? String)))
            }
            #expect(Set(tokens).count == tokens.count, "a different code each window")
            let member = Browser(app: app, token: s.member.token)
            for (index, token) in tokens.enumerated() {
                let window = now + Int64(index + 1) * 60
                // The window before its own (more than the 5 s skew early) and the one after (past the 10 s grace): refused.
                app.clock.set(Date(timeIntervalSince1970: TimeInterval(window - 30)))
                let early = try await member.get("/c/\(token)")
                #expect(early.status == 409 && early.has("data-code=\"token_not_yet_valid\""), "frame \(index): \(early.status)")
                app.clock.set(Date(timeIntervalSince1970: TimeInterval(window + 75)))
                let late = try await member.get("/c/\(token)")
                #expect(late.status == 409 && late.has("data-code=\"token_expired\""), "frame \(index): \(late.status)")
                app.clock.set(Date(timeIntervalSince1970: TimeInterval(window + 30)))
                let inTime = try await member.get("/c/\(token)")
                #expect(inTime.status == 200 && inTime.has("<h1>Checking you in…</h1>"), "frame \(index): \(inTime.status)")
                // What the server shows in that window is the same code.
                let shown = try await app.request(.get, s.display)
                #expect((shown["qr"] as? [String: Any])?["url"] as? String == ahead[index]["url"] as? String)
            }
            // Checked in with the last pre-issued code, in its window.
            let last = try await app.request(
                .post, "/api/sessions/\(s.session)/self-checkin", token: s.member.token, body: ["token": tokens[tokens.count - 1]])
            #expect(last.status == 200, "\(last.text)")
        }
    }

    @Test("a later poll in the window restates the first answer's instants: the same bytes as made afresh")
    func laterPollRestatesInstants() async throws {
        try await TestApp.run { app in
            let s = try await CompactCheckinTests().scene(app, second: 5)
            let displayId = String(s.display.split(separator: "/")[1])
            let start = CheckinToken.windowStart(app.clock.now())
            let first = try await app.request(.get, s.display)
            #expect(first.status == 200)
            let held = try #require(app.services.displayStates.entry(displayId: displayId, now: app.clock.now()))
            #expect(held.screen?.window == start)
            let routes = DisplayRoutes(services: app.services)
            let display = try #require(try await DisplaysStore(database: app.services.database).display(id: displayId))
            let org = try #require(try await app.services.organizations.organization(id: display.organizationId))
            // 4 s later (the read is still fresh): from the memo; its bytes are those of the answer made afresh.
            app.clock.set(Date(timeIntervalSince1970: TimeInterval(start + 9)))
            let later = try await app.request(.get, s.display)
            var fresh = JSONOutput()
            try await routes.screenState(display: display, org: org, now: app.clock.now()).write(to: &fresh)
            #expect(later.text == String(decoding: fresh.bytes, as: UTF8.self))
            #expect((later["qr"] as? [String: Any])?["secondsUntilRotation"] as? Int == 51)
            #expect(later.text != first.text)
            // A read of another window is answered anew (the read itself ends with its window).
            app.clock.set(Date(timeIntervalSince1970: TimeInterval(start + 61)))
            let next = try await app.request(.get, s.display)
            var nextFresh = JSONOutput()
            try await routes.screenState(display: display, org: org, now: app.clock.now()).write(to: &nextFresh)
            #expect(next.text == String(decoding: nextFresh.bytes, as: UTF8.self))
            #expect(app.services.displayStates.entry(displayId: displayId, now: app.clock.now())?.screen?.window == start + 60)
        }
    }

    @Test("have= per held code leaves out their SVGs; at most eight are read")
    func haveLeavesOutSVGs() async throws {
        try await TestApp.run { app in
            let s = try await CompactCheckinTests().scene(app)
            let state = try await app.request(.get, s.display)
            let current = try #require((state["qr"] as? [String: Any])?["url"] as? String)
            let urls = [current] + frames(state).compactMap { $0["url"] as? String }
            let query = urls.map { "&have=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") }.joined()
            let light = try await app.request(.get, s.display + query)
            #expect(light.status == 200)
            #expect((light["qr"] as? [String: Any])?["svg"] == nil)
            #expect(frames(light).count == 5 && frames(light).allSatisfy { $0["svg"] == nil && $0["url"] != nil })
            #expect(light.text.utf8.count < 3_000, "\(light.text.utf8.count) bytes")
            // A minute later one new code is sent in full, the others stay out.
            app.clock.advance(by: 60)
            let later = try await app.request(.get, s.display + query)
            #expect((later["qr"] as? [String: Any])?["svg"] == nil)
            #expect(frames(later).filter { $0["svg"] != nil }.count == 1)
            // Junk and too many values change nothing but the size.
            let junk = String(repeating: "&have=x", count: 50)
            let full = try await app.request(.get, s.display + junk)
            #expect(full.status == 200 && frames(full).allSatisfy { ($0["svg"] as? String)?.hasPrefix("<svg") == true })
            let padded = try await app.request(.get, s.display + String(repeating: "&have=x", count: 8) + query)
            #expect((padded["qr"] as? [String: Any])?["svg"] != nil, "only the first eight have= values count")
        }
    }

    @Test("an hour of polls keeps the rendered codes bounded: previous, current and five ahead per class")
    func cacheBounded() async throws {
        try await TestApp.run { app in
            // The class starts in 10 minutes and lasts an hour: every poll of the hour has five windows ahead.
            let s = try await CompactCheckinTests().scene(app)
            for _ in 0..<60 {
                #expect(try await app.request(.get, s.display)["qr"] != nil)
                #expect(app.services.qrCache.count <= 7)
                app.clock.advance(by: 60)
            }
            #expect(app.services.qrCache.count == 7)
        }
    }

    @Test("codes ahead follow the screen's rule: none after the last class ends, the next class once its check-in opens")
    func followTheSchedule() async throws {
        try await TestApp.run { app in
            let s = try await CompactCheckinTests().scene(app)
            // The class (60 min) starts in ten minutes; the next one starts right after it ends.
            let nextClass = try await app.session(
                s.studio, startsAt: app.clock.now().addingTimeInterval(600 + 3_600),
                extra: ["locationId": s.studio.locationId, "durationMin": 60])
            // 150 s before the first class ends: three windows still start before its end, then the next one (open 30 min before).
            app.clock.advance(by: 600 + 3_600 - 150)
            let state = try await app.request(.get, s.display)
            let owners = frames(state).compactMap { $0["sessionId"] as? String }
            #expect(owners == [s.session, s.session, s.session, nextClass, nextClass], "\(owners)")
            // Three minutes before the last class ends: codes for the windows that start before its end only.
            app.clock.advance(by: 3_600 - 30)
            let end = try await app.request(.get, s.display)
            #expect((end["qr"] as? [String: Any])?["sessionId"] as? String == nextClass)
            #expect(frames(end).compactMap { $0["sessionId"] as? String } == [nextClass, nextClass, nextClass])
            // Idle, with a class opening its check-in in three minutes: the codes start at its opening.
            let later = try await app.session(
                s.studio, startsAt: app.clock.now().addingTimeInterval(2 * 3_600), extra: ["locationId": s.studio.locationId])
            app.clock.advance(by: 2 * 3_600 - 30 * 60 - 180)
            let idle = try await app.request(.get, s.display)
            #expect(idle["qr"] == nil)
            let idleFrames = frames(idle)
            #expect(idleFrames.allSatisfy { $0["sessionId"] as? String == later })
            #expect(idleFrames.count == 2, "\(idleFrames.count)")
        }
    }
}
