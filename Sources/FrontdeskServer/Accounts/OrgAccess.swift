import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The caller's standing in one organization, resolved once per request.
struct OrgScope: Sendable {
    let user: User
    let membership: Membership
    let organization: Organization

    var orgId: String { organization.id }
    var role: Role { membership.role }
    /// The caller as the actor of a change.
    var actor: BookingActor { BookingActor(userId: user.id, membershipId: membership.id, role: role) }
}

/// The one place that answers "this user's membership in this org": every org-scoped handler gets
/// its `OrgScope` from here, so none can skip the check. Unknown orgs and orgs the caller does not
/// belong to both answer 404 (no existence oracle); a suspended membership or too low a role, 403.
struct OrgAccess: Sendable {
    let services: AppServices

    func scope(_ context: AppRequestContext, orgId: String, requiring permission: Permission) async throws -> OrgScope {
        let user = try context.requireUser()
        guard NewID.isWellFormed(orgId) else { throw DomainError.notFound("Organization") }
        return try scope(
            user: user, access: try await services.organizations.membershipAndOrganization(orgId: orgId, userId: user.id),
            requiring: permission)
    }

    /// The checks on an already looked-up membership (nil: not a member → 404), as `OrgStanding` makes them.
    func scope(user: User, access: (Membership, Organization)?, requiring permission: Permission) throws -> OrgScope {
        guard let (membership, organization) = access else { throw DomainError.notFound("Organization") }
        return try OrgStanding(user: user, membership: membership, organization: organization).scope(permission)
    }

    /// Resolves the `:booking` path parameter: its own member, or staff of its org. Anyone else: 404.
    func bookingScope(_ context: AppRequestContext) async throws -> (OrgScope, Booking) {
        _ = try context.requireUser()
        let id = try context.id("booking", "Booking")
        guard let booking = try await BookingsStore(database: services.database).booking(id: id) else {
            throw DomainError.notFound("Booking")
        }
        services.bookingHomes.note(booking)
        return (try await scope(context, of: .init(booking)), booking)
    }

    /// `bookingScope` for what needs only where the booking belongs (a cancel, which reads the booking
    /// under its class's lock): from `BookingHomes` when this process made or read it, else read.
    func bookingHomeScope(_ context: AppRequestContext) async throws -> (OrgScope, BookingHomes.Home) {
        _ = try context.requireUser()
        let id = try context.id("booking", "Booking")
        if let home = services.bookingHomes.home(of: id) { return (try await scope(context, of: home), home) }
        let (scope, booking) = try await bookingScope(context)
        return (scope, .init(booking))
    }

    /// The caller's scope for a booking that belongs to `home`: its own member, or staff of its org; 404 otherwise.
    private func scope(_ context: AppRequestContext, of home: BookingHomes.Home) async throws -> OrgScope {
        let scope: OrgScope
        do {
            scope = try await self.scope(context, orgId: home.organizationId, requiring: .member)
        } catch let error as DomainError where error.status == 404 {
            throw DomainError.notFound("Booking")
        }
        guard scope.role.isStaff || home.membershipId == scope.membership.id else { throw DomainError.notFound("Booking") }
        return scope
    }

}
