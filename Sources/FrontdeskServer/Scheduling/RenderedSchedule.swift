import Foundation
import FrontdeskCore
import FrontdeskStore

/// A range of the schedule as one viewer's list shows it, each session's JSON written once and kept
/// in the database's `ReadCache` beside the rows it comes from (same key, same forgetting): a
/// member's week, the most frequent request, then copies bytes instead of building and writing
/// every session's view again. Only the viewer's `bookingEligibility` is written per request, since
/// it depends on the time of the request (booking windows, classes that have begun).
///
/// Each session's JSON is `SessionView`'s without eligibility, cut where eligibility goes: `head` is
/// `{"bookedCount":3` (the only key before it, always present), `tail` the rest, from its comma to the
/// closing brace. `RenderedSessionList` writes the very bytes `SessionList` encodes (`JSONOutputTests`).
struct RenderedSchedule: Sendable {
    let sessions: [ScheduledSession]
    let heads: [[UInt8]]
    let tails: [[UInt8]]

    init(_ sessions: [ScheduledSession], calendar: OrgCalendar) {
        self.sessions = sessions
        var heads: [[UInt8]] = []
        var tails: [[UInt8]] = []
        heads.reserveCapacity(sessions.count)
        tails.reserveCapacity(sessions.count)
        for session in sessions {
            var json = JSONOutput(capacity: 1024)
            SessionView(session, calendar: calendar, eligibility: nil).write(to: &json)
            // `{"bookedCount":<integer>` then a comma: `capacity` and more always follow.
            let cut = json.bytes.firstIndex(of: UInt8(ascii: ","))!
            heads.append(Array(json.bytes[..<cut]))
            tails.append(Array(json.bytes[cut...]))
        }
        self.heads = heads
        self.tails = tails
    }

    /// The range `[from, to)` of the org's live sessions as `viewerMembershipId` sees it (members:
    /// `membersView`), its local dates in `timezone`, from the cache while no write has changed it.
    static func read(
        _ schedule: ScheduleStore, database: any FrontdeskDatabase, orgId: String, from: Date, to: Date,
        viewerMembershipId: String, membersView: Bool, timezone: String
    ) async throws -> RenderedSchedule {
        let key = ReadCacheKey(
            membersView ? "schedule.members.json" : "schedule.staff.json",
            [
                orgId, viewerMembershipId, String(from.timeIntervalSince1970), String(to.timeIntervalSince1970),
                timezone,
            ])
        return try await database.readCache.value(key) {
            let sessions = try await schedule.sessions(
                orgId: orgId, from: from, to: to, viewerMembershipId: viewerMembershipId, membersView: membersView)
            return RenderedSchedule(sessions, calendar: OrgCalendar(timezone: timezone))
        }
    }
}

/// `SessionRoutes.SessionList` written from a `RenderedSchedule` and the viewer's eligibility.
struct RenderedSessionList: JSONOutputResponse {
    let from: Date
    let to: Date
    let timezone: String
    let schedule: RenderedSchedule
    /// Each session's, in the schedule's order; members only (staff: empty).
    let eligibility: [BookingEligibility]

    var sizeHint: Int { 512 + schedule.heads.count * 1024 }

    private static let eligibilityKey = Array(#","bookingEligibility":"#.utf8)

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
            let schedule = list.schedule
            json.items(count: schedule.sessions.count) { json, index in
                json.raw(schedule.heads[index])
                if !list.eligibility.isEmpty {
                    json.raw(RenderedSessionList.eligibilityKey)
                    list.eligibility[index].write(to: &json)
                }
                json.raw(schedule.tails[index])
            }
        }
    }
}
