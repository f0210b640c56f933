import Foundation
import FrontdeskCore
import Testing

@testable import FrontdeskServer

/// The OpenAPI document is written by tools/openapi/gen.py; the limits and enums it states are
/// declared once in Swift (FrontdeskCore). This suite fails as soon as the two differ, so a change to
/// one without the other cannot land.
@Suite("OpenAPI document agrees with the Swift declarations")
struct OpenAPIConsistencyTests {
    static func document() throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/FrontdeskServer/OpenAPI/openapi.json")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    static func schemas() throws -> [String: [String: Any]] {
        let components = try #require(try document()["components"] as? [String: Any])
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

    @Test("error codes: the document's ErrorCode enum is Swift's Refusal, case for case")
    func errorCodes() throws {
        let listed = try #require(try Self.schemas()["ErrorCode"]?["enum"] as? [String], "no ErrorCode enum")
        #expect(listed == Refusal.allCases.map(\.rawValue))
        let error = try Self.property("Error", "error")
        let code = try #require((error["properties"] as? [String: Any])?["code"] as? [String: Any])
        #expect(code["$ref"] as? String == "#/components/schemas/ErrorCode")
    }

    /// The Swift type each operation with a JSON body decodes (`request.decodeJSON`).
    static let requestBodies: [String: any Decodable.Type] = [
        "login": AuthRoutes.LoginRequest.self,
        "requestPasswordReset": AccountRoutes.EmailBody.self,
        "confirmPasswordReset": AccountRoutes.ResetBody.self,
        "changePassword": AccountRoutes.ChangeBody.self,
        "confirmEmailVerification": AccountRoutes.TokenBody.self,
        "acceptInvitation": AccountRoutes.AcceptBody.self,
        "join": AccountRoutes.JoinBody.self,
        "createOrganization": OrganizationRoutes.SettingsBody.self,
        "updateOrganization": OrganizationRoutes.SettingsBody.self,
        "addMember": MemberRoutes.AddBody.self,
        "createInvitation": AccountRoutes.InviteBody.self,
        "setSignup": AccountRoutes.SignupBody.self,
        "updateMember": MemberRoutes.UpdateBody.self,
        "createProgram": CatalogRoutes.ProgramBody.self,
        "updateProgram": CatalogRoutes.ProgramBody.self,
        "createClassType": CatalogRoutes.ClassTypeBody.self,
        "updateClassType": CatalogRoutes.ClassTypeBody.self,
        "createLocation": CatalogRoutes.LocationBody.self,
        "updateLocation": CatalogRoutes.LocationBody.self,
        "createSession": SessionRoutes.CreateBody.self,
        "updateSession": SessionRoutes.UpdateBody.self,
        "cancelSession": SessionRoutes.CancelBody.self,
        "createSeries": SeriesRoutes.CreateBody.self,
        "updateSeries": SeriesRoutes.UpdateBody.self,
        "previewSeriesEnd": SeriesRoutes.EndPreviewBody.self,
        "endSeries": SeriesRoutes.EndBody.self,
        "previewClosure": ClosureRoutes.RangeBody.self,
        "createClosure": ClosureRoutes.RangeBody.self,
        "previewBulk": BulkRoutes.PreviewBody.self,
        "bulkDeleteSessions": BulkRoutes.ExecuteBody.self,
        "bulkPublishSessions": BulkRoutes.ExecuteBody.self,
        "bulkCancelSessions": BulkRoutes.ExecuteBody.self,
        "createWorkout": WorkoutRoutes.WorkoutBody.self,
        "updateWorkout": WorkoutRoutes.WorkoutBody.self,
        "createSessionWorkout": WorkoutRoutes.WorkoutBody.self,
        "setDailyProgramming": WorkoutRoutes.WorkoutIdsBody.self,
        "setSessionWorkouts": WorkoutRoutes.WorkoutIdsBody.self,
        "createBooking": BookingRoutes.BookBody.self,
        "createPlan": PlanRoutes.PlanBody.self,
        "updatePlan": PlanRoutes.PlanBody.self,
        "createSubscription": PlanRoutes.SubscribeBody.self,
        "setSubscriptionStatus": PlanRoutes.StatusBody.self,
        "adjustCredits": PlanRoutes.AdjustBody.self,
        "selfCheckin": SelfCheckin.Body.self,
        "staffCheckin": CheckinRoutes.StaffCheckinBody.self,
        "setNotificationPreferences": NotificationRoutes.PreferencesBody.self,
        "registerPushToken": NotificationRoutes.RegisterBody.self,
        "createDisplay": DisplayRoutes.CreateBody.self,
        "setLanguage": LanguageRoutes.Body.self,
    ]

