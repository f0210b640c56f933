import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The studio's catalog in the back office, `GET /admin/catalog?org=`: programs (how their classes
/// reach members), class types (the defaults new classes take: capacity, duration, colour) and
/// locations (address and coordinates for GPS check-in, with "use this device's location" from
/// `admin.js`). Staff read it, as the API lets them; owners and admins create, change and delete,
/// through the API's bodies (`CatalogRoutes.ProgramBody`, `ClassTypeBody`, `LocationBody`) and
/// `CatalogStore`, so the pages accept and refuse exactly what `…/programs`, `…/class-types` and
/// `…/locations` do.
struct AdminCatalogPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }
    var catalog: CatalogStore { services.catalog }

    static let path = "/admin/catalog"

    func register(_ root: Routes) {
        let pages = root.signedIn(services, fallback: Self.path, reason: .catalog)
        pages.get("admin/catalog", use: show)
        pages.post("admin/catalog/programs", use: createProgram)
        pages.post("admin/catalog/programs/:id", use: updateProgram)
        pages.post("admin/catalog/programs/:id/delete", use: deleteProgram)
        pages.post("admin/catalog/class-types", use: createClassType)
        pages.post("admin/catalog/class-types/:id", use: updateClassType)
        pages.post("admin/catalog/class-types/:id/delete", use: deleteClassType)
        pages.post("admin/catalog/locations", use: createLocation)
        pages.post("admin/catalog/locations/:id", use: updateLocation)
        pages.post("admin/catalog/locations/:id/delete", use: deleteLocation)
    }

    struct ModeChoice {
        let value: String
        let label: String
        let selected: Bool
    }

    struct ProgramLine {
        let id: String
        let name: String
        let mode: String
        let modes: [ModeChoice]
    }

    struct ProgramChoice {
        let id: String
        let name: String
        let selected: Bool
    }

    struct ClassTypeLine {
        let id: String
        let name: String
        let programName: String
        let description: String
        let capacity: Int
        let duration: Int
        /// "20 places" / "20 Plätze".
        let places: String
        /// "60 min" / "60 Min.".
        let length: String
        let color: String
        let programs: [ProgramChoice]
    }

    struct LocationLine {
        let id: String
        let name: String
        let address: String
        let latitude: String
        let longitude: String
        let hasCoordinates: Bool
    }

    struct View {
        let shell: AdminShellView
        let orgId: String
        let canManage: Bool
        let programs: [ProgramLine]
        let noPrograms: Bool
        let newModes: [ModeChoice]
        let classTypes: [ClassTypeLine]
        let noClassTypes: Bool
        let programChoices: [ProgramChoice]
        let locations: [LocationLine]
        let noLocations: Bool
    }

    /// The `done=` codes this page shows a message for (`catalog.done.<code>` in the catalogues).
    static let doneCodes: Set<String> = ["program", "program-deleted", "class-type", "class-type-deleted", "location", "location-deleted"]

    /// How a program's classes reach members, in the reader's language (`catalog.mode.<mode>`).
    static func modeLabel(_ mode: DeliveryMode, _ t: Messages) -> String { t["catalog.mode.\(mode.rawValue)"] }

    static func modes(_ selected: DeliveryMode, _ t: Messages) -> [ModeChoice] {
        DeliveryMode.allCases.map { ModeChoice(value: $0.rawValue, label: modeLabel($0, t), selected: $0 == selected) }
    }

    static func coordinate(_ value: Double?) -> String {
        guard let value else { return "" }
        return String(format: "%.6f", value)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        return try await page(orgId: query.get("org"), request: request, context: context, done: query.get("done"))
    }

    func page(
        orgId: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok, flash: PageFrame.Flash? = nil,
        done: String? = nil
    ) async throws -> Response {
        guard let admin = try await AdminShell.resolve(services, context: context, orgId: orgId, section: .catalog, request: request)
        else {
            return try AdminShell.refusal(responder, section: .catalog, request: request, context: context)
        }
        let scope = admin.scope
        let t = admin.t
        let flash =
            flash ?? done.flatMap { Self.doneCodes.contains($0) ? PageFrame.Flash(ok: true, message: t["catalog.done.\($0)"]) : nil }
        let programs = try await catalog.programs(orgId: scope.orgId)
        let names = Dictionary(programs.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let classTypes = try await catalog.classTypes(orgId: scope.orgId)
        let locations = try await catalog.locations(orgId: scope.orgId)
        let view = View(
            shell: admin.shell, orgId: scope.orgId, canManage: scope.role.isManager,
            programs: programs.map {
                ProgramLine(id: $0.id, name: $0.name, mode: Self.modeLabel($0.deliveryMode, t), modes: Self.modes($0.deliveryMode, t))
            },
            noPrograms: programs.isEmpty, newModes: Self.modes(.schedule, t),
            classTypes: classTypes.map { type in
                ClassTypeLine(
                    id: type.id, name: type.name, programName: names[type.programId] ?? "", description: type.description ?? "",
                    capacity: type.defaultCapacity, duration: type.defaultDurationMin,
                    places: t.plural("catalog.places", count: type.defaultCapacity),
                    length: t("catalog.minutes", ["count": t.number(type.defaultDurationMin)]), color: type.color,
                    programs: programs.map { ProgramChoice(id: $0.id, name: $0.name, selected: $0.id == type.programId) })
            },
            noClassTypes: classTypes.isEmpty,
            programChoices: programs.map { ProgramChoice(id: $0.id, name: $0.name, selected: false) },
            locations: locations.map {
                LocationLine(
                    id: $0.id, name: $0.name, address: $0.address ?? "", latitude: Self.coordinate($0.latitude),
                    longitude: Self.coordinate($0.longitude), hasCoordinates: $0.latitude != nil)
            },
            noLocations: locations.isEmpty)
        return try AdminShell.page(
            responder, "admin_catalog", title: t["admin.nav.catalog"], page: view, scope: scope, request: request, context: context,
            status: status, flash: flash, t: t)
    }

    // MARK: Posts

    struct Form: Decodable {
        let csrf: String?
        let org: String?
        let name: String?
        let deliveryMode: String?
        let program: String?
        let description: String?
        let capacity: String?
        let duration: String?
        let color: String?
        let address: String?
        let latitude: String?
        let longitude: String?
    }

    func post(_ request: Request, _ context: AppRequestContext, _ action: (Form, OrgScope) async throws -> String) async throws -> Response
    {
        let form = try await request.decodeForm(Form.self, context: context)
        let orgId = form.org ?? ""
        return try await AdminShell.post(services, csrf: form.csrf, org: orgId, request: request, context: context) { scope in
            AdminShell.done(Self.path, org: scope.orgId, try await action(form, scope))
        } refused: { error in
            try await page(orgId: orgId, request: request, context: context, status: error.httpStatus, flash: AdminShell.failure(error))
        }
    }

    func pathId(_ context: AppRequestContext, _ what: String) throws -> String {
        try FormValue.id(context.parameters.get("id"), what)
    }

    // Programs

    func programBody(_ form: Form) throws -> CatalogRoutes.ProgramBody {
        guard let raw = form.deliveryMode, let mode = DeliveryMode(rawValue: raw) else {
            throw DomainError.invalidField("deliveryMode", "choose how the program's classes reach members.")
        }
        return CatalogRoutes.ProgramBody(name: FormValue.text(form.name) ?? "", deliveryMode: mode)
    }

    @Sendable func createProgram(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { form, scope in
            let now = services.now
            let program = try programBody(form).apply(
                to: Program(id: NewID.make(), organizationId: scope.orgId, name: "-", deliveryMode: .schedule, createdAt: now))
            try await catalog.save(program, now: now)
            return "program"
        }
    }

    @Sendable func updateProgram(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { form, scope in
            guard let program = try await catalog.program(orgId: scope.orgId, id: try pathId(context, "Program")) else {
                throw DomainError.notFound("Program")
            }
            try await catalog.save(try programBody(form).apply(to: program), now: services.now)
            return "program"
        }
    }

    @Sendable func deleteProgram(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { _, scope in
            try await catalog.deleteProgram(orgId: scope.orgId, id: try pathId(context, "Program"), now: services.now)
            return "program-deleted"
        }
    }

    // Class types

    func classTypeBody(_ form: Form) throws -> CatalogRoutes.ClassTypeBody {
        CatalogRoutes.ClassTypeBody(
            programId: FormValue.text(form.program) ?? "", name: FormValue.text(form.name) ?? "",
            description: form.description?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "",
            defaultCapacity: try FormValue.int(form.capacity, field: "defaultCapacity"),
            defaultDurationMin: try FormValue.int(form.duration, field: "defaultDurationMin"),
            color: FormValue.text(form.color))
    }

    @Sendable func createClassType(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { form, scope in
            let now = services.now
            let blank = ClassType(
                id: NewID.make(), organizationId: scope.orgId, programId: "", name: "-", description: nil,
                defaultCapacity: 20, defaultDurationMin: 60, color: "#3b5bdb", createdAt: now)
            try await catalog.save(try classTypeBody(form).apply(to: blank), now: now)
            return "class-type"
        }
    }

    @Sendable func updateClassType(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { form, scope in
            guard let type = try await catalog.classType(orgId: scope.orgId, id: try pathId(context, "Class type")) else {
                throw DomainError.notFound("Class type")
            }
            try await catalog.save(try classTypeBody(form).apply(to: type), now: services.now)
            return "class-type"
        }
    }

    @Sendable func deleteClassType(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { _, scope in
            try await catalog.deleteClassType(orgId: scope.orgId, id: try pathId(context, "Class type"), now: services.now)
            return "class-type-deleted"
        }
    }

    // Locations

    func locationBody(_ form: Form) throws -> CatalogRoutes.LocationBody {
        func optional<T>(_ value: T?) -> PatchField<T> { value.map { .value($0) } ?? .null }
        var body = CatalogRoutes.LocationBody()
        body.name = .value(FormValue.text(form.name) ?? "")
        body.address = optional(FormValue.text(form.address))
        body.latitude = optional(try FormValue.double(form.latitude, field: "latitude"))
        body.longitude = optional(try FormValue.double(form.longitude, field: "longitude"))
        return body
    }

    @Sendable func createLocation(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { form, scope in
            let now = services.now
            let location = try locationBody(form).apply(
                to: Location(
                    id: NewID.make(), organizationId: scope.orgId, name: "-", address: nil, latitude: nil, longitude: nil, createdAt: now))
            try await catalog.save(location, now: now)
            return "location"
        }
    }

    @Sendable func updateLocation(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { form, scope in
            guard let location = try await catalog.location(orgId: scope.orgId, id: try pathId(context, "Location")) else {
                throw DomainError.notFound("Location")
            }
            try await catalog.save(try locationBody(form).apply(to: location), now: services.now)
            return "location"
        }
    }

    @Sendable func deleteLocation(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { _, scope in
            try await catalog.deleteLocation(orgId: scope.orgId, id: try pathId(context, "Location"), now: services.now)
            return "location-deleted"
        }
    }
}

extension CatalogRoutes.LocationBody {
    /// An empty body (every field absent), for the pages to fill from a form.
    init() {}
}
