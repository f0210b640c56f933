import Foundation
import FrontdeskCore
@testable import FrontdeskServer
import HTTPTypes
import Testing

@Suite("Login, sessions, logout")
struct AuthTests {
    @Test("the Authorization header's bearer token: the scheme in any case, blanks around the token dropped")
    func bearerHeader() {
        let cases: [(String?, String?)] = [
            ("Bearer abc", "abc"), ("bearer abc", "abc"), ("BEARER   abc \t ", "abc"), ("Bearer a b", "a b"),
            ("Bearer   ", ""), (nil, nil), ("", nil), ("Bearer", nil), ("Bearer ", nil), ("Bearerabc", nil),
            ("Bearer\tabc", nil), ("Basic abc", nil), ("Bearez abc", nil), ("Bearer é", "é"), ("Béarer x", nil), ("Bearer \t é\t", "é"),
        ]
        for (header, token) in cases {
            #expect(AuthMiddleware.bearerToken(header: header) == token, "\(String(describing: header))")
        }
    }

    @Test("login succeeds, returns a token and sets HttpOnly SameSite cookies; /api/me answers")
    func loginSuccess() async throws {
        try await TestApp.run { app in
            try await app.createUser("Maya@Example.com", name: "Maya")
            let reply = try await app.request(.post, "/api/auth/login", body: ["email": "maya@example.com", "password": "correct-horse"])
            #expect(reply.status == 200)
            let token = try #require(reply.string("token"))
            #expect(token.count >= 43)
            let cookies = reply.headers[values: .setCookie]
            #expect(
                cookies.contains {
                    $0.hasPrefix("fd_session=\(token)") && $0.contains("HttpOnly") && $0.contains("SameSite=Lax") && $0.contains("Secure")
                })
            #expect(cookies.contains { $0.hasPrefix("fd_csrf=") && !$0.contains("HttpOnly") })

            let me = try await app.request(.get, "/api/me", token: token)
            #expect(me.status == 200)
            #expect((me["user"] as? [String: Any])?["name"] as? String == "Maya")
            #expect((me["memberships"] as? [Any])?.isEmpty == true)
            #expect(!me.text.contains("password"))
        }
    }

    @Test("the token is stored hashed, never in clear")
    func tokenStoredHashed() async throws {
        try await TestApp.run { app in
            try await app.createUser("a@example.com")
            let token = try await app.login("a@example.com")
            let stored = try await app.services.database.read { sql in
                try await sql.raw("SELECT token_hash FROM auth_sessions").all().map { try $0.decode(column: "token_hash", as: String.self) }
            }
            #expect(stored == [SecretToken.hash(token)])
        }
    }

    @Test("wrong password and unknown user both answer 401 invalid_credentials")
    func badCredentials() async throws {
        try await TestApp.run { app in
            try await app.createUser("a@example.com")
            let wrong = try await app.request(.post, "/api/auth/login", body: ["email": "a@example.com", "password": "nope-nope"])
            let unknown = try await app.request(
                .post, "/api/auth/login", body: ["email": "ghost@example.com", "password": "correct-horse"])
            for reply in [wrong, unknown] {
                #expect(reply.status == 401)
                #expect(reply.errorCode == "invalid_credentials")
            }
            #expect(wrong.errorMessage == unknown.errorMessage)
        }
    }

    @Test("an expired session answers 401 and a fresh login works again")
    func expiredToken() async throws {
        try await TestApp.run(configure: { $0.sessionTTLHours = 1 }) { app in
            try await app.createUser("a@example.com")
            let token = try await app.login("a@example.com")
            #expect(try await app.request(.get, "/api/me", token: token).status == 200)
            app.clock.advance(by: 3601)
            let expired = try await app.request(.get, "/api/me", token: token)
            #expect(expired.status == 401)
            #expect(expired.errorCode == "unauthorized")
            let fresh = try await app.login("a@example.com")
            #expect(try await app.request(.get, "/api/me", token: fresh).status == 200)
        }
    }

    @Test("logout ends the session; a forged token and no token answer 401")
    func logoutAndForged() async throws {
        try await TestApp.run { app in
            try await app.createUser("a@example.com")
            let token = try await app.login("a@example.com")
            let other = try await app.login("a@example.com")
            let logout = try await app.request(.post, "/api/auth/logout", token: token)
            #expect(logout.status == 204)
            #expect(logout.headers[values: .setCookie].contains { $0.hasPrefix("fd_session=;") || $0.contains("Max-Age=0") })
            #expect(try await app.request(.get, "/api/me", token: token).status == 401)
            #expect(try await app.request(.get, "/api/me", token: other).status == 200, "other sessions survive")
            #expect(try await app.request(.get, "/api/me", token: "forged-token").status == 401)
            #expect(try await app.request(.get, "/api/me").status == 401)
            #expect(try await app.request(.post, "/api/auth/logout").status == 401)
        }
    }

    @Test("login is rate limited per account, and the limit does not leak whether the password was right")
    func accountRateLimit() async throws {
        try await TestApp.run(configure: { $0.loginFailuresPerAccount = 3 }) { app in
            try await app.createUser("a@example.com")
            for _ in 0..<3 {
                let reply = try await app.request(.post, "/api/auth/login", body: ["email": "a@example.com", "password": "wrong-pass"])
                #expect(reply.status == 401)
            }
            let blocked = try await app.request(.post, "/api/auth/login", body: ["email": "A@example.com", "password": "correct-horse"])
            #expect(blocked.status == 429)
            #expect(blocked.errorCode == "rate_limited")
            // Another account from the same address is unaffected.
            try await app.createUser("b@example.com")
            #expect(
                try await app.request(.post, "/api/auth/login", body: ["email": "b@example.com", "password": "correct-horse"]).status == 200
            )
            // The window passes.
            app.clock.advance(by: 900)
            #expect(
                try await app.request(.post, "/api/auth/login", body: ["email": "a@example.com", "password": "correct-horse"]).status == 200
            )
        }
    }

    @Test("login is rate limited per client address")
    func addressRateLimit() async throws {
        try await TestApp.run(configure: {
            $0.loginAttemptsPerAddress = 4
            $0.trustForwardedFor = true
        }) { app in
            let attacker: HTTPFields = [.init("X-Forwarded-For")!: "203.0.113.9"]
            for index in 0..<4 {
                let reply = try await app.request(
                    .post, "/api/auth/login", body: ["email": "u\(index)@example.com", "password": "whatever1"], headers: attacker)
                #expect(reply.status == 401)
            }
            let blocked = try await app.request(
                .post, "/api/auth/login", body: ["email": "u9@example.com", "password": "whatever1"], headers: attacker)
            #expect(blocked.status == 429)
            try await app.createUser("c@example.com")
            let elsewhere: HTTPFields = [.init("X-Forwarded-For")!: "198.51.100.7"]
            #expect(
                try await app.request(
                    .post, "/api/auth/login", body: ["email": "c@example.com", "password": "correct-horse"], headers: elsewhere
                ).status == 200)
        }
    }

    @Test("cookie-authenticated changes need the CSRF token; reads and bearer calls do not")
    func csrf() async throws {
        try await TestApp.run(configure: { $0.orgCreation = .anyone }) { app in
            try await app.createUser("a@example.com")
            let login = try await app.request(.post, "/api/auth/login", body: ["email": "a@example.com", "password": "correct-horse"])
            let token = try #require(login.string("token"))
            let csrf = try #require(login.string("csrfToken"))
            let cookie: HTTPFields = [.cookie: "fd_session=\(token); fd_csrf=\(csrf)"]
            #expect(try await app.request(.get, "/api/me", headers: cookie).status == 200)

            let body = #"{"name":"Cookie Studio","timezone":"Europe/Berlin"}"#
            let refused = try await app.request(.post, "/api/orgs", json: body, headers: cookie)
            #expect(refused.status == 403)
            #expect(refused.errorCode == "csrf_failed")
            var wrong = cookie
            wrong[.init("X-CSRF-Token")!] = "not-the-token"
            #expect(try await app.request(.post, "/api/orgs", json: body, headers: wrong).status == 403)
            var good = cookie
            good[.init("X-CSRF-Token")!] = csrf
            #expect(try await app.request(.post, "/api/orgs", json: body, headers: good).status == 201)
            #expect(try await app.request(.post, "/api/orgs", token: token, json: body).status == 201)
        }
    }
}
