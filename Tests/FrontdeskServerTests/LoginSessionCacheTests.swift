import Foundation
import FrontdeskCore
import FrontdeskStore
import FrontdeskTestSupport
import HummingbirdTesting
import Testing

@testable import FrontdeskServer

extension TestApp {
    /// Waits until this instance's login-session cache serves (at once on SQLite; on PostgreSQL once
    /// its listener proved it hears notifications).
    func loginCacheServing() async throws {
        let cache = services.loginSessions
        try #require(await Self.eventually(within: TestApp.listenerLimit) { cache.isServing }, "the login-session listener never connected")
    }

    /// `GET /api/me` with `token` until the cache answers it (a parallel test's notification may
    /// keep a first answer from being kept), at most ten times: whether it did.
    func warmLoginCache(_ token: String) async throws -> Bool {
        for _ in 0..<10 {
            let before = services.loginSessions.counts.hits
            #expect(try await request(.get, "/api/me", token: token).status == 200)
            if services.loginSessions.counts.hits > before { return true }
        }
        return false
    }

    /// A second instance of the application over the same database (its own services, cache and
    /// listeners, the same clock), as another server behind the load balancer.
    func secondInstance(_ body: @Sendable (TestApp) async throws -> Void) async throws {
        let other = AppServices(
            configuration: services.configuration, clock: clock, database: services.database, logger: TestBackend.logger)
        let app = buildApplication(services: other)
        let (routes, clock) = (app.routes, clock)
        try await app.application().test(.router) { client in
            try await body(TestApp(services: other, clock: clock, client: client, routes: routes))
        }
    }
}

@Suite("Login sessions in memory")
struct LoginSessionCacheTests {
    // MARK: Through the application

    @Test("a known session answers from memory: no statement for the login session, one when it is not cached")
    func cachedWithoutLookUp() async throws {
        try await TestApp.run { app in
            try await app.loginCacheServing()
            try await app.createUser("a@example.com")
            let token = try await app.login("a@example.com")
            #expect(try await app.warmLoginCache(token))
            // A hit: /api/me's own statements only.
            let hits = app.services.loginSessions.counts.hits
            let first = app.services.database.statementCount
            #expect(try await app.request(.get, "/api/me", token: token).status == 200)
            let second = app.services.database.statementCount
            #expect(app.services.loginSessions.counts.hits == hits + 1)
            // Forgotten, the same request looks the session up: one statement more.
            app.services.loginSessions.drop(EndedLoginSessions(tokenHash: SecretToken.hash(token)))
            #expect(try await app.request(.get, "/api/me", token: token).status == 200)
            let third = app.services.database.statementCount
            #expect(app.services.loginSessions.counts.hits == hits + 1)
            #expect(third - second == second - first + 1)
        }
    }

