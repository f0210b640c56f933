import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

extension Kiosk: ResponseEncodable {}

/// The door kiosk (docs/kiosk.md): managing a studio's kiosks (owners and admins, like displays), and
/// what the kiosk itself does behind its signed URL — find a booked member by the first letters of
/// their name, then check them in with their PIN through the self check-in path.
struct KioskService {
    let services: AppServices
    var store: KiosksStore { KiosksStore(database: services.database) }
    var pins: KioskPinsStore { KioskPinsStore(database: services.database) }

    /// Signed kiosk URLs last a year, like a display's: rotate or revoke to end one.
    static let urlLifetimeDays = 365

    // MARK: Managing kiosks

    func kiosks(_ scope: OrgScope) async throws -> [Kiosk] { try await store.kiosks(orgId: scope.orgId) }

    /// A kiosk at a live location of the studio; `name` defaults to "Door kiosk".
    func create(_ scope: OrgScope, locationId: String, name: String?) async throws -> Kiosk {
        try await store.create(
            orgId: scope.orgId, locationId: try IDs.ref(locationId, "Location"), name: try Validate.name(name ?? "Door kiosk"),
            createdBy: scope.membership.id, now: services.now)
    }

    func rotate(_ scope: OrgScope, id: String) async throws -> Kiosk {
        try await store.rotate(orgId: scope.orgId, id: try IDs.ref(id, "Kiosk"), now: services.now)
    }

    func revoke(_ scope: OrgScope, id: String) async throws -> Kiosk {
        try await store.revoke(orgId: scope.orgId, id: try IDs.ref(id, "Kiosk"), now: services.now)
    }

    /// A fresh signed URL, valid for a year (nil once revoked).
    func signedURL(_ kiosk: Kiosk) async throws -> String? {
        guard kiosk.revokedAt == nil else { return nil }
        let now = services.now
        let ring = try await services.keyRing.ring(now: now)
        let expires = now.epochSeconds + Int64(Self.urlLifetimeDays * 86_400)
        return services.configuration.publicBaseURL
            + KioskSignature.path(kioskId: kiosk.id, expires: expires, keyVersion: kiosk.keyVersion, keys: ring)
    }

    // MARK: The kiosk's link

    static func refusedLink(_ t: Messages) -> DomainError { DomainError(.invalidDisplayURL, t["kiosk.refusal.linkInvalid"]) }

    /// The kiosk and its studio when `exp` and `sig` hold for the kiosk's key version and it is not
    /// revoked (403 `invalid_display_url`, `display_revoked`, `display_url_expired`, as a display's).
    ///
    /// The refusals' messages here and below are written in `t`: English for the JSON API (its messages
    /// stay English, docs/i18n.md), the reader's language for the kiosk's page, which shows them.
    func verified(id: String?, exp: String?, sig: String?, t: Messages = .english) async throws -> (Kiosk, Organization) {
        guard let id, NewID.isWellFormed(id), let exp, let expires = Int64(exp), let sig, sig.utf8.count <= 200,
            let kiosk = try await store.kiosk(id: id.lowercased())
        else { throw Self.refusedLink(t) }
        let now = services.now
        let ring = try await services.keyRing.ring(now: now)
        switch KioskSignature.verify(
            kioskId: kiosk.id, expires: expires, signature: sig, keyVersion: kiosk.keyVersion, revoked: kiosk.revokedAt != nil,
            now: now, keys: ring)
        {
        case .success: break
        case .failure(.expired): throw DomainError(.displayURLExpired, t["kiosk.refusal.linkExpired"])
        case .failure(.revoked): throw DomainError(.displayRevoked, t["kiosk.refusal.linkRevoked"])
        case .failure: throw Self.refusedLink(t)
        }
        guard let org = try await services.organizations.organization(id: kiosk.organizationId) else { throw Self.refusedLink(t) }
        return (kiosk, org)
    }

    // MARK: Finding oneself

    /// One person the kiosk lists: enough to tell people apart, nothing more.
    struct Match: Encodable, Sendable {
        let bookingId: String
        let name: String
        let className: String
        let time: String
        let alreadyCheckedIn: Bool
    }

