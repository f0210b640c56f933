import Foundation
import FrontdeskCore
import Testing

/// Issue 17: single actions in the audit log, with actor, subject and before/after, and the listing
/// per class, per member and for the studio.
@Suite("Audit log of single actions")
struct AuditLogTests {
    func entries(_ reply: Reply) -> [[String: Any]] { reply["items"] as? [[String: Any]] ?? [] }
    func actions(_ reply: Reply) -> [String] { entries(reply).compactMap { $0["action"] as? String } }

    @Test("each single action writes one audit row with actor, subject and before/after; the log lists them per class and per member")
    func singleActions() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let base = "/api/orgs/\(studio.orgId)"
            let owner = studio.ownerToken
            let start = app.clock.now().addingTimeInterval(20 * 60)  // check-in (and staff attendance) is open
            let id = try await app.session(studio, startsAt: start, publish: false, extra: ["capacity": 3])
            let members = try await app.quickMembers(studio.orgId, count: 4)
            func tick() { app.clock.advance(by: 1) }

            #expect(try await app.request(.post, "/api/sessions/\(id)/publish", token: owner).status == 200)
            tick()
            #expect(try await app.request(.patch, "/api/sessions/\(id)", token: owner, body: ["capacity": 2]).status == 200)
            var bookings: [String] = []
            for member in members.prefix(2) { bookings.append(try #require(try await app.book(id, token: member.token).string("id"))) }
            tick()
            // Forced capacity below the booked places, and a staff booking over capacity.
            #expect(try await app.request(.patch, "/api/sessions/\(id)", token: owner, body: ["capacity": 1, "force": true]).status == 200)
            tick()
            let over = try await app.book(id, token: owner, body: ["membershipId": members[2].membershipId, "overrideCapacity": true])
            #expect(over.status == 201, "\(over.text)")
            tick()
            // Attendance by staff; a member's own cancel is not audited, staff cancelling for them is.
            #expect(
                try await app.request(.post, "/api/sessions/\(id)/checkin", token: owner, body: ["bookingId": bookings[0]]).status == 200)
            tick()
            #expect(try await app.request(.post, "/api/bookings/\(bookings[0])/undo-checkin", token: owner).status == 200)
            tick()
            #expect(try await app.request(.post, "/api/bookings/\(bookings[0])/no-show", token: owner).status == 200)
            tick()
            #expect(try await app.cancelBooking(bookings[1], token: owner).status == 200)
            let own = try #require(try await app.book(id, token: members[3].token).string("id"))
            #expect(try await app.cancelBooking(own, token: members[3].token).status == 200)
            tick()
            // Credits, role and status of a member.
            let plan = try await app.plan(studio, ["name": "Five", "classCredits": 5])
            let subscription = try await app.subscribe(studio, membership: members[0].membershipId, plan: plan)
            let adjusted = try await app.request(
                .post, "\(base)/subscriptions/\(subscription)/credits", token: owner, body: ["amount": 3, "reason": "goodwill"])
            #expect(adjusted.status == 200, "\(adjusted.text)")
            tick()
            #expect(
                try await app.request(.patch, "\(base)/members/\(members[0].membershipId)", token: owner, body: ["role": "coach"]).status
                    == 200)
            tick()
            #expect(try await app.request(.post, "\(base)/members/\(members[0].membershipId)/suspend", token: owner).status == 200)
            tick()
            #expect(try await app.request(.post, "\(base)/members/\(members[0].membershipId)/reactivate", token: owner).status == 200)
            tick()
            #expect(try await app.request(.post, "/api/sessions/\(id)/cancel", token: owner, body: ["reason": "Storm"]).status == 200)

            func count(_ action: String) async throws -> Int {
                try await app.count("SELECT COUNT(*) AS n FROM audit_logs WHERE action = '\(action)'")
            }
            for (action, expected) in [
                ("session.publish", 1), ("session.update", 2), ("session.capacity_override", 1), ("booking.capacity_override", 1),
                ("attendance.check_in", 1), ("attendance.undo", 1), ("attendance.no_show", 1), ("booking.cancel", 1),
                ("credits.adjust", 1), ("member.role_change", 1), ("member.suspend", 1), ("member.reactivate", 1), ("session.cancel", 1),
            ] {
                #expect(try await count(action) == expected, "\(action)")
            }

