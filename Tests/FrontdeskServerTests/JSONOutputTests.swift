import Foundation
@testable import FrontdeskCore
@testable import FrontdeskServer
@testable import FrontdeskStore
import Testing

/// `JSONOutput` writes the hottest answers without `JSONEncoder`; these check that it writes the
/// very bytes `ResponseJSON.encoder` writes for the same values, with every optional present and
/// absent, so a field added to a view but not to its writer fails here.
@Suite("JSON written directly: byte for byte what JSONEncoder writes")
struct JSONOutputTests {
    static func encoded(_ value: some Encodable) throws -> String {
        String(decoding: try ResponseJSON.encoder.encode(value), as: UTF8.self)
    }

    static func written(_ value: some JSONWritable) -> String {
        var json = JSONOutput(capacity: 16)
        value.write(to: &json)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    /// Every control character, the characters JSON escapes, a slash, DEL and text beyond ASCII.
    static let awkward: String = {
        var text = ""
        for byte in 0..<128 { text.unicodeScalars.append(Unicode.Scalar(UInt8(byte))) }
        return text + "é€😀\u{2028} </script>"
    }()

    @Test("strings: escapes as Foundation does, everything else as UTF-8")
    func strings() throws {
        for text in ["", "plain", "a/b", "quote \" and \\", Self.awkward] {
            #expect(Self.written([text]) == (try Self.encoded([text])))
        }
    }

    @Test("instants: UTC, whole seconds rounded towards the past, across centuries and leap days")
    func instants() throws {
        var dates = [
            0, 1.999, -0.5, -1.5, -86_400, 951_782_400, 951_868_799.75, 1_800_000_000.999_999, 4_102_444_800,
            -2_208_988_800, 253_402_300_799,
        ].map(Date.init(timeIntervalSince1970:))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            dates.append(Date(timeIntervalSince1970: Double.random(in: -5_000_000_000...10_000_000_000, using: &generator)))
        }
        #expect(Self.written(dates) == (try Self.encoded(dates)))
    }

    @Test("a string kept as JSON: the same bytes as writing it, encoded as the plain string")
    func keptStrings() throws {
        for text in ["", "<svg viewBox=\"0 0 1 1\"/>", Self.awkward] {
            #expect(Self.written([JSONString(text)]) == (try Self.encoded([text])))
            #expect((try Self.encoded([JSONString(text)])) == (try Self.encoded([text])))
        }
    }

    @Test("integers: zero, one digit, negative and the extremes")
    func integers() throws {
        let numbers = [0, 1, 9, 10, -1, -10, 12_345, Int.min, Int.max]
        #expect(Self.written(numbers) == (try Self.encoded(numbers)))
    }

    static func session(full: Bool) -> ScheduledSession {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        return ScheduledSession(
            session: ClassSession(
                id: "s1", organizationId: "o1", classTypeId: "ct1", locationId: full ? "l1" : nil,
                coachMembershipId: full ? "m1" : nil, startsAt: start, durationMin: 60, capacity: 12,
                status: full ? .cancelled : .published, cancelReason: full ? Self.awkward : nil,
                createdAt: start, updatedAt: start),
            classTypeName: "Yoga \"flow\"", color: "#00aa00", programId: "p1", programName: "Mornings/Evenings",
            deliveryMode: .schedule, locationName: full ? "Studio 1" : nil, coachName: full ? "Ana" : nil,
            bookedCount: 3, waitlistCount: full ? 2 : 0,
            viewerBooking: full ? .init(id: "b1", status: "waitlisted", waitlistPosition: 2) : nil)
    }

    static let eligibility = BookingEligibility(
        status: .quotaWeek, reasons: [.quotaWeek, .overlap],
        plans: [
            PlanTerms(
                id: "pl1", name: "Ten classes", classCredits: 10, maxBookingsPerDay: 1, maxBookingsPerWeek: 3,
                allowOverlappingBookings: false, priceCents: 9_900),
            PlanTerms(
                id: "pl2", name: "Unlimited", classCredits: nil, maxBookingsPerDay: nil, maxBookingsPerWeek: nil,
                allowOverlappingBookings: true, priceCents: nil),
        ])