    /// The bookings open for check-in now at the kiosk's location whose member's name has a word
    /// starting with `query` (at least `KioskPin.minimumLetters` letters), at most `maximumMatches`.
    func search(_ kiosk: Kiosk, org: Organization, query: String?, t: Messages = .english) async throws -> [Match] {
        let query = (query ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard query.count <= KioskPin.maximumQueryLength else {
            throw DomainError(.invalidQuery, t("kiosk.refusal.queryTooLong", ["count": t.number(KioskPin.maximumQueryLength)]))
        }
        guard KioskNames.letterCount(query) >= KioskPin.minimumLetters else {
            throw DomainError(.invalidQuery, t("kiosk.refusal.queryTooShort", ["count": t.number(KioskPin.minimumLetters)]))
        }
        let now = services.now
        if try await services.rateLimits.hit("kiosk-search:\(kiosk.id)", windowSeconds: 60, now: now) > KioskPin.searchesPerKioskPerMinute {
            throw DomainError.rateLimited(t["kiosk.refusal.searchesThrottled"])
        }
        let open = try await store.bookingsOpenForCheckin(
            orgId: org.id, locationId: kiosk.locationId, opensMinutesBefore: org.checkinOpensMinutesBefore, now: now)
        let found = Array(open.filter { KioskNames.matches(name: $0.name, query: query) }.prefix(KioskPin.maximumMatches))
        let labels = KioskNames.labels(found.map(\.name))
        let local = LocalTime(timezone: org.timezone, now: now)
        return zip(found, labels).map { booking, label in
            Match(
                bookingId: booking.bookingId, name: label, className: booking.className, time: local.time(booking.startsAt),
                alreadyCheckedIn: booking.status == .attended)
        }
    }

    /// The booking the kiosk would check in, with the member's label (404 unless it is open to this kiosk).
    func booking(_ kiosk: Kiosk, org: Organization, bookingId: String?, t: Messages = .english) async throws -> KioskBooking {
        guard let bookingId, NewID.isWellFormed(bookingId),
            let booking = try await store.booking(orgId: org.id, locationId: kiosk.locationId, bookingId: bookingId.lowercased())
        else { throw DomainError(.notFound, t["kiosk.refusal.bookingNotFound"]) }
        return booking
    }

    // MARK: Checking in

    /// What the kiosk shows after a check-in.
    struct Outcome: ResponseEncodable, Sendable {
        let checkedIn: Bool
        let alreadyCheckedIn: Bool
        let name: String
        let className: String
        let time: String
    }

    /// Checks the booking's member in with their PIN. In this order: the kiosk's attempts this minute
    /// (429), the PIN's shape (400), the booking (404 unless confirmed or attended, of an active member,
    /// at this kiosk's location), the member's PIN (403 none set, 429 locked, 401 wrong; the wrong one
    /// that reaches the limit locks and answers 429), then the self check-in path with its window and
    /// rules. Every PIN refusal and every check-in is audited.
    func checkIn(_ kiosk: Kiosk, org: Organization, bookingId: String?, pin: String?, t: Messages = .english) async throws -> Outcome {
        let now = services.now
        if try await services.rateLimits.hit("kiosk-pin:\(kiosk.id)", windowSeconds: 60, now: now) > KioskPin.attemptsPerKioskPerMinute {
            throw DomainError.rateLimited(t["kiosk.refusal.pinsThrottled"])
        }
        guard let pin, KioskPin.isWellFormed(pin) else { throw DomainError(.invalidField, t["kiosk.refusal.pinMalformed"]) }
        let booking = try await self.booking(kiosk, org: org, bookingId: bookingId, t: t)
        let label = KioskNames.labels([booking.name])[0]
        var details: [String: AuditValue] = [
            "kioskId": .text(kiosk.id), "bookingId": .text(booking.bookingId), "sessionId": .text(booking.sessionId),
        ]
        func refuse(_ reason: String, _ error: DomainError, extra: [String: AuditValue] = [:]) async throws -> DomainError {
            details["reason"] = .text(reason)
            details.merge(extra) { _, new in new }
            try await store.audit(
                orgId: org.id, actor: nil, action: "kiosk.pin_failed", entityType: "kiosk", entityId: kiosk.id,
                subject: booking.membershipId, details: details, now: now)
            return error
        }
        switch try await pins.claim(userId: booking.userId, now: now) {
        case .noPin:
            throw try await refuse("no_pin", DomainError.forbidden(t["kiosk.refusal.noPin"]))
        case .locked(let until):
            let minutes = max(1, Int((until.timeIntervalSince(now) / 60).rounded(.up)))
            throw try await refuse(
                "locked", Self.locked(minutes: minutes, t: t), extra: ["lockedUntil": AuditValue(until)])
        case .counted(let hash, let failures, let locks):
            guard try await services.passwords.verify(pin, hash: hash) else {
                if locks {
                    let error = try await refuse(
                        "wrong_pin", Self.locked(minutes: Int(KioskPin.lockSeconds / 60), t: t), extra: ["failures": .number(failures)])
                    try await store.audit(
                        orgId: org.id, actor: nil, action: "kiosk.pin_locked", entityType: "kiosk", entityId: kiosk.id,
                        subject: booking.membershipId,
                        details: [
                            "kioskId": .text(kiosk.id),
                            "lockedUntil": AuditValue(now.addingTimeInterval(TimeInterval(KioskPin.lockSeconds))),
                        ],
                        now: now)
                    throw error
                }
                throw try await refuse(
                    "wrong_pin", DomainError(.invalidCredentials, t["kiosk.refusal.wrongPin"]),
                    extra: ["failures": .number(failures)])
            }
            try await pins.forgive(userId: booking.userId, now: now)
        }
        let actor = BookingActor(userId: booking.userId, membershipId: booking.membershipId, role: booking.role)
        let result: CheckinResult
        do {
            // The self check-in path: the same window, booking status and rules as a scan.
            result = try await CheckinStore(database: services.database, batcher: services.checkinBatcher).checkIn(
                org: org, sessionId: booking.sessionId, membershipId: booking.membershipId, method: .manual, actor: actor,
                overrideCapacity: false, enforceWindow: true, now: now)
        } catch let error as DomainError {
            details["reason"] = .text(error.code)
            try await store.audit(
                orgId: org.id, actor: actor, action: "kiosk.check_in_refused", entityType: "booking", entityId: booking.bookingId,
                subject: booking.membershipId, details: details, now: now)
            throw error
        }
        await services.announce(result, kind: .checkedIn)
        details["alreadyCheckedIn"] = .flag(result.alreadyCheckedIn)
        try await store.audit(
            orgId: org.id, actor: actor, action: "kiosk.check_in", entityType: "booking", entityId: result.booking.id,
            subject: booking.membershipId, details: details, now: now)
        let local = LocalTime(timezone: org.timezone, now: now)
        return Outcome(
            checkedIn: true, alreadyCheckedIn: result.alreadyCheckedIn, name: label, className: booking.className,
            time: local.time(booking.startsAt))
    }

    static func locked(minutes: Int, t: Messages = .english) -> DomainError {
        DomainError.rateLimited(t("kiosk.refusal.locked", ["minutes": t.number(minutes)]))
    }

    // MARK: The member's PIN

    /// Sets the signed-in person's PIN (both entries must agree; trivial PINs are refused), with the
    /// refusals' messages in `t` (the PIN form shows them).
    func setPin(userId: String, pin: String?, repeated: String?, t: Messages = .english) async throws {
        let typed = pin ?? ""
        let valid: String
        do {
            valid = try KioskPin.validate(typed)
        } catch let error as DomainError where error.refusal == .invalidField {
            // `validate` refuses a PIN that is not 4 digits, or one too easy to guess.
            throw DomainError(.invalidField, KioskPin.isWellFormed(typed) ? t["kiosk.refusal.pinTrivial"] : t["kiosk.refusal.pinMalformed"])
        }
        guard valid == repeated else { throw DomainError(.invalidField, t["kiosk.refusal.pinMismatch"]) }
        try await pins.set(userId: userId, hash: try await services.passwords.hash(valid), now: services.now)
    }
}
