import Foundation
import Testing

import FrontdeskCore

@Suite("DomainError")
struct DomainErrorTests {
    @Test(
        "factories set status, code and message",
        arguments: [
            (DomainError(.invalidDate, "Dates look like 2026-03-29."), 400, "invalid_date", "Dates look like 2026-03-29."),
            (
                DomainError.invalidField("capacity", "must be between 1 and 1000."), 400, "invalid_field",
                "capacity: must be between 1 and 1000."
            ),
            (DomainError.unauthorized(), 401, "unauthorized", "Authentication required."),
            (DomainError.unauthorized("Session expired."), 401, "unauthorized", "Session expired."),
            (DomainError.forbidden(), 403, "forbidden", "Your role does not allow this action."),
            (DomainError.forbidden("Coaches cannot publish."), 403, "forbidden", "Coaches cannot publish."),
            (DomainError.notFound("Session"), 404, "not_found", "Session not found."),
            (DomainError(.classFull, "The class is full."), 409, "class_full", "The class is full."),
            (DomainError(.noPlan, "A plan is needed."), 402, "no_plan", "A plan is needed."),
            (DomainError(.membershipSuspended, kind: .conflict, "Suspended."), 409, "membership_suspended", "Suspended."),
            (DomainError.rateLimited("Too many attempts."), 429, "rate_limited", "Too many attempts."),
        ])
    func factories(error: DomainError, status: Int, code: String, message: String) throws {
        #expect(error.status == status)
        #expect(error.code == code)
        #expect(error.message == message)
        #expect(error == DomainError(try #require(Refusal(rawValue: code)), kind: error.kind, message))
    }

    @Test("description is 'kind code: message' (no HTTP in the core)")
    func description() {
        #expect(DomainError.notFound("Session").description == "notFound not_found: Session not found.")
        #expect("\(DomainError.invalidField("email", "is not valid."))" == "invalid invalid_field: email: is not valid.")
    }

    @Test("equality compares every field")
    func equality() {
        let base = DomainError(.classFull, "m")
        #expect(base == DomainError(.classFull, "m"))
        #expect(base == DomainError(.classFull, kind: .conflict, "m"))
        #expect(base != DomainError(.classFull, kind: .invalid, "m"))
        #expect(base != DomainError(.overlap, "m"))
        #expect(base != DomainError(.classFull, "n"))
    }

    @Test("each refusal's code is its snake_case raw value, unique, and its kind decides the status")
    func refusals() {
        let codes = Refusal.allCases.map(\.rawValue)
        #expect(Set(codes).count == codes.count)
        for refusal in Refusal.allCases {
            #expect(refusal.rawValue.allSatisfy { $0.isLowercase || $0 == "_" }, "\(refusal)")
            #expect(DomainError(refusal, "m").code == refusal.rawValue)
            #expect(DomainError(refusal, "m").kind == refusal.kind)
        }
    }

    @Test("it is thrown and caught as an Error")
    func throwable() {
        #expect(throws: DomainError.forbidden()) { throw DomainError.forbidden() }
        let erased: any Error = DomainError.notFound("Plan")
        #expect((erased as? DomainError)?.status == 404)
    }
}

@Suite("Organization")
struct OrganizationTests {
    func makeOrganization() throws -> Organization {
        let created = try iso("2026-01-01T09:00:00+01:00")
        return Organization(id: NewID.make(), name: "Studio", timezone: "Europe/Berlin", createdAt: created, updatedAt: created)
    }

    @Test("defaults follow the spec")
    func defaults() throws {
        let org = try makeOrganization()
        #expect(org.cancellationWindowHours == 12)
        #expect(org.allowLateCancellation == false)
        #expect(org.checkinOpensMinutesBefore == 30)
        #expect(org.checkinGraceSeconds == 10)
        #expect(org.paymentProvider == nil)
        #expect(org.latitude == nil)
        #expect(org.longitude == nil)
        #expect(org.primaryColor == "#3b5bdb")
        #expect(org.gpsMaxMeters == 150)
        #expect(org.gpsMaxAccuracyMeters == 100)
        #expect(org.noShowGraceMinutes == 30)
        #expect(org.bookingOpensDaysBefore == nil)
        #expect(org.waitlistCutoffMinutes == 0)
    }

    @Test("defaults pass the validation their own settings are held to")
    func defaultsAreValid() throws {
        let org = try makeOrganization()
        #expect(OrganizationLimits.cancellationWindowHours.contains(org.cancellationWindowHours))
        #expect(OrganizationLimits.checkinOpensMinutesBefore.contains(org.checkinOpensMinutesBefore))
        #expect(OrganizationLimits.checkinGraceSeconds.contains(org.checkinGraceSeconds))
        #expect(OrganizationLimits.gpsMaxMeters.contains(org.gpsMaxMeters))
        #expect(OrganizationLimits.gpsMaxAccuracyMeters.contains(org.gpsMaxAccuracyMeters))
        #expect(OrganizationLimits.noShowGraceMinutes.contains(org.noShowGraceMinutes))
        #expect(OrganizationLimits.waitlistCutoffMinutes.contains(org.waitlistCutoffMinutes))
        #expect(try Validate.color(org.primaryColor) == org.primaryColor)
        #expect(try Validate.timeZone(org.timezone) == org.timezone)
        #expect(try Validate.coordinates(latitude: org.latitude, longitude: org.longitude) == nil)
    }

