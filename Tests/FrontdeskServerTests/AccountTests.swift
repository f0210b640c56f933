import Foundation
import FrontdeskCore
import FrontdeskStore
import HTTPTypes
import Testing
@testable import FrontdeskServer

extension TestApp {
    /// The link of the newest queued account e-mail of `template` to `email` (what the person receives).
    func mailedLink(_ template: String, to email: String) async throws -> String {
        let payload = try await services.database.read { sql in
            try await sql.raw(
                """
                SELECT payload FROM notification_outbox WHERE template = \(bind: template) AND lower(recipient_email) = \(bind: email.lowercased())
                ORDER BY created_at DESC, id DESC LIMIT 1
                """
            ).first()?.decode(column: "payload", as: String.self)
        }
        let fields = try JSONDecoder().decode(
            [String: String].self, from: Data(try #require(payload, "no \(template) mail to \(email)").utf8))
        return try #require(fields["link"])
    }

    /// The token at the end of a mailed link.
    func mailedToken(_ template: String, to email: String) async throws -> String {
        String(try await mailedLink(template, to: email).split(separator: "/").last ?? "")
    }
}

@Suite("Accounts: invitations, reset, sign-in links, sign-up")
struct AccountTests {
    @Test("an invitation is accepted once by the person, who chooses their own password; it cannot be reused")
    func inviteNewPerson() async throws {
        try await TestApp.run { app in
            let (ownerToken, orgId) = try await app.owner()
            let invited = try await app.request(
                .post, "/api/orgs/\(orgId)/invitations", token: ownerToken,
                body: ["email": "coach.new@example.com", "role": "coach", "name": "Cora"])
            #expect(invited.status == 201, "\(invited.text)")
            let link = try await app.mailedLink("invitation", to: "coach.new@example.com")
            #expect(link.hasPrefix("https://studio.example/invite/"))
            let token = try await app.mailedToken("invitation", to: "coach.new@example.com")
            // Only the hash is stored.
            #expect(try await app.count("SELECT COUNT(*) AS n FROM invitations WHERE token_hash = '\(SecretToken.hash(token))'") == 1)

            let short = try await app.request(
                .post, "/api/invitations/accept", body: ["token": token, "name": "Cora", "password": "short"])
            #expect(short.status == 400)
            let accepted = try await app.request(
                .post, "/api/invitations/accept", body: ["token": token, "name": "Cora", "password": "her-own-pass"])
            #expect(accepted.status == 201, "\(accepted.text)")
            #expect(accepted.string("role") == "coach")
            let coachToken = try await app.login("coach.new@example.com", password: "her-own-pass")
            #expect(try await app.request(.get, "/api/orgs/\(orgId)/members", token: coachToken).status == 200)

            let again = try await app.request(
                .post, "/api/invitations/accept", body: ["token": token, "name": "Eve", "password": "attacker-pass"])
            #expect(again.status == 404)
            #expect(again.errorCode == "invitation_invalid")
            #expect(
                try await app.request(
                    .post, "/api/invitations/accept",
                    body: [
                        "token": "forged-token-forged-token-forged-token-xx",
                        "name": "Eve", "password": "attacker-pass",
                    ]
                ).status == 404)
        }
    }

    @Test("pre-hijacking is closed: an existing account accepts only while signed in as that address")
    func inviteExistingAccount() async throws {
        try await TestApp.run { app in
            let (ownerToken, orgId) = try await app.owner()
            try await app.createUser("real.coach@example.com", name: "Real Coach", password: "real-coach-pass")
            _ = try await app.request(
                .post, "/api/orgs/\(orgId)/members", token: ownerToken, body: ["email": "real.coach@example.com", "role": "coach"])
            let token = try await app.mailedToken("invitation", to: "real.coach@example.com")

            // Signed out, the link cannot make or take over the account.
            let stranger = try await app.request(
                .post, "/api/invitations/accept", body: ["token": token, "name": "Eve", "password": "attacker-pass"])
            #expect(stranger.status == 409)
            #expect(stranger.errorCode == "account_exists")
            // Another signed-in user cannot take it either.
            try await app.createUser("eve@example.com")
            let eve = try await app.login("eve@example.com")
            let wrong = try await app.request(.post, "/api/invitations/accept", token: eve, body: ["token": token])
            #expect(wrong.status == 403)
            #expect(wrong.errorCode == "invitation_wrong_account")
            // The link survives those refusals; its owner accepts.
            let coach = try await app.login("real.coach@example.com", password: "real-coach-pass")
            let accepted = try await app.request(.post, "/api/invitations/accept", token: coach, body: ["token": token])
            #expect(accepted.status == 201, "\(accepted.text)")
            #expect(try await app.request(.get, "/api/orgs/\(orgId)/members", token: coach).status == 200)
            #expect(try await app.request(.get, "/api/orgs/\(orgId)/members", token: eve).status == 404)
        }
    }

    @Test("staff resend (new link, old one dead) and revoke; coaches and members cannot invite; 7-day expiry")
    func resendRevokeExpire() async throws {
        try await TestApp.run { app in
            let (ownerToken, orgId) = try await app.owner()
            let (coachToken, _) = try await app.member(orgId, ownerToken: ownerToken, role: "coach")
            #expect(
                try await app.request(.post, "/api/orgs/\(orgId)/invitations", token: coachToken, body: ["email": "x@example.com"]).status
                    == 403)
            let invited = try await app.request(
                .post, "/api/orgs/\(orgId)/invitations", token: ownerToken, body: ["email": "p@example.com"])
            let id = try #require(invited.string("id"))
            let first = try await app.mailedToken("invitation", to: "p@example.com")
            app.clock.advance(by: 1)
            let resent = try await app.request(.post, "/api/orgs/\(orgId)/invitations/\(id)/resend", token: ownerToken)
            #expect(resent.status == 200)
            #expect(resent["sends"] as? Int == 2)
            let second = try await app.mailedToken("invitation", to: "p@example.com")
            #expect(first != second)
            #expect(
                try await app.request(.post, "/api/invitations/accept", body: ["token": first, "name": "P", "password": "p-password"])
                    .status == 404)

            // Just inside the 7 days the link works (checked without using it), just outside it does not.
            let invitations = InvitationsStore(database: app.services.database)
            app.clock.advance(by: InvitationsStore.lifetime - 1)
            #expect(try await invitations.open(token: second, now: app.clock.now()) != nil)
            app.clock.advance(by: 1)
            #expect(try await invitations.open(token: second, now: app.clock.now()) == nil)
            #expect(
                try await app.request(.post, "/api/invitations/accept", body: ["token": second, "name": "P", "password": "p-password"])
                    .status == 404)

