import Foundation
import FrontdeskCore
import FrontdeskStore

/// A range of the schedule as every viewer's list shows it, each session's JSON written once and kept
/// in the database's `ReadCache` beside the sessions it comes from (`ScheduleStore.range`: one read
/// for all viewers, forgotten only by writes that may change a class): a member's week, the most
/// frequent request, then copies bytes instead of building and writing every session's view again.
/// What bookings change — the counts, the viewer's booking — and the viewer's `bookingEligibility`
/// (decided at the time of the request) are written per request into the places `SessionView` marks
/// (`ViewerHole`), from the viewer's `ScheduleLive` read with their facts in one statement.
/// `RenderedSessionList` writes the very bytes `SessionList` encodes (`JSONOutputTests`).
struct RenderedSchedule: Sendable {
    let sessions: [ScheduledSession]
    /// Each session's JSON as written with no viewer and no eligibility.
    let written: [WrittenSession]

    /// A session's JSON and the places in it (`ViewerHole`) a viewer's values go.
    struct WrittenSession: Sendable {
        let bytes: [UInt8]
        let holes: [(hole: ViewerHole, range: Range<Int>)]

        /// The session with `shown`'s counts and booking, and `eligibility`.
        func write(to json: inout JSONOutput, capacity: Int, as shown: Shown, eligibility: BookingEligibility?) {
            var at = 0
            for (hole, range) in holes {
                json.raw(bytes[at..<range.lowerBound])
                switch hole {
                case .bookedCount: json.int(shown.counts.booked)
                case .eligibility:
                    if let eligibility {
                        json.text(#","bookingEligibility":"#)
                        eligibility.write(to: &json)
                    }
                case .myBooking:
                    if let booking = shown.booking {
                        json.text(#","myBooking":"#)
                        booking.write(to: &json)
                    }
                case .spotsLeft: json.int(SessionView.spotsLeft(capacity: capacity, booked: shown.counts.booked))
                case .waitlistCount: json.int(shown.counts.waiting)
                }
                at = range.upperBound
            }
            json.raw(bytes[at...])
        }
    }

    /// A session one viewer sees: its index in `sessions`, the counts and the viewer's booking as of
    /// the viewer's read (`ScheduleLive`).
    struct Shown: Sendable {
        let index: Int
        let counts: ScheduleLive.Counts
        let booking: ScheduledSession.ViewerBooking?
    }

    init(_ sessions: [ScheduledSession], calendar: OrgCalendar) {
        self.sessions = sessions
        written = sessions.map { session in
            var anyone = session
            anyone.viewerBooking = nil
            var json = JSONOutput(capacity: 1024)
            SessionView(anyone, calendar: calendar, eligibility: nil).write(to: &json)
            return WrittenSession(
                bytes: json.bytes,
                holes: json.holes.compactMap { hole, range in
                    if case .viewer(let viewer) = hole { (viewer, range) } else { nil }
                })
        }
    }

    /// The org's live sessions starting in `[from, to)`, their local dates in `timezone`, from the cache
    /// while no write that may change a class has come.
    static func read(
        _ schedule: ScheduleStore, database: any FrontdeskDatabase, orgId: String, from: Date, to: Date, timezone: String
    ) async throws -> RenderedSchedule {
        let key = ReadCacheKey(
            "schedule.json", [orgId, String(from.epochSeconds), String(to.epochSeconds), timezone],
            changedBy: .everything)
        return try await database.readCache.value(key) {
            RenderedSchedule(try await schedule.range(orgId: orgId, from: from, to: to), calendar: OrgCalendar(timezone: timezone))
        }
    }

    /// The sessions `live`'s viewer sees (members: `membersView`, SPEC §4), in the schedule's order.
    func shown(_ live: ScheduleLive, membersView: Bool) -> [Shown] {
        var shown: [Shown] = []
        shown.reserveCapacity(sessions.count)
        for index in sessions.indices {
            let id = sessions[index].session.id
            let booking = live.bookings[id]
            guard
                !membersView
                    || ScheduleRules.memberCanSee(
                        status: sessions[index].session.status, deliveryMode: sessions[index].deliveryMode,
                        hasActiveBooking: booking != nil)
            else { continue }
            let counts = live.counts(
                of: id, kept: ScheduleLive.Counts(booked: sessions[index].bookedCount, waiting: sessions[index].waitlistCount))
            shown.append(Shown(index: index, counts: counts, booking: booking))
        }
        return shown
    }
}

/// `SessionRoutes.SessionList` written from a `RenderedSchedule`, one viewer's sessions and their eligibility.
struct RenderedSessionList: JSONOutputResponse {
    let from: Date
    let to: Date
    let timezone: String
    let schedule: RenderedSchedule
    /// The sessions shown (`RenderedSchedule.shown`).
    let shown: [RenderedSchedule.Shown]
    /// Each shown session's, in order; members only (staff: empty).
    let eligibility: [BookingEligibility]

    var sizeHint: Int { 512 + shown.count * 1024 }

    func write(to json: inout JSONOutput) {
        json.object { json in
            json.field("from", from)
            json.field("items", Items(list: self))
            json.field("timezone", timezone)
            json.field("to", to)
        }
    }

    private struct Items: JSONWritable {
        let list: RenderedSessionList

        func write(to json: inout JSONOutput) {
            json.items(count: list.shown.count) { json, position in
                let shown = list.shown[position]
                list.schedule.written[shown.index].write(
                    to: &json, capacity: list.schedule.sessions[shown.index].session.capacity, as: shown,
                    eligibility: list.eligibility.isEmpty ? nil : list.eligibility[position])
            }
        }
    }
}
