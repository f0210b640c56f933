import Foundation
import FrontdeskCore
import Testing

/// Org-local calendar behaviour through the API. scripts/test.sh runs the whole suite once under
/// TZ=Asia/Kolkata and once under TZ=UTC, so these hold whatever the host zone is.
@Suite("Time zones")
struct TimeZoneTests {
    @Test(
        "today is the org-local day near local midnight",
        arguments: [
            // (zone, clock, a session just before local midnight, one just after, the local date)
            ("America/New_York", "2026-11-18T23:30:00-05:00", "2026-11-18T23:45:00-05:00", "2026-11-19T00:15:00-05:00", "2026-11-18"),
            ("Pacific/Auckland", "2026-11-18T23:30:00+13:00", "2026-11-18T23:45:00+13:00", "2026-11-19T00:15:00+13:00", "2026-11-18"),
            ("Pacific/Auckland", "2026-11-19T00:05:00+13:00", "2026-11-19T00:15:00+13:00", "2026-11-20T00:15:00+13:00", "2026-11-19"),
        ])
    func todayNearMidnight(zone: String, clock: String, inside: String, outside: String, date: String) async throws {
        try await TestApp.run { app in
            app.clock.set(iso(clock).addingTimeInterval(-86_400))
            let studio = try await app.studio(timezone: zone)
            let yesterday = try await app.session(studio, startsAt: iso(inside).addingTimeInterval(-86_400 + 60))
            let today = try await app.session(studio, startsAt: iso(inside))
            let tomorrow = try await app.session(studio, startsAt: iso(outside))
            app.clock.set(iso(clock))
            let (memberToken, _) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            for token in [studio.ownerToken, memberToken] {
                let reply = try await app.request(.get, "/api/orgs/\(studio.orgId)/sessions/today", token: token)
                #expect(reply.status == 200)
                #expect(reply.string("date") == date)
                #expect(reply.string("timezone") == zone)
                #expect(TestApp.ids(reply) == [today], "\(zone) at \(clock)")
                #expect(!TestApp.ids(reply).contains(yesterday) && !TestApp.ids(reply).contains(tomorrow))
            }
        }
    }

    @Test(
        "a week containing a DST change lists each local day's 06:30 class under the right date",
        arguments: [
            // New York falls back on 2026-11-01; Auckland springs forward on 2026-09-27.
            (
                "America/New_York",
                [
                    "2026-10-29T06:30:00-04:00", "2026-10-30T06:30:00-04:00", "2026-10-31T06:30:00-04:00",
                    "2026-11-01T06:30:00-05:00", "2026-11-02T06:30:00-05:00", "2026-11-03T06:30:00-05:00",
                    "2026-11-04T06:30:00-05:00",
                ], "2026-10-29", "2026-11-04"
            ),
            (
                "Pacific/Auckland",
                [
                    "2026-09-24T06:30:00+12:00", "2026-09-25T06:30:00+12:00", "2026-09-26T06:30:00+12:00",
                    "2026-09-27T06:30:00+13:00", "2026-09-28T06:30:00+13:00", "2026-09-29T06:30:00+13:00",
                    "2026-09-30T06:30:00+13:00",
                ], "2026-09-24", "2026-09-30"
            ),
        ])
    func dstWeek(zone: String, starts: [String], from: String, to: String) async throws {
        try await TestApp.run { app in
            app.clock.set(iso(starts[0]).addingTimeInterval(-10 * 86_400))
            let studio = try await app.studio(timezone: zone)
            var ids: [String] = []
            for start in starts { ids.append(try await app.session(studio, startsAt: iso(start))) }
            // Just outside the local week on either side.
            let before = try await app.session(studio, startsAt: iso(starts[0]).addingTimeInterval(-7 * 3600))
            let after = try await app.session(studio, startsAt: iso(starts[6]).addingTimeInterval(18 * 3600))

            let reply = try await app.request(.get, "/api/orgs/\(studio.orgId)/sessions?from=\(from)&to=\(to)", token: studio.ownerToken)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(TestApp.ids(reply) == ids)
            #expect(!TestApp.ids(reply).contains(before) && !TestApp.ids(reply).contains(after))
            let items = reply["items"] as? [[String: Any]] ?? []
            let calendar = OrgCalendar(timezone: zone)
            #expect(items.map { $0["localDate"] as? String } == starts.map { calendar.localDateString(iso($0)) })
            #expect(Set(items.compactMap { $0["localDate"] as? String }).count == 7)
            // The same wall-clock time each day, whatever the offset.
            var local = Calendar(identifier: .gregorian)
            local.timeZone = TimeZone(identifier: zone)!
            for item in items {
                let start = try #require((item["startsAt"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
                #expect(local.component(.hour, from: start) == 6 && local.component(.minute, from: start) == 30)
            }
        }
    }

    @Test("the host time zone of this process does not leak into org-local results")
    func hostZoneIrrelevant() {
        // The suite runs under different TZ values (see scripts/test.sh); here, the calendar maths must
        // match answers computed from explicit offsets only.
        let newYork = OrgCalendar(timezone: "America/New_York")
        #expect(newYork.startOfDay(iso("2026-11-01T12:00:00-05:00")) == iso("2026-11-01T00:00:00-04:00"))
        #expect(newYork.startOfWeek(iso("2026-11-04T12:00:00-05:00")) == iso("2026-11-02T00:00:00-05:00"))
        let auckland = OrgCalendar(timezone: "Pacific/Auckland")
        #expect(auckland.startOfDay(iso("2026-09-27T12:00:00+13:00")) == iso("2026-09-27T00:00:00+12:00"))
        #expect(auckland.localDateString(iso("2026-11-18T11:30:00Z")) == "2026-11-19")
    }
}