            let resentAgain = try await app.request(.post, "/api/orgs/\(orgId)/invitations/\(id)/resend", token: ownerToken)
            #expect(resentAgain.status == 200)
            let revoked = try await app.request(.post, "/api/orgs/\(orgId)/invitations/\(id)/revoke", token: ownerToken)
            #expect(revoked.string("status") == "revoked")
            let third = try await app.mailedToken("invitation", to: "p@example.com")
            #expect(
                try await app.request(.post, "/api/invitations/accept", body: ["token": third, "name": "P", "password": "p-password"])
                    .status == 404)
            // Another studio's invitation id is unknown here.
            let (otherToken, otherOrg) = try await app.owner()
            #expect(try await app.request(.post, "/api/orgs/\(otherOrg)/invitations/\(id)/resend", token: otherToken).status == 404)
        }
    }

    @Test("an admin cannot re-send or revoke an owner's invitation; the owner can")
    func ownerInvitations() async throws {
        try await TestApp.run { app in
            let (ownerToken, orgId) = try await app.owner()
            let (adminToken, _) = try await app.member(orgId, ownerToken: ownerToken, role: "admin")
            let invited = try await app.request(
                .post, "/api/orgs/\(orgId)/invitations", token: ownerToken,
                body: ["email": "co-owner@example.com", "role": "owner"])
            let id = try #require(invited.string("id"))
            #expect(try await app.request(.post, "/api/orgs/\(orgId)/invitations/\(id)/resend", token: adminToken).status == 403)
            #expect(try await app.request(.post, "/api/orgs/\(orgId)/invitations/\(id)/revoke", token: adminToken).status == 403)
            #expect(try await app.request(.post, "/api/orgs/\(orgId)/invitations/\(id)/resend", token: ownerToken).status == 200)
            #expect(try await app.request(.post, "/api/orgs/\(orgId)/invitations/\(id)/revoke", token: ownerToken).status == 200)
        }
    }

    @Test("every account page refuses a form without the CSRF token and changes nothing")
    func accountPagesCSRF() async throws {
        try await TestApp.run { app in
            let (ownerToken, orgId) = try await app.owner()
            try await app.createUser("lena@example.com")
            _ = try await app.request(.put, "/api/orgs/\(orgId)/signup", token: ownerToken, body: ["enabled": true])
            _ = try await app.request(.post, "/api/orgs/\(orgId)/invitations", token: ownerToken, body: ["email": "new@example.com"])
            let invite = try await app.mailedToken("invitation", to: "new@example.com")
            _ = try await app.request(.post, "/api/auth/password-reset", body: ["email": "lena@example.com"])
            let reset = try await app.mailedToken("password_reset", to: "lena@example.com")
            let lena = Browser(app: app, token: try await app.login("lena@example.com"))
            let guest = Browser(app: app, token: nil)
            let attempts: [(Browser, String, [String: String])] = [
                (guest, "/forgot", ["email": "lena@example.com"]),
                (guest, "/reset/\(reset)", ["password": "hijacked-pass"]),
                (guest, "/invite/\(invite)", ["name": "Eve", "password": "hijacked-pass"]),
                (guest, "/join/\(orgId)", ["name": "Eve", "email": "eve@example.com", "password": "hijacked-pass"]),
                (guest, "/signin-link", ["email": "lena@example.com", "next": "/schedule"]),
                (lena, "/me/password", ["current": "correct-horse", "password": "hijacked-pass"]),
            ]
            for (browser, path, fields) in attempts {
                let reply = try await browser.post(path, fields, csrf: "forged")
                #expect(reply.status == 403, "\(path): \(reply.status)")
            }
            #expect(try await app.outboxCount(status: "pending", template: "password_reset") == 1)
            #expect(try await app.outboxCount(status: "pending", template: "join_confirm") == 0)
            #expect(try await app.outboxCount(status: "pending", template: "signin_link") == 0)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM users WHERE email_normalized = 'new@example.com'") == 0)
            _ = try await app.login("lena@example.com")  // the password is unchanged
        }
    }

    @Test("password reset: always 202, one mail for a real account, single use, 30 minutes, every session ends")
    func passwordReset() async throws {
        try await TestApp.run { app in
            try await app.createUser("lena@example.com", password: "old-password")
            let session = try await app.login("lena@example.com", password: "old-password")
            let unknown = try await app.request(.post, "/api/auth/password-reset", body: ["email": "nobody@example.com"])
            let known = try await app.request(.post, "/api/auth/password-reset", body: ["email": "Lena@Example.com"])
            #expect(unknown.status == 202 && known.status == 202)
            #expect(unknown.text == known.text)
            #expect(try await app.outboxCount(status: "pending", template: "password_reset") == 1)
            let token = try await app.mailedToken("password_reset", to: "lena@example.com")

            let weak = try await app.request(.post, "/api/auth/password-reset/confirm", body: ["token": token, "password": "short"])
            #expect(weak.status == 400)
            app.clock.advance(by: 30 * 60 - 1)
            let done = try await app.request(.post, "/api/auth/password-reset/confirm", body: ["token": token, "password": "new-password"])
            #expect(done.status == 204, "\(done.text)")
            #expect(try await app.request(.get, "/api/me", token: session).status == 401)
            _ = try await app.login("lena@example.com", password: "new-password")
            let reused = try await app.request(
                .post, "/api/auth/password-reset/confirm", body: ["token": token, "password": "third-password"])
            #expect(reused.status == 404)

            _ = try await app.request(.post, "/api/auth/password-reset", body: ["email": "lena@example.com"])
            let late = try await app.mailedToken("password_reset", to: "lena@example.com")
            app.clock.advance(by: 30 * 60)
            #expect(
                try await app.request(.post, "/api/auth/password-reset/confirm", body: ["token": late, "password": "late-password"]).status
                    == 404)
        }
    }

    @Test("a member who turned class e-mails off still gets account e-mails")
    func accountMailIgnoresClassOptOut() async throws {
        try await TestApp.run { app in
            try await app.createUser("quiet@example.com")
            let token = try await app.login("quiet@example.com")
            let off = try await app.request(.put, "/api/me/notification-prefs", token: token, body: ["email": false])
            try #require(off.status == 200, "\(off.text)")
            #expect(try await app.request(.post, "/api/auth/password-reset", body: ["email": "quiet@example.com"]).status == 202)
            #expect(try await app.outboxCount(status: "pending", template: "password_reset") == 1)
        }
    }

    @Test("reset requests are throttled per address without saying so")
    func resetThrottle() async throws {
        try await TestApp.run { app in
            try await app.createUser("lena@example.com")
            for _ in 0..<(AccountService.mailsPerAddress + 2) {
                #expect(try await app.request(.post, "/api/auth/password-reset", body: ["email": "lena@example.com"]).status == 202)
            }
            #expect(try await app.outboxCount(status: "pending", template: "password_reset") == AccountService.mailsPerAddress)
        }
    }

    @Test("password change needs the current password and ends the other sessions only")
    func passwordChange() async throws {
        try await TestApp.run { app in
            try await app.createUser("a@example.com")
            let here = try await app.login("a@example.com")
            let elsewhere = try await app.login("a@example.com")
            let wrong = try await app.request(
                .post, "/api/auth/password", token: here, body: ["currentPassword": "nope-nope", "newPassword": "brand-new-pass"])
            #expect(wrong.status == 403)
            let changed = try await app.request(
                .post, "/api/auth/password", token: here, body: ["currentPassword": "correct-horse", "newPassword": "brand-new-pass"])
            #expect(changed.status == 204)
            #expect(try await app.request(.get, "/api/me", token: here).status == 200)
            #expect(try await app.request(.get, "/api/me", token: elsewhere).status == 401)
            _ = try await app.login("a@example.com", password: "brand-new-pass")
        }
    }

    @Test("studio creation is the operator's unless set to anyone; then its mail waits for a verified owner")
    func orgCreation() async throws {
        try await TestApp.run { app in
            try await app.createUser("a@example.com")
            let token = try await app.login("a@example.com")
            let refused = try await app.request(.post, "/api/orgs", token: token, body: ["name": "Evil", "timezone": "UTC"])
            #expect(refused.status == 403)
            #expect(refused.errorCode == "org_creation_disabled")
        }
        try await TestApp.run(configure: { $0.orgCreation = .anyone }) { app in
            try await app.services.accounts.createUser(
                email: "new@example.com", name: "New", passwordHash: app.services.passwords.hashNow("correct-horse"),
                emailVerified: false, now: app.clock.now())
            let token = try await app.login("new@example.com")
            let created = try await app.request(.post, "/api/orgs", token: token, body: ["name": "ACCOUNT LOCKED", "timezone": "UTC"])
            #expect(created.status == 201)
            let orgId = try #require((created["organization"] as? [String: Any])?["id"] as? String)
            let held = try await app.request(.post, "/api/orgs/\(orgId)/invitations", token: token, body: ["email": "victim@example.com"])
            #expect(held.status == 403)
            #expect(held.errorCode == "mail_held")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM notification_outbox WHERE template = 'invitation'") == 0)

            #expect(try await app.request(.post, "/api/auth/verify-email", token: token).status == 202)
            let verify = try await app.mailedToken("verify_email", to: "new@example.com")
            #expect(try await app.request(.post, "/api/auth/verify-email/confirm", body: ["token": verify]).status == 204)
            #expect(
                try await app.request(.post, "/api/orgs/\(orgId)/invitations", token: token, body: ["email": "friend@example.com"]).status
                    == 201)
            #expect(try await app.request(.post, "/api/auth/verify-email", token: token).errorCode == "already_verified")
        }
    }

    @Test("sign-up on the join page: off by default, nothing made until the address is proven, existing accounts keep their password")
    func join() async throws {
        try await TestApp.run { app in
            let (ownerToken, orgId) = try await app.owner()
            let body: [String: any Sendable] = ["name": "Jo", "email": "jo@example.com", "password": "jo-password"]
            #expect(try await app.request(.post, "/api/join/\(orgId)", body: body).status == 404)
            let on = try await app.request(.put, "/api/orgs/\(orgId)/signup", token: ownerToken, body: ["enabled": true])
            #expect(on["enabled"] as? Bool == true)
            #expect(try await app.request(.post, "/api/join/\(orgId)", body: body).status == 202)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM users WHERE email_normalized = 'jo@example.com'") == 0)
            let token = try await app.mailedToken("join_confirm", to: "jo@example.com")
            // The person opens the mailed link: a page with a button (mail scanners change nothing), then in.
            let guest = Browser(app: app, token: nil)
            #expect(try await guest.get("/join/confirm/\(token)").status == 200)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM users WHERE email_normalized = 'jo@example.com'") == 0)
            let confirmed = try await guest.post("/join/confirm/\(token)", [:])
            #expect(confirmed.status == 303)
            #expect(confirmed.location == "/schedule?org=\(orgId)")
            let jo = try await app.login("jo@example.com", password: "jo-password")
            #expect(try await app.request(.get, "/api/orgs/\(orgId)", token: jo).status == 200)

            // Someone signing up with an existing address cannot set its password.
            try await app.createUser("taken@example.com", password: "owners-password")
            _ = try await app.request(
                .post, "/api/join/\(orgId)", body: ["name": "Eve", "email": "taken@example.com", "password": "eves-password"])
            let second = try await app.mailedToken("join_confirm", to: "taken@example.com")
            let existing = try await Browser(app: app, token: nil).post("/join/confirm/\(second)", [:])
            #expect(existing.status == 200)
            #expect(existing.has("already had an account"))
            _ = try await app.login("taken@example.com", password: "owners-password")
            #expect(
                try await app.request(.post, "/api/auth/login", body: ["email": "taken@example.com", "password": "eves-password"]).status
                    == 401)
        }
    }

    @Test("login throttling: parallel guesses cannot pass the limit; the owner elsewhere is not locked out; success clears")
    func loginRace() async throws {
        try await TestApp.run(configure: { $0.trustForwardedFor = true }) { app in
            try await app.createUser("target@example.com")
            let limit = app.services.configuration.loginFailuresPerAccount
            let attacker: HTTPFields = [.init("X-Forwarded-For")!: "203.0.113.7"]
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<30 {
                    group.addTask {
                        try await app.request(
                            .post, "/api/auth/login", body: ["email": "target@example.com", "password": "guess-guess"], headers: attacker
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 401 }.count == limit)
            #expect(statuses.filter { $0 == 429 }.count == 30 - limit)
            // Even the right password is throttled for the attacker's address, whatever it puts in front.
            let spoofed: HTTPFields = [.init("X-Forwarded-For")!: "10.9.9.9, 203.0.113.7"]
            #expect(
                try await app.request(
                    .post, "/api/auth/login", body: ["email": "target@example.com", "password": "correct-horse"], headers: spoofed
                ).status == 429)
            // The owner from elsewhere signs in.
            let owner: HTTPFields = [.init("X-Forwarded-For")!: "203.0.113.7, 198.51.100.9"]
            #expect(
                try await app.request(
                    .post, "/api/auth/login", body: ["email": "target@example.com", "password": "correct-horse"], headers: owner
                ).status == 200)
        }
    }

    @Test("a failed login just under the limit then a success clears the count")
    func loginLimitEdge() async throws {
        try await TestApp.run { app in
            try await app.createUser("a@example.com")
            let limit = app.services.configuration.loginFailuresPerAccount
            for _ in 0..<(limit - 1) {
                #expect(
                    try await app.request(.post, "/api/auth/login", body: ["email": "a@example.com", "password": "wrong-wrong"]).status
                        == 401)
            }
            _ = try await app.login("a@example.com")
            for _ in 0..<(limit - 1) {
                #expect(
                    try await app.request(.post, "/api/auth/login", body: ["email": "a@example.com", "password": "wrong-wrong"]).status
                        == 401)
            }
            _ = try await app.login("a@example.com")  // the limit-th attempt: allowed
            for _ in 0..<limit {
                _ = try await app.request(.post, "/api/auth/login", body: ["email": "a@example.com", "password": "wrong-wrong"])
            }
            #expect(
                try await app.request(.post, "/api/auth/login", body: ["email": "a@example.com", "password": "correct-horse"]).status == 429
            )
        }
    }

    @Test("login refuses huge e-mails before the database, text/plain bodies, and foreign origins")
    func loginInputs() async throws {
        try await TestApp.run { app in
            try await app.createUser("a@example.com")
            let huge = String(repeating: "a", count: 300) + "@example.com"
            let reply = try await app.request(.post, "/api/auth/login", body: ["email": huge, "password": "correct-horse"])
            #expect(reply.status == 400)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM rate_limit_buckets") == 0)
            let edge = String(repeating: "a", count: 254 - "@example.com".utf8.count) + "@example.com"
            #expect(try await app.request(.post, "/api/auth/login", body: ["email": edge, "password": "correct-horse"]).status == 401)

            let plain = try await app.request(.post, "/api/auth/login", json: nil, headers: [.contentType: "text/plain"])
            #expect(plain.status == 415)
            let text = try await app.client.execute(
                uri: "/api/auth/login", method: .post, headers: [.contentType: "text/plain"],
                body: .init(string: #"{"email":"a@example.com","password":"correct-horse"}"#))
            #expect(text.status.code == 415)
            #expect(text.headers[values: .setCookie].isEmpty)
            let foreign = try await app.request(
                .post, "/api/auth/login", body: ["email": "a@example.com", "password": "correct-horse"],
                headers: [.origin: "https://evil.example"])
            #expect(foreign.status == 403)
            #expect(foreign.errorCode == "cross_site_login")
            #expect(foreign.headers[values: .setCookie].isEmpty)
            let own = try await app.request(
                .post, "/api/auth/login", body: ["email": "a@example.com", "password": "correct-horse"],
                headers: [.origin: "https://studio.example"])
            #expect(own.status == 200)
        }
    }

    @Test("CSRF holds whatever the path's spelling and whatever the body type")
    func csrfPathSpelling() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let (_, memberId) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member", email: "m@example.com")
            let login = try await app.request(.post, "/api/auth/login", body: ["email": "m@example.com", "password": "correct-horse"])
            let token = try #require(login.string("token"))
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400))
            let booked = try await app.book(session, token: token)
            let bookingId = try #require(booked.string("id"))
            _ = memberId
            let cookie: HTTPFields = [.cookie: "fd_session=\(token); fd_csrf=abcdefghijklmnopqrstuv"]
            for path in ["//api/bookings/\(bookingId)/cancel", "/api//bookings/\(bookingId)/cancel", "/api/bookings/\(bookingId)/cancel"] {
                let reply = try await app.request(.post, path, headers: cookie)
                #expect(reply.status == 403, "\(path): \(reply.status)")
            }
            var form = cookie
            form[.contentType] = "application/x-www-form-urlencoded"
            let wrongField = try await app.client.execute(
                uri: "//api/bookings/\(bookingId)/cancel", method: .post, headers: form,
                body: .init(string: "csrf=not-the-cookie"))
            #expect(wrongField.status.code == 403)
            #expect(try await app.request(.get, "/api/bookings/\(bookingId)", token: token).string("status") == "confirmed")
            var header = cookie
            header[.init("X-CSRF-Token")!] = "abcdefghijklmnopqrstuv"
            #expect(try await app.request(.post, "/api/bookings/\(bookingId)/cancel", headers: header).status == 200)
        }
    }

    @Test("staff check-in of a no-show through the API and the tablet brings that booking back, never a second one")
    func staffCheckinNoShow() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let (_, memberId) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let (_, otherId) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(600))
            for member in [memberId, otherId] {
                let booked = try await app.book(session, token: studio.ownerToken, body: ["membershipId": member])
                try #require(booked.status == 201, "\(booked.text)")
            }
            let roster = { try await app.request(.get, "/api/sessions/\(session)/roster", token: studio.ownerToken) }
            let bookingOf = { (member: String) async throws -> String in
                let items = (try await roster()["items"] as? [[String: Any]] ?? []).compactMap { $0["booking"] as? [String: Any] }
                return try #require(items.first { $0["membershipId"] as? String == member }?["id"] as? String)
            }
            // Through the API, by member.
            let first = try await bookingOf(memberId)
            #expect(try await app.request(.post, "/api/bookings/\(first)/no-show", token: studio.ownerToken).status == 200)
            let api = try await app.request(
                .post, "/api/sessions/\(session)/checkin", token: studio.ownerToken, body: ["membershipId": memberId])
            #expect(api.status == 200, "\(api.text)")
            #expect((api["booking"] as? [String: Any])?["status"] as? String == "attended")
            // Through the tablet, by booking.
            let second = try await bookingOf(otherId)
            #expect(try await app.request(.post, "/api/bookings/\(second)/no-show", token: studio.ownerToken).status == 200)
            let browser = Browser(app: app, token: studio.ownerToken)
            let tablet = try await browser.post("/coach/checkin", ["org": studio.orgId, "session": session, "bookingId": second])
            #expect(tablet.status == 303, "\(tablet.text)")
            for member in [memberId, otherId] {
                #expect(
                    try await app.count(
                        "SELECT COUNT(*) AS n FROM bookings WHERE session_id = '\(session)' AND membership_id = '\(member)'") == 1)
                #expect(
                    try await app.count(
                        "SELECT COUNT(*) AS n FROM bookings WHERE session_id = '\(session)' AND membership_id = '\(member)' AND status = 'attended'"
                    ) == 1)
            }
            try await app.checkInvariants(session: session)
        }
    }
}
