import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// A member's own check-in (SPEC §6) by QR token, proof of scan or GPS — the one path behind the API
/// (`POST /api/sessions/:id/self-checkin`) and the scan landing page.
struct SelfCheckin: Sendable {
    let services: AppServices
    var store: CheckinStore { CheckinStore(database: services.database, batcher: services.checkinBatcher) }

    struct Body: Decodable {
        var token: String?
        var proof: String?
        var latitude: Double?
        var longitude: Double?
        var accuracyMeters: Double?
    }

    /// Self check-ins per member per minute before 429.
    static let selfCheckinsPerMinute = 20

    /// The hash of the scanning browser's nonce cookie, to which proofs of scan are bound.
    static func browserHash(_ request: Request) -> String? {
        request.cookies[AuthCookies.browser].map { SecretToken.hash($0.value) }
    }

    /// The member's own check-in by QR token, proof of scan or GPS (the API and the scan landing page).
    func checkIn(_ scope: OrgScope, sessionId: String, body: Body, browser: String?) async throws -> CheckinResult {
        let now = services.now
        if services.selfCheckinLimiter.hit(scope.membership.id, now: now) > Self.selfCheckinsPerMinute {
            throw DomainError.rateLimited("Too many check-in attempts; wait a minute and try again.")
        }
        let method: CheckinMethod
        if let token = body.token {
            let ring = try await services.keyRing.ring(now: now)
            switch CheckinToken.verify(
                token, sessionId: sessionId, now: now, graceSeconds: scope.organization.checkinGraceSeconds, keys: ring)
            {
            case .success: method = .qr
            case .failure(let error): throw Self.tokenError(error)
            }
        } else if let proof = body.proof {
            let ring = try await services.keyRing.ring(now: now)
            switch ProofOfScan.verify(proof, sessionId: sessionId, now: now, keys: ring, browser: browser) {
            case .success: method = .qr
            case .failure(let error): throw Self.tokenError(error)
            }
        } else if let latitude = body.latitude, let longitude = body.longitude {
            guard let accuracy = body.accuracyMeters else {
                throw DomainError(.missingField, "accuracyMeters is required with GPS coordinates.")
            }
            try Geo.validate(
                latitude: latitude, longitude: longitude, accuracyMeters: accuracy,
                maxAccuracyMeters: scope.organization.gpsMaxAccuracyMeters)
            try await checkDistance(scope, sessionId: sessionId, latitude: latitude, longitude: longitude)
            method = .gps
        } else {
            throw DomainError(.missingField, "Send a QR token, a proof of scan, or latitude, longitude and accuracyMeters.")
        }
        let result = try await store.checkIn(
            org: scope.organization, sessionId: sessionId, membershipId: scope.membership.id, method: method,
            actor: scope.actor,
            overrideCapacity: false, enforceWindow: true, now: now)
        await services.announce(result, kind: .checkedIn, member: scope.user.name)
        return result
    }

    static func tokenError(_ error: CheckinTokenError) -> DomainError {
        switch error {
        case .expired:
            DomainError(.tokenExpired, "This QR code has expired; scan the code on the screen again.")
        case .notYetValid:
            DomainError(.tokenNotYetValid, "This QR code is not valid yet; check the device's clock and scan again.")
        case .malformed, .unknownKey, .badSignature, .wrongSession:
            DomainError(.invalidToken, "This QR code is not valid for this class.")
        }
    }

    /// GPS rule (SPEC §6): not for feed-mode programs; the location's coordinates, else the org's;
    /// within `gpsMaxMeters` by great-circle distance.
    func checkDistance(_ scope: OrgScope, sessionId: String, latitude: Double, longitude: Double) async throws {
        guard
            let session = try await ScheduleStore(database: services.database)
                .session(orgId: scope.orgId, id: sessionId, viewerMembershipId: scope.membership.id)
        else { throw DomainError.notFound("Session") }
        if session.deliveryMode == .feed {
            throw DomainError(.gpsNotAllowed, "Classes of this program check in by QR code only.")
        }
        var place: (Double, Double)?
        if let locationId = session.session.locationId,
            let location = try await services.catalog.location(orgId: scope.orgId, id: locationId),
            let lat = location.latitude, let lon = location.longitude
        {
            place = (lat, lon)
        } else if let lat = scope.organization.latitude, let lon = scope.organization.longitude {
            place = (lat, lon)
        }
        guard let (placeLatitude, placeLongitude) = place else {
            throw DomainError(.locationHasNoCoordinates, "This class's location has no coordinates; check in by QR code.")
        }
        let distance = Geo.distanceMeters(latitude1: latitude, longitude1: longitude, latitude2: placeLatitude, longitude2: placeLongitude)
        guard distance <= Double(scope.organization.gpsMaxMeters) else {
            throw DomainError(
                .tooFar,
                "You are \(Int(distance.rounded())) m from the studio; GPS check-in works within \(scope.organization.gpsMaxMeters) m.")
        }
    }
}
