import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The "Public schedule" part of the studio's settings page (`/admin/settings`): publish the schedule or
/// not, the websites allowed to frame the widget (`EmbedOrigins`), and the links and the one-line embed
/// snippet to copy. Saved by `POST /admin/settings/public` (owners and admins, CSRF-checked); a refusal
/// shows the settings page again with the message and what was typed.
struct PublicSettingsForm {
    let services: AppServices

    static let path = "/admin/settings/public"

    func register(_ root: Routes) {
        root.signedIn(services, fallback: AdminSettingsPage.path, reason: .settings)
            .post("admin/settings/public", use: save)
    }

    /// What the settings page shows of it.
    struct View {
        let enabled: Bool
        let origins: String
        let maxOrigins: Int
        let scheduleURL: String
        let jsonURL: String
        let snippet: String
    }

    static func view(_ services: AppServices, orgId: String, enabled: Bool, origins: String) -> View {
        let base = services.configuration.publicBaseURL
        return View(
            enabled: enabled, origins: origins, maxOrigins: EmbedOrigins.maxCount,
            scheduleURL: "\(base)/studios/\(orgId)/schedule", jsonURL: "\(base)/api/public/orgs/\(orgId)/schedule",
            snippet: "<script src=\"\(base)/studios/\(orgId)/widget.js\" async></script>")
    }

    /// What was posted, shown again when it was refused.
    struct Posted {
        let enabled: Bool
        let origins: String
    }

    /// The settings as the page shows them: what was posted, else what is stored.
    static func view(_ services: AppServices, orgId: String, posted: Posted?) async throws -> View {
        if let posted { return view(services, orgId: orgId, enabled: posted.enabled, origins: posted.origins) }
        let settings = try await PublicScheduleStore(database: services.database).settings(orgId: orgId)
        return view(services, orgId: orgId, enabled: settings.enabled, origins: settings.embedOrigins.joined(separator: "\n"))
    }

    struct Form: Decodable {
        let csrf: String?
        let org: String?
        let enabled: String?
        let embedOrigins: String?
    }

    @Sendable func save(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.decodeForm(Form.self, context: context)
        let orgId = form.org ?? ""
        let enabled = FormValue.checked(form.enabled)
        return try await AdminShell.post(services, csrf: form.csrf, org: orgId, request: request, context: context) { scope in
            let origins = try EmbedOrigins.parse(form.embedOrigins ?? "")
            try await PublicScheduleStore(database: services.database).save(
                orgId: scope.orgId, PublicScheduleSettings(enabled: enabled, embedOrigins: origins), actorUserId: scope.user.id,
                actorMembershipId: scope.membership.id, now: services.now)
            return AdminShell.done(AdminSettingsPage.path, org: scope.orgId, "public_saved")
        } refused: { error in
            try await AdminSettingsPage(services: services).page(
                orgId: orgId, request: request, context: context, status: error.httpStatus, flash: AdminShell.failure(error),
                publicPosted: error.kind == .forbidden
                    ? nil : Posted(enabled: enabled, origins: String((form.embedOrigins ?? "").prefix(EmbedOrigins.maxFieldLength))))
        }
    }
}