    @Test("published limits")
    func limits() {
        #expect(OrganizationLimits.cancellationWindowHours == 0...336)
        #expect(OrganizationLimits.checkinOpensMinutesBefore == 0...240)
        #expect(OrganizationLimits.checkinGraceSeconds == 0...120)
        #expect(OrganizationLimits.gpsMaxMeters == 10...5_000)
        #expect(OrganizationLimits.gpsMaxAccuracyMeters == 5...5_000)
        #expect(OrganizationLimits.noShowGraceMinutes == 0...1_440)
        #expect(OrganizationLimits.bookingOpensDaysBefore == 1...365)
        #expect(OrganizationLimits.waitlistCutoffMinutes == 0...1_440)
        #expect(OrganizationLimits.paymentProviders == ["stripe", "mollie", "gocardless", "manual"])
        #expect(CatalogLimits.capacity == 1...1_000)
        #expect(CatalogLimits.durationMin == 1...1_440)
    }

    @Test("explicit values override the defaults and survive a JSON round trip")
    func explicitAndCodable() throws {
        let created = try iso("2026-01-01T09:00:00+01:00")
        let org = Organization(
            id: NewID.make(), name: "Box", timezone: "America/New_York", cancellationWindowHours: 24,
            allowLateCancellation: true, paymentProvider: "stripe", latitude: 40.7, longitude: -74.0,
            primaryColor: "#ff0000", checkinOpensMinutesBefore: 15, checkinGraceSeconds: 0, gpsMaxMeters: 300,
            gpsMaxAccuracyMeters: 50, noShowGraceMinutes: 60, bookingOpensDaysBefore: 7, waitlistCutoffMinutes: 120,
            createdAt: created, updatedAt: created.addingTimeInterval(60)
        )
        #expect(org.cancellationWindowHours == 24)
        #expect(org.allowLateCancellation)
        #expect(org.bookingOpensDaysBefore == 7)
        let decoded = try JSONDecoder().decode(Organization.self, from: JSONEncoder().encode(org))
        #expect(decoded == org)
    }
}

@Suite("ClassSession")
struct ClassSessionTests {
    func session(startsAt: Date, durationMin: Int) -> ClassSession {
        ClassSession(
            id: NewID.make(), organizationId: NewID.make(), classTypeId: NewID.make(), locationId: nil,
            coachMembershipId: nil, startsAt: startsAt, durationMin: durationMin, capacity: 12, status: .published,
            createdAt: startsAt, updatedAt: startsAt
        )
    }

    @Test("endsAt is startsAt plus the duration", arguments: [1, 30, 45, 60, 90, 1_440])
    func endsAt(durationMin: Int) throws {
        let start = try iso("2026-06-01T18:00:00+02:00")
        let s = session(startsAt: start, durationMin: durationMin)
        #expect(s.endsAt == start.addingTimeInterval(TimeInterval(durationMin) * 60))
        #expect(s.endsAt.timeIntervalSince(s.startsAt) == TimeInterval(durationMin * 60))
    }

    @Test("endsAt is absolute time: a 60-minute class across spring-forward ends one real hour later")
    func endsAtAcrossDST() throws {
        let s = session(startsAt: try iso("2026-03-29T01:30:00+01:00"), durationMin: 60)
        #expect(s.endsAt == (try iso("2026-03-29T03:30:00+02:00")))
        let fall = session(startsAt: try iso("2026-10-25T02:30:00+02:00"), durationMin: 60)
        #expect(fall.endsAt == (try iso("2026-10-25T02:30:00+01:00")))
    }

    @Test("endsAt follows changes to startsAt and durationMin")
    func endsAtIsComputed() throws {
        var s = session(startsAt: try iso("2026-06-01T18:00:00Z"), durationMin: 60)
        s.durationMin = 45
        #expect(s.endsAt == (try iso("2026-06-01T18:45:00Z")))
        s.startsAt = try iso("2026-06-02T07:00:00Z")
        #expect(s.endsAt == (try iso("2026-06-02T07:45:00Z")))
    }

    @Test("cancelReason defaults to nil and the session round-trips through JSON")
    func codable() throws {
        let s = session(startsAt: try iso("2026-06-01T18:00:00Z"), durationMin: 60)
        #expect(s.cancelReason == nil)
        let decoded = try JSONDecoder().decode(ClassSession.self, from: JSONEncoder().encode(s))
        #expect(decoded == s)
        #expect(decoded.endsAt == s.endsAt)
    }
}
