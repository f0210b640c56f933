import Foundation
import FrontdeskCore
import Testing

/// The OpenAPI document is written by tools/openapi/gen.py; the limits and enums it states are
/// declared once in Swift (FrontdeskCore). This suite fails as soon as the two differ, so a change to
/// one without the other cannot land.
@Suite("OpenAPI document agrees with the Swift declarations")
struct OpenAPIConsistencyTests {
    static func schemas() throws -> [String: [String: Any]] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/FrontdeskServer/OpenAPI/openapi.json")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let components = try #require(document?["components"] as? [String: Any])
        return try #require(components["schemas"] as? [String: [String: Any]])
    }

    static func property(_ schema: String, _ name: String) throws -> [String: Any] {
        let properties = try #require(try schemas()[schema]?["properties"] as? [String: Any], "no schema \(schema)")
        return try #require(properties[name] as? [String: Any], "\(schema) has no \(name)")
    }

    static func range(_ schema: String, _ name: String) throws -> ClosedRange<Int>? {
        let field = try property(schema, name)
        guard let low = field["minimum"] as? Int, let high = field["maximum"] as? Int else { return nil }
        return low...high
    }

    static func enumValues(_ schema: String) throws -> Set<String> {
        Set(try #require(try schemas()[schema]?["enum"] as? [String], "\(schema) is not an enum"))
    }

    @Test("enums: roles, membership statuses, delivery modes, booking and session statuses")
    func enums() throws {
        #expect(try Self.enumValues("Role") == Set(Role.allCases.map(\.rawValue)))
        #expect(try Self.enumValues("MembershipStatus") == Set(MembershipStatus.allCases.map(\.rawValue)))
        #expect(try Self.enumValues("DeliveryMode") == Set(DeliveryMode.allCases.map(\.rawValue)))
        #expect(try Self.enumValues("BookingStatus") == Set(BookingStatus.allCases.map(\.rawValue)))
        #expect(try Self.enumValues("SessionStatus") == Set(SessionStatus.allCases.map(\.rawValue)))
        let providers = try Self.property("OrganizationUpdate", "paymentProvider")
        let listed = ((providers["enum"] as? [Any]) ?? []).compactMap { $0 as? String }
        #expect(Set(listed) == OrganizationLimits.paymentProviders, "paymentProvider enum: \(listed)")
    }

    @Test(
        "organization settings' ranges",
        arguments: [
            ("cancellationWindowHours", OrganizationLimits.cancellationWindowHours),
            ("checkinOpensMinutesBefore", OrganizationLimits.checkinOpensMinutesBefore),
            ("checkinGraceSeconds", OrganizationLimits.checkinGraceSeconds),
            ("gpsMaxMeters", OrganizationLimits.gpsMaxMeters),
            ("gpsMaxAccuracyMeters", OrganizationLimits.gpsMaxAccuracyMeters),
            ("noShowGraceMinutes", OrganizationLimits.noShowGraceMinutes),
            ("bookingOpensDaysBefore", OrganizationLimits.bookingOpensDaysBefore),
            ("waitlistCutoffMinutes", OrganizationLimits.waitlistCutoffMinutes),
        ])
    func organizationRanges(field: String, range: ClosedRange<Int>) throws {
        #expect(try Self.range("OrganizationUpdate", field) == range, "OrganizationUpdate.\(field)")
        #expect(try Self.range("OrganizationCreate", field) == range, "OrganizationCreate.\(field)")
    }

    @Test("catalog ranges")
    func catalogRanges() throws {
        #expect(try Self.range("ClassTypeCreate", "defaultCapacity") == CatalogLimits.capacity)
        #expect(try Self.range("ClassTypeCreate", "defaultDurationMin") == CatalogLimits.durationMin)
    }

    @Test("passwords and e-mail addresses")
    func accountLimits() throws {
        for schema in ["PasswordResetConfirm", "JoinRequest"] {
            let password = try Self.property(schema, "password")
            #expect(password["minLength"] as? Int == 8 && password["maxLength"] as? Int == 72, "\(schema).password")
            #expect(throws: (any Error).self) { try Validate.password("1234567") }
            #expect((try? Validate.password("12345678")) != nil)
            #expect(throws: (any Error).self) { try Validate.password(String(repeating: "x", count: 73)) }
        }
        let email = try Self.property("JoinRequest", "email")
        #expect(email["maxLength"] as? Int == 254)
        let longest = String(repeating: "a", count: 254 - "@example.com".utf8.count) + "@example.com"
        #expect((try? Validate.email(longest)) != nil)
        #expect(throws: (any Error).self) { try Validate.email("a" + longest) }
    }
}
