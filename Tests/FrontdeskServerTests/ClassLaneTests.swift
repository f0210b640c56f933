import Foundation
import FrontdeskCore
import FrontdeskStore
import FrontdeskTestSupport
import Testing

/// The booking lane's batches (group commit): requests queued together, of one class or several, are
/// decided in one transaction, each exactly as it would be alone and in arrival order, across batches
/// too; a database failure in the middle of a batch answers every request of it with 503 and changes
/// nothing.
@Suite("Class lanes")
struct ClassLaneTests {
    /// A member acting for themself, as a lane carries the request.
    struct Booker {
        let membershipId: String
        let token: String
        let actor: BookingActor
    }

    static func booker(_ app: TestApp, _ orgId: String, _ member: (token: String, membershipId: String)) async throws -> Booker {
        let summary = try #require(try await app.services.organizations.member(orgId: orgId, membershipId: member.membershipId))
        return Booker(
            membershipId: member.membershipId, token: member.token,
            actor: BookingActor(userId: summary.user.id, membershipId: member.membershipId, role: .member))
    }

    /// Two studios that take payments (so that plans with credits may be sold).
    static func twoStudios(_ app: TestApp) async throws -> (StudioFixture, StudioFixture) {
        let studios = (try await app.studio(), try await app.studio())
        for fixture in [studios.0, studios.1] {
            _ = try await app.request(.patch, "/api/orgs/\(fixture.orgId)", token: fixture.ownerToken, body: ["paymentProvider": "stripe"])
        }
        return studios
    }

    static func book(_ app: TestApp, _ org: Organization, _ session: String, _ who: Booker, key: String? = nil) -> ClassLaneRequest {
        .book(
            BookRequest(
                org: org, sessionId: session, membershipId: who.membershipId, actor: who.actor, overrideCapacity: false,
                idempotencyKey: key, now: app.clock.now()))
    }

    /// Waits for every reply (each bounded: a lane that never answers fails the test instead of hanging CI).
    static func answers(_ replies: [LaneReply<BookingResult>]) async throws -> [Result<BookingResult, any Error>] {
        var results: [Result<BookingResult, any Error>] = []
        for reply in replies {
            let result = try await withThrowingTaskGroup(of: Result<BookingResult, any Error>.self) { group in
                group.addTask {
                    do { return .success(try await reply.value) } catch { return .failure(error) }
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(30))
                    throw CancellationError()
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
            results.append(result)
        }
        return results
    }

    static func code(_ result: Result<BookingResult, any Error>) -> String {
        switch result {
        case .success(let value): value.replayed ? "replayed:\(value.booking.status.rawValue)" : value.booking.status.rawValue
        case .failure(let error as DomainError): error.code
        case .failure(let error): "\(error)"
        }
    }

    @Test("one batch with mixed outcomes: each request answered as alone, in arrival order, one transaction")
    func mixedOutcomes() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            _ = try await app.request(.patch, "/api/orgs/\(studio.orgId)", token: studio.ownerToken, body: ["paymentProvider": "stripe"])
            let pack = try await app.plan(studio, ["name": "Pack", "classCredits": 5])
            let daily = try await app.plan(studio, ["name": "Daily", "maxBookingsPerDay": 1])
            let startsAt = app.clock.now().addingTimeInterval(2 * 86_400)
            let session = try await app.session(studio, startsAt: startsAt, extra: ["capacity": 3])
            let sameDay = try await app.session(studio, startsAt: startsAt.addingTimeInterval(3 * 3_600))
            let people = try await app.quickMembers(studio.orgId, count: 8)
            var bookers: [Booker] = []
            for person in people { bookers.append(try await Self.booker(app, studio.orgId, person)) }
            let (a, b, c, d, e, f, g, h) = (bookers[0], bookers[1], bookers[2], bookers[3], bookers[4], bookers[5], bookers[6], bookers[7])
            for who in [a, b, d, e, f, g] { _ = try await app.subscribe(studio, membership: who.membershipId, plan: pack, credits: 5) }
            _ = try await app.subscribe(studio, membership: c.membershipId, plan: daily)
            // Before the batch: e (charged), d and f (with a key) fill the class; c uses up that day.
            let eBooking = try #require(try await app.book(session, token: e.token).string("id"))
            #expect(try await app.book(session, token: d.token).status == 201)
            let fBooking = try #require(try await app.book(session, token: f.token, key: "k-f").string("id"))
            #expect(try await app.book(sameDay, token: c.token).status == 201)

            let org = try #require(try await app.services.organizations.organization(id: studio.orgId))
            let cancel = ClassLaneRequest.cancel(
                CancelRequest(
                    org: org, bookingId: eBooking, sessionId: session, membershipId: e.membershipId, actor: e.actor,
                    idempotencyKey: nil, now: app.clock.now()))
            let lanes = ClassLanes(database: app.services.database, logger: TestBackend.logger)
            let statementsBefore = app.services.database.statementCount
            let replies = lanes.enqueue(
                [
                    Self.book(app, org, session, a),  // full: waitlisted 1
                    Self.book(app, org, session, c),  // quota for that day used
                    Self.book(app, org, session, d),  // holds a place already
                    Self.book(app, org, session, f, key: "k-f"),  // idempotent replay of the first booking
                    cancel,  // early: refunds e's credit, and promotes a
                    Self.book(app, org, session, b),  // full again: waitlisted 1
                    Self.book(app, org, session, g, key: "k-g"),  // waitlisted 2
                    Self.book(app, org, session, g, key: "k-g"),  // the same key again in the same batch: replayed
                    Self.book(app, org, session, h),  // no plan
                    Self.book(app, org, session, a),  // a already holds the promoted place
                ])
            let results = try await Self.answers(replies)
            #expect(
                results.map(Self.code) == [
                    "waitlisted", "quota_day", "already_booked", "replayed:confirmed", "cancelled", "waitlisted", "waitlisted",
                    "replayed:waitlisted", "no_plan", "already_booked",
                ])
            #expect(lanes.stats == LaneStats(batches: 1, requests: 10, largestBatch: 10))
            // One transaction, not one per request: ten bookings alone take over a hundred statements.
            #expect(app.services.database.statementCount - statementsBefore < 60)
            #expect(try results[3].get().booking.id == fBooking)
            #expect(try results[7].get().booking.id == results[6].get().booking.id)
            #expect(try results[5].get().booking.waitlistPosition == 1)
            #expect(try results[6].get().booking.waitlistPosition == 2)

