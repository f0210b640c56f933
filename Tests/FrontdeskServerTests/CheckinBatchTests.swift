import Foundation
import FrontdeskCore
import FrontdeskStore
import Synchronization
import Testing

@testable import FrontdeskServer

/// Concurrent self check-ins share one guarded statement (`CheckinBatcher`): each is answered exactly as
/// it would be alone.
@Suite("Check-in batches")
struct CheckinBatchTests {
    /// Runs `count` calls of `work` at once while every write to bookings is held (SQLite: the writer
    /// connection; PostgreSQL: an EXCLUSIVE lock on bookings, which lets reads through), so the first
    /// check-in's statement waits and the others queue behind it; when all `count - 1` are queued the
    /// hold ends. The check-ins then run as two batches: the first alone, the other `count - 1` together.
    static func inOneBatch<T: Sendable>(
        _ app: TestApp, count: Int, _ work: @escaping @Sendable (Int) async throws -> T
    ) async throws -> [T] {
        let database = app.services.database
        let batcher = app.services.checkinBatcher
        let (held, heldSignal) = AsyncStream<Void>.makeStream()
        let (release, releaseSignal) = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await database.transaction { sql in
                if database.backend == .postgres { try await sql.raw("LOCK TABLE bookings IN EXCLUSIVE MODE").run() }
                heldSignal.yield()
                for await _ in release {}
            }
        }
        for await _ in held { break }
        let before = batcher.stats
        let tasks = (0..<count).map { index in Task { try await work(index) } }
        // A wait for the queue, with a generous limit: under the whole suite's load a task can wait tens of
        // seconds for a thread; a check-in that never reaches the batcher fails the test, not the suite.
        let deadline = ContinuousClock.now + .seconds(240)
        while batcher.waiting < count - 1 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        let queued = batcher.waiting
        releaseSignal.finish()
        try await holder.value
        var results: [T] = []
        for task in tasks { results.append(try await task.value) }
        #expect(queued == count - 1, "check-ins queued behind the first")
        let after = batcher.stats
        #expect(after.batches - before.batches == 2)
        #expect(after.requests - before.requests == count)
        #expect(after.largestBatch == max(before.largestBatch, count - 1))
        return results
    }

    @Test("200 members checking in at once: each attended once, each answered with their own booking, in one statement")
    func wholeClass() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(600), extra: ["capacity": 250])
            let members = try await app.quickMembers(studio.orgId, count: 200)
            var bookings: [String] = []
            for member in members {
                bookings.append(try await app.insertBooking(session: session, membership: member.membershipId, status: "confirmed"))
            }
            let ids = bookings
            let qr = CheckinToken.issue(
                sessionId: session, at: app.clock.now(), keys: try await app.services.keyRing.ring(now: app.clock.now()))
            let replies = try await Self.inOneBatch(app, count: members.count) { index in
                try await app.request(.post, "/api/sessions/\(session)/self-checkin", token: members[index].token, body: ["token": qr])
            }
            for (index, reply) in replies.enumerated() {
                #expect(reply.status == 200, "\(reply.text)")
                let booking = reply["booking"] as? [String: Any]
                #expect(booking?["id"] as? String == ids[index])
                #expect(booking?["membershipId"] as? String == members[index].membershipId)
                #expect(booking?["status"] as? String == "attended")
                #expect(booking?["checkinMethod"] as? String == "qr")
                #expect(reply["alreadyCheckedIn"] as? Bool == false)
                #expect(reply["walkIn"] as? Bool == false)
            }
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE session_id = '\(session)' AND status = 'attended'") == 200)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE session_id = '\(session)'") == 200)
            #expect(
                try await app.count(
                    """
                    SELECT COUNT(*) AS n FROM bookings WHERE session_id = '\(session)' AND checked_in_at = \(Int(app.clock.now().timeIntervalSince1970))
                      AND checked_in_by_membership_id = membership_id AND updated_at = checked_in_at
                    """) == 200)
            try await app.checkInvariants(session: session)
        }
    }

    /// One check-in of the mixed floor: what it is, whose, and how to send it.
    struct Probe: Sendable {
        let label: String
        let membershipId: String
        let send: @Sendable () async throws -> String
    }

    /// A studio with every kind of self check-in: booked members (one twice), a walk-in, a member
    /// without a place in a full class, a confirmed booking in a cancelled class, a no-show coming
    /// back, a class whose window has not opened, and a check-in naming another studio.
    static func mixedFloor(_ app: TestApp, batched: Bool) async throws -> [Probe] {
        let studio = try await app.studio()
        let soon = app.clock.now().addingTimeInterval(600)
        let open = try await app.session(studio, startsAt: soon, extra: ["capacity": 10])
        let full = try await app.session(studio, startsAt: soon, extra: ["capacity": 1])
        let cancelled = try await app.session(studio, startsAt: soon)
        #expect(try await app.request(.post, "/api/sessions/\(cancelled)/cancel", token: studio.ownerToken).status == 200)
        let later = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(7200))
        let m = try await app.quickMembers(studio.orgId, count: 9)
        for member in [m[0], m[1], m[8]] {
            try await app.insertBooking(session: open, membership: member.membershipId, status: "confirmed")
        }
        try await app.insertBooking(session: full, membership: m[4].membershipId, status: "confirmed")
        try await app.insertBooking(session: cancelled, membership: m[5].membershipId, status: "confirmed")
        try await app.insertBooking(session: later, membership: m[7].membershipId, status: "confirmed")
        let noShow = try await app.insertBooking(session: open, membership: m[6].membershipId, status: "confirmed")
        #expect(try await app.request(.post, "/api/bookings/\(noShow)/no-show", token: studio.ownerToken).status == 200)
        let other = try #require(try await app.services.organizations.organization(id: try await app.owner(org: "Elsewhere").orgId))
        let ring = try await app.services.keyRing.ring(now: app.clock.now())
        func qr(_ member: (token: String, membershipId: String), _ label: String, _ session: String) -> Probe {
            let token = CheckinToken.issue(sessionId: session, at: app.clock.now(), keys: ring)
            return Probe(label: label, membershipId: member.membershipId) {
                Self.describe(
                    try await app.request(.post, "/api/sessions/\(session)/self-checkin", token: member.token, body: ["token": token]),
                    membershipId: member.membershipId)
            }
        }
        // The org check of the guard: a check-in naming another studio, as no route sends it.
        let foreign = Probe(label: "another studio", membershipId: m[8].membershipId) {
            let store = CheckinStore(database: app.services.database, batcher: batched ? app.services.checkinBatcher : nil)
            do {
                let result = try await store.checkIn(
                    org: other, sessionId: open, membershipId: m[8].membershipId, method: .qr,
                    actor: BookingActor(userId: "", membershipId: m[8].membershipId, role: .member), overrideCapacity: false,
                    enforceWindow: true, now: app.clock.now())
                return "checked in \(result.booking.status.rawValue)"
            } catch let error as DomainError {
                return "refused \(error.code)"
            }
        }
        return [
            qr(m[0], "booked", open), qr(m[1], "booked too", open), qr(m[0], "booked", open), qr(m[2], "walk-in", open),
            qr(m[3], "no place", full), qr(m[5], "cancelled class", cancelled), qr(m[6], "no-show back", open),
            qr(m[7], "not open yet", later), foreign,
        ]
    }

    /// A self check-in's answer in a form two studios' answers can be compared in.
    static func describe(_ reply: Reply, membershipId: String) -> String {
        guard reply.status == 200, let booking = reply["booking"] as? [String: Any] else {
            return "\(reply.status) \(reply.errorCode ?? "-")"
        }
        let own = booking["membershipId"] as? String == membershipId ? "own" : "someone else's"
        return
            "200 \(own) \(booking["status"] as? String ?? "-") already=\(reply["alreadyCheckedIn"] as? Bool ?? false) walkIn=\(reply["walkIn"] as? Bool ?? false)"
    }

    @Test("a batch of mixed check-ins: each answered exactly as one at a time")
    func mixed() async throws {
        try await TestApp.run { app in
            let alone = try await Self.mixedFloor(app, batched: false)
            var expected: [String: [String]] = [:]
            for probe in alone { expected[probe.label, default: []].append(try await probe.send()) }
            let together = try await Self.mixedFloor(app, batched: true)
            let answers = try await Self.inOneBatch(app, count: together.count) { try await together[$0].send() }
            var got: [String: [String]] = [:]
            for (probe, answer) in zip(together, answers) { got[probe.label, default: []].append(answer) }
            // The same member twice: one of the two (whichever came first) checks in, the other finds it done.
            #expect(got.mapValues { $0.sorted() } == expected.mapValues { $0.sorted() })
            #expect(
                expected == [
                    "booked": ["200 own attended already=false walkIn=false", "200 own attended already=true walkIn=false"],
                    "booked too": ["200 own attended already=false walkIn=false"],
                    "walk-in": ["200 own attended already=false walkIn=true"],
                    "no place": ["409 class_full"],
                    "cancelled class": ["409 session_cancelled"],
                    "no-show back": ["200 own attended already=false walkIn=false"],
                    "not open yet": ["409 checkin_not_open"],
                    "another studio": ["refused not_found"],
                ])
            #expect(
                try await app.count(
                    """
                    SELECT COUNT(*) AS n FROM bookings b JOIN class_sessions s ON s.id = b.session_id
                    WHERE b.status = 'attended' AND s.status <> 'published'
                    """) == 0)
        }
    }

    @Test("a lane: a lone item alone, then everything queued meanwhile as the next batch, at most maxBatch")
    func lane() async throws {
        let log = BatchLog()
        let (gate, open) = AsyncStream<Void>.makeStream()
        let lanes = Lanes<Int, Int>(maxBatch: 256) { _, items in
            let first = log.batches.withLock { batches in
                batches.append(items)
                return batches.count == 1
            }
            if first { for await _ in gate {} }
            return items.map { .success($0 * 10) }
        }
        // `enqueue` fixes each request's place in the lane when it is called, so what this test
        // proves does not depend on when the drainer's task gets a thread (under the whole suite's
        // load that took over 30 s once). The lone item's batch is held at the gate until all 300
        // have queued behind it.
        let lone = lanes.enqueue(key: "k", -1)
        let waiting = (0..<300).map { index in lanes.enqueue(key: "k", index) }
        #expect(lanes.queued(key: "k") == 300)
        open.finish()
        #expect(try await lone.value == -10)
        for (index, reply) in waiting.enumerated() { #expect(try await reply.value == index * 10) }
        let batches = log.batches.withLock { $0 }
        #expect(batches.map(\.count) == [1, 256, 44])
        #expect(batches.first == [-1])
        #expect(batches.dropFirst().flatMap { $0 } == Array(0..<300), "each batch in arrival order")
        #expect(lanes.stats == LaneStats(batches: 3, requests: 301, largestBatch: 256))
        #expect(lanes.queued(key: "k") == 0)
    }

    @Test("a lane under racing submitters: every request answered with its own result, batches never overlap")
    func laneRace() async throws {
        let running = Mutex(0)
        let overlapped = Mutex(false)
        let lanes = Lanes<Int, Int>(maxBatch: 16) { _, items in
            let before = running.withLock { count in
                count += 1
                return count
            }
            if before > 1 { overlapped.withLock { $0 = true } }
            await Task.yield()
            running.withLock { $0 -= 1 }
            return items.map { .success($0 * 10) }
        }
        let answers = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for index in 0..<500 { group.addTask { (index, try await lanes.submit(key: "k", index)) } }
            return try await group.reduce(into: [Int: Int]()) { $0[$1.0] = $1.1 }
        }
        #expect(answers == Dictionary(uniqueKeysWithValues: (0..<500).map { ($0, $0 * 10) }))
        #expect(!overlapped.withLock { $0 }, "two batches of one key at once")
        #expect(lanes.stats.requests == 500)
        #expect(lanes.stats.largestBatch <= 16)
        #expect(lanes.queued(key: "k") == 0)
    }

    @Test("a NOTIFY payload of this instance's own events is skipped undecoded; another instance's is read")
    func ownPayloadsSkipped() {
        let mine = NewID.make(), theirs = NewID.make()
        func events(_ origin: String, _ count: Int) -> [CheckinEvent] {
            (0..<count).map { index in
                CheckinEvent(
                    organizationId: NewID.make(), sessionId: NewID.make(), bookingId: "booking-\(index)", kind: .checkedIn,
                    at: Date(timeIntervalSince1970: 1_795_000_000 + Double(index)), origin: origin)
            }
        }
        for count in [1, 3] {
            for payload in CheckinEventBus.payloads(events(mine, count)) {
                #expect(CheckinEventBus.foreignEvents(inPayload: payload, instance: mine).isEmpty)
            }
            let others = events(theirs, count)
            #expect(CheckinEventBus.payloads(others).flatMap { CheckinEventBus.foreignEvents(inPayload: $0, instance: mine) } == others)
        }
    }

    @Test("NOTIFY payloads: events in as few payloads as fit 8000 bytes; arrays and single events both decode")
    func payloads() throws {
        let events = (0..<300).map { index in
            CheckinEvent(
                organizationId: NewID.make(), sessionId: NewID.make(), bookingId: "booking-\(index)", kind: .checkedIn,
                at: Date(timeIntervalSince1970: 1_795_000_000 + Double(index)), origin: "instance")
        }
        let payloads = CheckinEventBus.payloads(events)
        #expect(payloads.count > 1)
        #expect(payloads.allSatisfy { $0.utf8.count < 8000 })
        #expect(payloads.flatMap(CheckinEventBus.events(fromPayload:)) == events)
        // Full chunks: no payload could have taken the next one's first event.
        for (payload, next) in zip(payloads, payloads.dropFirst()) {
            let first = CheckinEventBus.events(fromPayload: next)[0]
            let grown = CheckinEventBus.payloads(CheckinEventBus.events(fromPayload: payload) + [first])
            #expect(grown.count == 2)
        }
        // At the edge: two events fit in exactly their size, not in one byte less.
        let pair = Array(events.prefix(2))
        let exact = CheckinEventBus.payloads(pair)[0].utf8.count
        #expect(CheckinEventBus.payloads(pair, limit: exact).count == 1)
        #expect(CheckinEventBus.payloads(pair, limit: exact - 1).count == 2)
        // One event is sent as itself, which an instance from before batching reads; its payload decodes here too.
        let single = try #require(CheckinEventBus.payloads([events[0]]).first)
        #expect(single.hasPrefix("{"))
        let old = String(decoding: try JSONEncoder.events.encode(events[1]), as: UTF8.self)
        #expect(CheckinEventBus.events(fromPayload: old) == [events[1]])
        #expect(CheckinEventBus.events(fromPayload: single) == [events[0]])
        #expect(CheckinEventBus.events(fromPayload: "not json").isEmpty)
        #expect(CheckinEventBus.events(fromPayload: "[1, 2]").isEmpty)
        #expect(CheckinEventBus.payloads([]).isEmpty)
    }

    @Test("an event's payload is written straight into bytes and reads back as the same event, whatever it carries")
    func payloadJSON() throws {
        let events = [
            CheckinEvent(
                organizationId: "org", sessionId: "s", bookingId: "b", kind: .checkedIn,
                at: Date(timeIntervalSince1970: 1_795_000_000.123_456), origin: "i", shownName: #"Zoë "Z" O'Hara\ /"#,
                checkedInAt: Date(timeIntervalSince1970: 1_795_000_000.5)),
            CheckinEvent(
                organizationId: "org", sessionId: "", bookingId: "", kind: .displayChanged,
                at: Date(timeIntervalSince1970: 1_795_000_123.25),
                displayId: "d-1"),
            CheckinEvent(
                organizationId: "o\u{1}", sessionId: "s", bookingId: "b", kind: .noShow, at: Date(timeIntervalSince1970: 0)),
            CheckinEvent(organizationId: "o", sessionId: "s", bookingId: "b", kind: .undone, at: Date(timeIntervalSince1970: -1.25)),
        ]
        for event in events {
            let payload = String(decoding: event.payloadJSON, as: UTF8.self)
            #expect(CheckinEventBus.events(fromPayload: payload) == [event], "\(payload)")
            #expect(try JSONDecoder.events.decode(CheckinEvent.self, from: Data(event.payloadJSON)) == event)
        }
        #expect(CheckinEventBus.payloads(events).flatMap(CheckinEventBus.events(fromPayload:)) == events)
        // An instant of the clock's own precision reads back as Foundation's encoder's did.
        let now = CheckinEvent(organizationId: "o", sessionId: "s", bookingId: "b", kind: .checkedIn, at: Date(), checkedInAt: Date())
        let foundation = try JSONDecoder.events.decode(CheckinEvent.self, from: try JSONEncoder.events.encode(now))
        #expect(try JSONDecoder.events.decode(CheckinEvent.self, from: Data(now.payloadJSON)) == foundation)
    }
}

extension JSONEncoder {
    /// How events were encoded before `CheckinEvent.payloadJSON` (and how instances from before it
    /// still encode theirs): what the payloads must stay readable alongside.
    static var events: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }
}

/// The batches a test's lane performed, in order.
final class BatchLog: Sendable {
    let batches = Mutex<[[Int]]>([])
}
