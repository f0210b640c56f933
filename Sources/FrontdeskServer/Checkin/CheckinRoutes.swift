import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

extension RosterEntry: ResponseEncodable {}

/// Check-in (SPEC §6): member self check-in by QR token, proof of scan or GPS; staff check-in,
/// undo, no-show and the roster.
struct CheckinRoutes {
    let services: AppServices
    var store: CheckinStore { CheckinStore(database: services.database) }
    var access: OrgAccess { OrgAccess(services: services) }

    func register(api: Routes, session: ContextRoutes<SessionContext>) {
        session.post("self-checkin", use: selfCheckin)
        session.post("checkin", use: staffCheckin)
        session.get("roster", use: roster)
        api.post("bookings/:booking/undo-checkin", use: undo)
        api.post("bookings/:booking/no-show", use: noShow)
    }

    @Sendable func selfCheckin(_ request: Request, context: SessionContext) async throws -> JSONAnswer<CheckinResult> {
        let (scope, sessionId) = (try context.scope(.member), context.sessionId)
        let body = try await request.decodeJSON(SelfCheckin.Body.self, context: context)
        return JSONAnswer(
            try await SelfCheckin(services: services).checkIn(
                scope, sessionId: sessionId, body: body, browser: SelfCheckin.browserHash(request)))
    }

    struct StaffCheckinBody: Decodable {
        let bookingId: String?
        let membershipId: String?
        let overrideCapacity: Bool?
    }

    @Sendable func staffCheckin(_ request: Request, context: SessionContext) async throws -> JSONAnswer<CheckinResult> {
        let (scope, sessionId) = (try context.scope(.staff), context.sessionId)
        let body = try await request.decodeJSON(StaffCheckinBody.self, context: context)
        return JSONAnswer(
            try await StaffCheckin(services: services).checkIn(
                scope, sessionId: sessionId, bookingId: body.bookingId,
                membershipId: body.membershipId, overrideCapacity: body.overrideCapacity ?? false))
    }

    @Sendable func roster(_ request: Request, context: SessionContext) async throws -> ItemList<RosterEntry> {
        let (scope, sessionId) = (try context.scope(.staff), context.sessionId)
        return ItemList(items: try await store.roster(orgId: scope.orgId, sessionId: sessionId))
    }

    @Sendable func undo(_ request: Request, context: AppRequestContext) async throws -> Booking {
        try await setAttendance(context, to: .confirmed)
    }

    @Sendable func noShow(_ request: Request, context: AppRequestContext) async throws -> Booking {
        try await setAttendance(context, to: .noShow)
    }

    private func setAttendance(_ context: AppRequestContext, to target: BookingStatus) async throws -> Booking {
        let (scope, booking) = try await access.bookingScope(context)
        return try await StaffCheckin(services: services).setAttendance(scope, booking: booking, to: target)
    }
}
