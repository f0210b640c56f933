import Foundation
import FrontdeskCore
import FrontdeskStore
import Testing

/// Bulk operations and audit batches (SPEC §8). scripts/test.sh runs the suite under TZ=Asia/Kolkata
/// (SQLite) and TZ=UTC (PostgreSQL), so the org-local matching below holds whatever the host zone is.
@Suite("Bulk operations")
struct BulkOperationsTests {
    /// A second program, class type and location beside the studio's own, and five sessions in the
    /// week of Monday 2026-11-23 (Berlin, UTC+1) and the Monday after.
    struct Week {
        let studio: StudioFixture
        let strengthProgram: String
        let barbell: String
        let garden: String
        /// Mon 18:00 Vinyasa Loft published, Tue 07:00 Vinyasa Garden draft, Wed 18:00 Barbell Loft
        /// published, Sat 18:00 Barbell Garden draft, next Mon 18:00 Vinyasa Loft published.
        let a, b, c, d, e: String
    }

    static func week(_ app: TestApp) async throws -> Week {
        let studio = try await app.studio()
        let base = "/api/orgs/\(studio.orgId)"
        let strength = try #require(
            try await app.request(.post, "\(base)/programs", token: studio.ownerToken, body: ["name": "Strength"]).string("id"))
        let barbell = try #require(
            try await app.request(
                .post, "\(base)/class-types", token: studio.ownerToken,
                body: [
                    "programId": strength, "name": "Barbell", "defaultCapacity": 10, "defaultDurationMin": 60,
                ]
            ).string("id"))
        let garden = try #require(
            try await app.request(.post, "\(base)/locations", token: studio.ownerToken, body: ["name": "Garden"]).string("id"))
        func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
        let a = try await app.session(studio, startsAt: at("2026-11-23T17:00:00Z"), extra: ["locationId": studio.locationId])
        let b = try await app.session(studio, startsAt: at("2026-11-24T06:00:00Z"), publish: false, extra: ["locationId": garden])
        let c = try await app.session(
            studio, startsAt: at("2026-11-25T17:00:00Z"), classTypeId: barbell, extra: ["locationId": studio.locationId])
        let d = try await app.session(
            studio, startsAt: at("2026-11-28T17:00:00Z"), classTypeId: barbell, publish: false, extra: ["locationId": garden])
        let e = try await app.session(studio, startsAt: at("2026-11-30T17:00:00Z"), extra: ["locationId": studio.locationId])
        return Week(studio: studio, strengthProgram: strength, barbell: barbell, garden: garden, a: a, b: b, c: c, d: d, e: e)
    }

    static func preview(
        _ app: TestApp, _ studio: StudioFixture, _ filter: [String: any Sendable], token: String? = nil
    ) async throws -> Reply {
        try await app.request(
            .post, "/api/orgs/\(studio.orgId)/sessions/bulk/preview", token: token ?? studio.ownerToken, body: ["filter": filter])
    }

    static func sessionIds(_ reply: Reply) -> [String] {
        (reply["sessions"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    static func execute(
        _ app: TestApp, _ studio: StudioFixture, _ action: String, _ filter: [String: any Sendable],
        fingerprint: String?, extra: [String: any Sendable] = [:]
    ) async throws -> Reply {
        var body: [String: any Sendable] = ["filter": filter, "confirm": true]
        if let fingerprint { body["fingerprint"] = fingerprint }
        for (key, value) in extra { body[key] = value }
        return try await app.request(.post, "/api/orgs/\(studio.orgId)/sessions/bulk/\(action)", token: studio.ownerToken, body: body)
    }

    /// Preview then run `action` with the preview's fingerprint.
    static func run(
        _ app: TestApp, _ studio: StudioFixture, _ action: String, _ filter: [String: any Sendable],
        extra: [String: any Sendable] = [:]
    ) async throws -> Reply {
        let preview = try await Self.preview(app, studio, filter)
        try #require(preview.status == 200, "\(preview.text)")
        return try await execute(app, studio, action, filter, fingerprint: preview.string("fingerprint"), extra: extra)
    }

    @Test("each filter field alone and all of them combined")
    func filters() async throws {
        try await TestApp.run { app in
            let w = try await Self.week(app)
            let other = try await app.studio()
            _ = try await app.session(other, startsAt: ISO8601DateFormatter().date(from: "2026-11-23T17:00:00Z")!)
            let cases: [(String, [String: any Sendable], Set<String>)] = [
                ("program", ["programId": w.studio.programId], [w.a, w.b, w.e]),
                ("class type", ["classTypeId": w.barbell], [w.c, w.d]),
                ("location", ["locationId": w.studio.locationId], [w.a, w.c, w.e]),
                ("dates", ["from": "2026-11-24", "to": "2026-11-28"], [w.b, w.c, w.d]),
                ("one day", ["from": "2026-11-23", "to": "2026-11-23"], [w.a]),
                ("days of week", ["daysOfWeek": [1]], [w.a, w.e]),
                ("start times", ["startTimes": ["18:00"]], [w.a, w.c, w.d, w.e]),
                ("status", ["status": "draft"], [w.b, w.d]),
                ("statuses", ["status": ["draft", "published"]], [w.a, w.b, w.c, w.d, w.e]),
                (
                    "combined",
                    [
                        "programId": w.studio.programId, "locationId": w.studio.locationId, "from": "2026-11-23", "to": "2026-11-29",
                        "daysOfWeek": [1, 3], "startTimes": ["18:00", "07:00"], "status": ["published"],
                    ], [w.a]
                ),
            ]
            for (name, filter, expected) in cases {
                let reply = try await Self.preview(app, w.studio, filter)
                #expect(reply.status == 200, "\(name): \(reply.text)")
                #expect(Set(Self.sessionIds(reply)) == expected, "\(name)")
                #expect((reply["totals"] as? [String: Any])?["sessions"] as? Int == expected.count, "\(name)")
            }
            let mondays = try await Self.preview(app, w.studio, ["daysOfWeek": [1]])
            let first = try #require((mondays["sessions"] as? [[String: Any]])?.first)
            #expect(first["localDate"] as? String == "2026-11-23" && first["localTime"] as? String == "18:00")
            #expect(first["className"] as? String == "Vinyasa" && first["status"] as? String == "published")
        }
    }

    @Test("start times match the org-local wall clock on each side of a DST change")
    func startTimesAcrossDST() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
            // Berlin springs forward on Sunday 2027-03-28: 18:00 is 17:00Z before and 16:00Z from then on.
            let evening = [at("2027-03-26T17:00:00Z"), at("2027-03-27T17:00:00Z"), at("2027-03-28T16:00:00Z"), at("2027-03-29T16:00:00Z")]
            var expected: [String] = []
            for start in evening { expected.append(try await app.session(studio, startsAt: start)) }
            // Same UTC time of day as an 18:00 on the other side of the change: 17:00 and 19:00 local.
            let decoys = [at("2027-03-27T16:00:00Z"), at("2027-03-29T17:00:00Z")]
            for start in decoys { _ = try await app.session(studio, startsAt: start) }

            let reply = try await Self.preview(app, studio, ["from": "2027-03-26", "to": "2027-03-29", "startTimes": ["18:00"]])
            #expect(reply.status == 200, "\(reply.text)")
            #expect(Self.sessionIds(reply) == expected)
            let times = (reply["sessions"] as? [[String: Any]] ?? []).compactMap { $0["localTime"] as? String }
            #expect(times == ["18:00", "18:00", "18:00", "18:00"])
            let sunday = try await Self.preview(app, studio, ["from": "2027-03-26", "to": "2027-03-29", "daysOfWeek": [7]])
            #expect(Self.sessionIds(sunday) == [expected[2]])
            let decoyTimes = try await Self.preview(
                app, studio, ["from": "2027-03-26", "to": "2027-03-29", "startTimes": ["17:00", "19:00"]])
            #expect(Self.sessionIds(decoyTimes).count == 2)
        }
    }

    @Test("owner/admin only; other orgs' ids are 404; bad filters are 400 and change nothing")
    func accessAndValidation() async throws {
        try await TestApp.run { app in
            let w = try await Self.week(app)
            let coach = try await app.member(w.studio.orgId, ownerToken: w.studio.ownerToken, role: "coach")
            let admin = try await app.member(w.studio.orgId, ownerToken: w.studio.ownerToken, role: "admin")
            let base = "/api/orgs/\(w.studio.orgId)"
            #expect(try await Self.preview(app, w.studio, ["status": "draft"], token: coach.token).status == 403)
            #expect(
                try await app.request(
                    .post, "\(base)/sessions/bulk/delete", token: coach.token,
                    body: ["filter": ["status": "draft"], "confirm": true, "fingerprint": "x"]
                ).status == 403)
            #expect(try await app.request(.get, "\(base)/audit/batches", token: coach.token).status == 403)
            #expect(try await Self.preview(app, w.studio, ["status": "draft"], token: admin.token).status == 200)

            let other = try await app.studio()
            for field in ["programId", "classTypeId", "locationId"] {
                let id = field == "programId" ? other.programId : field == "classTypeId" ? other.classTypeId : other.locationId
                let reply = try await Self.preview(app, w.studio, [field: id])
                #expect(reply.status == 404, "\(field)")
            }
            #expect(try await Self.preview(app, w.studio, ["status": "draft"], token: other.ownerToken).status == 404)

            let bad: [(String, String)] = [
                ("{\"filter\": {}}", "empty_filter"),
                ("{\"filter\": {\"from\": \"2026-13-01\"}}", "invalid_field"),
                ("{\"filter\": {\"from\": \"2026-11-28\", \"to\": \"2026-11-23\"}}", "invalid_field"),
                ("{\"filter\": {\"from\": \"2026-01-01\", \"to\": \"2029-01-01\"}}", "invalid_field"),
                ("{\"filter\": {\"daysOfWeek\": [8]}}", "invalid_field"),
                ("{\"filter\": {\"daysOfWeek\": []}}", "invalid_field"),
                ("{\"filter\": {\"startTimes\": [\"25:00\"]}}", "invalid_field"),
                ("{\"filter\": {\"startTimes\": [\"6:30\"]}}", "invalid_field"),
                ("{\"filter\": {\"programId\": \"nope\"}}", "invalid_field"),
            ]
            for (json, code) in bad {
                let reply = try await app.request(.post, "\(base)/sessions/bulk/preview", token: w.studio.ownerToken, json: json)
                #expect(reply.status == 400 && reply.errorCode == code, "\(json): \(reply.text)")
            }
            for json in ["{\"filter\": {\"status\": \"bogus\"}}", "{\"filter\": {\"daysOfWeek\": \"monday\"}}", "{\"filter\": ", "{}"] {
                #expect(
                    try await app.request(.post, "\(base)/sessions/bulk/preview", token: w.studio.ownerToken, json: json).status == 400,
                    "\(json)")
            }
            let preview = try await Self.preview(app, w.studio, ["status": "draft"])
            let fingerprint = try #require(preview.string("fingerprint"))
            let noConfirm = try await app.request(
                .post, "\(base)/sessions/bulk/delete", token: w.studio.ownerToken,
                body: ["filter": ["status": "draft"], "fingerprint": fingerprint])
            #expect(noConfirm.status == 400 && noConfirm.errorCode == "confirmation_required")
            let noFingerprint = try await Self.execute(app, w.studio, "delete", ["status": "draft"], fingerprint: nil)
            #expect(noFingerprint.status == 400 && noFingerprint.errorCode == "fingerprint_required")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE deleted_at IS NOT NULL") == 0)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM audit_logs WHERE batch_id IS NOT NULL") == 0)
        }
    }

    @Test("a batch over the configured maximum is refused with a clear message")
    func maximum() async throws {
        try await TestApp.run(configure: { $0.bulkMaxSessions = 3 }) { app in
            let w = try await Self.week(app)
            let reply = try await Self.preview(app, w.studio, ["startTimes": ["18:00"]])
            #expect(reply.status == 400 && reply.errorCode == "batch_too_large")
            #expect(reply.errorMessage?.contains("4 classes") == true && reply.errorMessage?.contains("at most 3") == true)
            #expect(try await Self.preview(app, w.studio, ["startTimes": ["18:00"], "classTypeId": w.barbell]).status == 200)
        }
    }

    @Test("execution must match the preview: a booking since answers 409 with the new preview and changes nothing")
    func fingerprintMismatch() async throws {
        try await TestApp.run { app in
            let w = try await Self.week(app)
            let filter: [String: any Sendable] = ["locationId": w.studio.locationId]
            let before = try await Self.preview(app, w.studio, filter)
            let old = try #require(before.string("fingerprint"))
            let member = try await app.quickMembers(w.studio.orgId, count: 1)[0]
            #expect(try await app.book(w.a, token: member.token).status == 201)

            let refused = try await Self.execute(app, w.studio, "delete", filter, fingerprint: old)
            #expect(refused.status == 409 && refused.errorCode == "preview_changed")
            let fresh = try #require(refused["preview"] as? [String: Any])
            let newFingerprint = try #require(fresh["fingerprint"] as? String)
            #expect(newFingerprint != old)
            #expect((fresh["totals"] as? [String: Any])?["confirmed"] as? Int == 1)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE deleted_at IS NOT NULL") == 0)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM audit_logs WHERE batch_id IS NOT NULL") == 0)
            #expect(try await Self.execute(app, w.studio, "delete", filter, fingerprint: "0123").errorCode == "preview_changed")

            let done = try await Self.execute(app, w.studio, "delete", filter, fingerprint: newFingerprint)
            #expect(done.status == 200, "\(done.text)")
            #expect(done["changedSessions"] as? Int == 3)
        }
    }

    @Test("delete: soft, cancels bookings with refunds and class-cancelled e-mails, one audit row with the full payload")
    func deleteRefundsAndAudits() async throws {
        try await TestApp.run { app in
            let w = try await Self.week(app)
            let members = try await app.quickMembers(w.studio.orgId, count: 3)
            // Two credits already taken from a five-credit pack for two charged bookings.
            let subscription = try await app.insertSubscription(org: w.studio.orgId, membership: members[0].membershipId, credits: 3)
            for session in [w.a, w.c] {
                try await app.insertBooking(
                    session: session, membership: members[0].membershipId, status: "confirmed",
                    subscription: subscription, charged: true)
            }
            try await app.insertBooking(session: w.a, membership: members[1].membershipId, status: "confirmed")
            try await app.insertBooking(session: w.c, membership: members[2].membershipId, status: "waitlisted", position: 1)
            try await app.services.database.transaction { sql in
                try await sql.raw(
                    """
                    INSERT INTO credit_ledger (id, organization_id, subscription_id, kind, amount, created_at, seq)
                    VALUES (\(bind: NewID.make()), \(bind: w.studio.orgId), \(bind: subscription), 'adjustment', 0, 0, 1)
                    """
                ).run()
            }

            let filter: [String: any Sendable] = ["locationId": w.studio.locationId, "from": "2026-11-23", "to": "2026-11-29"]
            let preview = try await Self.preview(app, w.studio, filter)
            let totals = try #require(preview["totals"] as? [String: Any])
            #expect(totals["sessions"] as? Int == 2 && totals["confirmed"] as? Int == 3 && totals["waitlisted"] as? Int == 1)
            let perSession = (preview["sessions"] as? [[String: Any]] ?? []).map {
                ($0["confirmed"] as? Int ?? -1, $0["waitlisted"] as? Int ?? -1)
            }
            #expect(perSession.map(\.0) == [2, 1] && perSession.map(\.1) == [0, 1])

            let reply = try await Self.execute(app, w.studio, "delete", filter, fingerprint: preview.string("fingerprint"))
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply["cancelledBookings"] as? Int == 4 && reply["refundedCredits"] as? Int == 2)
            let batchId = try #require(reply.string("batchId"))
            #expect(Set(reply["sessionIds"] as? [String] ?? []) == [w.a, w.c])

            #expect(try await app.request(.get, "/api/sessions/\(w.a)", token: w.studio.ownerToken).status == 404)
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE id IN ('\(w.a)', '\(w.c)') AND deleted_at IS NOT NULL")
                    == 2)
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE session_id IN ('\(w.a)', '\(w.c)') AND status = 'cancelled'")
                    == 4)
            #expect(try await app.count("SELECT credits_remaining AS n FROM subscriptions WHERE id = '\(subscription)'") == 5)
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM credit_ledger WHERE subscription_id = '\(subscription)' AND kind = 'refund'")
                    == 2)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM notification_outbox WHERE template = 'class_cancelled'") == 4)
            // Rows built in the database: well-formed distinct ids, ledger numbered after the last entry, JSON payloads.
            let (ledger, outbox) = try await app.services.database.read { sql in
                let ledger = try await sql.raw(
                    """
                    SELECT id, seq FROM credit_ledger WHERE subscription_id = \(bind: subscription) AND kind = 'refund' ORDER BY seq
                    """
                ).all().map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "seq", as: Int.self)) }
                let outbox = try await sql.raw("SELECT id, payload FROM notification_outbox WHERE template = 'class_cancelled'").all()
                    .map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "payload", as: String.self)) }
                return (ledger, outbox)
            }
            #expect(ledger.map(\.1) == [2, 3])
            let ids = ledger.map(\.0) + outbox.map(\.0)
            #expect(ids.allSatisfy(NewID.isWellFormed) && Set(ids).count == ids.count, "\(ids)")
            let payloadSessions = try outbox.map { try JSONDecoder().decode([String: String].self, from: Data($0.1.utf8))["sessionId"] }
            #expect(Set(payloadSessions.compactMap { $0 }) == [w.a, w.c] && payloadSessions.count == 4)

            #expect(try await app.count("SELECT COUNT(*) AS n FROM audit_logs WHERE batch_id = '\(batchId)'") == 1)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM audit_logs WHERE batch_id IS NOT NULL") == 1)
            let payload = try await app.services.database.read { sql in
                try await sql.raw("SELECT payload, action FROM audit_logs WHERE batch_id = \(bind: batchId)").first()!
                    .decode(column: "payload", as: String.self)
            }
            let stored = try JSONDecoder().decode(BulkBatchPayload.self, from: Data(payload.utf8))
            #expect(
                stored.action == "delete" && Set(stored.sessionIds) == [w.a, w.c] && stored.cancelledBookings == 4
                    && stored.refundedCredits == 2)
            #expect(stored.filter == BulkFilter(locationId: w.studio.locationId, from: "2026-11-23", to: "2026-11-29"))
            #expect(stored.fingerprint == preview.string("fingerprint"))

            let shown = try await app.request(.get, "/api/orgs/\(w.studio.orgId)/audit/batches/\(batchId)", token: w.studio.ownerToken)
            #expect(shown.status == 200 && shown.string("action") == "sessions.bulk_delete")
            #expect(((shown["payload"] as? [String: Any])?["sessionIds"] as? [String])?.count == 2)
            let other = try await app.studio()
            #expect(try await app.request(.get, "/api/orgs/\(other.orgId)/audit/batches/\(batchId)", token: other.ownerToken).status == 404)
        }
    }

    @Test("publish takes drafts and skips the rest; cancel takes published sessions with the reason")
    func publishAndCancel() async throws {
        try await TestApp.run { app in
            let w = try await Self.week(app)
            let publish = try await Self.run(app, w.studio, "publish", ["from": "2026-11-23", "to": "2026-11-29"])
            #expect(publish.status == 200, "\(publish.text)")
            #expect(publish["changedSessions"] as? Int == 2 && publish["skippedSessions"] as? Int == 2)
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE id IN ('\(w.b)', '\(w.d)') AND status = 'published'")
                    == 2)

            let member = try await app.quickMembers(w.studio.orgId, count: 1)[0]
            #expect(try await app.book(w.d, token: member.token).status == 201)
            let cancel = try await Self.run(app, w.studio, "cancel", ["classTypeId": w.barbell], extra: ["reason": "Coach is ill"])
            #expect(cancel.status == 200, "\(cancel.text)")
            #expect(cancel["changedSessions"] as? Int == 2 && cancel["cancelledBookings"] as? Int == 1)
            #expect(
                try await app.count(
                    "SELECT COUNT(*) AS n FROM class_sessions WHERE cancel_reason = 'Coach is ill' AND status = 'cancelled'") == 2)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM notification_outbox WHERE template = 'class_cancelled'") == 1)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM audit_logs WHERE batch_id IS NOT NULL") == 2)
        }
    }

    @Test("undo restores a bulk delete or publish, once, and is refused after a booking, for a cancel, or when changed")
    func undo() async throws {
        try await TestApp.run { app in
            let w = try await Self.week(app)
            let base = "/api/orgs/\(w.studio.orgId)/audit/batches"
            let deleted = try await Self.run(app, w.studio, "delete", ["status": "draft"])
            let deleteBatch = try #require(deleted.string("batchId"))
            app.clock.advance(by: 60)
            let undone = try await app.request(.post, "\(base)/\(deleteBatch)/undo", token: w.studio.ownerToken)
            #expect(undone.status == 200, "\(undone.text)")
            #expect(undone.string("action") == "sessions.bulk_undo")
            #expect(try await app.request(.get, "/api/sessions/\(w.b)", token: w.studio.ownerToken).status == 200)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE deleted_at IS NOT NULL") == 0)
            let again = try await app.request(.post, "\(base)/\(deleteBatch)/undo", token: w.studio.ownerToken)
            #expect(again.status == 409 && again.errorCode == "already_undone")
            app.clock.advance(by: 60)

            let published = try await Self.run(app, w.studio, "publish", ["status": "draft"])
            let publishBatch = try #require(published.string("batchId"))
            app.clock.advance(by: 60)
            let member = try await app.quickMembers(w.studio.orgId, count: 1)[0]
            #expect(try await app.book(w.b, token: member.token).status == 201)
            let booked = try await app.request(.post, "\(base)/\(publishBatch)/undo", token: w.studio.ownerToken)
            #expect(booked.status == 409 && booked.errorCode == "booked_since")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE id = '\(w.b)' AND status = 'published'") == 1)

            let cancelled = try await Self.run(app, w.studio, "cancel", ["classTypeId": w.barbell])
            let cancelBatch = try #require(cancelled.string("batchId"))
            app.clock.advance(by: 60)
            #expect(
                try await app.request(.post, "\(base)/\(cancelBatch)/undo", token: w.studio.ownerToken).errorCode == "undo_not_supported")

            // A publish whose sessions were cancelled since cannot be undone as a whole.
            let changedPublish = try await app.request(.post, "\(base)/\(publishBatch)/undo", token: w.studio.ownerToken)
            #expect(changedPublish.status == 409)

            let clean = try await Self.run(app, w.studio, "delete", ["daysOfWeek": [1]])
            let cleanBatch = try #require(clean.string("batchId"))
            try await app.services.database.transaction { sql in
                try await sql.raw("UPDATE class_sessions SET deleted_at = NULL WHERE id = \(bind: w.e)").run()
            }
            let changed = try await app.request(.post, "\(base)/\(cleanBatch)/undo", token: w.studio.ownerToken)
            #expect(changed.status == 409 && changed.errorCode == "changed_since")

            // Every batch and the undo are listed, newest first, with the undo marked; paging works.
            let list = try await app.request(.get, "\(base)?limit=2", token: w.studio.ownerToken)
            #expect(list.status == 200)
            let firstPage = list["items"] as? [[String: Any]] ?? []
            #expect(firstPage.count == 2)
            let next = try #require(list.string("nextCursor"))
            let rest = try await app.request(.get, "\(base)?limit=10&cursor=\(next)", token: w.studio.ownerToken)
            let all = firstPage + (rest["items"] as? [[String: Any]] ?? [])
            #expect(
                all.compactMap { $0["action"] as? String } == [
                    "sessions.bulk_delete", "sessions.bulk_cancel", "sessions.bulk_publish", "sessions.bulk_undo", "sessions.bulk_delete",
                ])
            #expect(all.last?["undoneBy"] as? String == undone.string("batchId"))
            #expect(rest.string("nextCursor") == nil)
            #expect(try await app.request(.get, "\(base)?cursor=bogus", token: w.studio.ownerToken).errorCode == "invalid_cursor")
            #expect(try await app.request(.post, "\(base)/\(NewID.make())/undo", token: w.studio.ownerToken).status == 404)
        }
    }

    @Test("the admin page lists batches with their effect and undoes one; coaches and members are refused")
    func adminPage() async throws {
        try await TestApp.run { app in
            let w = try await Self.week(app)
            let owner = Browser(app: app, token: w.studio.ownerToken)
            let empty = try await owner.get("/admin/batches")
            #expect(empty.status == 200 && empty.has("id=\"no-batches\""))

            let member = try await app.quickMembers(w.studio.orgId, count: 1)[0]
            try await app.insertBooking(session: w.a, membership: member.membershipId, status: "confirmed")
            let deleted = try await Self.run(app, w.studio, "delete", ["daysOfWeek": [1], "startTimes": ["18:00"]])
            let batch = try #require(deleted.string("batchId"))
            let page = try await owner.get("/admin/batches?org=\(w.studio.orgId)")
            #expect(page.status == 200, "\(page.text)")
            #expect(page.has("data-batch-id=\"\(batch)\""))
            #expect(page.has("Deleted 2 classes") && page.has("Matched: Mon · 18:00") && page.has("1 booking cancelled"))
            #expect(page.has("action=\"/admin/batches/undo\""))

            let undone = try await owner.post("/admin/batches/undo", ["org": w.studio.orgId, "batch": batch])
            #expect(undone.status == 303 && undone.location?.hasSuffix("done=undone") == true)
            let after = try await owner.get(try #require(undone.location))
            #expect(after.element("flash") == "Batch undone.")
            #expect(after.has("Undid a batch: 2 classes restored") && after.has(">Undone</p>"))
            let again = try await owner.post("/admin/batches/undo", ["org": w.studio.orgId, "batch": batch])
            #expect(again.status == 409 && again.element("flash")?.contains("undone already") == true)
            #expect(try await owner.post("/admin/batches/undo", ["org": w.studio.orgId, "batch": batch], csrf: "forged").status == 403)

            let coach = try await app.member(w.studio.orgId, ownerToken: w.studio.ownerToken, role: "coach")
            let refused = try await Browser(app: app, token: coach.token).get("/admin/batches")
            #expect(refused.status == 403 && !refused.has(batch))
            let coachUndo = try await Browser(app: app, token: coach.token).post(
                "/admin/batches/undo", ["org": w.studio.orgId, "batch": batch])
            #expect(coachUndo.status == 403)
            let guest = try await Browser(app: app, token: nil).get("/admin/batches")
            #expect(guest.status == 200 && guest.has("id=\"login-form\""))
        }
    }

    @Test("a bulk delete racing members booking its classes leaves no active booking on a deleted class")
    func raceWithBookings() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            var sessions: [String] = []
            for day in 1...4 {
                sessions.append(
                    try await app.session(
                        studio, startsAt: app.clock.now().addingTimeInterval(Double(day) * 86_400),
                        extra: ["capacity": 3]))
            }
            let members = try await app.quickMembers(studio.orgId, count: 24)
            let classes = sessions
            let filter: [String: any Sendable] = ["classTypeId": studio.classTypeId]
            let outcome = try await withThrowingTaskGroup(of: Int?.self) { group in
                for (index, member) in members.enumerated() {
                    group.addTask {
                        let status = try await app.book(classes[index % classes.count], token: member.token).status
                        #expect([201, 404].contains(status), "booking answered \(status)")
                        return nil
                    }
                }
                group.addTask {
                    // Preview and execute until the set holds still long enough.
                    for attempt in 1...50 {
                        let reply = try await Self.run(app, studio, "delete", filter)
                        if reply.status == 200 { return attempt }
                        #expect(reply.status == 409, "\(reply.text)")
                        await Task.yield()
                    }
                    return nil
                }
                var attempts: Int?
                for try await result in group { if let result { attempts = result } }
                return attempts
            }
            #expect(outcome != nil, "the delete never went through")
            let list = sessions.map { "'\($0)'" }.joined(separator: ", ")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM class_sessions WHERE id IN (\(list)) AND deleted_at IS NULL") == 0)
            #expect(
                try await app.count(
                    """
                    SELECT COUNT(*) AS n FROM bookings WHERE session_id IN (\(list)) AND status IN ('confirmed', 'waitlisted', 'attended')
                    """) == 0)
            let cancelled = try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE session_id IN (\(list)) AND status = 'cancelled'")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM notification_outbox WHERE template = 'class_cancelled'") == cancelled)
        }
    }
}
