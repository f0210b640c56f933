import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

extension Organization: ResponseEncodable {}

/// `POST /api/orgs`, `GET/PATCH /api/orgs/:org`.
struct OrganizationRoutes {
    let services: AppServices

    func register(_ api: Routes, org: ContextRoutes<OrgContext>) {
        api.post("orgs", use: create)
        org.get(use: show)
        org.patch(use: update)
    }

    /// The settings a create or PATCH body may carry; every field optional except on create `name`/`timezone`.
    struct SettingsBody: Decodable, Sendable {
        var name: PatchField<String> = .absent
        var timezone: PatchField<String> = .absent
        var cancellationWindowHours: PatchField<Int> = .absent
        var allowLateCancellation: PatchField<Bool> = .absent
        var paymentProvider: PatchField<String> = .absent
        var latitude: PatchField<Double> = .absent
        var longitude: PatchField<Double> = .absent
        var primaryColor: PatchField<String> = .absent
        var checkinOpensMinutesBefore: PatchField<Int> = .absent
        var checkinGraceSeconds: PatchField<Int> = .absent
        var gpsMaxMeters: PatchField<Int> = .absent
        var gpsMaxAccuracyMeters: PatchField<Int> = .absent
        var noShowGraceMinutes: PatchField<Int> = .absent
        var bookingOpensDaysBefore: PatchField<Int> = .absent
        var waitlistCutoffMinutes: PatchField<Int> = .absent

        enum CodingKeys: String, CodingKey {
            case name, timezone, cancellationWindowHours, allowLateCancellation, paymentProvider, latitude, longitude,
                primaryColor, checkinOpensMinutesBefore, checkinGraceSeconds, gpsMaxMeters, gpsMaxAccuracyMeters,
                noShowGraceMinutes, bookingOpensDaysBefore, waitlistCutoffMinutes
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.patch(String.self, forKey: .name)
            timezone = try c.patch(String.self, forKey: .timezone)
            cancellationWindowHours = try c.patch(Int.self, forKey: .cancellationWindowHours)
            allowLateCancellation = try c.patch(Bool.self, forKey: .allowLateCancellation)
            paymentProvider = try c.patch(String.self, forKey: .paymentProvider)
            latitude = try c.patch(Double.self, forKey: .latitude)
            longitude = try c.patch(Double.self, forKey: .longitude)
            primaryColor = try c.patch(String.self, forKey: .primaryColor)
            checkinOpensMinutesBefore = try c.patch(Int.self, forKey: .checkinOpensMinutesBefore)
            checkinGraceSeconds = try c.patch(Int.self, forKey: .checkinGraceSeconds)
            gpsMaxMeters = try c.patch(Int.self, forKey: .gpsMaxMeters)
            gpsMaxAccuracyMeters = try c.patch(Int.self, forKey: .gpsMaxAccuracyMeters)
            noShowGraceMinutes = try c.patch(Int.self, forKey: .noShowGraceMinutes)
            bookingOpensDaysBefore = try c.patch(Int.self, forKey: .bookingOpensDaysBefore)
            waitlistCutoffMinutes = try c.patch(Int.self, forKey: .waitlistCutoffMinutes)
        }

