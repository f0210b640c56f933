import Foundation
import FrontdeskCore
@testable import FrontdeskStore
import FrontdeskTestSupport
import Testing

@testable import FrontdeskServer

@Suite("Login look-ups read together")
struct LoginLookupsTests {
    @Test("a batch of mixed look-ups: each answered as alone, at its own clock, in one statement on PostgreSQL")
    func mixedBatch() async throws {
        try await TestApp.run(configure: { $0.sessionTTLHours = 1 }) { app in
            let studio = try await app.studio()
            let classId = try await app.session(studio, startsAt: TestApp.start.addingTimeInterval(86_400))
            let other = try await app.studio()
            let otherClass = try await app.session(other, startsAt: TestApp.start.addingTimeInterval(86_400))
            let (token, membershipId) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let (secondToken, secondMembership) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let hash = SecretToken.hash(token)
            let expiry = TestApp.start.addingTimeInterval(3600)
            let now = TestApp.start
            let lookups = [
                LoginLookup(tokenHash: hash, sessionId: classId, now: now),
                LoginLookup(tokenHash: hash, sessionId: nil, now: now),
                LoginLookup(tokenHash: hash, sessionId: classId, now: expiry.addingTimeInterval(-1)),
                LoginLookup(tokenHash: hash, sessionId: classId, now: expiry),
                LoginLookup(tokenHash: SecretToken.hash("not-a-session"), sessionId: classId, now: now),
                LoginLookup(tokenHash: hash, sessionId: otherClass, now: now),
                LoginLookup(tokenHash: hash, sessionId: NewID.make(), now: now),
                LoginLookup(tokenHash: SecretToken.hash(secondToken), sessionId: classId, now: now),
                LoginLookup(tokenHash: hash, sessionId: classId, now: now),
            ]
            let lookups2 = LoginLookups(database: app.services.database)
            let before = app.services.database.statementCount
            var found: [LoginFound?] = []
            for reply in lookups2.enqueue(lookups) { found.append(try await reply.value) }
            let statements = app.services.database.statementCount - before
            #expect(lookups2.stats == LaneStats(batches: 1, requests: lookups.count, largestBatch: lookups.count))
            if app.services.database.backend == .postgres { #expect(statements == 1) }

            // Each answer is the one a look-up of its own gives.
            for (lookup, answer) in zip(lookups, found) {
                let alone = try await LoginLookups.read([lookup], database: app.services.database)[0]
                #expect(alone?.login == answer?.login)
                #expect(alone?.access?.orgId == answer?.access?.orgId)
                #expect(alone?.access?.access?.membership.id == answer?.access?.access?.membership.id)
            }
            // The class and the caller's standing in it.
            #expect(found[0]?.login.expiresAt == expiry)
            #expect(found[0]?.access?.orgId == studio.orgId)
            #expect(found[0]?.access?.access?.membership.id == membershipId)
            #expect(found[0]?.access?.access?.organization.id == studio.orgId)
            // No class named: the login alone.
            #expect(found[1]?.login.user.id == found[0]?.login.user.id && found[1]?.access == nil)
            // The expiry at its edge: the second before it answers, at expiry nothing.
            #expect(found[2] != nil)
            #expect(found[3] == nil)
            #expect(found[4] == nil)
            // Another studio's class: its studio, and no standing in it; an unknown class: nothing.
            #expect(found[5]?.access?.orgId == other.orgId && found[5]?.access?.access == nil)
            #expect(found[6] != nil && found[6]?.access == nil)
            // Another member in the same batch gets their own; the same token twice, both answered.
            #expect(found[7]?.access?.access?.membership.id == secondMembership)
            #expect(found[7]?.login.user.id != found[0]?.login.user.id)
            #expect(found[8]?.access?.access?.membership.id == membershipId)
        }
    }

    @Test("look-ups naming a studio or a class file what they found in the read cache: the standing, or that there is none")
    func standingsFiled() async throws {
        try await TestApp.run { app in
            try await app.readCacheServing()
            let studio = try await app.studio()
            let classId = try await app.session(studio, startsAt: TestApp.start.addingTimeInterval(86_400))
            let other = try await app.studio()
            let (token, membershipId) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let hash = SecretToken.hash(token)
            let unknownOrg = NewID.make(), unknownClass = NewID.make()
            let database = app.services.database
            database.readCache.written(.everything)
            let found = try await LoginLookups.read(
                [
                    LoginLookup(tokenHash: hash, sessionId: nil, orgId: studio.orgId, now: TestApp.start),
                    LoginLookup(tokenHash: hash, sessionId: nil, orgId: other.orgId, now: TestApp.start),
                    LoginLookup(tokenHash: hash, sessionId: nil, orgId: unknownOrg, now: TestApp.start),
                    LoginLookup(tokenHash: hash, sessionId: unknownClass, now: TestApp.start),
                    LoginLookup(tokenHash: SecretToken.hash("not-a-session"), sessionId: classId, now: TestApp.start),
                ], database: database)
            #expect(found.map { $0 != nil } == [true, true, true, true, false])
            let userId = try #require(found[0]?.login.user.id)
            let organizations = app.services.organizations
            let before = database.statementCount
            #expect(try await organizations.membershipAndOrganization(orgId: studio.orgId, userId: userId)?.0.id == membershipId)
            #expect(try await organizations.membershipAndOrganization(orgId: other.orgId, userId: userId) == nil)
            #expect(try await organizations.membershipAndOrganization(orgId: unknownOrg, userId: userId) == nil)
            #expect(try await organizations.sessionOrganization(sessionId: unknownClass) == nil)
            #expect(database.statementCount == before, "every answer from the read cache")
            // An unknown login files nothing: the class's studio is read.
            #expect(try await organizations.sessionOrganization(sessionId: classId) == studio.orgId)
            #expect(database.statementCount == before + 1)
            // A write that may change anything between the stamp and the filing keeps nothing.
            database.readCache.written(.everything)
            let stamp = database.readCache.stamp(changedBy: .everything)
            database.readCache.written(.everything)
            OrganizationsStore.keep(classOrganization: other.orgId, sessionId: classId, in: database.readCache, stamp: stamp)
            #expect(try await organizations.sessionOrganization(sessionId: classId) == studio.orgId)
        }
    }

    @Test("more look-ups than a batch holds: in arrival order over two batches, every one answered")
    func overMaxBatch() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let classId = try await app.session(studio, startsAt: TestApp.start.addingTimeInterval(86_400))
            let (token, membershipId) = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let count = LoginLookups.maxBatch + 1
            // Every third look-up names an unknown token: each must get its own answer, not a neighbour's.
            let lookups = (0..<count).map { index in
                LoginLookup(
                    tokenHash: SecretToken.hash(index % 3 == 2 ? "unknown-\(index)" : token), sessionId: classId, now: TestApp.start)
            }
            let lookups2 = LoginLookups(database: app.services.database)
            let before = app.services.database.statementCount
            var found: [LoginFound?] = []
            for reply in lookups2.enqueue(lookups) { found.append(try await reply.value) }
            #expect(lookups2.stats == LaneStats(batches: 2, requests: count, largestBatch: LoginLookups.maxBatch))
            if app.services.database.backend == .postgres { #expect(app.services.database.statementCount - before == 2) }
            for (index, answer) in found.enumerated() {
                if index % 3 == 2 {
                    #expect(answer == nil, "look-up \(index)")
                } else {
                    #expect(answer?.access?.access?.membership.id == membershipId, "look-up \(index)")
                }
            }
        }
    }

    @Test("concurrent requests whose logins are not cached: each answered as its own caller")
    func concurrentRequests() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            var members: [(token: String, membershipId: String)] = []
            for _ in 0..<24 { members.append(try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")) }
            let batches = app.services.loginLookups.stats.batches
            let replies = try await withThrowingTaskGroup(of: (Int, Reply).self) { group in
                for (index, member) in members.enumerated() {
                    group.addTask {
                        app.services.loginSessions.drop(EndedLoginSessions(tokenHash: SecretToken.hash(member.token)))
                        return (index, try await app.request(.get, "/api/me", token: member.token))
                    }
                }
                return try await group.reduce(into: [Int: Reply]()) { $0[$1.0] = $1.1 }
            }
            for (index, member) in members.enumerated() {
                #expect(replies[index]?.status == 200)
                #expect(replies[index]?.text.contains(member.membershipId) == true, "request \(index)")
            }
            // On PostgreSQL through the lane; SQLite reads each at once, side by side.
            if app.services.database.backend == .postgres {
                #expect(app.services.loginLookups.stats.batches > batches)
            } else {
                #expect(app.services.loginLookups.stats.batches == batches)
            }
        }
    }
}
