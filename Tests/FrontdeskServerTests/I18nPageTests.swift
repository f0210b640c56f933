import Foundation
import FrontdeskCore
import FrontdeskStore
import HTTPTypes
import SQLKit
import Testing

@testable import FrontdeskServer

/// Two languages through HTTP on the configured database: the browser's `Accept-Language`, the
/// member's own choice, the studio's default, and the e-mails and pushes written in them.
@Suite("Two languages: pages, choices, e-mails")
struct I18nPageTests {
    static let german: HTTPFields = [.acceptLanguage: "de-DE,de;q=0.9,en;q=0.8"]
    static let english: HTTPFields = [.acceptLanguage: "en-GB,en;q=0.9"]

    @Test("a stranger's page follows Accept-Language: German, English, and English for a language we do not speak")
    func acceptLanguage() async throws {
        try await TestApp.run { app in
            let german = try await app.request(.get, "/login", headers: Self.german)
            #expect(german.status == 200)
            #expect(german.has("<html lang=\"de\">"))
            #expect(german.has("<h1>Anmelden</h1>"))
            #expect(german.has("Passwort vergessen?"))
            let english = try await app.request(.get, "/login", headers: Self.english)
            #expect(english.has("<html lang=\"en\">") && english.has("<h1>Log in</h1>"))
            let french = try await app.request(.get, "/login", headers: [.acceptLanguage: "fr-FR,fr;q=0.9"])
            #expect(french.has("<html lang=\"en\">"))
            let none = try await app.request(.get, "/login")
            #expect(none.has("<h1>Log in</h1>"))
            let junk = try await app.request(.get, "/login", headers: [.acceptLanguage: String(repeating: "x;q=", count: 3_000)])
            #expect(junk.status == 200 && junk.has("<h1>Log in</h1>"))
        }
    }

    @Test("a page that needs a login says why in the browser's language; every reason is in both catalogues")
    func loginReasons() async throws {
        for reason in LoginReason.allCases {
            for language in Language.allCases {
                let text = Catalogue.bundled.strings[language]?[reason.key]
                #expect(text != nil && text != reason.key, "\(language.rawValue) lacks \(reason.key)")
            }
        }
        try await TestApp.run { app in
            let german = try await app.request(.get, "/me/bookings", headers: Self.german)
            #expect(german.has("<h1>Anmelden</h1>") && german.has("Melde dich an, um deine Buchungen zu sehen."))
            let english = try await app.request(.get, "/me/bookings", headers: Self.english)
            #expect(english.has("<h1>Log in</h1>") && english.has("Log in to see your bookings."))
            let coach = try await app.request(.get, "/coach", headers: Self.german)
            #expect(coach.has("Trainer:innen: Melde dich an, um das Trainer-Tablet zu öffnen."))
        }
    }

    @Test("the schedule in German by the browser; the member's own choice overrides it; bad choices change nothing")
    func memberChoice() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            // Thursday 2026-11-19 18:00 Berlin, two places.
            _ = try await app.session(
                studio, startsAt: ISO8601DateFormatter().date(from: "2026-11-19T17:00:00Z")!, extra: ["capacity": 2])
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            let browser = Browser(app: app, token: member.token)
            let german = try await browser.get("/schedule", headers: Self.german)
            #expect(german.status == 200)
            #expect(german.has("<html lang=\"de\">"))
            #expect(german.has("<title>Kursplan"))
            #expect(german.has("Noch 2 Plätze frei"))
            #expect(german.has("Do. 19."), "the day in German")
            #expect(german.has(">Buchen</button>"))
            #expect(german.has(">Meine Buchungen</a>"))

            // The member chooses English: it wins over the German browser.
            let page = try await browser.get("/me/language", headers: Self.german)
            #expect(page.has("<h1>Deine Sprache</h1>"))
            #expect(page.has("id=\"language-none\" name=\"language\" value=\"\" checked"))
            let saved = try await browser.post("/me/language", ["language": "en"])
            #expect(saved.status == 303 && saved.location == "/me/language?done=saved")
            let after = try await browser.get("/me/language?done=saved", headers: Self.german)
            #expect(after.element("flash") == "Saved.")
            #expect(after.has("id=\"language-en\" name=\"language\" value=\"en\" checked"))
            let english = try await browser.get("/schedule", headers: Self.german)
            #expect(english.has("<html lang=\"en\">") && english.has("2 places left") && english.has("Thu 19"))

            // Refused: a language we do not speak, a missing CSRF field, a stranger.
            let french = try await browser.post("/me/language", ["language": "fr"])
            #expect(french.status == 400)
            #expect(french.has("must be one of en, de."))
            let forged = try await browser.post("/me/language", ["language": "de"], csrf: "forged-token-0123456789")
            #expect(forged.status == 403)
            let stranger = try await Browser(app: app, token: nil).post("/me/language", ["language": "de"])
            #expect(stranger.status != 303)
            #expect(try await app.storedLanguage(membershipId: member.membershipId) == "en")

