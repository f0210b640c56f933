import Foundation
import FrontdeskCore
import HTTPTypes
import Testing

/// The back office's audit page: the studio's log newest first with actor and before/after in
/// words, filters by class, member, action and date range, keyset pages, links from the member's
/// page; owners and admins only, another studio's ids 404.
@Suite("Admin pages: audit")
struct AdminAuditPageTests {
    /// The entry ids in page order.
    static func entryIds(_ page: Reply) -> [String] {
        page.text.components(separatedBy: "data-entry-id=\"").dropFirst().map { String($0.prefix(36)) }
    }

    /// Two classes, two members; a few audited actions on each, one second apart.
    struct Log {
        let studio: StudioFixture
        let first: String
        let second: String
        let maya: (token: String, membershipId: String)
        let noah: (token: String, membershipId: String)
    }

    static func log(_ app: TestApp) async throws -> Log {
        let studio = try await app.studio()
        let owner = studio.ownerToken
        let start = app.clock.now().addingTimeInterval(3 * 3600)
        let first = try await app.session(studio, startsAt: start)
        let second = try await app.session(studio, startsAt: start.addingTimeInterval(7200))
        let maya = try await app.member(studio.orgId, ownerToken: owner, role: "member")
        let noah = try await app.member(studio.orgId, ownerToken: owner, role: "member")
        func tick() { app.clock.advance(by: 1) }
        tick()
        #expect(try await app.request(.patch, "/api/sessions/\(first)", token: owner, body: ["capacity": 8]).status == 200)
        tick()
        let booking = try #require(try await app.book(first, token: maya.token).string("id"))
        #expect(try await app.cancelBooking(booking, token: owner).status == 200)
        tick()
        let other = try #require(try await app.book(second, token: noah.token).string("id"))
        #expect(try await app.cancelBooking(other, token: owner).status == 200)
        tick()
        #expect(
            try await app.request(.patch, "/api/orgs/\(studio.orgId)/members/\(noah.membershipId)", token: owner, body: ["role": "coach"])
                .status == 200)
        return Log(studio: studio, first: first, second: second, maya: maya, noah: noah)
    }

    @Test("owners see the log newest first with the actor and before → after; coaches and members get the 403 page")
    func logAndRoles() async throws {
        try await TestApp.run { app in
            let log = try await Self.log(app)
            let org = log.studio.orgId
            let owner = Browser(app: app, token: log.studio.ownerToken)
            let page = try await owner.get("/admin/audit?org=\(org)")
            #expect(page.status == 200)
            #expect(page.has("id=\"nav-audit\" aria-current=\"page\""))
            #expect(page.has("href=\"/admin/batches?org=\(org)\" id=\"batches-link\""))
            let actions = page.text.components(separatedBy: "data-action=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
            #expect(actions.first == "member.role_change", "newest first: \(actions)")
            #expect(actions.contains("session.update"))
            #expect(actions.filter { $0 == "booking.cancel" }.count == 2)
            #expect(page.has("role: member → coach"))
            #expect(page.has("capacity: 12 → 8"))
            #expect(page.has("by Person owner") || page.has("by Test User"))

            for role in ["coach", "member"] {
                let someone = try await app.member(org, ownerToken: log.studio.ownerToken, role: role)
                let refused = try await Browser(app: app, token: someone.token).get("/admin/audit?org=\(org)")
                #expect(refused.status == 403, "\(role)")
                #expect(refused.has("id=\"message-page\""))
            }
        }
    }

    @Test("filters: by member, by class, by action, by date range; the member's page links to its audit")
    func filters() async throws {
        try await TestApp.run { app in
            let log = try await Self.log(app)
            let org = log.studio.orgId
            let owner = Browser(app: app, token: log.studio.ownerToken)

            let byNoah = try await owner.get("/admin/audit?org=\(org)&member=\(log.noah.membershipId)")
            let noahActions = byNoah.text.components(separatedBy: "data-action=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
            #expect(noahActions == ["member.role_change", "booking.cancel"], "\(noahActions)")
            #expect(byNoah.element("filter-member")?.hasPrefix("Member: Person member") == true)

            let byFirst = try await owner.get("/admin/audit?org=\(org)&session=\(log.first)")
            let firstActions = byFirst.text.components(separatedBy: "data-action=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
            #expect(firstActions == ["booking.cancel", "session.update", "session.publish"], "\(firstActions)")
            #expect(byFirst.element("filter-session")?.hasPrefix("Class: Vinyasa") == true)
            #expect(byFirst.has("href=\"/admin/audit?org=\(org)&amp;member=\(log.maya.membershipId)\" class=\"audit-member\""))

            let bookings = try await owner.get("/admin/audit?org=\(org)&action=booking")
            #expect(Self.entryIds(bookings).count == 2)
            let exact = try await owner.get("/admin/audit?org=\(org)&action=member.role_change")
            #expect(Self.entryIds(exact).count == 1)

            // Dates are the studio's local days: today holds everything, tomorrow nothing.
            let calendar = OrgCalendar(timezone: "Europe/Berlin")
            let today = calendar.localDateString(app.clock.now())
            let tomorrow = calendar.localDateString(calendar.startOfDay(app.clock.now(), addingDays: 1))
            let yesterday = calendar.localDateString(calendar.startOfDay(app.clock.now(), addingDays: -1))
            let all = Self.entryIds(try await owner.get("/admin/audit?org=\(org)")).count
            #expect(Self.entryIds(try await owner.get("/admin/audit?org=\(org)&from=\(today)&to=\(today)")).count == all)
            #expect(try await owner.get("/admin/audit?org=\(org)&from=\(tomorrow)").element("no-entries") != nil)
            #expect(try await owner.get("/admin/audit?org=\(org)&to=\(yesterday)").element("no-entries") != nil)
            let reversed = try await owner.get("/admin/audit?org=\(org)&from=\(today)&to=\(yesterday)")
            #expect(reversed.status == 400)
            #expect(reversed.element("flash")?.isEmpty == false)
            #expect(try await owner.get("/admin/audit?org=\(org)&from=yesterday").status == 400)

            // The member's page links to the member's audit.
            let memberPage = try await owner.get("/admin/members/\(log.noah.membershipId)?org=\(org)")
            #expect(memberPage.has("href=\"/admin/audit?org=\(org)&amp;member=\(log.noah.membershipId)\""))

            // Another studio's member or class: the 404 page.
            let other = try await app.studio()
            let stranger = try await app.member(other.orgId, ownerToken: other.ownerToken, role: "member")
            let foreignClass = try await app.session(other, startsAt: app.clock.now().addingTimeInterval(3600))
            #expect(try await owner.get("/admin/audit?org=\(org)&member=\(stranger.membershipId)").status == 404)
            #expect(try await owner.get("/admin/audit?org=\(org)&session=\(foreignClass)").status == 404)
            #expect(try await owner.get("/admin/audit?org=\(org)&session=nope").status == 404)
        }
    }

    @Test("pages of 25 by keyset: the older link continues where the page ended, nothing twice, nothing lost")
    func pages() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let members = try await app.quickMembers(studio.orgId, count: 1)
            let plan = try await app.plan(studio, ["name": "Ten", "classCredits": 10])
            let subscription = try await app.subscribe(studio, membership: members[0].membershipId, plan: plan)
            for index in 0..<30 {
                if index % 2 == 0 { app.clock.advance(by: 1) }  // pairs share an instant
                let reply = try await app.request(
                    .post, "/api/orgs/\(studio.orgId)/subscriptions/\(subscription)/credits", token: studio.ownerToken,
                    body: ["amount": 1, "reason": "visit \(index)"])
                #expect(reply.status == 200)
            }
            let owner = Browser(app: app, token: studio.ownerToken)
            let first = try await owner.get("/admin/audit?org=\(studio.orgId)&action=credits")
            #expect(Self.entryIds(first).count == 25)
            #expect(first.has("reason: visit 29"))
            let older = try #require(
                first.text.range(of: "href=\"").flatMap { _ in
                    first.text.components(separatedBy: "\" class=\"button button--secondary\" id=\"older\"").first?
                        .components(separatedBy: "href=\"").last
                })
            let second = try await owner.get(older.replacingOccurrences(of: "&amp;", with: "&"))
            #expect(Self.entryIds(second).count == 5)
            #expect(second.has("id=\"newest\""))
            #expect(!second.has("id=\"older\""))
            #expect(Set(Self.entryIds(first)).isDisjoint(with: Self.entryIds(second)))
        }
    }

    @Test("a filter form without CSRF is harmless (a GET); a forged page post does not exist")
    func readOnly() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            #expect(try await owner.post("/admin/audit", ["org": studio.orgId]).status == 405)
        }
    }
}