            let rows = try await app.services.database.read { sql in
                try await sql.raw(
                    "SELECT membership_id, status, waitlist_position, credit_charged FROM bookings WHERE session_id = \(bind: session)"
                ).all().map { row in
                    (
                        try row.decode(column: "membership_id", as: String.self), try row.decode(column: "status", as: String.self),
                        try row.decode(column: "waitlist_position", as: Int?.self)
                    )
                }
            }
            let active = Dictionary(
                uniqueKeysWithValues: rows.filter { $0.1 != "cancelled" }.map { ($0.0, "\($0.1)\($0.2.map { ":\($0)" } ?? "")") })
            #expect(
                active == [
                    a.membershipId: "confirmed", d.membershipId: "confirmed", f.membershipId: "confirmed",
                    b.membershipId: "waitlisted:1", g.membershipId: "waitlisted:2",
                ])
            // e got the credit back; a, promoted, paid one.
            #expect(try await app.count("SELECT credits_remaining AS n FROM subscriptions WHERE membership_id = '\(e.membershipId)'") == 5)
            #expect(try await app.count("SELECT credits_remaining AS n FROM subscriptions WHERE membership_id = '\(a.membershipId)'") == 4)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM idempotency_keys WHERE idempotency_key = 'k-g'") == 1)
            #expect(
                try await app.count(
                    "SELECT COUNT(*) AS n FROM notification_outbox WHERE template = 'booking_waitlisted' AND user_id = '\(g.actor.userId)'")
                    == 1)
            try await app.checkInvariants(session: session)
        }
    }

    @Test("one batch across classes and studios: a member's bookings, credits and quotas carry from class to class, in arrival order")
    func acrossClasses() async throws {
        try await TestApp.run { app in
            let (studio, other) = try await Self.twoStudios(app)
            let pack = try await app.plan(studio, ["name": "Pack", "classCredits": 5])
            let daily = try await app.plan(studio, ["name": "Daily", "maxBookingsPerDay": 1])
            let otherPack = try await app.plan(other, ["name": "Pack", "classCredits": 5])
            let startsAt = app.clock.now().addingTimeInterval(2 * 86_400)
            let x = try await app.session(studio, startsAt: startsAt, extra: ["capacity": 2])
            let overlapping = try await app.session(studio, startsAt: startsAt.addingTimeInterval(1_800))
            let later = try await app.session(studio, startsAt: startsAt.addingTimeInterval(3 * 3_600))
            let elsewhere = try await app.session(other, startsAt: startsAt)
            var bookers: [Booker] = []
            for person in try await app.quickMembers(studio.orgId, count: 7) {
                bookers.append(try await Self.booker(app, studio.orgId, person))
            }
            let (p, q, r, s, u, v, w) = (bookers[0], bookers[1], bookers[2], bookers[3], bookers[4], bookers[5], bookers[6])
            let t = try await Self.booker(app, other.orgId, try #require(try await app.quickMembers(other.orgId, count: 1).first))
            _ = try await app.subscribe(studio, membership: p.membershipId, plan: daily)
            _ = try await app.subscribe(studio, membership: q.membershipId, plan: pack, credits: 1)
            _ = try await app.subscribe(studio, membership: s.membershipId, plan: pack, credits: 1)
            for who in [r, u, v, w] { _ = try await app.subscribe(studio, membership: who.membershipId, plan: pack, credits: 5) }
            _ = try await app.subscribe(other, membership: t.membershipId, plan: otherPack, credits: 5)
            let uBooking = try #require(try await app.book(x, token: u.token).string("id"))

            let org = try #require(try await app.services.organizations.organization(id: studio.orgId))
            let otherOrg = try #require(try await app.services.organizations.organization(id: other.orgId))
            let uCancel = ClassLaneRequest.cancel(
                CancelRequest(
                    org: org, bookingId: uBooking, sessionId: x, membershipId: u.membershipId, actor: u.actor, idempotencyKey: nil,
                    now: app.clock.now()))
            let lanes = ClassLanes(database: app.services.database, logger: TestBackend.logger)
            let outboxBefore = try await app.count("SELECT COUNT(*) AS n FROM notification_outbox")
            let statementsBefore = app.services.database.statementCount
            let replies = lanes.enqueue([
                Self.book(app, org, x, r),  // the last place of x
                Self.book(app, org, later, p),  // p's one class that day
                Self.book(app, org, x, p),  // the same day again: quota, from the booking just decided in another class
                Self.book(app, org, later, q),  // q's only credit
                Self.book(app, org, x, q),  // no credit left: spent a moment ago in another class
                Self.book(app, org, x, s),  // x is full: waitlisted 1
                Self.book(app, org, overlapping, r),  // overlaps r's place in x, decided in this batch
                Self.book(app, otherOrg, elsewhere, t),  // another studio's class, same batch
                Self.book(app, otherOrg, x, t),  // a class of a studio t is not in
                uCancel,  // frees a place of x: s is promoted
                uCancel,  // refused (already cancelled): a refusal between writes undoes nothing of the others
                Self.book(app, org, x, v),  // x is full again, and nobody waits: waitlisted 1
                Self.book(app, org, later, s),  // s's only credit went to the promotion just before: refused
                Self.book(app, org, later, w),  // nothing before touches w or that class: decided with the first set
            ])
            let results = try await Self.answers(replies)
            #expect(
                results.map(Self.code) == [
                    "confirmed", "confirmed", "quota_day", "confirmed", "no_credits", "waitlisted", "overlap", "confirmed", "not_found",
                    "cancelled", "already_cancelled", "waitlisted", "no_credits", "confirmed",
                ])
            #expect(lanes.stats == LaneStats(batches: 1, requests: 14, largestBatch: 14))
            // One transaction for four classes of two studios: the bookings as three sets around the cancel.
            #expect(app.services.database.statementCount - statementsBefore < 60)
            #expect(try results[5].get().booking.waitlistPosition == 1)
            #expect(try results[11].get().booking.waitlistPosition == 1)
            // Every message of the batch, held to its end and written there: confirmed (r, p, q, t, w), waitlisted
            // (s, v), cancelled (u), promoted (s); e-mail only, nobody has a device for push.
            let queued = try await app.services.database.read { sql in
                try await sql.raw("SELECT template, user_id FROM notification_outbox ORDER BY template, user_id").all()
                    .map { "\(try $0.decode(column: "template", as: String.self)):\(try $0.decode(column: "user_id", as: String.self))" }
            }
            #expect(queued.count - outboxBefore == 9)
            for (template, who) in [
                ("booking_confirmed", [r, p, q, t, w]), ("booking_waitlisted", [s, v]), ("booking_cancelled", [u]),
                ("booking_promoted", [s]),
            ] {
                for booker in who {
                    #expect(queued.contains("\(template):\(booker.actor.userId)"), "\(template) for \(booker.membershipId)")
                }
            }

            let inX = try await app.services.database.read { sql in
                try await sql.raw("SELECT membership_id, status FROM bookings WHERE session_id = \(bind: x) AND status <> 'cancelled'")
                    .all()
                    .map { (try $0.decode(column: "membership_id", as: String.self), try $0.decode(column: "status", as: String.self)) }
            }
            #expect(
                Dictionary(uniqueKeysWithValues: inX)
                    == [r.membershipId: "confirmed", s.membershipId: "confirmed", v.membershipId: "waitlisted"])
            for who in [q, s] {
                #expect(
                    try await app.count("SELECT credits_remaining AS n FROM subscriptions WHERE membership_id = '\(who.membershipId)'") == 0
                )
            }
            #expect(try await app.count("SELECT credits_remaining AS n FROM subscriptions WHERE membership_id = '\(t.membershipId)'") == 4)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE membership_id = '\(p.membershipId)'") == 1)
            for session in [x, overlapping, later, elsewhere] { try await app.checkInvariants(session: session) }
        }
    }

    static func cancel(
        _ app: TestApp, _ org: Organization, _ booking: String, _ session: String, _ who: Booker, by actor: BookingActor? = nil,
        key: String? = nil
    ) -> ClassLaneRequest {
        .cancel(
            CancelRequest(
                org: org, bookingId: booking, sessionId: session, membershipId: who.membershipId, actor: actor ?? who.actor,
                idempotencyKey: key, now: app.clock.now()))
    }

    @Test("cancels of classes that share nothing: one set, each answered as alone — refund, promotion, waitlist, staff, refusals, replay")
    func cancelSet() async throws {
        try await TestApp.run { app in
            let (studio, other) = try await Self.twoStudios(app)
            let pack = try await app.plan(studio, ["name": "Pack", "classCredits": 5])
            let otherPack = try await app.plan(other, ["name": "Pack", "classCredits": 5])
            let startsAt = app.clock.now().addingTimeInterval(2 * 86_400)
            var classes: [String] = []
            for hour in 0..<6 {
                classes.append(
                    try await app.session(studio, startsAt: startsAt.addingTimeInterval(Double(hour) * 7_200), extra: ["capacity": 1]))
            }
            let (classA, classB, classC, classD, classE) = (classes[0], classes[1], classes[2], classes[3], classes[4])
            let classF = classes[5]
            let elsewhere = try await app.session(other, startsAt: startsAt)
            var bookers: [Booker] = []
            for person in try await app.quickMembers(studio.orgId, count: 10) {
                bookers.append(try await Self.booker(app, studio.orgId, person))
            }
            let (a, wa, b0, b, b2, c, d, e) = (
                bookers[0], bookers[1], bookers[2], bookers[3], bookers[4], bookers[5], bookers[6], bookers[7]
            )
            let (dw, f) = (bookers[8], bookers[9])
            let t = try await Self.booker(app, other.orgId, try #require(try await app.quickMembers(other.orgId, count: 1).first))
            for who in bookers { _ = try await app.subscribe(studio, membership: who.membershipId, plan: pack, credits: 5) }
            _ = try await app.subscribe(other, membership: t.membershipId, plan: otherPack, credits: 5)
            // A: a holds the place (charged), wa waits. B: b0 holds it, b and b2 wait. C: c's booking, cancelled
            // already. D: d's place, which the owner cancels, and dw waiting. E: e's place, cancelled in a batch before with a key.
            let aBooking = try #require(try await app.book(classA, token: a.token).string("id"))
            #expect(try await app.book(classA, token: wa.token).string("status") == "waitlisted")
            #expect(try await app.book(classB, token: b0.token).status == 201)
            let bBooking = try #require(try await app.book(classB, token: b.token).string("id"))
            #expect(try await app.book(classB, token: b2.token).string("status") == "waitlisted")
            let cBooking = try #require(try await app.book(classC, token: c.token).string("id"))
            #expect(try await app.request(.post, "/api/bookings/\(cBooking)/cancel", token: c.token).status == 200)
            let dBooking = try #require(try await app.book(classD, token: d.token).string("id"))
            #expect(try await app.book(classD, token: dw.token).string("status") == "waitlisted")
            let eBooking = try #require(try await app.book(classE, token: e.token).string("id"))
            let tBooking = try #require(try await app.book(elsewhere, token: t.token).string("id"))
            // F: f booked with a key, which f's cancel then sends again (another request's key).
            let fBooking = try #require(try await app.book(classF, token: f.token, key: "k-f").string("id"))

            let org = try #require(try await app.services.organizations.organization(id: studio.orgId))
            let owner = try await app.services.database.read { sql in
                let row = try #require(
                    try await sql.raw("SELECT id, user_id FROM memberships WHERE organization_id = \(bind: org.id) AND role = 'owner'")
                        .first())
                return BookingActor(
                    userId: try row.decode(column: "user_id", as: String.self), membershipId: try row.decode(column: "id", as: String.self),
                    role: .owner)
            }
            let lanes = ClassLanes(database: app.services.database, logger: TestBackend.logger)
            let first = try await Self.answers(lanes.enqueue([Self.cancel(app, org, eBooking, classE, e, key: "k-e")]))
            #expect(first.map(Self.code) == ["cancelled"])
            let statementsBefore = app.services.database.statementCount
            let replies = lanes.enqueue([
                Self.cancel(app, org, aBooking, classA, a),  // early: a's credit back, wa promoted and charged
                Self.cancel(app, org, bBooking, classB, b),  // waiting: b2 moves up to 1
                Self.cancel(app, org, cBooking, classC, c),  // already cancelled
                Self.cancel(app, org, dBooking, classD, d, by: owner),  // staff: an audit entry, d's credit back, dw promoted
                Self.cancel(app, org, eBooking, classE, e, key: "k-e"),  // the same key: the first answer again
                Self.cancel(app, org, fBooking, classF, f, key: "k-f"),  // the key of f's booking: refused alone
                Self.cancel(app, org, tBooking, elsewhere, t),  // another studio's booking, asked as this studio
            ])
            let results = try await Self.answers(replies)
            #expect(
                results.map(Self.code) == [
                    "cancelled", "cancelled", "already_cancelled", "cancelled", "replayed:cancelled", "idempotency_key_reused",
                    "not_found",
                ])
            #expect(lanes.stats == LaneStats(batches: 2, requests: 8, largestBatch: 7))
            // One read and one UPDATE for the four bookings, the classes of both promotions (A, D) in one read
            // and their waitlists in another, one renumbering (A, B, D), the audit entry, the keys' one read: 24
            // statements on SQLite, 27 on PostgreSQL (its locks and NOTIFY); cancel by cancel, ten more.
            #expect(app.services.database.statementCount - statementsBefore < 30)
            #expect(try results[3].get().booking.cancelledAt != nil)

            func state(_ session: String) async throws -> [String: String] {
                let rows = try await app.services.database.read { sql in
                    try await sql.raw(
                        "SELECT membership_id, status, waitlist_position FROM bookings WHERE session_id = \(bind: session) AND status <> 'cancelled'"
                    ).all().map { row in
                        (
                            try row.decode(column: "membership_id", as: String.self),
                            try row.decode(column: "status", as: String.self)
                                + ((try row.decode(column: "waitlist_position", as: Int?.self)).map { ":\($0)" } ?? "")
                        )
                    }
                }
                return Dictionary(uniqueKeysWithValues: rows)
            }
            #expect(try await state(classA) == [wa.membershipId: "confirmed"])
            #expect(try await state(classB) == [b0.membershipId: "confirmed", b2.membershipId: "waitlisted:1"])
            #expect(try await state(classD) == [dw.membershipId: "confirmed"])
            #expect(try await state(elsewhere) == [t.membershipId: "confirmed"])
            #expect(try await state(classF) == [f.membershipId: "confirmed"])
            for (who, credits) in [(a, 5), (wa, 4), (b, 5), (d, 5), (dw, 4), (e, 5)] {
                #expect(
                    try await app.count("SELECT credits_remaining AS n FROM subscriptions WHERE membership_id = '\(who.membershipId)'")
                        == credits, "credits of \(who.membershipId)")
            }
            #expect(
                try await app.count(
                    "SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'booking.cancel' AND entity_id = '\(dBooking)'") == 1)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'booking.cancel'") == 1)
            #expect(
                try await app.count(
                    "SELECT COUNT(*) AS n FROM notification_outbox WHERE template = 'booking_promoted' AND user_id = '\(wa.actor.userId)'")
                    >= 1)
            for session in classes + [elsewhere] { try await app.checkInvariants(session: session) }
        }
    }

    @Test("a database failure in the middle of a batch answers every request with 503 busy and changes nothing")
    func failureMidBatch() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            _ = try await app.request(.patch, "/api/orgs/\(studio.orgId)", token: studio.ownerToken, body: ["paymentProvider": "stripe"])
            let pack = try await app.plan(studio, ["name": "Pack", "classCredits": 5])
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(2 * 86_400), extra: ["capacity": 2])
            var bookers: [Booker] = []
            for person in try await app.quickMembers(studio.orgId, count: 3) {
                bookers.append(try await Self.booker(app, studio.orgId, person))
                _ = try await app.subscribe(studio, membership: person.membershipId, plan: pack, credits: 5)
            }
            let org = try #require(try await app.services.organizations.organization(id: studio.orgId))
            // The ledger refuses every row: the bookings and balances written before it in the batch must go too.
            let postgres = app.services.database.backend == .postgres
            try await app.services.database.transaction { sql in
                if postgres {
                    try await sql.raw(
                        "CREATE FUNCTION ledger_down() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'ledger down'; END $$ LANGUAGE plpgsql"
                    ).run()
                    try await sql.raw(
                        "CREATE TRIGGER ledger_down BEFORE INSERT ON credit_ledger FOR EACH ROW EXECUTE FUNCTION ledger_down()"
                    ).run()
                } else {
                    try await sql.raw(
                        "CREATE TRIGGER ledger_down BEFORE INSERT ON credit_ledger BEGIN SELECT RAISE(ABORT, 'ledger down'); END"
                    )
                    .run()
                }
            }
            let outboxBefore = try await app.count("SELECT COUNT(*) AS n FROM notification_outbox")
            let lanes = ClassLanes(database: app.services.database, logger: TestBackend.logger)
            let failed = try await Self.answers(
                lanes.enqueue(bookers.map { Self.book(app, org, session, $0, key: "k-\($0.membershipId)") }))
            for result in failed {
                guard case .failure(let error as DomainError) = result else {
                    Issue.record("expected 503 busy, got \(result)")
                    continue
                }
                #expect(error.code == "busy" && error.kind == .unavailable)
            }
            #expect(try await app.count("SELECT COUNT(*) AS n FROM bookings WHERE session_id = '\(session)'") == 0)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM subscriptions WHERE credits_remaining <> 5") == 0)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM idempotency_keys") == 0)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM notification_outbox") == outboxBefore)

            // Repaired, the same requests (same keys) go through: nothing of the failed batch was kept.
            try await app.services.database.transaction { sql in
                try await sql.raw("DROP TRIGGER ledger_down\(unsafeRaw: postgres ? " ON credit_ledger" : "")").run()
            }
            let retried = try await Self.answers(
                lanes.enqueue(bookers.map { Self.book(app, org, session, $0, key: "k-\($0.membershipId)") }))
            #expect(retried.map(Self.code) == ["confirmed", "confirmed", "waitlisted"])
            try await app.checkInvariants(session: session)
        }
    }

    @Test("fairness: arrival order decides who gets the last places and the waitlist order, across batches")
    func arrivalOrderAcrossBatches() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(2 * 86_400), extra: ["capacity": 4])
            var bookers: [Booker] = []
            for person in try await app.quickMembers(studio.orgId, count: 10) {
                bookers.append(try await Self.booker(app, studio.orgId, person))
            }
            let org = try #require(try await app.services.organizations.organization(id: studio.orgId))
            // Batches of three: the fifth arrival, in the second batch, is the first to wait.
            let lanes = ClassLanes(database: app.services.database, logger: TestBackend.logger, maxBatch: 3)
            var replies = lanes.enqueue(bookers.prefix(4).map { Self.book(app, org, session, $0) })
            for who in bookers.dropFirst(4) { replies += lanes.enqueue([Self.book(app, org, session, who)]) }
            let results = try await Self.answers(replies)
            #expect(lanes.stats.batches >= 4 && lanes.stats.largestBatch <= 3)
            let positions = try results.map { try $0.get().booking.waitlistPosition }
            #expect(results.map(Self.code) == Array(repeating: "confirmed", count: 4) + Array(repeating: "waitlisted", count: 6))
            #expect(positions == [nil, nil, nil, nil, 1, 2, 3, 4, 5, 6])
            try await app.checkInvariants(session: session)
        }
    }
}
