import Foundation
import FrontdeskCore
import FrontdeskStore

/// Staff checking a member in — the one path behind the API (`POST /api/sessions/:id/checkin`) and
/// the coach tablet, so they cannot disagree: by booking or by member; a member with a booking in the
/// class (also one marked no-show) has that booking checked in, never a second one; without a booking
/// they are a walk-in (capacity overridable by staff only).
///
/// Staff change attendance from the class's check-in window opening until `hoursAfterEnd` after it
/// ends (409 `attendance_not_open` / `attendance_closed`), never on a cancelled class; the store
/// checks it in its transaction.
struct StaffCheckin: Sendable {
    let services: AppServices
    /// How long after a class ends staff may still change its attendance (`attendance.staffHoursAfterEnd`).
    var hoursAfterEnd: Int { services.configuration.staffAttendanceHoursAfterEnd }

    func checkIn(
        _ scope: OrgScope, sessionId: String, bookingId: String?, membershipId: String?, overrideCapacity: Bool
    ) async throws -> CheckinResult {
        let member: String
        if let bookingId {
            guard NewID.isWellFormed(bookingId),
                let booking = try await BookingsStore(database: services.database).booking(id: bookingId.lowercased()),
                booking.sessionId == sessionId, booking.organizationId == scope.orgId
            else { throw DomainError.notFound("Booking") }
            member = booking.membershipId
        } else if let membershipId {
            guard NewID.isWellFormed(membershipId) else { throw DomainError.notFound("Member") }
            member = membershipId.lowercased()
        } else {
            throw DomainError(.missingField, "bookingId or membershipId is required.")
        }
        let result = try await CheckinStore(database: services.database).checkIn(
            org: scope.organization, sessionId: sessionId, membershipId: member, method: .manual, actor: scope.actor,
            overrideCapacity: overrideCapacity, enforceWindow: false, staffHoursAfterEnd: hoursAfterEnd, now: services.now)
        await services.announce(result, kind: .checkedIn)
        return result
    }
}

extension StaffCheckin {
    /// Staff undo a check-in (→ confirmed) or mark a no-show, on a booking of their org (and of
    /// `sessionId` when given); screens and tablets hear of it.
    func setAttendance(_ scope: OrgScope, booking: Booking, sessionId: String? = nil, to target: BookingStatus) async throws -> Booking {
        guard scope.role.isStaff else { throw DomainError.forbidden("Only staff can change attendance.") }
        guard booking.organizationId == scope.orgId, sessionId == nil || booking.sessionId == sessionId else {
            throw DomainError.notFound("Booking")
        }
        let updated = try await CheckinStore(database: services.database).setAttendance(
            org: scope.organization, bookingId: booking.id, to: target, actor: scope.actor, staffHoursAfterEnd: hoursAfterEnd,
            now: services.now)
        await services.announce(
            CheckinResult(booking: updated, alreadyCheckedIn: false, walkIn: false),
            kind: target == .noShow ? .noShow : .undone)
        return updated
    }
}

extension AppServices {
    /// Tells screens and tablets about a check-in change, after the commit; repeats announce nothing.
    /// `member`: the checked-in member's name when the caller knows it (their own check-in), so that
    /// screens list it without reading it.
    func announce(_ result: CheckinResult, kind: CheckinEvent.Kind, member: String? = nil) async {
        guard !result.alreadyCheckedIn else { return }
        let event = CheckinEvent(
            organizationId: result.booking.organizationId, sessionId: result.booking.sessionId, bookingId: result.booking.id,
            kind: kind, at: now, origin: "", shownName: member.map(DisplayName.short), checkedInAt: result.booking.checkedInAt)
        displayStates.apply(event)
        await checkinEvents.publish(event)
    }
}
