import Foundation
import FrontdeskCore
import FrontdeskFixtures
import FrontdeskTestSupport
import SQLKit
import Testing

@testable import FrontdeskStore

/// A lane's batch writes its bookings, messages and idempotency records as one array per column on
/// PostgreSQL (`unnest`, one text for every batch size, so prepared once per connection) and as
/// `VALUES` rows on SQLite: the same rows either way, NULLs included.
@Suite("A batch's inserts as arrays")
struct BatchInsertArraysTests {
    @Test("an array bind with NULL elements reads back element by element, NULLs, quotes and braces as they were")
    func nullableArray() async throws {
        guard TestBackend.current == .postgres else { return }
        try await withTestDatabase(migrate: false) { database in
            let texts: [String?] = [nil, "a", "it's, {b}", nil, ""]
            let numbers: [Int?] = [3, nil, -1]
            try await database.read { sql in
                let readTexts = try await sql.raw(
                    "SELECT t FROM unnest(\(bind: PostgresNullableArray(texts))::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n"
                ).all().map { try $0.decodeNil(column: "t") ? nil : $0.decode(column: "t", as: String.self) }
                #expect(readTexts == texts)
                let readNumbers = try await sql.raw(
                    "SELECT v FROM unnest(\(bind: PostgresNullableArray(numbers))::integer[]) WITH ORDINALITY AS u(v, n) ORDER BY n"
                ).all().map { try $0.decodeNil(column: "v") ? nil : $0.decode(column: "v", as: Int.self) }
                #expect(readNumbers == numbers)
                let none = try await sql.raw("SELECT cardinality(\(bind: PostgresNullableArray([String?]()))::text[]) AS n").first()
                #expect(try none?.decode(column: "n", as: Int.self) == 0)
            }
        }
    }

    static func bookings(_ fixture: RushFixture, members: [String], now: Date) -> [(booking: Booking, bookedBy: String)] {
        members.enumerated().map { index, member in
            let booking = Booking(
                id: NewID.make(), organizationId: fixture.organizationId, sessionId: fixture.sessionId, membershipId: member,
                subscriptionId: nil, status: index == 0 ? .confirmed : .waitlisted, waitlistPosition: index == 0 ? nil : index,
                creditCharged: false, lateCancel: false, capacityOverride: index == 2, checkedInAt: nil, checkinMethod: nil,
                cancelledAt: nil, createdAt: now, updatedAt: now)
            return (booking, member)
        }
    }

    @Test("bookings, messages and idempotency records of a batch are stored alike on both databases; on PostgreSQL one text for any size")
    func storedAlike() async throws {
        try await withTestDatabase { database in
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let fixture = try await RushFixture.create(database: database, members: 3, capacity: 1, now: now, booked: false)
            let members = try await database.read { sql in
                try await sql.raw(
                    "SELECT id, user_id FROM memberships WHERE organization_id = \(bind: fixture.organizationId) AND role = 'member' ORDER BY id"
                ).all().map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "user_id", as: String.self)) }
            }
            #expect(members.count == 3)
            let rows = Self.bookings(fixture, members: members.map(\.0), now: now)
            let messages = [
                OutboxMessage(
                    organizationId: fixture.organizationId, userId: members[0].1, channel: "email", template: "booking_confirmed",
                    payload: ["bookingId": rows[0].booking.id, "quote": "it's \"x\""], dedupeKey: "test:1"),
                OutboxMessage(
                    organizationId: nil, userId: nil, recipientEmail: "new@example.com", channel: "email", template: "account_invite",
                    payload: [:], dedupeKey: "test:2"),
            ]
            let keys: [(slot: IdempotencyRows.Slot, stored: IdempotencyRows.Stored, now: Date)] = [
                (.init(userId: members[1].1, key: "k-1"), .init(scope: "book", body: #"{"id":"1"}"#), now),
                (.init(userId: members[2].1, key: "k-2"), .init(scope: "book", body: "{}"), now),
            ]
            try await database.transaction { sql in
                try await BookingRows.insert(sql, rows)
                try await OutboxRows.insert(sql, messages, now: now)
                try await IdempotencyRows.store(sql, keys)
            }
            let stored = try await database.read { sql in
                try await sql.raw("SELECT * FROM bookings WHERE session_id = \(bind: fixture.sessionId) ORDER BY created_at, id").all()
                    .map(BookingRows.booking)
            }
            #expect(Set(stored.map(\.id)) == Set(rows.map(\.booking.id)))
            for (booking, _) in rows {
                let found = try #require(stored.first { $0.id == booking.id })
                #expect(found.status == booking.status && found.waitlistPosition == booking.waitlistPosition)
                #expect(found.subscriptionId == nil && found.capacityOverride == booking.capacityOverride)
                #expect(found.createdAt == booking.createdAt && !found.lateCancel)
            }
            let outbox = try await database.read { sql in
                try await sql.raw(
                    "SELECT organization_id, user_id, recipient_email, payload FROM notification_outbox WHERE dedupe_key LIKE 'test:%' ORDER BY dedupe_key"
                ).all()
            }
            #expect(outbox.count == 2)
            #expect(try outbox[0].decode(column: "user_id", as: String.self) == members[0].1)
            #expect(try outbox[0].decodeNil(column: "recipient_email"))
            let payload = try JSONDecoder().decode(
                [String: String].self, from: Data(try outbox[0].decode(column: "payload", as: String.self).utf8))
            #expect(payload == messages[0].payload)
            #expect(try outbox[1].decodeNil(column: "organization_id") && outbox[1].decodeNil(column: "user_id"))
            #expect(try outbox[1].decode(column: "recipient_email", as: String.self) == "new@example.com")
            let replays = try await database.read { sql in try await IdempotencyRows.stored(sql, keys: ["k-1", "k-2", "k-3"]) }
            #expect(replays.count == 2 && replays[.init(userId: members[1].1, key: "k-1")]?.body == #"{"id":"1"}"#)

            // The statements' texts: one for every size on PostgreSQL, a row of binds each on SQLite.
            let postgres = database.backend == .postgres
            let one = BookingRows.inserts(Array(rows.prefix(1)), postgres: postgres)
            let three = BookingRows.inserts(rows, postgres: postgres)
            let oneMessage = try OutboxRows.inserts(Array(messages.prefix(1)), now: now, postgres: postgres)
            let twoMessages = try OutboxRows.inserts(messages, now: now, postgres: postgres)
            let oneKey = IdempotencyRows.inserts(Array(keys.prefix(1)), postgres: postgres)
            let twoKeys = IdempotencyRows.inserts(keys, postgres: postgres)
            try await database.read { sql in
                for (small, large) in [(one, three), (oneMessage, twoMessages), (oneKey, twoKeys)] {
                    #expect(small.count == 1 && large.count == 1)
                    let (a, b) = (sql.serialize(small[0]), sql.serialize(large[0]))
                    #expect((a.sql == b.sql) == postgres)
                    #expect((a.binds.count == b.binds.count) == postgres)
                }
            }
            #expect(BookingRows.inserts([], postgres: postgres).isEmpty)
            #expect(try OutboxRows.inserts([], now: now, postgres: postgres).isEmpty)
        }
    }
}
