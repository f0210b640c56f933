import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// Choosing a language: `GET/POST /me/language`, a signed-in person's own choice (kept on their
/// account), and `GET/POST /admin/language?org=`, a studio's default for people who have not chosen
/// (owners and admins). Both are plain forms with the CSRF field; docs/i18n.md has the precedence.
struct LanguagePages {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }
    var store: LanguagesStore { LanguagesStore(database: services.database) }

    func register(_ root: Routes) {
        let me = root.signedIn(services, fallback: "/me/language", reason: .language)
        me.get("me/language", use: showMine)
        me.post("me/language", use: saveMine)
        let admin = root.signedIn(services, fallback: "/admin/language", reason: .settings)
        admin.get("admin/language", use: showStudio)
        admin.post("admin/language", use: saveStudio)
    }

    struct Option {
        let value: String
        /// The radio button's id suffix ("none" for no choice).
        let key: String
        let label: String
        let selected: Bool
    }

    struct View {
        let action: String
        let orgId: String?
        let current: String
        let options: [Option]
        /// Shown inside the admin shell (studio default) or as a member page.
        let shell: AdminShellView?
    }

    /// "" (not chosen: the next rule decides), then each language under its own name.
    static func options(selected code: String?, noneLabel: String) -> [Option] {
        [Option(value: "", key: "none", label: noneLabel, selected: Language(code: code) == nil)]
            + Language.allCases.map {
                Option(value: $0.rawValue, key: $0.rawValue, label: Messages.of($0)["language.name"], selected: $0.rawValue == code)
            }
    }

    struct Form: Decodable {
        let csrf: String?
        let org: String?
        let language: String?
    }

    /// The posted code: empty clears the choice; anything but a language Frontdesk speaks is refused.
    static func code(_ raw: String?) throws -> String? {
        guard let raw = FormValue.text(raw) else { return nil }
        guard let language = Language(code: raw) else { throw DomainError.invalidField("language", "must be one of en, de.") }
        return language.rawValue
    }

    // MARK: The member's own choice

    @Sendable func showMine(_ request: Request, context: AppRequestContext) async throws -> Response {
        let flash = request.uri.queryParameters.get("done") == "saved"
        return try await mine(request, context: context, flash: flash ? .init(ok: true, message: "") : nil)
    }

    func mine(
        _ request: Request, context: AppRequestContext, flash: PageFrame.Flash?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let user = try context.requireUser()
        let t = try await PageLanguage.messages(services, request, context)
        let stored = try await store.settings(userId: user.id, orgId: nil).user
        let view = View(
            action: "/me/language", orgId: nil, current: t["language.name"],
            options: Self.options(selected: stored, noneLabel: t["language.mine.none"]), shell: nil)
        let shown = flash.map { $0.ok ? PageFrame.Flash(ok: true, message: t["language.saved"]) : $0 }
        return try responder.page(
            "language", title: t["language.mine.title"], page: view, request: request, context: context, status: status,
            bodyClass: "member", flash: shown, messages: t)
    }

    @Sendable func saveMine(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let form = try await request.decodeForm(Form.self, context: context)
        try PageCSRF.check(request, field: form.csrf)
        do {
            try await store.setUserLanguage(userId: user.id, code: try Self.code(form.language), now: services.now)
        } catch let error as DomainError {
            return try await mine(
                request, context: context, flash: .init(ok: false, message: error.message), status: HTTPResponse.Status(code: error.status))
        }
        return PageResponder.redirect(to: "/me/language?done=saved")
    }

    // MARK: The studio's default

    @Sendable func showStudio(_ request: Request, context: AppRequestContext) async throws -> Response {
        let orgId = request.uri.queryParameters.get("org")
        let saved = request.uri.queryParameters.get("done") == "saved"
        return try await studio(request, context: context, orgId: orgId, flash: saved ? .init(ok: true, message: "") : nil)
    }

    func studio(
        _ request: Request, context: AppRequestContext, orgId: String?, flash: PageFrame.Flash?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let admin = try await AdminShell.resolve(services, context: context, orgId: orgId, section: .settings, request: request)
        else {
            return try AdminShell.refusal(responder, section: .settings, request: request, context: context)
        }
        let t = admin.t
        let stored = try await store.settings(userId: nil, orgId: admin.scope.orgId).studio
        let view = View(
            action: "/admin/language", orgId: admin.scope.orgId, current: t["language.name"],
            options: Self.options(selected: stored, noneLabel: t["language.studio.none"]), shell: admin.shell)
        let shown = flash.map { $0.ok ? PageFrame.Flash(ok: true, message: t["language.saved"]) : $0 }
        return try AdminShell.page(
            responder, "admin_language", title: t["language.studio.title"], page: view, scope: admin.scope, request: request,
            context: context, status: status, flash: shown, t: t)
    }

    @Sendable func saveStudio(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.decodeForm(Form.self, context: context)
        return try await AdminShell.post(
            services, csrf: form.csrf, org: form.org ?? "", request: request, context: context, requiring: .manager
        ) { scope in
            try await store.setStudioDefault(orgId: scope.orgId, code: try Self.code(form.language), now: services.now)
            return PageResponder.redirect(to: "/admin/language?org=\(scope.orgId)&done=saved")
        } refused: { error in
            try await studio(
                request, context: context, orgId: form.org, flash: .init(ok: false, message: error.message),
                status: HTTPResponse.Status(code: error.status))
        }
    }
}