    @Test("a session: every optional present, and every optional absent")
    func sessions() throws {
        let calendar = OrgCalendar(timezone: "Europe/Berlin")
        let workout = Workout(
            id: "w1", organizationId: "o1", title: "Burpees", body: "5 rounds\n<b>go</b>",
            createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
        let views = [
            SessionView(
                Self.session(full: true), calendar: calendar, eligibility: Self.eligibility,
                workouts: (.dailyProgramming, [workout])),
            SessionView(Self.session(full: false), calendar: calendar, eligibility: nil),
            SessionView(
                Self.session(full: false), calendar: calendar,
                eligibility: BookingEligibility(status: .eligible, reasons: [], plans: []), workouts: (.none, [])),
        ]
        for view in views {
            #expect(Self.written(view) == (try Self.encoded(view)))
        }
        let list = SessionRoutes.SessionList(
            from: Date(timeIntervalSince1970: 1_799_971_200), to: Date(timeIntervalSince1970: 1_800_576_000),
            timezone: "Europe/Berlin", items: views)
        #expect(Self.written(list) == (try Self.encoded(list)))
        let empty = SessionRoutes.SessionList(from: list.from, to: list.to, timezone: "UTC", items: [])
        #expect(Self.written(empty) == (try Self.encoded(empty)))
        let today = SessionRoutes.TodayList(date: "2027-01-15", timezone: "Europe/Berlin", items: views)
        #expect(Self.written(today) == (try Self.encoded(today)))
    }

    @Test(
        "the schedule from rendered sessions: the same bytes as its views encoded, whatever the viewer's counts, booking and eligibility"
    )
    func renderedSchedule() throws {
        let calendar = OrgCalendar(timezone: "Europe/Berlin")
        var second = Self.session(full: false)
        second.session.id = "s2"
        var third = Self.session(full: true)
        third.session.id = "s3"
        third.bookedCount = 12_345
        var fourth = Self.session(full: false)
        fourth.session.id = "s4"
        fourth.session.status = .draft
        // As the shared range holds them: another viewer's booking never shows.
        let sessions = [Self.session(full: true), second, third, fourth]
        let rendered = RenderedSchedule(sessions, calendar: calendar)
        let from = Date(timeIntervalSince1970: 1_799_971_200)
        let to = Date(timeIntervalSince1970: 1_800_576_000)
        let views: [ScheduleLive] = [
            // Read before any booking moved: the range's own counts, no booking.
            ScheduleLive(),
            // Counts moved (a full class, one beyond capacity, an empty one) and the viewer's bookings,
            // one of a draft class the viewer alone may see.
            ScheduleLive(
                counts: ["s1": .init(booked: 12, waiting: 7), "s2": .init(booked: 0, waiting: 0), "s3": .init(booked: 13, waiting: 0)],
                bookings: [
                    "s2": .init(id: "b2", status: "confirmed", waitlistPosition: nil),
                    "s4": .init(id: "b4", status: "waitlisted", waitlistPosition: 10),
                ]),
        ]
        for live in views {
            for membersView in [true, false] {
                let shown = rendered.shown(live, membersView: membersView)
                #expect(shown.map { sessions[$0.index].session.id }.contains("s4") == (!membersView || live.bookings["s4"] != nil))
                // A member: each session's eligibility; staff: none.
                let member = shown.indices.map {
                    $0 % 2 == 0 ? Self.eligibility : BookingEligibility(status: .eligible, reasons: [], plans: [])
                }
                for eligibility in [member, []] {
                    let written = RenderedSessionList(
                        from: from, to: to, timezone: "Europe/Berlin", schedule: rendered, shown: shown, eligibility: eligibility)
                    let expected = shown.indices.map { position in
                        var seen = sessions[shown[position].index]
                        seen.bookedCount = shown[position].counts.booked
                        seen.waitlistCount = shown[position].counts.waiting
                        seen.viewerBooking = shown[position].booking
                        return SessionView(seen, calendar: calendar, eligibility: eligibility.isEmpty ? nil : eligibility[position])
                    }
                    let encoded = SessionRoutes.SessionList(from: from, to: to, timezone: "Europe/Berlin", items: expected)
                    #expect(Self.written(written) == (try Self.encoded(encoded)))
                }
            }
        }
        // A class the viewer's read does not name keeps the counts it was kept with.
        let live = ScheduleLive(counts: ["s1": .init(booked: 12, waiting: 7)])
        #expect(live.counts(of: "s2", kept: .init(booked: 3, waiting: 0)) == .init(booked: 3, waiting: 0))
        #expect(live.counts(of: "s1", kept: .init(booked: 3, waiting: 0)) == .init(booked: 12, waiting: 7))
        let none = RenderedSessionList(
            from: from, to: to, timezone: "UTC", schedule: RenderedSchedule([], calendar: calendar), shown: [], eligibility: [])
        #expect(Self.written(none) == (try Self.encoded(SessionRoutes.SessionList(from: from, to: to, timezone: "UTC", items: []))))
    }

    @Test("the wall display's poll: with its class, codes and names, and idle")
    func screenState() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let session = DisplayRoutes.ScreenSession(
            id: "s1", className: "Yoga/Flow", color: "#123456", coachName: "Ana", locationName: "Studio \"1\"",
            startsAt: start, endsAt: start.addingTimeInterval(3_600), capacity: 20)
        // `rendered`: the code's JSON written once (`RenderedCode`), as the server's codes are.
        func code(_ window: Int, svg: String?, rendered: Bool = false) -> DisplayRoutes.QRPayload {
            var payload = DisplayRoutes.QRPayload(
                sessionId: "s1", url: "https://studio.example/c/\(window)?a=\"b\"", svg: svg.map(JSONString.init),
                windowStart: Date(timeIntervalSince1970: TimeInterval(window)),
                expiresAt: Date(timeIntervalSince1970: TimeInterval(window + 60)),
                validUntil: Date(timeIntervalSince1970: TimeInterval(window + 90)), secondsUntilRotation: window % 61)
            if rendered {
                payload.rendered = RenderedCode(
                    sessionId: payload.sessionId, url: payload.url, windowStart: payload.windowStart, expiresAt: payload.expiresAt,
                    validUntil: payload.validUntil)
            }
            return payload
        }
        var codes = [
            code(1_800_000_000, svg: "<svg viewBox=\"0 0 1 1\"><title>Scan</title></svg>\n"), code(1_800_000_060, svg: nil),
            code(1_800_000_120, svg: "<svg/>"),
        ]
        let busy = DisplayRoutes.ScreenState(
            displayName: "Front wall", organizationName: "Studio Nord", primaryColor: "#ff0000", timezone: "Europe/Berlin",
            now: start.addingTimeInterval(17.25), session: session,
            next: DisplayRoutes.ScreenSession(
                id: "s2", className: "Pilates", color: "#000000", coachName: nil, locationName: "Studio 1",
                startsAt: start.addingTimeInterval(7_200), endsAt: start.addingTimeInterval(10_800), capacity: 8),
            qr: codes[0], ahead: Array(codes[1...]), checkedInCount: 2, checkedIn: ["Ana B.", Self.awkward])
        codes = [
            code(1_800_000_000, svg: "<svg viewBox=\"0 0 1 1\"><title>Scan</title></svg>\n", rendered: true),
            code(1_800_000_060, svg: nil, rendered: true), code(1_800_000_120, svg: "<svg/>", rendered: true),
        ]
        var rendered = busy
        rendered.qr = codes[0]
        rendered.ahead = Array(codes[1...])
        #expect(rendered.qr?.rendered != nil)
        let idle = DisplayRoutes.ScreenState(
            displayName: "Front wall", organizationName: "Studio Nord", primaryColor: "#ff0000", timezone: "UTC",
            now: start, session: nil, next: nil, qr: nil, ahead: [], checkedInCount: 0, checkedIn: [])
        for state in [busy, idle] {
            #expect(Self.written(state) == (try Self.encoded(state)))
        }
        // The pre-written codes give the same bytes (and encode as the others: `rendered` is no field).
        #expect(Self.written(rendered) == (try Self.encoded(busy)))
        #expect((try Self.encoded(rendered)) == (try Self.encoded(busy)))
    }

