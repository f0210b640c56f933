import Foundation
import FrontdeskCore
import FrontdeskStore
import Testing

@testable import FrontdeskServer

/// The outbox worker reads a claimed batch's facts together (`NotificationsStore.contexts(for:)`) and
/// marks what it sent in shared statements (`OutboxStore.markSent`).
@Suite("Outbox batches")
struct OutboxContextsTests {
    @Test("a batch's contexts in at most six reads, each the context its message alone gets; a gone recipient has none")
    func batchMatchesAlone() async throws {
        try await TestApp.run { app in
            let berlin = try await app.studio()
            let tokyo = try await app.studio(timezone: "Asia/Tokyo")
            let start = ISO8601DateFormatter().date(from: "2026-11-19T17:00:00Z")!
            let small = try await app.session(berlin, startsAt: start, extra: ["capacity": 1, "locationId": berlin.locationId])
            let other = try await app.session(tokyo, startsAt: start.addingTimeInterval(3_600))
            let members = try await app.quickMembers(berlin.orgId, count: 3)
            let far = try await app.quickMembers(tokyo.orgId, count: 1)[0]
            let device = try await app.registerDevice(token: members[1].token)
            let first = try #require(try await app.book(small, token: members[0].token).string("id"))
            #expect(try await app.book(small, token: members[1].token).string("status") == "waitlisted")
            #expect(try await app.book(small, token: members[2].token).string("status") == "waitlisted")
            #expect(try await app.book(other, token: far.token).status == 201)
            #expect(try await app.cancelBooking(first, token: members[0].token).status == 200)  // promotes the second
            #expect(
                try await app.request(.post, "/api/sessions/\(other)/cancel", token: tokyo.ownerToken, body: ["reason": "Flooded"])
                    .status == 200)

            let store = NotificationsStore(database: app.services.database)
            let items = try await OutboxStore(database: app.services.database).claim(
                worker: "test", limit: 100, leaseSeconds: 60, now: app.clock.now())
            #expect(items.count >= 7)
            let before = app.services.database.statementCount
            let batch = try await store.contexts(for: items)
            #expect(app.services.database.statementCount - before <= 6)
            #expect(batch.count == items.count)
            for item in items {
                let alone = try await store.contexts(for: [item])[item.id]
                #expect(batch[item.id] == alone, "\(item.template)")
                #expect(alone != nil, "\(item.template)")
            }
            // The facts went to the right messages: each studio's zone and each class's name and start.
            for item in items where item.organizationId == tokyo.orgId {
                #expect(batch[item.id]?.timezone == "Asia/Tokyo")
                #expect(batch[item.id]?.startsAt == start.addingTimeInterval(3_600))
            }
            for item in items where item.organizationId == berlin.orgId {
                #expect(batch[item.id]?.timezone == "Europe/Berlin")
                #expect(batch[item.id]?.startsAt == start)
            }
            #expect(items.contains { batch[$0.id]?.cancelReason == "Flooded" })
            // A push carries its recipient's devices (none: empty); an e-mail none at all.
            let pushes = items.filter { $0.channel == "push" }
            #expect(!pushes.isEmpty)
            #expect(pushes.contains { batch[$0.id]?.pushTokens == [device] })
            #expect(pushes.allSatisfy { batch[$0.id]?.pushTokens == [device] || batch[$0.id]?.pushTokens == [] })
            #expect(items.filter { $0.channel != "push" }.allSatisfy { batch[$0.id]?.pushTokens == nil })
            #expect(items.contains { batch[$0.id]?.waitlistPosition == 1 })

            // A message whose recipient no longer exists: no context for it, the others unchanged.
            var missing = try #require(items.first { $0.userId != nil })
            missing.id = NewID.make()
            missing.userId = NewID.make()
            let after = try await store.contexts(for: items + [missing])
            #expect(after[missing.id] == nil)
            #expect(after == batch)
        }
    }

    @Test("rows are marked sent together, only those the worker still holds; a worker's batch ends with every sent row marked")
    func marksTogether() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: TestApp.start.addingTimeInterval(86_400))
            for member in try await app.quickMembers(studio.orgId, count: 3) {
                #expect(try await app.book(session, token: member.token).status == 201)
            }
            let outbox = OutboxStore(database: app.services.database)
            let claimed = try await outbox.claim(worker: "a", limit: 100, leaseSeconds: 60, now: app.clock.now())
            #expect(claimed.count == 3)
            let ids = claimed.map(\.id)
            // Another worker's marks change nothing; an unknown id is ignored.
            try await outbox.markSent(ids + [NewID.make()], worker: "b", now: app.clock.now())
            #expect(try await app.outboxCount(status: "sending") == 3)
            // Two rows cost what one does.
            var before = app.services.database.statementCount
            try await outbox.markSent([ids[0]], worker: "a", now: app.clock.now())
            let one = app.services.database.statementCount - before
            #expect(try await app.outboxCount(status: "sent") == 1)
            before = app.services.database.statementCount
            try await outbox.markSent([ids[1], ids[2]], worker: "a", now: app.clock.now())
            #expect(app.services.database.statementCount - before == one)
            #expect(try await app.outboxCount(status: "sent") == 3)
            #expect(try await app.outboxCount(status: "sending") == 0)

            // Through the worker: when deliverDue returns, every row it sent is marked.
            for member in try await app.quickMembers(studio.orgId, count: 5) {
                #expect(try await app.book(session, token: member.token).status == 201)
            }
            let mail = RecordingMail()
            #expect(try await app.worker(mail: mail).deliverDue() == 5)
            #expect(mail.sent.count == 5)
            #expect(try await app.outboxCount(status: "sent") == 8)
            #expect(try await app.outboxCount(status: "pending") + app.outboxCount(status: "sending") == 0)
        }
    }
}