    @Test("a studio's route with the login not cached: the login and the caller's standing in one statement, kept for a class route next")
    func loginWithStudio() async throws {
        try await TestApp.run(configure: { $0.sessionTTLHours = 1 }) { app in
            try await app.loginCacheServing()
            try await app.readCacheServing()
            let studio = try await app.studio()
            let classId = try await app.session(studio, startsAt: TestApp.start.addingTimeInterval(86_400))
            let (token, maya) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let other = try await app.studio()
            let week = "/api/orgs/\(studio.orgId)/sessions"
            /// The reply to `path` and the statements it cost, the read cache emptied first unless
            /// `keep`; the login forgotten first unless `cached`.
            func measured(_ path: String, cached: Bool = false, keep: Bool = false) async throws -> (statements: Int, reply: Reply) {
                if !cached { app.services.loginSessions.drop(EndedLoginSessions(tokenHash: SecretToken.hash(token))) }
                if !keep { app.services.database.readCache.written(.everything) }
                let before = app.services.database.statementCount
                let reply = try await app.request(.get, path, token: token)
                return (app.services.database.statementCount - before, reply)
            }
            let uncached = try await measured(week)
            #expect(uncached.reply.status == 200)
            #expect(try await app.warmLoginCache(token))
            let cached = try await measured(week, cached: true)
            #expect(cached.reply.status == 200 && cached.reply.text == uncached.reply.text)
            #expect(
                uncached.statements == cached.statements, "\(uncached.statements) statements, \(cached.statements) with the login cached")
            // The standing it read is kept: the member's class route next reads the class's studio only.
            let classCold = try await measured("/api/sessions/\(classId)", cached: true)
            _ = try await measured(week)
            #expect(try await app.warmLoginCache(token))
            let classAfterWeek = try await measured("/api/sessions/\(classId)", cached: true, keep: true)
            #expect(classAfterWeek.reply.text == classCold.reply.text)
            #expect(classAfterWeek.statements == classCold.statements - 1)
            // The same refusals, the login not cached each time.
            #expect(try await measured("/api/orgs/\(other.orgId)/sessions").reply.status == 404)
            #expect(try await measured("/api/orgs/\(NewID.make())/sessions").reply.status == 404)
            #expect(try await measured("/api/orgs/not-an-id/sessions").reply.status == 404)
            // A suspension (a write that may change anything) refuses the next request, login cached or not.
            try await app.services.database.transaction { sql in
                try await sql.raw("UPDATE memberships SET status = 'suspended' WHERE id = \(bind: maya)").run()
            }
            #expect(try await measured(week, keep: true).reply.status == 403)
        }
    }

    @Test("a class's route with the login not cached: the login and the caller's standing in one statement, the same answers")
    func loginWithClass() async throws {
        try await TestApp.run(configure: { $0.sessionTTLHours = 1 }) { app in
            try await app.loginCacheServing()
            let studio = try await app.studio()
            let classId = try await app.session(studio, startsAt: TestApp.start.addingTimeInterval(86_400))
            let (token, membershipId) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let other = try await app.studio()
            let otherClass = try await app.session(other, startsAt: TestApp.start.addingTimeInterval(86_400))
            let path = "/api/sessions/\(classId)"
            /// The reply to `path` and the statements it cost, the read cache emptied first; the login
            /// forgotten first unless `cached`.
            func measured(_ path: String, cached: Bool = false) async throws -> (statements: Int, reply: Reply) {
                if !cached { app.services.loginSessions.drop(EndedLoginSessions(tokenHash: SecretToken.hash(token))) }
                app.services.database.readCache.written(.everything)
                let before = app.services.database.statementCount
                let reply = try await app.request(.get, path, token: token)
                return (app.services.database.statementCount - before, reply)
            }
            let uncached = try await measured(path)
            #expect(uncached.reply.status == 200 && uncached.reply.string("id") == classId)
            #expect(try await app.warmLoginCache(token))
            let cached = try await measured(path, cached: true)
            #expect(cached.reply.text == uncached.reply.text)
            // Not cached, the login costs no statement of its own: it came with the standing, in one
            // statement, where the login cached and the read cache emptied the standing is two reads
            // (the class's studio, the caller's standing in it), each kept for the next request.
            #expect(
                uncached.statements == cached.statements - 1,
                "\(uncached.statements) statements, \(cached.statements) with the login cached")
            // The same refusals as with two look-ups, the login not cached each time.
            #expect(try await measured("/api/sessions/\(NewID.make())").reply.status == 404)
            #expect(try await measured("/api/sessions/\(otherClass)").reply.status == 404)
            #expect(try await measured("/api/sessions/not-an-id").reply.status == 404)
            #expect(try await app.request(.get, path, token: "not-a-session").status == 401)
            #expect(
                try await app.request(.post, "/api/orgs/\(studio.orgId)/members/\(membershipId)/suspend", token: studio.ownerToken).status
                    == 200)
            let suspended = try await measured(path)
            #expect(suspended.reply.status == 403 && suspended.reply.errorCode == "membership_suspended")
            // The login's expiry at its edge: the second before it answers, at expiry 401.
            let expiry = TestApp.start.addingTimeInterval(3600)
            #expect(
                try await app.request(.post, "/api/orgs/\(studio.orgId)/members/\(membershipId)/reactivate", token: studio.ownerToken)
                    .status == 200)
            app.clock.set(expiry.addingTimeInterval(-1))
            #expect(try await measured(path).reply.status == 200)
            app.clock.set(expiry)
            #expect(try await measured(path).reply.status == 401)
        }
    }

    @Test("unknown tokens are not cached: each asks the database")
    func unknownNotCached() async throws {
        try await TestApp.run { app in
            try await app.loginCacheServing()
            let misses = app.services.loginSessions.counts.misses
            for _ in 0..<2 {
                #expect(try await app.request(.get, "/api/me", token: "not-a-session").status == 401)
            }
            #expect(app.services.loginSessions.counts.misses == misses + 2)
            #expect(app.services.loginSessions.count == 0)
        }
    }

    @Test("logout: the very next request with that token is refused, by bearer and by cookie")
    func logout() async throws {
        try await TestApp.run { app in
            try await app.loginCacheServing()
            try await app.createUser("a@example.com")
            let token = try await app.login("a@example.com")
            #expect(try await app.warmLoginCache(token))
            #expect(try await app.request(.post, "/api/auth/logout", token: token).status == 204)
            #expect(try await app.request(.get, "/api/me", token: token).status == 401)

            let page = try await app.login("a@example.com")
            #expect(try await app.warmLoginCache(page))
            let out = try await Browser(app: app, token: page).post("/logout", [:])
            #expect(out.status / 100 == 3, "\(out.text)")
            #expect(try await app.request(.get, "/api/me", token: page).status == 401)
        }
    }

    @Test("a password change ends the other cached sessions at once; a reset ends every one")
    func passwordChange() async throws {
        try await TestApp.run { app in
            try await app.loginCacheServing()
            try await app.createUser("a@example.com")
            let here = try await app.login("a@example.com")
            let elsewhere = try await app.login("a@example.com")
            #expect(try await app.warmLoginCache(here))
            #expect(try await app.warmLoginCache(elsewhere))
            let changed = try await app.request(
                .post, "/api/auth/password", token: here, body: ["currentPassword": "correct-horse", "newPassword": "brand-new-pass"])
            #expect(changed.status == 204)
            #expect(try await app.request(.get, "/api/me", token: elsewhere).status == 401)
            #expect(try await app.request(.get, "/api/me", token: here).status == 200)

            #expect(try await app.warmLoginCache(here))
            #expect(try await app.request(.post, "/api/auth/password-reset", body: ["email": "a@example.com"]).status == 202)
            let link = try await app.mailedToken("password_reset", to: "a@example.com")
            let reset = try await app.request(
                .post, "/api/auth/password-reset/confirm", body: ["token": link, "password": "third-password"])
            #expect(reset.status == 204, "\(reset.text)")
            #expect(try await app.request(.get, "/api/me", token: here).status == 401)
        }
    }

    @Test("suspension refuses a cached session's studio requests at once (the studio check is not cached)")
    func suspension() async throws {
        try await TestApp.run { app in
            try await app.loginCacheServing()
            let (ownerToken, orgId) = try await app.owner()
            let (memberToken, memberId) = try await app.member(orgId, ownerToken: ownerToken, role: "member")
            #expect(try await app.warmLoginCache(memberToken))
            #expect(try await app.request(.get, "/api/orgs/\(orgId)", token: memberToken).status == 200)
            #expect(try await app.request(.post, "/api/orgs/\(orgId)/members/\(memberId)/suspend", token: ownerToken).status == 200)
            let locked = try await app.request(.get, "/api/orgs/\(orgId)", token: memberToken)
            #expect(locked.status == 403)
            #expect(locked.errorCode == "membership_suspended")
        }
    }

    @Test("expiry is the cache's own: a second before, it answers from memory; at expiry, 401")
    func expiryEdge() async throws {
        try await TestApp.run(configure: { $0.sessionTTLHours = 1 }) { app in
            try await app.loginCacheServing()
            try await app.createUser("a@example.com")
            let token = try await app.login("a@example.com")
            let expiry = TestApp.start.addingTimeInterval(3600)
            // Within the safety TTL of the last confirmation, so the cache alone decides at the edge.
            app.clock.set(expiry.addingTimeInterval(-30))
            #expect(try await app.warmLoginCache(token))
            app.clock.set(expiry.addingTimeInterval(-1))
            let hits = app.services.loginSessions.counts.hits
            #expect(try await app.request(.get, "/api/me", token: token).status == 200)
            #expect(app.services.loginSessions.counts.hits == hits + 1)
            app.clock.set(expiry)
            #expect(try await app.request(.get, "/api/me", token: token).status == 401)
            #expect(app.services.loginSessions.counts.hits == hits + 1)
        }
    }

    // MARK: Two instances (PostgreSQL)

    @Test(
        "on PostgreSQL, logout and password change on one instance refuse the session on another within 10 s",
        .enabled(if: TestBackend.current == .postgres))
    func acrossInstances() async throws {
        try await TestApp.run { a in
            try await a.secondInstance { b in
                try await a.loginCacheServing()
                try await b.loginCacheServing()
                try await a.createUser("a@example.com")
                let token = try await a.login("a@example.com")
                #expect(try await b.warmLoginCache(token))
                #expect(try await a.request(.post, "/api/auth/logout", token: token).status == 204)
                #expect(try await Self.refused(token, on: b))

                let here = try await a.login("a@example.com")
                let elsewhere = try await a.login("a@example.com")
                #expect(try await b.warmLoginCache(elsewhere))
                #expect(try await b.warmLoginCache(here))
                let changed = try await a.request(
                    .post, "/api/auth/password", token: here, body: ["currentPassword": "correct-horse", "newPassword": "brand-new-pass"])
                #expect(changed.status == 204)
                #expect(try await Self.refused(elsewhere, on: b))
                #expect(try await b.request(.get, "/api/me", token: here).status == 200)
            }
        }
    }

    /// Whether `instance` refuses `token` within `TestApp.listenerLimit` (checked every 10 ms; the injected clock stands
    /// still, so only a notification can end the cached entry).
    static func refused(_ token: String, on instance: TestApp) async throws -> Bool {
        try await TestApp.eventually(within: TestApp.listenerLimit) {
            try await instance.request(.get, "/api/me", token: token).status == 401
        }
    }

    @Test(
        "on PostgreSQL the cache serves only once its listener is proven, and stops when it ends",
        .enabled(if: TestBackend.current == .postgres))
    func servesOnlyWhileListening() async throws {
        try await withTestDatabase { database in
            let cache = LoginSessionCache(database: database)
            #expect(!cache.isServing)
            let listener = Task { try await LoginSessionListener(cache: cache, database: database, logger: TestBackend.logger).run() }
            #expect(await TestApp.eventually(within: TestApp.listenerLimit) { cache.isServing })
            // A notification for this instance's sessions (as another instance's logout sends) drops them.
            let now = TestApp.start
            cache.keep(
                Self.session("u1", expires: now + 3600), tokenHash: "t1", confirmedAt: now, readUnder: Self.generation(cache, "x", now))
            #expect(cache.lookUp(tokenHash: "t1", now: now) == .hit(Self.user("u1")))
            let postgres = try #require(database as? PostgresBackend)
            let payload = String(decoding: try JSONEncoder().encode(EndedLoginSessions(userId: "u1")), as: UTF8.self)
            try await postgres.notify(channel: AccountsStore.sessionsChannel, payload: payload)
            #expect(await TestApp.eventually(within: TestApp.listenerLimit) { cache.count == 0 })
            listener.cancel()
            _ = await listener.result
            #expect(!cache.isServing)
        }
    }

    // MARK: The cache alone

    static func user(_ id: String) -> User { User(id: id, email: "\(id)@example.com", name: id, createdAt: TestApp.start) }

    static func session(_ userId: String, expires: Date) -> LoginSession { LoginSession(user: user(userId), expiresAt: expires) }

    /// The generation a miss on `tokenHash` hands out (it must miss).
    static func generation(_ cache: LoginSessionCache, _ tokenHash: String, _ now: Date) -> UInt64 {
        guard case .miss(let generation?) = cache.lookUp(tokenHash: tokenHash, now: now) else {
            Issue.record("expected a serving miss")
            return 0
        }
        return generation
    }

    @Test("expiry at the edge: the second before answers, expiry itself does not, as in the database (whole seconds)")
    func expiryUnit() {
        let cache = LoginSessionCache(serving: true)
        let expiry = TestApp.start
        let confirmed = expiry.addingTimeInterval(-10)
        cache.keep(
            Self.session("u", expires: expiry), tokenHash: "t", confirmedAt: confirmed, readUnder: Self.generation(cache, "t", confirmed))
        #expect(cache.lookUp(tokenHash: "t", now: expiry.addingTimeInterval(-1)) == .hit(Self.user("u")))
        #expect(cache.lookUp(tokenHash: "t", now: expiry.addingTimeInterval(-0.5)) == .hit(Self.user("u")))
        #expect(cache.lookUp(tokenHash: "t", now: expiry) != .hit(Self.user("u")))
        #expect(cache.count == 0)
    }

    @Test("the safety TTL: confirmed 59 s ago answers, 60 s ago asks the database again")
    func safetyTTL() {
        let cache = LoginSessionCache(serving: true)
        let now = TestApp.start
        let far = now.addingTimeInterval(86_400)
        cache.keep(Self.session("u", expires: far), tokenHash: "t", confirmedAt: now, readUnder: Self.generation(cache, "t", now))
        #expect(cache.lookUp(tokenHash: "t", now: now.addingTimeInterval(LoginSessionCache.safetyTTL - 1)) == .hit(Self.user("u")))
        #expect(cache.lookUp(tokenHash: "t", now: now.addingTimeInterval(LoginSessionCache.safetyTTL)) != .hit(Self.user("u")))
    }

    @Test("an answer read while a session ended is not kept; drops by token and by user (keeping one)")
    func dropsAndRaces() {
        let cache = LoginSessionCache(serving: true)
        let now = TestApp.start
        let later = now.addingTimeInterval(3600)
        let racing = Self.generation(cache, "t1", now)
        cache.drop(EndedLoginSessions(tokenHash: "t1"))
        cache.keep(Self.session("u1", expires: later), tokenHash: "t1", confirmedAt: now, readUnder: racing)
        #expect(cache.count == 0)

        for (token, user) in [("t1", "u1"), ("t2", "u1"), ("t3", "u1"), ("t4", "u2")] {
            cache.keep(
                Self.session(user, expires: later), tokenHash: token, confirmedAt: now, readUnder: Self.generation(cache, token, now))
        }
        #expect(cache.count == 4)
        cache.drop(EndedLoginSessions(tokenHash: "t4"))
        #expect(cache.lookUp(tokenHash: "t4", now: now) != .hit(Self.user("u2")))
        cache.drop(EndedLoginSessions(userId: "u1", keeping: "t2"))
        #expect(cache.lookUp(tokenHash: "t2", now: now) == .hit(Self.user("u1")))
        #expect(cache.count == 1)
    }

    @Test("not serving (listener down): nothing answers or is kept; serving again starts empty")
    func notServing() {
        let cache = LoginSessionCache(serving: true)
        let now = TestApp.start
        let later = now.addingTimeInterval(3600)
        cache.keep(Self.session("u", expires: later), tokenHash: "t", confirmedAt: now, readUnder: Self.generation(cache, "t", now))
        let racing = Self.generation(cache, "r", now)
        cache.setServing(false)
        #expect(cache.lookUp(tokenHash: "t", now: now) == .miss(generation: nil))
        cache.keep(Self.session("u", expires: later), tokenHash: "r", confirmedAt: now, readUnder: racing)
        cache.setServing(true)
        #expect(cache.count == 0)
        #expect(cache.lookUp(tokenHash: "t", now: now) != .hit(Self.user("u")))
    }

    @Test("bounded: past the capacity the oldest entry goes, the rest stay")
    func capacity() {
        let cache = LoginSessionCache(serving: true, capacity: 3)
        let now = TestApp.start
        let later = now.addingTimeInterval(3600)
        for index in 0..<4 {
            let token = "t\(index)"
            cache.keep(
                Self.session("u\(index)", expires: later), tokenHash: token, confirmedAt: now, readUnder: Self.generation(cache, token, now)
            )
        }
        #expect(cache.count == 3)
        #expect(cache.lookUp(tokenHash: "t0", now: now) != .hit(Self.user("u0")))
        for index in 1..<4 {
            #expect(cache.lookUp(tokenHash: "t\(index)", now: now) == .hit(Self.user("u\(index)")))
        }
        // Re-keeping an entry many times keeps the bookkeeping bounded and the order right.
        for _ in 0..<500 {
            cache.keep(Self.session("u1", expires: later), tokenHash: "t1", confirmedAt: now, readUnder: Self.generation(cache, "t9", now))
        }
        cache.keep(Self.session("u9", expires: later), tokenHash: "t9", confirmedAt: now, readUnder: Self.generation(cache, "t9", now))
        #expect(cache.lookUp(tokenHash: "t2", now: now) != .hit(Self.user("u2")))
        #expect(cache.lookUp(tokenHash: "t1", now: now) == .hit(Self.user("u1")))
        #expect(cache.count == 3)
    }
}
