import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

extension Program: ResponseEncodable {}
extension ClassType: ResponseEncodable {}
extension Location: ResponseEncodable {}

/// Programs, class types and locations: staff read, owner/admin write. Create and PATCH take the
/// same body; on create the required fields must be present.
struct CatalogRoutes {
    let services: AppServices
    var catalog: CatalogStore { services.catalog }

    func register(_ org: ContextRoutes<OrgContext>) {
        org.get("programs", use: listPrograms)
        org.post("programs", use: createProgram)
        org.get("programs/:id", use: showProgram)
        org.patch("programs/:id", use: updateProgram)
        org.delete("programs/:id", use: deleteProgram)

        org.get("class-types", use: listClassTypes)
        org.post("class-types", use: createClassType)
        org.get("class-types/:id", use: showClassType)
        org.patch("class-types/:id", use: updateClassType)
        org.delete("class-types/:id", use: deleteClassType)

        org.get("locations", use: listLocations)
        org.post("locations", use: createLocation)
        org.get("locations/:id", use: showLocation)
        org.patch("locations/:id", use: updateLocation)
        org.delete("locations/:id", use: deleteLocation)
    }

    // MARK: Programs

    struct ProgramBody: Decodable {
        let name: String?
        let deliveryMode: DeliveryMode?

        func apply(to program: Program) throws -> Program {
            var program = program
            if let name { program.name = try Validate.name(name) }
            if let deliveryMode { program.deliveryMode = deliveryMode }
            return program
        }
    }

    @Sendable func listPrograms(_ request: Request, context: OrgContext) async throws -> ItemList<Program> {
        let scope = try context.scope(.staff)
        return ItemList(items: try await catalog.programs(orgId: scope.orgId))
    }

    @Sendable func showProgram(_ request: Request, context: OrgContext) async throws -> Program {
        let scope = try context.scope(.staff)
        return try await program(scope, context)
    }

    private func program(_ scope: OrgScope, _ context: OrgContext) async throws -> Program {
        guard let program = try await catalog.program(orgId: scope.orgId, id: try context.id("id", "Program")) else {
            throw DomainError.notFound("Program")
        }
        return program
    }

    @Sendable func createProgram(_ request: Request, context: OrgContext) async throws -> Created<Program> {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(ProgramBody.self, context: context)
        guard body.name != nil else { throw DomainError(.missingField, "name is required.") }
        let now = services.now
        let program = try body.apply(
            to: Program(
                id: NewID.make(), organizationId: scope.orgId, name: "-",
                deliveryMode: .schedule, createdAt: now))
        try await catalog.save(program, now: now)
        return Created(body: program)
    }

    @Sendable func updateProgram(_ request: Request, context: OrgContext) async throws -> Program {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(ProgramBody.self, context: context)
        let program = try body.apply(to: try await program(scope, context))
        try await catalog.save(program, now: services.now)
        return program
    }

    @Sendable func deleteProgram(_ request: Request, context: OrgContext) async throws -> HTTPResponse.Status {
        let scope = try context.scope(.manager)
        try await catalog.deleteProgram(orgId: scope.orgId, id: try context.id("id", "Program"), now: services.now)
        return .noContent
    }

    // MARK: Class types

    struct ClassTypeBody: Decodable {
        let programId: String?
        let name: String?
        let description: String?
        let defaultCapacity: Int?
        let defaultDurationMin: Int?
        let color: String?

        func apply(to classType: ClassType) throws -> ClassType {
            var classType = classType
            if let programId {
                guard NewID.isWellFormed(programId) else { throw DomainError.notFound("Program") }
                classType.programId = programId.lowercased()
            }
            if let name { classType.name = try Validate.name(name) }
            if let description { classType.description = description.isEmpty ? nil : String(description.prefix(2000)) }
            if let defaultCapacity {
                classType.defaultCapacity = try Validate.int(defaultCapacity, in: CatalogLimits.capacity, field: "defaultCapacity")
            }
            if let defaultDurationMin {
                classType.defaultDurationMin = try Validate.int(
                    defaultDurationMin, in: CatalogLimits.durationMin, field: "defaultDurationMin")
            }
            if let color { classType.color = try Validate.color(color) }
            return classType
        }
    }

    @Sendable func listClassTypes(_ request: Request, context: OrgContext) async throws -> ItemList<ClassType> {
        let scope = try context.scope(.staff)
        return ItemList(items: try await catalog.classTypes(orgId: scope.orgId))
    }

