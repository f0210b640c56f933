import Foundation
import FrontdeskCore
import FrontdeskStore

/// Booking and cancelling (SPEC §5) — the one path behind the API and the member pages: who may book
/// for whom and beyond capacity is decided here; the request then waits on the process's booking
/// lane (`ClassLanes`), which decides it by `BookingRules` in arrival order and writes it with the
/// others of its batch in one transaction.
struct BookingService: Sendable {
    let services: AppServices

    /// Books `onBehalfOf` (staff only; default the caller) into the session; `overrideCapacity` is staff only.
    func book(
        _ scope: OrgScope, sessionId: String, onBehalfOf other: String? = nil, overrideCapacity: Bool = false,
        idempotencyKey: String? = nil
    ) async throws -> BookingResult {
        var target = scope.membership.id
        if let other, other.lowercased() != scope.membership.id {
            guard scope.role.isStaff else { throw DomainError.forbidden("Only staff can book on behalf of another member.") }
            target = try IDs.ref(other, "Member")
        }
        if overrideCapacity, !scope.role.isStaff {
            throw DomainError.forbidden("Only staff can book beyond capacity.")
        }
        let request = BookRequest(
            org: scope.organization, sessionId: sessionId, membershipId: target, actor: scope.actor,
            overrideCapacity: overrideCapacity, idempotencyKey: idempotencyKey, now: services.now)
        let result = try await services.classLanes.submit(.book(request))
        services.bookingHomes.note(result.booking)
        return result
    }

    /// Cancels a booking the caller may see (its member, or staff of its org).
    func cancel(_ scope: OrgScope, booking: BookingHomes.Home, idempotencyKey: String? = nil) async throws -> BookingResult {
        guard booking.organizationId == scope.orgId, scope.role.isStaff || booking.membershipId == scope.membership.id else {
            throw DomainError.notFound("Booking")
        }
        let request = CancelRequest(
            org: scope.organization, bookingId: booking.bookingId, sessionId: booking.sessionId, membershipId: booking.membershipId,
            actor: scope.actor, idempotencyKey: idempotencyKey, now: services.now)
        return try await services.classLanes.submit(.cancel(request))
    }
}
