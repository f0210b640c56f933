import Foundation
import FrontdeskCore
import FrontdeskStore
import HTTPTypes
import Testing

@testable import FrontdeskServer

/// The signed-in person's own language (issue 19): `GET/PUT /api/me/language` and its refusals, the
/// account pages and the calendar-feed and PIN sections following it, and the account e-mails in the
/// person's language, else the studio's default, else English.
@Suite("Two languages: account pages and e-mails, calendar feed, /api/me/language")
struct AccountLanguageTests {
    static let german: HTTPFields = [.acceptLanguage: "de-DE,de;q=0.9,en;q=0.8"]
    static let english: HTTPFields = [.acceptLanguage: "en-GB,en;q=0.9"]

    @Test("GET/PUT /api/me/language: null, a code, null again; the pages follow it")
    func languageRoute() async throws {
        try await TestApp.run { app in
            try await app.createUser("lena@example.com", name: "Lena Berg")
            let token = try await app.login("lena@example.com")
            let first = try await app.request(.get, "/api/me/language", token: token)
            #expect(first.status == 200)
            #expect(first.json.keys.sorted() == ["language"] && first["language"] is NSNull, "null is written out: \(first.text)")

            let set = try await app.request(.put, "/api/me/language", token: token, body: ["language": "de"])
            #expect(set.status == 200 && set.string("language") == "de")
            #expect(try await app.request(.get, "/api/me/language", token: token).string("language") == "de")
            let page = try await Browser(app: app, token: token).get("/me/password", headers: Self.english)
            #expect(page.has("<html lang=\"de\">") && page.has("<h1>Passwort ändern</h1>"), "the page follows the choice")

            let english = try await app.request(.put, "/api/me/language", token: token, body: ["language": "en"])
            #expect(english.string("language") == "en")
            #expect(
                try await Browser(app: app, token: token).get("/me/password", headers: Self.german).has("<h1>Change your password</h1>"))

            let cleared = try await app.request(.put, "/api/me/language", token: token, json: #"{"language":null}"#)
            #expect(cleared.status == 200 && cleared["language"] is NSNull)
            #expect(try await app.request(.get, "/api/me/language", token: token)["language"] is NSNull)
            #expect(try await Browser(app: app, token: token).get("/me/password", headers: Self.german).has("<h1>Passwort ändern</h1>"))

            // The page form and the route share one setting.
            #expect(try await Browser(app: app, token: token).post("/me/language", ["language": "de"]).status == 303)
            #expect(try await app.request(.get, "/api/me/language", token: token).string("language") == "de")
        }
    }

