import Foundation
import FrontdeskCore
import Testing

@Suite("Workouts and daily programming")
struct WorkoutTests {
    func workout(_ app: TestApp, _ studio: StudioFixture, _ title: String) async throws -> String {
        let reply = try await app.request(
            .post, "/api/orgs/\(studio.orgId)/workouts", token: studio.ownerToken, body: ["title": title, "body": "5 rounds"])
        try #require(reply.status == 201, "\(reply.text)")
        return try #require(reply.string("id"))
    }

    @Test("resolution: session workouts, else program programming, else org-wide programming, else none")
    func resolution() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let calendar = OrgCalendar(timezone: "Europe/Berlin")
            let today = calendar.startOfDay(app.clock.now())
            let date = calendar.localDateString(today)
            let a = try await app.session(studio, startsAt: today.addingTimeInterval(18 * 3600))
            let b = try await app.session(studio, startsAt: today.addingTimeInterval(19 * 3600))
            let feed = try await app.session(studio, startsAt: today.addingTimeInterval(20 * 3600), classTypeId: studio.feedClassTypeId)
            let own = try await workout(app, studio, "Own")
            let programWide = try await workout(app, studio, "Yoga of the day")
            let orgWide = try await workout(app, studio, "Studio WOD")

            func todayItems() async throws -> [String: [String: Any]] {
                let reply = try await app.request(.get, "/api/orgs/\(studio.orgId)/sessions/today", token: studio.ownerToken)
                return Dictionary(uniqueKeysWithValues: (reply["items"] as? [[String: Any]] ?? []).map { ($0["id"] as! String, $0) })
            }
            var items = try await todayItems()
            #expect(items[a]?["workoutSource"] as? String == "none")
            #expect((items[a]?["workouts"] as? [Any])?.isEmpty == true)

            #expect(
                try await app.request(
                    .put, "/api/orgs/\(studio.orgId)/daily-programming/\(date)", token: studio.ownerToken,
                    body: ["workoutIds": [orgWide]]
                ).status == 200)
            items = try await todayItems()
            #expect(items[a]?["workoutSource"] as? String == "daily_programming")
            #expect(((items[a]?["workouts"] as? [[String: Any]])?.first?["title"]) as? String == "Studio WOD")
            #expect(((items[feed]?["workouts"] as? [[String: Any]])?.first?["title"]) as? String == "Studio WOD")

            #expect(
                try await app.request(
                    .put, "/api/orgs/\(studio.orgId)/daily-programming/\(date)", token: studio.ownerToken,
                    body: ["workoutIds": [programWide], "programId": studio.programId]
                ).status == 200)
            items = try await todayItems()
            #expect(
                ((items[b]?["workouts"] as? [[String: Any]])?.first?["title"]) as? String == "Yoga of the day", "program beats org-wide")
            #expect(
                ((items[feed]?["workouts"] as? [[String: Any]])?.first?["title"]) as? String == "Studio WOD", "other program keeps org-wide"
            )

            let put = try await app.request(
                .put, "/api/sessions/\(a)/workouts", token: studio.ownerToken, body: ["workoutIds": [own, orgWide]])
            #expect(put.status == 200)
            #expect(put.string("workoutSource") == "session")
            #expect((put["workouts"] as? [[String: Any]])?.map { $0["title"] as? String } == ["Own", "Studio WOD"])
            items = try await todayItems()
            #expect(items[a]?["workoutSource"] as? String == "session")
            #expect(items[b]?["workoutSource"] as? String == "daily_programming")

            // Deleting the session's own workouts (empty list) falls back to programming again.
            _ = try await app.request(.put, "/api/sessions/\(a)/workouts", token: studio.ownerToken, body: ["workoutIds": [String]()])
            #expect(try await todayItems()[a]?["workoutSource"] as? String == "daily_programming")

            let listed = try await app.request(
                .get, "/api/orgs/\(studio.orgId)/daily-programming?from=\(date)&to=\(date)", token: studio.ownerToken)
            #expect((listed["items"] as? [Any])?.count == 2)
        }
    }

    @Test("inline creation attaches in one round trip; a failure writes nothing")
    func inline() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let other = try await app.studio()
            let id = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400))
            let (coachToken, _) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let created = try await app.request(
                .post, "/api/sessions/\(id)/workouts/inline", token: coachToken, body: ["title": "EMOM 12", "body": "Burpees"])
            #expect(created.status == 201)
            #expect(((created["session"] as? [String: Any])?["workouts"] as? [[String: Any]])?.first?["title"] as? String == "EMOM 12")
            _ = try await app.request(.post, "/api/sessions/\(id)/workouts/inline", token: coachToken, body: ["title": "Cooldown"])
            let session = try await app.request(.get, "/api/sessions/\(id)", token: coachToken)
            #expect((session["workouts"] as? [[String: Any]])?.map { $0["title"] as? String } == ["EMOM 12", "Cooldown"])

            let before = try await app.count("SELECT COUNT(*) AS n FROM workouts")
            let otherSession = try await app.session(other, startsAt: app.clock.now().addingTimeInterval(86_400))
            #expect(
                try await app.request(.post, "/api/sessions/\(otherSession)/workouts/inline", token: coachToken, body: ["title": "Sneaky"])
                    .status == 404)
            #expect(
                try await app.request(.post, "/api/sessions/\(id)/workouts/inline", token: coachToken, body: ["title": ""]).status == 400)
            #expect(
                try await app.request(.post, "/api/sessions/\(id)/workouts/inline", token: coachToken, json: #"{"body":"no title"}"#).status
                    == 400)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM workouts") == before)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM session_workouts") == 2)
        }
    }

    @Test("foreign, unknown, repeated workouts and bad dates are refused and change nothing")
    func badInput() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let other = try await app.studio()
            let id = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400))
            let mine = try await workout(app, studio, "Mine")
            let theirs = try await workout(app, other, "Theirs")
            #expect(
                try await app.request(.put, "/api/sessions/\(id)/workouts", token: studio.ownerToken, body: ["workoutIds": [mine]]).status
                    == 200)
            for ids in [[theirs], [mine, theirs], [NewID.make()], ["nope"]] {
                #expect(
                    try await app.request(.put, "/api/sessions/\(id)/workouts", token: studio.ownerToken, body: ["workoutIds": ids]).status
                        == 404)
            }
            #expect(
                try await app.request(.put, "/api/sessions/\(id)/workouts", token: studio.ownerToken, body: ["workoutIds": [mine, mine]])
                    .status == 400)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM session_workouts") == 1)
            let base = "/api/orgs/\(studio.orgId)/daily-programming"
            #expect(try await app.request(.put, "\(base)/2026-02-30", token: studio.ownerToken, body: ["workoutIds": [mine]]).status == 400)
            #expect(try await app.request(.put, "\(base)/tomorrow", token: studio.ownerToken, body: ["workoutIds": [mine]]).status == 400)
            #expect(
                try await app.request(
                    .put, "\(base)/2026-11-20", token: studio.ownerToken, body: ["workoutIds": [mine], "programId": other.programId]
                ).status == 404)
            #expect(try await app.request(.get, "/api/orgs/\(studio.orgId)/workouts/\(theirs)", token: studio.ownerToken).status == 404)
            let (memberToken, _) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            #expect(
                try await app.request(.post, "/api/orgs/\(studio.orgId)/workouts", token: memberToken, body: ["title": "X"]).status == 403)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM daily_programming") == 0)
        }
    }
}
