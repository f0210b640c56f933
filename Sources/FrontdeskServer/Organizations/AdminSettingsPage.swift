import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The studio's settings in the back office, `GET /admin/settings?org=`: name, time zone, booking,
/// cancellation and check-in windows, late cancel, GPS radius and accuracy, no-show grace, the
/// payment provider and the brand colour. Owners and admins, as `PATCH /api/orgs/:org`, whose body
/// and validation (`OrganizationRoutes.SettingsBody.apply`) the form goes through, so the page
/// accepts and refuses exactly what the API does (ranges in docs/README.md, "Studio settings").
struct AdminSettingsPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }

    static let path = "/admin/settings"

    func register(_ root: Routes) {
        let pages = root.signedIn(services, fallback: Self.path, reason: .settings)
        pages.get("admin/settings", use: show)
        pages.post("admin/settings", use: save)
    }

    struct Option {
        let value: String
        let label: String
        let selected: Bool
    }

    /// The form's values as text (the stored settings, or what was posted when it was refused).
    struct Values {
        var name: String
        var timezone: String
        var cancellationWindowHours: String
        var allowLateCancellation: Bool
        var paymentProvider: String
        var bookingOpensDaysBefore: String
        var waitlistCutoffMinutes: String
        var checkinOpensMinutesBefore: String
        var checkinGraceSeconds: String
        var gpsMaxMeters: String
        var gpsMaxAccuracyMeters: String
        var noShowGraceMinutes: String
        var latitude: String
        var longitude: String
        var primaryColor: String

        init(_ org: Organization) {
            name = org.name
            timezone = org.timezone
            cancellationWindowHours = String(org.cancellationWindowHours)
            allowLateCancellation = org.allowLateCancellation
            paymentProvider = org.paymentProvider ?? ""
            bookingOpensDaysBefore = org.bookingOpensDaysBefore.map(String.init) ?? ""
            waitlistCutoffMinutes = String(org.waitlistCutoffMinutes)
            checkinOpensMinutesBefore = String(org.checkinOpensMinutesBefore)
            checkinGraceSeconds = String(org.checkinGraceSeconds)
            gpsMaxMeters = String(org.gpsMaxMeters)
            gpsMaxAccuracyMeters = String(org.gpsMaxAccuracyMeters)
            noShowGraceMinutes = String(org.noShowGraceMinutes)
            latitude = AdminCatalogPage.coordinate(org.latitude)
            longitude = AdminCatalogPage.coordinate(org.longitude)
            primaryColor = org.primaryColor
        }

        init(_ form: Form) {
            name = form.name ?? ""
            timezone = form.timezone ?? ""
            cancellationWindowHours = form.cancellationWindowHours ?? ""
            allowLateCancellation = FormValue.checked(form.allowLateCancellation)
            paymentProvider = form.paymentProvider ?? ""
            bookingOpensDaysBefore = form.bookingOpensDaysBefore ?? ""
            waitlistCutoffMinutes = form.waitlistCutoffMinutes ?? ""
            checkinOpensMinutesBefore = form.checkinOpensMinutesBefore ?? ""
            checkinGraceSeconds = form.checkinGraceSeconds ?? ""
            gpsMaxMeters = form.gpsMaxMeters ?? ""
            gpsMaxAccuracyMeters = form.gpsMaxAccuracyMeters ?? ""
            noShowGraceMinutes = form.noShowGraceMinutes ?? ""
            latitude = form.latitude ?? ""
            longitude = form.longitude ?? ""
            primaryColor = form.primaryColor ?? ""
        }
    }

    struct View {
        let shell: AdminShellView
        let orgId: String
        let values: Values
        let timezones: [Option]
        let providers: [Option]
        /// The public schedule and widget part (`PublicSettingsForm`).
        let publicSchedule: PublicSettingsForm.View
        /// "one per line, …; at most 10", in the reader's language.
        let originsHint: String
    }

    /// The `done=` codes this page shows a message for (`settings.done.<code>` in the catalogues).
    static let doneCodes: Set<String> = ["saved", "public_saved"]

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        return try await page(orgId: query.get("org"), request: request, context: context, done: query.get("done"))
    }

    func page(
        orgId: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok,
        flash: PageFrame.Flash? = nil, posted: Values? = nil, publicPosted: PublicSettingsForm.Posted? = nil, done: String? = nil
    ) async throws -> Response {
        guard let admin = try await AdminShell.resolve(services, context: context, orgId: orgId, section: .settings, request: request)
        else {
            return try AdminShell.refusal(responder, section: .settings, request: request, context: context)
        }
        let scope = admin.scope
        let t = admin.t
        let flash =
            flash ?? done.flatMap { Self.doneCodes.contains($0) ? PageFrame.Flash(ok: true, message: t["settings.done.\($0)"]) : nil }
        let values = posted ?? Values(scope.organization)
        var zones = TimeZone.knownTimeZoneIdentifiers.sorted()
        if !zones.contains(values.timezone) { zones.insert(values.timezone, at: 0) }
        let providers =
            [("", t["settings.providerNone"])] + OrganizationLimits.paymentProviders.sorted().map { ($0, $0.capitalized) }
        let view = View(
            shell: admin.shell, orgId: scope.orgId, values: values,
            timezones: zones.map { Option(value: $0, label: $0.replacingOccurrences(of: "_", with: " "), selected: $0 == values.timezone) },
            providers: providers.map { Option(value: $0.0, label: $0.1, selected: $0.0 == values.paymentProvider) },
            publicSchedule: try await PublicSettingsForm.view(services, orgId: scope.orgId, posted: publicPosted),
            originsHint: t("settings.public.originsHint", ["max": t.number(EmbedOrigins.maxCount)]))
        return try AdminShell.page(
            responder, "admin_settings", title: t["admin.nav.settings"], page: view, scope: scope, request: request, context: context,
            status: status, flash: flash, t: t)
    }

    struct Form: Decodable {
        let csrf: String?
        let org: String?
        let name: String?
        let timezone: String?
        let cancellationWindowHours: String?
        let allowLateCancellation: String?
        let paymentProvider: String?
        let bookingOpensDaysBefore: String?
        let waitlistCutoffMinutes: String?
        let checkinOpensMinutesBefore: String?
        let checkinGraceSeconds: String?
        let gpsMaxMeters: String?
        let gpsMaxAccuracyMeters: String?
        let noShowGraceMinutes: String?
        let latitude: String?
        let longitude: String?
        let primaryColor: String?
    }

    /// The form as the API's PATCH body: every field given; an empty optional one is null, an empty
    /// required one is refused as the API refuses a null.
    static func body(_ form: Form) throws -> OrganizationRoutes.SettingsBody {
        func required(_ value: String?, _ field: String) throws -> String {
            guard let text = FormValue.text(value) else { throw DomainError.invalidField(field, "must not be empty.") }
            return text
        }
        func number(_ value: String?, _ field: String) throws -> PatchField<Int> {
            guard let number = try FormValue.int(value, field: field) else { throw DomainError.invalidField(field, "must not be empty.") }
            return .value(number)
        }
        func optional<T>(_ value: T?) -> PatchField<T> { value.map { .value($0) } ?? .null }
        var body = OrganizationRoutes.SettingsBody()
        body.name = .value(try required(form.name, "name"))
        body.timezone = .value(try required(form.timezone, "timezone"))
        body.cancellationWindowHours = try number(form.cancellationWindowHours, "cancellationWindowHours")
        body.allowLateCancellation = .value(FormValue.checked(form.allowLateCancellation))
        body.paymentProvider = optional(FormValue.text(form.paymentProvider))
        body.bookingOpensDaysBefore = optional(try FormValue.int(form.bookingOpensDaysBefore, field: "bookingOpensDaysBefore"))
        body.waitlistCutoffMinutes = try number(form.waitlistCutoffMinutes, "waitlistCutoffMinutes")
        body.checkinOpensMinutesBefore = try number(form.checkinOpensMinutesBefore, "checkinOpensMinutesBefore")
        body.checkinGraceSeconds = try number(form.checkinGraceSeconds, "checkinGraceSeconds")
        body.gpsMaxMeters = try number(form.gpsMaxMeters, "gpsMaxMeters")
        body.gpsMaxAccuracyMeters = try number(form.gpsMaxAccuracyMeters, "gpsMaxAccuracyMeters")
        body.noShowGraceMinutes = try number(form.noShowGraceMinutes, "noShowGraceMinutes")
        body.latitude = optional(try FormValue.double(form.latitude, field: "latitude"))
        body.longitude = optional(try FormValue.double(form.longitude, field: "longitude"))
        body.primaryColor = .value(try required(form.primaryColor, "primaryColor"))
        return body
    }

    @Sendable func save(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.decodeForm(Form.self, context: context)
        let orgId = form.org ?? ""
        return try await AdminShell.post(services, csrf: form.csrf, org: orgId, request: request, context: context) { scope in
            var org = try Self.body(form).apply(to: scope.organization)
            org.updatedAt = services.now
            try await services.organizations.update(org)
            return AdminShell.done(Self.path, org: scope.orgId, "saved")
        } refused: { error in
            try await page(
                orgId: orgId, request: request, context: context, status: error.httpStatus, flash: AdminShell.failure(error),
                posted: error.kind == .forbidden ? nil : Values(form))
        }
    }
}

extension OrganizationRoutes.SettingsBody {
    /// An empty body (every field absent), for the settings page to fill from its form.
    init() {}
}