            // Back to no choice: the browser decides again.
            #expect(try await browser.post("/me/language", ["language": ""]).status == 303)
            #expect(try await app.storedLanguage(membershipId: member.membershipId) == nil)
            #expect(try await browser.get("/schedule", headers: Self.german).has("Noch 2 Plätze frei"))
        }
    }

    @Test("the studio's default: owners set it, it beats the browser, the member's choice beats it; others are refused")
    func studioDefault() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            _ = try await app.session(studio, startsAt: ISO8601DateFormatter().date(from: "2026-11-19T17:00:00Z")!)
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            let owner = Browser(app: app, token: studio.ownerToken)
            let form = try await owner.get("/admin/language?org=\(studio.orgId)", headers: Self.english)
            #expect(form.status == 200)
            #expect(form.has("<h1>Studio language</h1>"))
            let set = try await owner.post("/admin/language", ["org": studio.orgId, "language": "de"])
            #expect(set.status == 303)
            #expect(set.location == "/admin/language?org=\(studio.orgId)&done=saved")
            // The owner has no choice of their own, so the back office is now German too.
            let shell = try await owner.get("/admin/language?org=\(studio.orgId)&done=saved", headers: Self.english)
            #expect(shell.has("<h1>Sprache des Studios</h1>") && shell.has(">Stundenplan</a>") && shell.element("flash") == "Gespeichert.")

            let browser = Browser(app: app, token: member.token)
            let german = try await browser.get("/schedule", headers: Self.english)
            #expect(german.has("<html lang=\"de\">") && german.has("Kursplan"))
            #expect(try await browser.post("/me/language", ["language": "en"]).status == 303)
            #expect(try await browser.get("/schedule", headers: Self.german).has("<html lang=\"en\">"))

            // A member, an unknown language, another studio's owner, a forged form: nothing changes.
            let asMember = try await browser.post("/admin/language", ["org": studio.orgId, "language": "en"])
            #expect(asMember.status == 403)
            let bad = try await owner.post("/admin/language", ["org": studio.orgId, "language": "xx"])
            #expect(bad.status == 400)
            let other = try await app.studio()
            let foreign = try await Browser(app: app, token: other.ownerToken).post(
                "/admin/language", ["org": studio.orgId, "language": "en"])
            #expect(foreign.status == 404)
            let forged = try await owner.post("/admin/language", ["org": studio.orgId, "language": "en"], csrf: "forged-token-0123456789")
            #expect(forged.status == 403)
            #expect(try await app.studioLanguage(studio.orgId) == "de")

            // Cleared: the browser decides again.
            #expect(try await owner.post("/admin/language", ["org": studio.orgId, "language": ""]).status == 303)
            #expect(try await app.studioLanguage(studio.orgId) == nil)
            #expect(try await owner.get("/admin/language?org=\(studio.orgId)", headers: Self.english).has("<h1>Studio language</h1>"))
        }
    }

    @Test("e-mails and pushes in the member's language: German by the studio's default, English by the member's choice")
    func germanMail() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            #expect(try await owner.post("/admin/language", ["org": studio.orgId, "language": "de"]).status == 303)
            let session = try await app.session(
                studio, startsAt: ISO8601DateFormatter().date(from: "2026-11-19T17:00:00Z")!,
                extra: ["capacity": 1, "locationId": studio.locationId])
            let members = try await app.quickMembers(studio.orgId, count: 2)
            let device = try await app.registerDevice(token: members[0].token)
            #expect(try await Browser(app: app, token: members[1].token).post("/me/language", ["language": "en"]).status == 303)
            #expect(try await app.book(session, token: members[0].token).string("status") == "confirmed")
            #expect(try await app.book(session, token: members[1].token).string("status") == "waitlisted")

            let mail = RecordingMail()
            let push = RecordingPush()
            _ = try await app.worker(mail: mail, push: push).deliverDue()
            let german = try #require(mail.sent.first { $0.message.subject.hasPrefix("Gebucht") }?.message)
            #expect(german.subject == "Gebucht: Vinyasa, Donnerstag, 19. November, 18:00–19:00")
            #expect(german.textBody.contains("Du bist für Vinyasa am Donnerstag, 19. November, 18:00–19:00 gebucht."))
            #expect(german.textBody.contains("Kurs: Vinyasa"))
            #expect(german.htmlBody?.contains("<html lang=\"de\">") == true)
            #expect(german.htmlBody?.contains("Du bist gebucht") == true)
            let english = try #require(mail.sent.first { $0.message.subject.hasPrefix("On the waitlist") }?.message)
            #expect(english.subject == "On the waitlist: Vinyasa, Thursday 19 November, 18:00–19:00")
            #expect(english.textBody.contains("number 1 on the waitlist"))
            let pushed = try #require(push.sent.first { $0.to == device })
            #expect(pushed.title == german.subject)
            #expect(pushed.body.hasPrefix("Bis Donnerstag, 19. November"))
        }
    }
}

extension Browser {
    /// A page with extra request headers (the browser's `Accept-Language`).
    func get(_ path: String, headers extra: HTTPFields) async throws -> Reply {
        var headers = cookieHeader
        for field in extra { headers.append(field) }
        return try await app.request(.get, path, headers: headers)
    }
}

extension TestApp {
    /// The stored language of the member behind a membership.
    func storedLanguage(membershipId: String) async throws -> String? {
        try await services.database.read { sql in
            try await sql.raw(
                "SELECT u.language FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.id = \(bind: membershipId)"
            ).first()?.decode(column: "language", as: String?.self)
        }
    }

    func studioLanguage(_ orgId: String) async throws -> String? {
        try await LanguagesStore(database: services.database).settings(userId: nil, orgId: orgId).studio
    }
}