    @Test("a display's answer from its template: the state's bytes at each instant, held SVGs left out")
    func screenTemplate() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let urls = ["https://studio.example/c/1?a=\"b\"", "https://studio.example/c/2", "https://studio.example/c/3"]
        /// The state at `now` without the SVGs of `held`, written through `RenderedCode` as the server's are.
        func state(_ now: Date, held: Set<String>, rendered: Bool) -> DisplayRoutes.ScreenState {
            let codes = urls.enumerated().map { index, url in
                let window = start.addingTimeInterval(TimeInterval(60 * index))
                let expiresAt = window.addingTimeInterval(60)
                var code = DisplayRoutes.QRPayload(
                    sessionId: "s\(index)", url: url, svg: held.contains(url) ? nil : JSONString("<svg id=\"\(index)\"/>\n"),
                    windowStart: window, expiresAt: expiresAt, validUntil: expiresAt.addingTimeInterval(30),
                    secondsUntilRotation: Int(max(0, expiresAt.epochSeconds - now.epochSeconds)))
                if rendered {
                    code.rendered = RenderedCode(
                        sessionId: code.sessionId, url: url, windowStart: window, expiresAt: expiresAt, validUntil: code.validUntil)
                }
                return code
            }
            return DisplayRoutes.ScreenState(
                displayName: "Front wall", organizationName: "Studio Nord", primaryColor: "#ff0000", timezone: "UTC", now: now,
                session: nil, next: nil, qr: codes[0], ahead: Array(codes[1...]), checkedInCount: 1, checkedIn: ["Ana B."])
        }
        for rendered in [false, true] {
            let template = AnswerTemplate(state(start.addingTimeInterval(2.5), held: [], rendered: rendered), capacity: 16)
            // Within the first window, in the second, on its last second and long after (seconds stop at 0).
            for later in [2.5, 3, 59.999, 60, 119, 125, 100_000].map(start.addingTimeInterval) {
                for held in [[], [urls[0]], [urls[1], urls[2]], Set(urls)] as [Set<String>] {
                    let answer = template.answer(now: later, holds: held.contains)
                    let expected = Self.written(state(later, held: held, rendered: rendered))
                    #expect(String(buffer: answer) == expected, "at \(later), holding \(held)")
                    #expect(expected == (try Self.encoded(state(later, held: held, rendered: false))))
                }
            }
        }
    }

    @Test("a check-in's answer: a booking with every optional, and with none")
    func checkinResult() throws {
        let at = Date(timeIntervalSince1970: 1_800_000_000.5)
        let full = Booking(
            id: "b1", organizationId: "o1", sessionId: "s1", membershipId: "m1", subscriptionId: "sub1", status: .noShow,
            waitlistPosition: 3, creditCharged: true, lateCancel: true, capacityOverride: true, checkedInAt: at,
            checkinMethod: "qr", cancelledAt: at.addingTimeInterval(60), createdAt: at, updatedAt: at.addingTimeInterval(120))
        let bare = Booking(
            id: "b2", organizationId: "o1", sessionId: "s1", membershipId: "m2", subscriptionId: nil, status: .attended,
            waitlistPosition: nil, creditCharged: false, lateCancel: false, capacityOverride: false, checkedInAt: nil,
            checkinMethod: nil, cancelledAt: nil, createdAt: at, updatedAt: at)
        for result in [
            CheckinResult(booking: full, alreadyCheckedIn: true, walkIn: false),
            CheckinResult(booking: bare, alreadyCheckedIn: false, walkIn: true),
        ] {
            #expect(Self.written(result) == (try Self.encoded(result)))
        }
    }
}
