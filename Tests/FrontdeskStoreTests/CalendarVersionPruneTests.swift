import Foundation
import FrontdeskCore
import FrontdeskTestSupport
import Testing

@testable import FrontdeskStore

@Suite("Calendar event versions are pruned")
struct CalendarVersionPruneTests {
    @Test("a version last changed 400 days and a second ago goes; one changed exactly 400 days ago and a newer one stay")
    func retentionEdge() async throws {
        try await withTestDatabase { database in
            let store = CalendarFeedsStore(database: database)
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let limit = now - CalendarFeedsStore.versionRetention
            let made: [(uid: String, at: Date)] = [
                ("class-outside", limit - 1), ("class-at-the-limit", limit), ("class-inside", limit + 86_400),
            ]
            for version in made {
                _ = try await store.versions([(version.uid, "fingerprint")], now: version.at)
            }
            try await store.pruneVersions(now: now)
            let kept = try await database.read { sql in
                try await CalendarFeedRows.versions(sql, uids: made.map(\.uid))
            }
            #expect(Set(kept.keys) == ["class-at-the-limit", "class-inside"])
            #expect(kept["class-inside"]?.sequence == 0)
        }
    }
}
