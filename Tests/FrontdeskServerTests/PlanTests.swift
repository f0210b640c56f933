import Foundation
import FrontdeskCore
import Testing

@Suite("Plans, subscriptions and credit adjustments")
struct PlanTests {
    @Test("owner manages plans; members see active ones; coaches and members cannot change them")
    func planRoles() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let (coachToken, _) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let (memberToken, memberId) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let pack = try await app.plan(studio, ["name": "10 pack", "classCredits": 10, "maxBookingsPerDay": 1, "priceCents": 12_000])
            let unlimited = try await app.plan(studio, ["name": "Unlimited", "maxBookingsPerWeek": 5, "allowOverlappingBookings": true])
            #expect(try await app.request(.post, "/api/orgs/\(studio.orgId)/plans", token: coachToken, body: ["name": "X"]).status == 403)
            #expect(
                try await app.request(.patch, "/api/orgs/\(studio.orgId)/plans/\(pack)", token: memberToken, body: ["name": "X"]).status
                    == 403)
            let patched = try await app.request(
                .patch, "/api/orgs/\(studio.orgId)/plans/\(pack)", token: studio.ownerToken,
                json: #"{"maxBookingsPerDay": null, "priceCents": 9900}"#)
            #expect(patched["maxBookingsPerDay"] == nil)
            #expect(patched["priceCents"] as? Int == 9900)
            #expect(try await app.request(.delete, "/api/orgs/\(studio.orgId)/plans/\(unlimited)", token: studio.ownerToken).status == 204)
            let memberView = try await app.request(.get, "/api/orgs/\(studio.orgId)/plans", token: memberToken)
            #expect(TestApp.ids(memberView) == [pack], "retired plans are not offered")
            #expect(TestApp.ids(try await app.request(.get, "/api/orgs/\(studio.orgId)/plans", token: studio.ownerToken)).count == 2)
            for body in [
                #"{"name":"X","classCredits":-1}"#, #"{"name":"X","maxBookingsPerDay":0}"#, #"{"classCredits":5}"#,
                #"{"name":"X","priceCents":"free"}"#,
            ] {
                #expect(
                    try await app.request(.post, "/api/orgs/\(studio.orgId)/plans", token: studio.ownerToken, json: body).status == 400,
                    "\(body)")
            }
            // A retired plan cannot be sold.
            let retired = try await app.request(
                .post, "/api/orgs/\(studio.orgId)/members/\(memberId)/subscriptions", token: studio.ownerToken,
                body: ["planId": unlimited])
            #expect(retired.status == 404)
            // Editing a retired plan keeps it retired.
            let edited = try await app.request(
                .patch, "/api/orgs/\(studio.orgId)/plans/\(unlimited)", token: studio.ownerToken, body: ["name": "Unlimited (old)"])
            #expect(edited.status == 200)
            #expect(TestApp.ids(try await app.request(.get, "/api/orgs/\(studio.orgId)/plans", token: memberToken)) == [pack])
            #expect(try await app.count("SELECT COUNT(*) AS n FROM plans WHERE id = '\(unlimited)' AND active = \(false)") == 1)
        }
    }

    @Test("subscriptions carry credits; adjustments are ledger rows and never drive a balance negative")
    func subscriptionsAndAdjustments() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let other = try await app.studio()
            let (memberToken, memberId) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let pack = try await app.plan(studio, ["name": "5 pack", "classCredits": 5])
            let unlimited = try await app.plan(studio, ["name": "Unlimited"])
            let foreignPlan = try await app.plan(other, ["name": "Theirs", "classCredits": 5])
            let subscription = try await app.subscribe(studio, membership: memberId, plan: pack)
            let base = "/api/orgs/\(studio.orgId)/subscriptions/\(subscription)"
            #expect(
                try await app.request(.post, "\(base)/credits", token: studio.ownerToken, body: ["amount": 3, "reason": "goodwill"])[
                    "creditsRemaining"] as? Int == 8)
            let tooMuch = try await app.request(.post, "\(base)/credits", token: studio.ownerToken, body: ["amount": -9])
            #expect(tooMuch.status == 409)
            #expect(tooMuch.errorCode == "insufficient_credits")
            #expect(try await app.request(.post, "\(base)/credits", token: studio.ownerToken, body: ["amount": 0]).status == 400)
            #expect(try await app.request(.post, "\(base)/credits", token: studio.ownerToken, body: ["amount": 1_000_000]).status == 400)
            #expect(try await app.request(.post, "\(base)/credits", token: memberToken, body: ["amount": 100]).status == 403)
            let ledger = try await app.request(.get, "\(base)/ledger", token: memberToken)
            #expect((ledger["items"] as? [[String: Any]])?.compactMap { $0["amount"] as? Int } == [3])
            let mine = try await app.request(.get, "/api/orgs/\(studio.orgId)/members/\(memberId)/subscriptions", token: memberToken)
            #expect((mine["items"] as? [[String: Any]])?.first?["creditsGranted"] as? Int == 5)

            let unlimitedSub = try await app.subscribe(studio, membership: memberId, plan: unlimited)
            #expect(
                try await app.request(
                    .post, "/api/orgs/\(studio.orgId)/subscriptions/\(unlimitedSub)/credits", token: studio.ownerToken,
                    body: ["amount": 1]
                ).errorCode == "unlimited_plan")
            #expect(
                try await app.request(
                    .post, "/api/orgs/\(studio.orgId)/members/\(memberId)/subscriptions", token: studio.ownerToken,
                    body: ["planId": foreignPlan]
                ).status == 404)
            let paused = try await app.request(.patch, base, token: studio.ownerToken, body: ["status": "past_due"])
            #expect(paused.string("status") == "past_due")
            #expect(try await app.request(.patch, base, token: studio.ownerToken, body: ["status": "frozen"]).status == 400)
            #expect(
                try await app.count(
                    """
                    SELECT COUNT(*) AS n FROM subscriptions s WHERE s.credits_remaining IS NOT NULL AND s.credits_remaining <>
                      s.credits_granted + COALESCE((SELECT SUM(l.amount) FROM credit_ledger l WHERE l.subscription_id = s.id), 0)
                    """) == 0)
        }
    }
}