    /// Every operation's JSON request body schema, by operation id.
    static func jsonBodies() throws -> [String: [String: Any]] {
        var bodies: [String: [String: Any]] = [:]
        for case let (_, operations as [String: Any]) in try document()["paths"] as? [String: Any] ?? [:] {
            for case let (_, operation as [String: Any]) in operations {
                guard let id = operation["operationId"] as? String,
                    let content = (operation["requestBody"] as? [String: Any])?["content"] as? [String: Any],
                    let json = content["application/json"] as? [String: Any]
                else { continue }
                bodies[id] = try #require(json["schema"] as? [String: Any], "\(id) has no schema")
            }
        }
        return bodies
    }

    /// A schema with its `$ref` followed, and for a schema without properties of its own (a nullable object)
    /// the first part of its `anyOf`/`oneOf`/`allOf` that is an object.
    static func resolved(_ schema: [String: Any]) throws -> [String: Any] {
        if let reference = schema["$ref"] as? String {
            let name = String(reference.split(separator: "/").last ?? "")
            return try resolved(try #require(try schemas()[name], "no schema \(name)"))
        }
        guard schema["properties"] == nil else { return schema }
        for combiner in ["anyOf", "oneOf", "allOf"] {
            for part in schema[combiner] as? [[String: Any]] ?? [] where part["$ref"] != nil || part["properties"] != nil {
                return try resolved(part)
            }
        }
        return schema
    }

    /// The object schema at a dotted path of a body ("" for the body, "filter" for its `filter` object).
    static func schema(at path: String, in body: [String: Any]) throws -> [String: Any] {
        var schema = try resolved(body)
        for name in path.split(separator: ".") {
            let properties = try #require(schema["properties"] as? [String: Any], "no properties above \(name)")
            schema = try resolved(try #require(properties[String(name)] as? [String: Any], "no property \(name)"))
        }
        return schema
    }

    @Test("every JSON request body in the document has its Swift type here")
    func requestBodiesCovered() throws {
        let documented = Set(try Self.jsonBodies().keys)
        let listed = Set(Self.requestBodies.keys)
        let difference =
            "document only: \(documented.subtracting(listed).sorted()), listed only: \(listed.subtracting(documented).sorted())"
        #expect(documented == listed, "\(difference)")
    }

    @Test("request body fields: each JSON body's properties are the keys its Swift type reads", arguments: requestBodies.keys.sorted())
    func requestBodyFields(operation: String) throws {
        let type = try #require(Self.requestBodies[operation])
        let body = try #require(try Self.jsonBodies()[operation], "\(operation) has no JSON body in the document")
        let read = try KeyRecordingDecoder.keys(of: type)
        #expect(read[""] != nil, "\(type) reads no keys")
        for (path, keys) in read {
            let schema = try Self.schema(at: path, in: body)
            let properties = Set((schema["properties"] as? [String: Any] ?? [:]).keys)
            let place = path.isEmpty ? "body" : path
            let difference = "document only \(properties.subtracting(keys).sorted()), Swift only \(keys.subtracting(properties).sorted())"
            #expect(properties == keys, "\(operation) \(place): \(difference)")
        }
    }
}