    @Test("PUT /api/me/language refuses anything but en, de or null (400, the JSON error shape), strangers (401) and forged cookies (403)")
    func languageRouteRefusals() async throws {
        try await TestApp.run { app in
            try await app.createUser("lena@example.com")
            let login = try await app.request(.post, "/api/auth/login", body: ["email": "lena@example.com", "password": "correct-horse"])
            let token = try #require(login.string("token"))
            let csrf = try #require(login.string("csrfToken"))
            #expect(try await app.request(.put, "/api/me/language", token: token, body: ["language": "de"]).status == 200)

            let refusals: [(String, String)] = [
                (#"{"language":"fr"}"#, "invalid_field"), (#"{"language":"DE"}"#, "invalid_field"),
                (#"{"language":""}"#, "invalid_field"), (#"{"language":"de-DE"}"#, "invalid_field"),
                (#"{"language":" de"}"#, "invalid_field"), (#"{}"#, "missing_field"), (#"{"lang":"en"}"#, "missing_field"),
                (#"{"language":7}"#, "invalid_type"), (#"{"language":["de"]}"#, "invalid_type"),
                (#"{"language":true}"#, "invalid_type"), (#"["de"]"#, "invalid_type"), (#"{"language":"#, "invalid_json"),
                (#"{"language":"d\u0000"}"#, "invalid_text"), ("\"" + String(repeating: "x", count: 5_000) + "\"", "invalid_type"),
            ]
            for (body, code) in refusals {
                let reply = try await app.request(.put, "/api/me/language", token: token, json: body)
                #expect(reply.status == 400, "\(body.prefix(40)) → \(reply.status) \(reply.text.prefix(200))")
                #expect(reply.errorCode == code, "\(body.prefix(40)) → \(reply.errorCode ?? reply.text)")
                #expect(reply.errorMessage?.isEmpty == false)
            }
            let invalid = try await app.request(.put, "/api/me/language", token: token, body: ["language": "fr"])
            #expect(invalid.errorMessage == "language: must be one of \"en\", \"de\", or null for no choice.")
            let form = try await app.request(
                .put, "/api/me/language", token: token, headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(form.status == 415 && form.errorCode == "unsupported_media_type", "a form body is not JSON: \(form.text)")
            #expect(try await app.request(.get, "/api/me/language", token: token).string("language") == "de", "nothing changed")

            // No login; a cookie login without the CSRF header; then with it.
            let anonymous = try await app.request(.get, "/api/me/language")
            #expect(anonymous.status == 401 && anonymous.errorCode == "unauthorized")
            let anonymousPut = try await app.request(.put, "/api/me/language", body: ["language": "en"])
            #expect(anonymousPut.status == 401)
            #expect(try await app.request(.put, "/api/me/language", token: "forged-token", body: ["language": "en"]).status == 401)
            let cookie: HTTPFields = [.cookie: "fd_session=\(token); fd_csrf=\(csrf)"]
            let forged = try await app.request(.put, "/api/me/language", json: #"{"language":"en"}"#, headers: cookie)
            #expect(forged.status == 403 && forged.errorCode == "csrf_failed")
            #expect(try await app.request(.get, "/api/me/language", headers: cookie).string("language") == "de")
            var good = cookie
            good[.init("X-CSRF-Token")!] = csrf
            #expect(try await app.request(.put, "/api/me/language", json: #"{"language":"en"}"#, headers: good).string("language") == "en")
        }
    }

    @Test("the OpenAPI document's language enum is the server's")
    func openAPILanguages() throws {
        let schemas = try OpenAPIConsistencyTests.schemas()
        for name in ["LanguageChoice", "LanguageChoiceUpdate"] {
            let property = try #require((schemas[name]?["properties"] as? [String: Any])?["language"] as? [String: Any], "\(name)")
            let listed = (property["enum"] as? [Any] ?? []).compactMap { $0 as? String }
            #expect(Set(listed) == Set(Language.allCases.map(\.rawValue)), "\(name): \(listed)")
            #expect(schemas[name]?["required"] as? [String] == ["language"])
        }
    }

    @Test("account pages: signed out the browser decides; signed in the member's own choice, else the browser")
    func accountPages() async throws {
        try await TestApp.run { app in
            let guest = Browser(app: app, token: nil)
            let forgot = try await guest.get("/forgot", headers: Self.german)
            #expect(forgot.has("<html lang=\"de\">") && forgot.has("<h1>Passwort vergessen?</h1>") && forgot.has(">Link senden</button>"))
            #expect(try await guest.get("/forgot", headers: Self.english).has("<h1>Forgot your password?</h1>"))
            let sent = try await guest.post("/forgot", ["email": "nobody@example.com"])
            #expect(sent.has("<h1>Check your e-mail</h1>"), "a form post without Accept-Language: English")
            #expect(try await guest.get("/reset/not-a-token", headers: Self.german).has("<h1>Dieser Link ist nicht mehr gültig</h1>"))

            let studio = try await app.studio()
            let closed = try await guest.get("/join/\(studio.orgId)", headers: Self.german)
            #expect(closed.status == 404 && closed.has("<h1>Keine Online-Anmeldung</h1>"))
            #expect(try await guest.get("/join/\(studio.orgId)", headers: Self.english).has("<h1>Sign-up isn&#39;t open</h1>"))
            #expect(try await guest.get("/verify/not-a-token", headers: Self.german).has("<h1>Dieser Link ist nicht mehr gültig</h1>"))
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            let browser = Browser(app: app, token: member.token)
            #expect(try await browser.get("/me/password", headers: Self.german).has("<h1>Passwort ändern</h1>"))
            #expect(try await browser.get("/me/password", headers: Self.english).has("<h1>Change your password</h1>"))
            // These pages belong to no studio: its default does not apply, the member's own choice does.
            try await LanguagesStore(database: app.services.database).setStudioDefault(
                orgId: studio.orgId, code: "de", now: app.clock.now())
            #expect(try await browser.get("/me/password", headers: Self.english).has("<h1>Change your password</h1>"))
            #expect(try await app.request(.put, "/api/me/language", token: member.token, body: ["language": "de"]).status == 200)
            let change = try await browser.get("/me/password", headers: Self.english)
            #expect(change.has("<html lang=\"de\">") && change.has(">Aktuelles Passwort</label>"))
            let wrong = try await browser.post("/me/password", ["current": "not-my-password", "password": "a-new-password"])
            #expect(wrong.status == 403, "wrong_password: \(wrong.status)")
            #expect(wrong.has("<h1>Passwort ändern</h1>") && wrong.has("id=\"account-error\""))

            // An invitation opened while signed in as someone who chose German.
            let invited = try await app.request(
                .post, "/api/orgs/\(studio.orgId)/invitations", token: studio.ownerToken,
                body: ["email": "kim@example.com", "role": "coach"])
            #expect(invited.status == 201, "\(invited.text)")
            try await app.createUser("kim@example.com", name: "Kim")
            let kim = try await app.login("kim@example.com")
            #expect(try await app.request(.put, "/api/me/language", token: kim, body: ["language": "de"]).status == 200)
            let link = try await app.mailedToken("invitation", to: "kim@example.com")
            let invite = try await Browser(app: app, token: kim).get("/invite/\(link)", headers: Self.english)
            #expect(invite.has("<h1>Tritt Studio bei</h1>") && invite.has("als Trainer:in") && invite.has(">Einladung annehmen</button>"))
            let signedOut = try await guest.get("/invite/\(link)", headers: Self.english)
            #expect(signedOut.has("<h1>Join Studio</h1>") && signedOut.has("as a coach"))
        }
    }

    @Test("account e-mails: the person's own choice, else the studio's default, else English")
    func accountMails() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            func invite(_ email: String) async throws {
                let reply = try await app.request(
                    .post, "/api/orgs/\(studio.orgId)/invitations", token: studio.ownerToken,
                    body: ["email": email, "role": "member", "name": "Alex"])
                try #require(reply.status == 201, "\(reply.text)")
            }
            // Addresses that already have an account: their owner's own choice applies to the invitation too.
            try await app.createUser("chose-de@example.com", name: "Dora")
            try await app.createUser("chose-en@example.com", name: "Eli")
            for (email, code) in [("chose-de@example.com", "de"), ("chose-en@example.com", "en")] {
                let token = try await app.login(email)
                #expect(try await app.request(.put, "/api/me/language", token: token, body: ["language": code]).status == 200)
            }
            try await invite("plain@example.com")
            try await invite("chose-de@example.com")
            // E-mails are written when they are sent: send these before the studio gets its default.
            let mail = RecordingMail()
            _ = try await app.worker(mail: mail).deliverDue()
            #expect(try await owner.post("/admin/language", ["org": studio.orgId, "language": "de"]).status == 303)
            try await invite("studio-de@example.com")
            try await invite("chose-en@example.com")

            try await app.createUser("lena@example.com", name: "Lena Berg")
            try await app.createUser("tom@example.com", name: "Tom Hill")
            let lena = try await app.login("lena@example.com")
            #expect(try await app.request(.put, "/api/me/language", token: lena, body: ["language": "de"]).status == 200)
            for email in ["lena@example.com", "tom@example.com"] {
                #expect(try await app.request(.post, "/api/auth/password-reset", body: ["email": email]).status == 202)
            }
            #expect(
                try await Browser(app: app, token: nil).post("/signin-link", ["email": "lena@example.com", "next": "/schedule"]).status
                    == 200)
            #expect(
                try await Browser(app: app, token: nil).post("/signin-link", ["email": "tom@example.com", "next": "/schedule"]).status
                    == 200)

            _ = try await app.worker(mail: mail).deliverDue()
            func sent(_ to: String, _ subjectPrefix: String) throws -> MailMessage {
                try #require(
                    mail.sent.first { $0.message.to.contains(to) && $0.message.subject.hasPrefix(subjectPrefix) }?.message,
                    "no mail \(subjectPrefix)… to \(to): \(mail.sent.map { "\($0.message.to): \($0.message.subject)" })")
            }
            let plain = try sent("plain@example.com", "You're invited")
            #expect(plain.subject == "You're invited to Studio")
            #expect(plain.textBody.hasPrefix("Hi Alex,") && plain.textBody.contains("as a member"))
            #expect(plain.htmlBody?.contains("<html lang=\"en\">") == true)

            let german = try sent("studio-de@example.com", "Einladung")
            #expect(german.subject == "Einladung zu Studio")
            #expect(german.textBody.hasPrefix("Hallo Alex,"))
            #expect(german.textBody.contains("als Mitglied zu Studio eingeladen") && german.textBody.contains("Der Link gilt 7 Tage"))
            #expect(german.htmlBody?.contains("<html lang=\"de\">") == true)

            #expect(try sent("chose-de@example.com", "Einladung").subject == "Einladung zu Studio", "their choice, no studio default")
            #expect(
                try sent("chose-en@example.com", "You're invited").subject == "You're invited to Studio", "their choice beats the studio's")

            let reset = try sent("lena@example.com", "Neues Passwort")
            #expect(reset.textBody.contains("Der Link gilt 30 Minuten") && reset.htmlBody?.contains("<html lang=\"de\">") == true)
            let resetEnglish = try sent("tom@example.com", "Set a new password")
            #expect(resetEnglish.textBody.contains("Hi Tom,") && resetEnglish.textBody.contains("The link works for 30 minutes"))
            let signin = try sent("lena@example.com", "Dein Anmeldelink")
            #expect(signin.textBody.contains("Der Link gilt 15 Minuten"))
            #expect(try sent("tom@example.com", "Your sign-in link").textBody.contains("The link works for 15 minutes"))
        }
    }

    @Test("calendar feed and kiosk PIN sections of My bookings and the coach page in the reader's language")
    func calendarSections() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            let browser = Browser(app: app, token: member.token)

            let before = try await browser.get("/me/bookings", headers: Self.german)
            #expect(before.element("calendar-feed-title") == "Kalender-Abo")
            #expect(before.element("calendar-feed-state")?.hasPrefix("Folge diesen Kursen") == true)
            #expect(before.element("calendar-feed-new") == "Kalenderlink erstellen")
            #expect(before.element("kiosk-pin-heading") == "PIN für den Eingangs-Kiosk")
            #expect(before.has("<a href=\"/me/kiosk-pin\">Ist meine PIN gesetzt?</a>"))
            let english = try await browser.get("/me/bookings", headers: Self.english)
            #expect(
                english.element("calendar-feed-title") == "Calendar feed" && english.element("calendar-feed-new") == "Get a calendar link")
            #expect(english.element("kiosk-pin-heading") == "Door kiosk PIN" && english.has(">Is my PIN set?</a>"))

            // Made with the member's own choice German: the one-time URL page and the flash in German.
            #expect(try await app.request(.put, "/api/me/language", token: member.token, body: ["language": "de"]).status == 200)
            let made = try await browser.post("/me/bookings/calendar-feed", ["action": "new"])
            #expect(made.status == 200 && made.has("<html lang=\"de\">"))
            #expect(made.element("flash") == "Dein Kalenderlink ist fertig. Kopiere ihn jetzt: Er wird nur dieses eine Mal angezeigt.")
            #expect(made.element("calendar-feed-copy") == "Link kopieren" && made.has("data-copied-label=\"Kopiert\""))
            #expect(made.element("calendar-feed-webcal") == "In meiner Kalender-App öffnen")
            #expect(made.has("aria-label=\"Kalenderlink\""))
            let later = try await browser.get("/me/bookings", headers: Self.english)
            #expect(
                later.element("calendar-feed-state")?.hasPrefix("Dein Kalenderlink ist aktiv (erstellt am Mittwoch, 18. November)") == true)
            #expect(later.element("calendar-feed-new") == "Neuen Link erstellen" && later.element("calendar-feed-off") == "Abschalten")
            #expect(try await app.request(.put, "/api/me/language", token: member.token, body: ["language": "en"]).status == 200)
            let englishOn = try await browser.get("/me/bookings", headers: Self.german)
            #expect(englishOn.element("calendar-feed-state")?.hasPrefix("Your calendar link is on (made Wednesday 18 November).") == true)
            #expect(englishOn.element("calendar-feed-off") == "Turn off")

            // The coach page: the studio's default German for an owner without a choice.
            try await LanguagesStore(database: app.services.database).setStudioDefault(
                orgId: studio.orgId, code: "de", now: app.clock.now())
            let coach = Browser(app: app, token: studio.ownerToken)
            let tablet = try await coach.get("/coach?org=\(studio.orgId)&location=\(studio.locationId)", headers: Self.english)
            #expect(tablet.status == 200 && tablet.element("calendar-feed-title") == "Kalender-Abo")
            let coachMade = try await coach.post(
                "/coach/calendar-feed", ["action": "new", "org": studio.orgId, "location": studio.locationId])
            #expect(coachMade.status == 200 && coachMade.has("<html lang=\"de\">"))
            #expect(coachMade.element("flash")?.hasPrefix("Dein Kalenderlink ist fertig.") == true)
            #expect(coachMade.element("calendar-feed-copy") == "Link kopieren")
        }
    }
}
