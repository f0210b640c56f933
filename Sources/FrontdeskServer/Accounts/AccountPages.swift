import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The accounts pages (SPEC §12), mobile first, over `AccountService`: accept an invitation, forgot
/// and reset password, change password, sign-in links, e-mail verification, a studio's join page.
/// Every link's GET only shows a form; the change happens on the POST (CSRF-checked), so mail
/// scanners that open links change nothing. The one exception is the sign-in link, which only works
/// in the browser that asked for it.
struct AccountPages {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }
    var service: AccountService { AccountService(services: services) }

    func register(_ root: Routes) {
        root.get("invite/:token", use: showInvite)
        root.post("invite/:token", use: acceptInvite)
        root.get("forgot", use: showForgot)
        root.post("forgot", use: submitForgot)
        root.get("reset/:token", use: showReset)
        root.post("reset/:token", use: submitReset)
        let signedIn = root.signedIn(services, fallback: "/me/password")
        signedIn.get("me/password", use: showChange)
        signedIn.post("me/password", use: submitChange)
        root.post("signin-link", use: requestSigninLink)
        root.get("signin/:token", use: useSigninLink)
        root.get("verify/:token", use: showVerify)
        root.post("verify/:token", use: submitVerify)
        root.get("join/:org", use: showJoin)
        root.post("join/:org", use: submitJoin)
        root.get("join/confirm/:token", use: showJoinConfirm)
        root.post("join/confirm/:token", use: submitJoinConfirm)
    }

    // MARK: The page shape

    struct Field {
        let id: String
        let name: String
        let label: String
        let type: String
        let autocomplete: String
        let value: String
        let required: Bool
        let minLength: Int?

        static func password(_ id: String, label: String, autocomplete: String = "new-password") -> Field {
            Field(id: id, name: id, label: label, type: "password", autocomplete: autocomplete, value: "", required: true, minLength: 8)
        }
        static func email(_ t: Messages, value: String = "") -> Field {
            Field(
                id: "email", name: "email", label: t["account.field.email"], type: "email", autocomplete: "email", value: value,
                required: true,
                minLength: nil)
        }
        static func name(_ t: Messages, value: String = "") -> Field {
            Field(
                id: "name", name: "name", label: t["account.field.name"], type: "text", autocomplete: "name", value: value, required: true,
                minLength: nil)
        }
    }

    struct Hidden {
        let name: String
        let value: String
    }

    struct Link {
        let id: String
        let href: String
        let text: String
    }

    struct View {
        var headline: String
        var lead: String? = nil
        var notice: String? = nil
        var error: String? = nil
        var action: String = ""
        var submit: String = ""
        var fields: [Field] = []
        var hidden: [Hidden] = []
        var links: [Link] = []
        /// Stored, not computed: templates see stored properties only.
        var hasForm: Bool = false

        init(
            headline: String, lead: String? = nil, notice: String? = nil, error: String? = nil, action: String = "", submit: String = "",
            fields: [Field] = [], hidden: [Hidden] = [], links: [Link] = []
        ) {
            self.headline = headline
            self.lead = lead
            self.notice = notice
            self.error = error
            self.action = action
            self.submit = submit
            self.fields = fields
            self.hidden = hidden
            self.links = links
            self.hasForm = !action.isEmpty
        }
    }

    func render(
        _ view: View, _ request: Request, _ context: AppRequestContext, status: HTTPResponse.Status = .ok,
        orgName: String? = nil
    ) async throws -> Response {
        // Links carry secrets in their path: never let them leak through Referer.
        try responder.page(
            "account", title: view.headline, page: view, request: request, context: context, status: status,
            orgName: orgName, bodyClass: "account", noReferrer: true, messages: try await words(request, context))
    }

    /// The language of these pages: a signed-in person's own choice, else the browser's, else English
    /// (these pages belong to no studio, so no studio default applies). Signed out it reads nothing.
    func words(_ request: Request, _ context: AppRequestContext) async throws -> Messages {
        try await PageLanguage.messages(services, request, context)
    }

    func failed(
        _ view: View, _ error: DomainError, _ request: Request, _ context: AppRequestContext, orgName: String? = nil
    ) async throws -> Response {
        var view = view
        view.error = error.message
        return try await render(view, request, context, status: HTTPResponse.Status(code: error.status), orgName: orgName)
    }

    func address(_ request: Request, _ context: AppRequestContext) -> String {
        ClientAddress.of(request, context: context, trustForwardedFor: services.configuration.trustForwardedFor)
    }

    func token(_ context: AppRequestContext) -> String {
        let raw = context.parameters.get("token") ?? ""
        return AccountTokensStore.plausibleToken(raw) ? raw : ""
    }

    struct Form: Decodable {
        let csrf: String?
        let email: String?
        let name: String?
        let password: String?
        let current: String?
        let next: String?
    }

    /// The posted form after its CSRF check (a failed check answers the page with the reason).
    func form(_ request: Request, _ context: AppRequestContext) async throws -> Form {
        let form = try await request.decodeForm(Form.self, context: context)
        try PageCSRF.check(request, field: form.csrf)
        return form
    }

    // MARK: Invitations

    func inviteView(_ token: String, invitation: Invitation, orgName: String, user: User?, _ t: Messages) -> View {
        let action = "/invite/\(token)"
        let values = ["org": orgName, "role": t["mail.account.role.\(invitation.role.rawValue)"], "email": user?.email ?? invitation.email]
        if user != nil {
            return View(
                headline: t("account.invite.headline", values), lead: t("account.invite.signedInLead", values),
                action: action, submit: t["account.invite.accept"])
        }
        return View(
            headline: t("account.invite.headline", values), lead: t("account.invite.lead", values),
            action: action, submit: t["account.invite.create"],
            fields: [.name(t), .password("password", label: t["account.field.choosePassword"])],
            links: [Link(id: "invite-signin", href: "/login?next=\(action)", text: t["account.invite.signInFirst"])])
    }

    static func invalidInvite(_ t: Messages) -> View {
        View(headline: t["account.invite.invalidHeadline"], lead: t["account.invite.invalidLead"])
    }

    @Sendable func showInvite(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = token(context)
        guard let (invitation, orgName) = try await InvitationsStore(database: services.database).open(token: token, now: services.now)
        else {
            return try await render(Self.invalidInvite(try await words(request, context)), request, context, status: .notFound)
        }
        return try await render(
            inviteView(token, invitation: invitation, orgName: orgName, user: context.signedInUser, try await words(request, context)),
            request,
            context, orgName: orgName)
    }

    @Sendable func acceptInvite(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = token(context)
        guard let (invitation, orgName) = try await InvitationsStore(database: services.database).open(token: token, now: services.now)
        else {
            return try await render(Self.invalidInvite(try await words(request, context)), request, context, status: .notFound)
        }
        let view = inviteView(
            token, invitation: invitation, orgName: orgName, user: context.signedInUser, try await words(request, context))
        do {
            let form = try await form(request, context)
            let (userId, _) = try await service.acceptInvitation(
                token: token, signedIn: context.signedInUser, name: form.name, password: form.password)
            var response = PageResponder.redirect(to: "/schedule?org=\(invitation.organizationId)")
            if context.signedInUser == nil, let user = try await services.accounts.user(id: userId) {
                let session = try await service.startSession(
                    user: user, address: address(request, context), userAgent: request.headers[.userAgent])
                AuthCookies.set(session, on: &response, configuration: services.configuration)
            }
            return response
        } catch let error as DomainError {
            return try await failed(view, error, request, context, orgName: orgName)
        }
    }

    // MARK: Forgot and reset

    static func forgotView(_ t: Messages) -> View {
        View(
            headline: t["account.forgot.headline"], lead: t["account.forgot.lead"], action: "/forgot", submit: t["account.forgot.submit"],
            fields: [.email(t)])
    }

    @Sendable func showForgot(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await render(Self.forgotView(try await words(request, context)), request, context)
    }

    @Sendable func submitForgot(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            let form = try await form(request, context)
            try await service.requestPasswordReset(email: form.email ?? "", address: address(request, context))
            let t = try await words(request, context)
            return try await render(
                View(
                    headline: t["account.checkMail"], lead: t("account.forgot.sent", ["email": form.email ?? ""]),
                    links: [Link(id: "back-to-login", href: "/login", text: t["account.backToLogin"])]), request, context)
        } catch let error as DomainError {
            return try await failed(Self.forgotView(try await words(request, context)), error, request, context)
        }
    }

    func resetView(_ token: String, _ t: Messages) -> View {
        View(
            headline: t["account.reset.headline"], lead: t["account.reset.lead"], action: "/reset/\(token)",
            submit: t["account.reset.submit"], fields: [.password("password", label: t["account.field.newPassword"])])
    }

    static func invalidLink(_ t: Messages) -> View {
        View(
            headline: t["account.invalidLink.headline"], lead: t["account.invalidLink.lead"],
            links: [Link(id: "forgot-again", href: "/forgot", text: t["account.invalidLink.again"])])
    }

    @Sendable func showReset(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = token(context)
        guard try await AccountTokensStore(database: services.database).peek(token, purpose: .passwordReset, now: services.now) != nil
        else {
            return try await render(Self.invalidLink(try await words(request, context)), request, context, status: .notFound)
        }
        return try await render(resetView(token, try await words(request, context)), request, context)
    }

    @Sendable func submitReset(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = token(context)
        do {
            let form = try await form(request, context)
            try await service.resetPassword(token: token, newPassword: form.password ?? "")
            var response = PageResponder.redirect(to: "/login?reset=1")
            AuthCookies.clear(on: &response, configuration: services.configuration)
            return response
        } catch let error as DomainError {
            let t = try await words(request, context)
            return try await failed(error.code == "link_invalid" ? Self.invalidLink(t) : resetView(token, t), error, request, context)
        }
    }

    // MARK: Change password

    static func changeView(_ t: Messages) -> View {
        View(
            headline: t["account.change.headline"], lead: t["account.change.lead"], action: "/me/password",
            submit: t["account.change.submit"],
            fields: [
                .password("current", label: t["account.field.currentPassword"], autocomplete: "current-password"),
                .password("password", label: t["account.field.newPassword"]),
            ])
    }

    @Sendable func showChange(_ request: Request, context: AppRequestContext) async throws -> Response {
        return try await render(Self.changeView(try await words(request, context)), request, context)
    }

    @Sendable func submitChange(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        do {
            let form = try await form(request, context)
            try await service.changePassword(
                user: user, keepingSession: context.sessionTokenHash, current: form.current ?? "",
                new: form.password ?? "")
            let t = try await words(request, context)
            let view = View(
                headline: t["account.change.done"], notice: t["account.change.doneNotice"],
                links: [Link(id: "to-bookings", href: "/me/bookings", text: t["account.change.backToBookings"])])
            return try await render(view, request, context)
        } catch let error as DomainError {
            return try await failed(Self.changeView(try await words(request, context)), error, request, context)
        }
    }

    // MARK: Sign-in links

    /// The browser's nonce (set when absent), whose hash binds proofs of scan and sign-in links.
    static func browserNonce(_ request: Request) -> (value: String, isNew: Bool) {
        if let value = request.cookies[AuthCookies.browser]?.value, (20...64).contains(value.utf8.count) { return (value, false) }
        return (SecretToken.generate(), true)
    }

    static func setBrowserNonce(_ value: String, on response: inout Response, secure: Bool) {
        response.setCookie(
            Cookie(
                name: AuthCookies.browser, value: value, maxAge: 400 * 86_400, path: "/", secure: secure, httpOnly: true,
                sameSite: .lax))
    }

    @Sendable func requestSigninLink(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (nonce, isNew) = Self.browserNonce(request)
        var response: Response
        do {
            let form = try await form(request, context)
            try await service.requestSigninLink(
                email: form.email ?? "", browserHash: SecretToken.hash(nonce), next: form.next ?? "/schedule",
                address: address(request, context))
            let t = try await words(request, context)
            response = try await render(
                View(headline: t["account.checkMail"], lead: t("account.signin.sent", ["email": form.email ?? ""])), request, context)
        } catch let error as DomainError {
            let t = try await words(request, context)
            response = try await failed(
                View(
                    headline: t["account.signin.notSent"],
                    links: [Link(id: "back-to-login", href: "/login", text: t["account.backToLogin"])]),
                error, request, context)
        }
        if isNew { Self.setBrowserNonce(nonce, on: &response, secure: services.configuration.secureCookies) }
        return response
    }

    @Sendable func useSigninLink(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (nonce, _) = Self.browserNonce(request)
        do {
            let (session, next) = try await service.useSigninLink(
                token: token(context), browserHash: SecretToken.hash(nonce),
                address: address(request, context), userAgent: request.headers[.userAgent])
            var response = PageResponder.redirect(to: next)
            AuthCookies.set(session, on: &response, configuration: services.configuration)
            return response
        } catch let error as DomainError {
            let t = try await words(request, context)
            return try await failed(
                View(
                    headline: t["account.signin.invalid"],
                    links: [Link(id: "back-to-login", href: "/login", text: t["account.signin.withPassword"])]), error, request, context)
        }
    }

    // MARK: Verification

    @Sendable func showVerify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = token(context)
        guard try await AccountTokensStore(database: services.database).peek(token, purpose: .verifyEmail, now: services.now) != nil else {
            return try await render(Self.invalidLink(try await words(request, context)), request, context, status: .notFound)
        }
        let t = try await words(request, context)
        return try await render(
            View(headline: t["account.verify.headline"], action: "/verify/\(token)", submit: t["account.verify.submit"]), request, context)
    }

    @Sendable func submitVerify(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            _ = try await form(request, context)
            try await service.verifyEmail(token: token(context))
            let t = try await words(request, context)
            return try await render(View(headline: t["account.verify.done"], notice: t["account.verify.doneNotice"]), request, context)
        } catch let error as DomainError {
            return try await failed(Self.invalidLink(try await words(request, context)), error, request, context)
        }
    }

    // MARK: Join

    /// The studio behind `/join/:org` when it takes sign-ups; otherwise the same 404 as an unknown one.
    func joinStudio(_ context: AppRequestContext) async throws -> Organization? {
        guard let raw = context.parameters.get("org"), NewID.isWellFormed(raw),
            let org = try await services.organizations.organization(id: raw.lowercased()),
            try await services.organizations.selfSignup(orgId: org.id)
        else { return nil }
        return org
    }

    func joinView(_ org: Organization, _ t: Messages, name: String = "", email: String = "") -> View {
        View(
            headline: t("account.join.headline", ["org": org.name]), lead: t["account.join.lead"], action: "/join/\(org.id)",
            submit: t["account.join.submit"],
            fields: [
                .name(t, value: name), .email(t, value: email), .password("password", label: t["account.field.choosePassword"]),
            ],
            links: [Link(id: "join-login", href: "/login", text: t["account.join.login"])])
    }

    static func noJoin(_ t: Messages) -> View { View(headline: t["account.join.closed"], lead: t["account.join.closedLead"]) }

    @Sendable func showJoin(_ request: Request, context: AppRequestContext) async throws -> Response {
        let t = try await words(request, context)
        guard let org = try await joinStudio(context) else { return try await render(Self.noJoin(t), request, context, status: .notFound) }
        return try await render(joinView(org, t), request, context, orgName: org.name)
    }

    @Sendable func submitJoin(_ request: Request, context: AppRequestContext) async throws -> Response {
        let t = try await words(request, context)
        guard let org = try await joinStudio(context) else { return try await render(Self.noJoin(t), request, context, status: .notFound) }
        var form: Form?
        do {
            form = try await self.form(request, context)
            try await service.join(
                orgId: org.id, name: form?.name ?? "", email: form?.email ?? "", password: form?.password ?? "",
                address: address(request, context))
            return try await render(
                View(headline: t["account.checkMail"], lead: t("account.join.sent", ["email": form?.email ?? ""])), request, context,
                orgName: org.name)
        } catch let error as DomainError {
            return try await failed(
                joinView(org, t, name: form?.name ?? "", email: form?.email ?? ""), error, request, context, orgName: org.name)
        }
    }

    @Sendable func showJoinConfirm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = token(context)
        guard try await AccountTokensStore(database: services.database).peek(token, purpose: .join, now: services.now) != nil else {
            return try await render(Self.invalidLink(try await words(request, context)), request, context, status: .notFound)
        }
        let t = try await words(request, context)
        return try await render(
            View(headline: t["account.joinConfirm.headline"], action: "/join/confirm/\(token)", submit: t["account.joinConfirm.submit"]),
            request, context)
    }

    @Sendable func submitJoinConfirm(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            _ = try await form(request, context)
            let result = try await service.completeJoin(token: token(context))
            if result.newAccount, let user = try await services.accounts.user(id: result.userId) {
                var response = PageResponder.redirect(to: "/schedule?org=\(result.organizationId)")
                let session = try await service.startSession(
                    user: user, address: address(request, context), userAgent: request.headers[.userAgent])
                AuthCookies.set(session, on: &response, configuration: services.configuration)
                return response
            }
            // The address already had an account: it keeps its own password.
            let t = try await words(request, context)
            return try await render(
                View(
                    headline: t["account.joinConfirm.done"], notice: t["account.joinConfirm.doneNotice"],
                    links: [Link(id: "join-login", href: "/login?next=/schedule", text: t["layout.logIn"])]), request, context)
        } catch let error as DomainError {
            return try await failed(Self.invalidLink(try await words(request, context)), error, request, context)
        }
    }
}