            // Per class: the class's own rows and its bookings', newest first (the forced edit's two rows share
            // an instant), with the actor's name.
            let perClass = try await app.request(.get, "\(base)/audit?sessionId=\(id)", token: owner)
            #expect(perClass.status == 200, "\(perClass.text)")
            let classActions = actions(perClass)
            #expect(
                Array(classActions.prefix(6)) == [
                    "session.cancel", "booking.cancel", "attendance.no_show", "attendance.undo", "attendance.check_in",
                    "booking.capacity_override",
                ])
            #expect(
                classActions.dropFirst(6).sorted()
                    == ["session.capacity_override", "session.update", "session.update", "session.publish"].sorted())
            #expect(classActions.last == "session.publish")
            let update = try #require(entries(perClass).first { $0["action"] as? String == "session.update" })
            #expect((update["payload"] as? [String: Any])?["before"] as? [String: Int] == ["capacity": 2])
            #expect((update["payload"] as? [String: Any])?["after"] as? [String: Int] == ["capacity": 1])
            #expect(update["actorName"] as? String == "Test User")
            #expect(update["entityType"] as? String == "session" && update["entityId"] as? String == id)
            let noShow = try #require(entries(perClass).first { $0["action"] as? String == "attendance.no_show" })
            #expect(noShow["subjectMembershipId"] as? String == members[0].membershipId)
            #expect(noShow["subjectName"] as? String == "Rusher 0")
            #expect((noShow["payload"] as? [String: Any])?["before"] as? [String: String] == ["status": "confirmed"])

            // Per member: what concerns them.
            let perMember = try await app.request(.get, "\(base)/audit?membershipId=\(members[0].membershipId)", token: owner)
            #expect(
                actions(perMember) == [
                    "member.reactivate", "member.suspend", "member.role_change", "credits.adjust", "attendance.no_show", "attendance.undo",
                    "attendance.check_in",
                ])
            let credits = try #require(entries(perMember).first { $0["action"] as? String == "credits.adjust" })
            #expect((credits["payload"] as? [String: Any])?["reason"] as? String == "goodwill")
            #expect((credits["payload"] as? [String: Any])?["after"] as? [String: Int] == ["creditsRemaining": 8])

            // By action family, and paged.
            #expect(
                actions(try await app.request(.get, "\(base)/audit?action=attendance", token: owner)) == [
                    "attendance.no_show", "attendance.undo", "attendance.check_in",
                ])
            #expect(actions(try await app.request(.get, "\(base)/audit?action=member.suspend", token: owner)) == ["member.suspend"])
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await app.request(
                    .get, "\(base)/audit?limit=4" + (cursor.map { "&cursor=\($0)" } ?? ""), token: owner)
                #expect(page.status == 200)
                seen += entries(page).compactMap { $0["id"] as? String }
                cursor = page.string("nextCursor")
            } while cursor != nil
            let all = try await app.count("SELECT COUNT(*) AS n FROM audit_logs WHERE organization_id = '\(studio.orgId)'")
            #expect(seen.count == all && Set(seen).count == all)
        }
    }

    @Test("unpublish, delete and invitations (create, resend, revoke, accept) are audited too")
    func lifecycleAndInvitations() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let base = "/api/orgs/\(studio.orgId)"
            let id = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400))
            app.clock.advance(by: 1)
            #expect(try await app.request(.post, "/api/sessions/\(id)/unpublish", token: studio.ownerToken).status == 200)
            app.clock.advance(by: 1)
            #expect(try await app.request(.delete, "/api/sessions/\(id)", token: studio.ownerToken).status == 204)
            let perClass = try await app.request(.get, "\(base)/audit?sessionId=\(id)", token: studio.ownerToken)
            #expect(perClass.status == 200, "a deleted class's log can still be read")
            #expect(actions(perClass) == ["session.delete", "session.unpublish", "session.publish"])

            let invited = try await app.request(.post, "\(base)/invitations", token: studio.ownerToken, body: ["email": "new@example.com"])
            let invitation = try #require(invited.string("id"))
            app.clock.advance(by: 1)
            #expect(try await app.request(.post, "\(base)/invitations/\(invitation)/resend", token: studio.ownerToken).status == 200)
            let token = try await app.mailedToken("invitation", to: "new@example.com")
            app.clock.advance(by: 1)
            let accepted = try await app.request(
                .post, "/api/invitations/accept", body: ["token": token, "name": "Nia New", "password": "her-own-pass"])
            #expect(accepted.status == 201, "\(accepted.text)")
            app.clock.advance(by: 1)
            let other = try await app.request(.post, "\(base)/invitations", token: studio.ownerToken, body: ["email": "gone@example.com"])
            app.clock.advance(by: 1)
            let otherId = try #require(other.string("id"))
            #expect(try await app.request(.post, "\(base)/invitations/\(otherId)/revoke", token: studio.ownerToken).status == 200)
            let log = try await app.request(.get, "\(base)/audit?action=invitation", token: studio.ownerToken)
            #expect(
                actions(log) == ["invitation.revoke", "invitation.create", "invitation.accept", "invitation.resend", "invitation.create"])
            let accept = try #require(entries(log).first { $0["action"] as? String == "invitation.accept" })
            #expect(accept["actorName"] as? String == "Nia New")
            #expect(accept["subjectMembershipId"] as? String != nil)
            #expect((accept["payload"] as? [String: Any])?["email"] as? String == "new@example.com")
        }
    }

    @Test("a class's log includes the bulk batches that changed it, and not those that did not")
    func batchesPerClass() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let base = "/api/orgs/\(studio.orgId)"
            let tomorrow = app.clock.now().addingTimeInterval(86_400)
            let ticked = try await app.session(studio, startsAt: tomorrow, publish: false)
            let other = try await app.session(studio, startsAt: tomorrow.addingTimeInterval(7_200), publish: false)
            let filter: [String: any Sendable] = ["sessionIds": [ticked]]
            let preview = try await app.request(.post, "\(base)/sessions/bulk/preview", token: studio.ownerToken, body: ["filter": filter])
            let published = try await app.request(
                .post, "\(base)/sessions/bulk/publish", token: studio.ownerToken,
                body: ["filter": filter, "confirm": true, "fingerprint": try #require(preview.string("fingerprint"))])
            #expect(published.status == 200, "\(published.text)")
            #expect(
                actions(try await app.request(.get, "\(base)/audit?sessionId=\(ticked)", token: studio.ownerToken)) == [
                    "sessions.bulk_publish"
                ])
            #expect(actions(try await app.request(.get, "\(base)/audit?sessionId=\(other)", token: studio.ownerToken)).isEmpty)
        }
    }

    @Test("owners and admins only; another studio's class or member is 404, a bad action or cursor 400")
    func access() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let other = try await app.studio()
            let base = "/api/orgs/\(studio.orgId)"
            let foreignSession = try await app.session(other, startsAt: app.clock.now().addingTimeInterval(86_400))
            let (_, foreignMember) = try await app.member(other.orgId, ownerToken: other.ownerToken, role: "member")
            let admin = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "admin")
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")

            #expect(try await app.request(.get, "\(base)/audit", token: admin.token).status == 200)
            #expect(try await app.request(.get, "\(base)/audit", token: coach.token).status == 403)
            #expect(try await app.request(.get, "\(base)/audit", token: member.token).status == 403)
            #expect(try await app.request(.get, "\(base)/audit?sessionId=\(foreignSession)", token: studio.ownerToken).status == 404)
            #expect(try await app.request(.get, "\(base)/audit?membershipId=\(foreignMember)", token: studio.ownerToken).status == 404)
            #expect(try await app.request(.get, "\(base)/audit?sessionId=nope", token: studio.ownerToken).status == 404)
            #expect(try await app.request(.get, "\(base)/audit?action=DROP%20TABLE", token: studio.ownerToken).errorCode == "invalid_query")
            #expect(try await app.request(.get, "\(base)/audit?cursor=zzz", token: studio.ownerToken).errorCode == "invalid_cursor")
            // The other studio's rows never show here.
            let mine = try await app.request(.get, "\(base)/audit", token: studio.ownerToken)
            #expect(!actions(mine).contains("session.publish"))
        }
    }
}