        /// Applies the body to `org`, validating every field it touches.
        func apply(to org: Organization) throws -> Organization {
            var org = org
            func required<T>(_ field: PatchField<T>, _ name: String, _ current: T) throws -> T {
                if field.isNull { throw DomainError.invalidField(name, "must not be null.") }
                return field.given ?? current
            }
            func ranged(_ field: PatchField<Int>, _ name: String, _ current: Int, _ range: ClosedRange<Int>) throws -> Int {
                try Validate.int(try required(field, name, current), in: range, field: name)
            }
            org.name = try Validate.name(try required(name, "name", org.name))
            org.timezone = try Validate.timeZone(try required(timezone, "timezone", org.timezone))
            org.cancellationWindowHours = try ranged(
                cancellationWindowHours, "cancellationWindowHours", org.cancellationWindowHours, OrganizationLimits.cancellationWindowHours)
            org.allowLateCancellation = try required(allowLateCancellation, "allowLateCancellation", org.allowLateCancellation)
            org.paymentProvider = paymentProvider.applied(to: org.paymentProvider)
            if let provider = org.paymentProvider, !OrganizationLimits.paymentProviders.contains(provider) {
                throw DomainError.invalidField(
                    "paymentProvider", "must be one of \(OrganizationLimits.paymentProviders.sorted().joined(separator: ", ")) or null.")
            }
            let coordinates = try Validate.coordinates(
                latitude: latitude.applied(to: org.latitude), longitude: longitude.applied(to: org.longitude))
            org.latitude = coordinates?.0
            org.longitude = coordinates?.1
            org.primaryColor = try Validate.color(try required(primaryColor, "primaryColor", org.primaryColor), field: "primaryColor")
            org.checkinOpensMinutesBefore = try ranged(
                checkinOpensMinutesBefore, "checkinOpensMinutesBefore", org.checkinOpensMinutesBefore,
                OrganizationLimits.checkinOpensMinutesBefore)
            org.checkinGraceSeconds = try ranged(
                checkinGraceSeconds, "checkinGraceSeconds", org.checkinGraceSeconds, OrganizationLimits.checkinGraceSeconds)
            org.gpsMaxMeters = try ranged(gpsMaxMeters, "gpsMaxMeters", org.gpsMaxMeters, OrganizationLimits.gpsMaxMeters)
            org.gpsMaxAccuracyMeters = try ranged(
                gpsMaxAccuracyMeters, "gpsMaxAccuracyMeters", org.gpsMaxAccuracyMeters, OrganizationLimits.gpsMaxAccuracyMeters)
            org.noShowGraceMinutes = try ranged(
                noShowGraceMinutes, "noShowGraceMinutes", org.noShowGraceMinutes, OrganizationLimits.noShowGraceMinutes)
            org.bookingOpensDaysBefore = try bookingOpensDaysBefore.applied(to: org.bookingOpensDaysBefore)
                .map { try Validate.int($0, in: OrganizationLimits.bookingOpensDaysBefore, field: "bookingOpensDaysBefore") }
            org.waitlistCutoffMinutes = try ranged(
                waitlistCutoffMinutes, "waitlistCutoffMinutes", org.waitlistCutoffMinutes, OrganizationLimits.waitlistCutoffMinutes)
            return org
        }
    }

    struct CreateResponse: ResponseEncodable {
        let organization: Organization
        let membership: Membership
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Created<CreateResponse> {
        let user = try context.requireUser()
        guard services.configuration.orgCreation == .anyone else {
            throw DomainError(.orgCreationDisabled, "Studios are created by the operator of this server (frontdesk org create).")
        }
        let body = try await request.decodeJSON(SettingsBody.self, context: context)
        guard body.name.given != nil else { throw DomainError(.missingField, "name is required.") }
        guard body.timezone.given != nil else { throw DomainError(.missingField, "timezone is required.") }
        let now = services.now
        let blank = Organization(id: NewID.make(), name: "-", timezone: "UTC", createdAt: now, updatedAt: now)
        let org = try body.apply(to: blank)
        // A stranger's studio must not mail anyone in its name until its owner has proven an address.
        let verified = try await services.accounts.isEmailVerified(userId: user.id)
        let (created, membership) = try await services.organizations.create(org, ownerUserId: user.id, holdMail: !verified)
        return Created(body: CreateResponse(organization: created, membership: membership))
    }

    @Sendable func show(_ request: Request, context: OrgContext) async throws -> Organization {
        try context.scope(.member).organization
    }

    @Sendable func update(_ request: Request, context: OrgContext) async throws -> Organization {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(SettingsBody.self, context: context)
        var org = try body.apply(to: scope.organization)
        org.updatedAt = services.now
        try await services.organizations.update(org)
        return org
    }
}