    @Sendable func showClassType(_ request: Request, context: OrgContext) async throws -> ClassType {
        let scope = try context.scope(.staff)
        return try await classType(scope, context)
    }

    private func classType(_ scope: OrgScope, _ context: OrgContext) async throws -> ClassType {
        guard let classType = try await catalog.classType(orgId: scope.orgId, id: try context.id("id", "Class type")) else {
            throw DomainError.notFound("Class type")
        }
        return classType
    }

    @Sendable func createClassType(_ request: Request, context: OrgContext) async throws -> Created<ClassType> {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(ClassTypeBody.self, context: context)
        for (value, field) in [(body.programId, "programId"), (body.name, "name")] where value == nil {
            throw DomainError(.missingField, "\(field) is required.")
        }
        let now = services.now
        let blank = ClassType(
            id: NewID.make(), organizationId: scope.orgId, programId: "", name: "-", description: nil,
            defaultCapacity: 20, defaultDurationMin: 60, color: "#3b5bdb", createdAt: now)
        let classType = try body.apply(to: blank)
        try await catalog.save(classType, now: now)
        return Created(body: classType)
    }

    @Sendable func updateClassType(_ request: Request, context: OrgContext) async throws -> ClassType {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(ClassTypeBody.self, context: context)
        let classType = try body.apply(to: try await classType(scope, context))
        try await catalog.save(classType, now: services.now)
        return classType
    }

    @Sendable func deleteClassType(_ request: Request, context: OrgContext) async throws -> HTTPResponse.Status {
        let scope = try context.scope(.manager)
        try await catalog.deleteClassType(orgId: scope.orgId, id: try context.id("id", "Class type"), now: services.now)
        return .noContent
    }

    // MARK: Locations

    struct LocationBody: Decodable {
        var name: PatchField<String> = .absent
        var address: PatchField<String> = .absent
        var latitude: PatchField<Double> = .absent
        var longitude: PatchField<Double> = .absent

        enum CodingKeys: String, CodingKey { case name, address, latitude, longitude }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.patch(String.self, forKey: .name)
            address = try c.patch(String.self, forKey: .address)
            latitude = try c.patch(Double.self, forKey: .latitude)
            longitude = try c.patch(Double.self, forKey: .longitude)
        }

        func apply(to location: Location) throws -> Location {
            var location = location
            if name.isNull { throw DomainError.invalidField("name", "must not be null.") }
            if let name = name.given { location.name = try Validate.name(name) }
            location.address = address.applied(to: location.address).flatMap { $0.isEmpty ? nil : String($0.prefix(500)) }
            let coordinates = try Validate.coordinates(
                latitude: latitude.applied(to: location.latitude),
                longitude: longitude.applied(to: location.longitude))
            location.latitude = coordinates?.0
            location.longitude = coordinates?.1
            return location
        }
    }

    @Sendable func listLocations(_ request: Request, context: OrgContext) async throws -> ItemList<Location> {
        let scope = try context.scope(.staff)
        return ItemList(items: try await catalog.locations(orgId: scope.orgId))
    }

    @Sendable func showLocation(_ request: Request, context: OrgContext) async throws -> Location {
        let scope = try context.scope(.staff)
        return try await location(scope, context)
    }

    private func location(_ scope: OrgScope, _ context: OrgContext) async throws -> Location {
        guard let location = try await catalog.location(orgId: scope.orgId, id: try context.id("id", "Location")) else {
            throw DomainError.notFound("Location")
        }
        return location
    }

    @Sendable func createLocation(_ request: Request, context: OrgContext) async throws -> Created<Location> {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(LocationBody.self, context: context)
        guard body.name.given != nil else { throw DomainError(.missingField, "name is required.") }
        let now = services.now
        let location = try body.apply(
            to: Location(
                id: NewID.make(), organizationId: scope.orgId, name: "-", address: nil,
                latitude: nil, longitude: nil, createdAt: now))
        try await catalog.save(location, now: now)
        return Created(body: location)
    }

    @Sendable func updateLocation(_ request: Request, context: OrgContext) async throws -> Location {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(LocationBody.self, context: context)
        let location = try body.apply(to: try await location(scope, context))
        try await catalog.save(location, now: services.now)
        return location
    }

    @Sendable func deleteLocation(_ request: Request, context: OrgContext) async throws -> HTTPResponse.Status {
        let scope = try context.scope(.manager)
        try await catalog.deleteLocation(orgId: scope.orgId, id: try context.id("id", "Location"), now: services.now)
        return .noContent
    }
}
