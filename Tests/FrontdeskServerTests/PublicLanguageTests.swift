import Foundation
import FrontdeskCore
import FrontdeskStore
import HTTPTypes
import Testing

@testable import FrontdeskServer

/// The public schedule, its widget and script, and the book page in two languages (issue 19): strangers
/// get the studio's default, else the browser's language; `?lang=` (the snippet's) wins; a member on
/// the book page gets their own choice first. English stays exactly as it was.
@Suite("Two languages: public schedule, widget, book page")
struct PublicLanguageTests {
    static let german: HTTPFields = [.acceptLanguage: "de-DE,de;q=0.9,en;q=0.8"]
    static let english: HTTPFields = [.acceptLanguage: "en-GB,en;q=0.9"]
    /// Thursday 2026-11-19 18:00 in Berlin (the test clock is Wednesday the 18th).
    static let thursday = ISO8601DateFormatter().date(from: "2026-11-19T17:00:00Z")!

    @Test("the public page follows the browser (with Vary), dates and places in German; English unchanged")
    func publicPageByBrowser() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let open = try await app.session(studio, startsAt: Self.thursday, extra: ["capacity": 2])
            let full = try await app.session(studio, startsAt: Self.thursday.addingTimeInterval(7_200), extra: ["capacity": 1])
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            #expect(try await app.book(full, token: member.token).status == 201)
            try await app.publishSchedule(studio)
            let path = "/studios/\(studio.orgId)/schedule"

            let german = try await app.anonymous(path, headers: Self.german)
            #expect(german.status == 200)
            #expect(german.has("<html lang=\"de\">") && german.has("<title>Kursplan · Studio</title>"))
            #expect(german.element("public-intro") == "Die Kurse von Studio. Buche einen Platz, nachdem du dich angemeldet hast.")
            #expect(german.element("week-title") == "Mi. 18. – Di. 24.")
            #expect(german.has("<h2>Do. 19.</h2>"))
            #expect(german.has("Noch 2 Plätze frei") && german.has("Voll · Warteliste offen"))
            #expect(german.has("href=\"/book/\(open)\" data-book>Buchen</a>"))
            #expect(german.has(" data-book>Auf die Warteliste</a>"))
            #expect(german.has("<p class=\"day-empty\">Keine Kurse</p>") && german.element("next-week") == "Später ›")
            #expect(german.has(">Anmelden</a>"), "the top bar's login link in German")
            #expect(german.headers[.vary] == "Accept-Language")
            for english in ["places left", "Book<", "No classes", "Later", "The classes of"] {
                #expect(!german.has(english), "English left on the German page: \(english)")
            }

            let english = try await app.anonymous(path, headers: Self.english)
            #expect(english.has("<html lang=\"en\">") && english.has("<title>Class schedule · Studio</title>"))
            #expect(english.element("public-intro") == "The classes of Studio. Book a place after logging in.")
            #expect(english.element("week-title") == "Wed 18 – Tue 24")
            #expect(english.has("<h2>Thu 19</h2>") && english.has("2 places left") && english.has("Full · waitlist open"))
            #expect(english.has("data-book>Book</a>") && english.has("data-book>Join waitlist</a>"))
            #expect(english.element("next-week") == "Later ›" && english.has(">Log in</a>"))
            #expect(english.headers[.vary] == "Accept-Language")
            #expect(try await app.anonymous(path).text == english.text, "no Accept-Language: English")
            #expect(german.etag != english.etag, "each language has its own ETag")
            let tag = try #require(german.etag)
            #expect(try await app.anonymous(path, headers: Self.german.merging([.ifNoneMatch: tag])).status == 304)
            #expect(try await app.anonymous(path, headers: Self.english.merging([.ifNoneMatch: tag])).status == 200)

            // One place left, in both languages.
            #expect(try await app.book(open, token: member.token).status == 201)
            #expect(try await app.anonymous(path, headers: Self.german).has("Noch 1 Platz frei"))
            #expect(try await app.anonymous(path, headers: Self.english).has("1 place left"))

            // Unknown or private: the same 404 in the browser's language.
            let missing = try await app.anonymous("/studios/\(NewID.make())/schedule", headers: Self.german)
            #expect(missing.status == 404 && missing.has("<html lang=\"de\">"))
            #expect(missing.has("<h1>Diesen Kursplan gibt es nicht</h1>"))
            let missingEnglish = try await app.anonymous("/studios/\(NewID.make())/schedule", headers: Self.english)
            #expect(missingEnglish.status == 404 && missingEnglish.has("<h1>No such schedule</h1>"))
        }
    }

    @Test("the studio's default beats the browser (no Vary); ?lang= beats both and stays on the links; bad ?lang= is ignored")
    func studioDefaultAndQuery() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            _ = try await app.session(studio, startsAt: Self.thursday, extra: ["capacity": 2])
            try await app.publishSchedule(studio, origins: "https://www.loft.example")
            try await LanguagesStore(database: app.services.database).setStudioDefault(
                orgId: studio.orgId, code: "de", now: app.clock.now())
            let page = "/studios/\(studio.orgId)/schedule"
            let widget = "/studios/\(studio.orgId)/widget"

            let german = try await app.anonymous(page, headers: Self.english)
            #expect(german.has("<html lang=\"de\">") && german.has("Noch 2 Plätze frei"))
            #expect(german.headers[.vary] == nil, "the studio decided, not the browser")
            #expect(german.has("href=\"/studios/\(studio.orgId)/schedule?week=2026-11-25\""))

            let asked = try await app.anonymous(widget + "?lang=en", headers: Self.german)
            #expect(asked.status == 200 && asked.has("<html lang=\"en\">") && asked.has("2 places left"))
            #expect(asked.has("href=\"/studios/\(studio.orgId)/widget?lang=en&amp;week=2026-11-25\""), "Later keeps lang")
            #expect(asked.has("href=\"https://studio.example/studios/\(studio.orgId)/schedule?lang=en\""))
            #expect(asked.has(">Studio · full schedule</a>"))
            #expect(asked.headers[.vary] == nil)
            #expect(asked.csp.contains("frame-ancestors https://www.loft.example"))

            let widgetGerman = try await app.anonymous(widget, headers: Self.english)
            #expect(widgetGerman.has(">Studio · ganzer Kursplan</a>") && widgetGerman.has("data-book>Buchen</a>"))
            #expect(try await app.anonymous(page + "?lang=en").has("<title>Class schedule · Studio</title>"))
            for bad in ["fr", "xx", "", "de-DE", String(repeating: "d", count: 300)] {
                let reply = try await app.anonymous(widget + "?lang=\(bad)", headers: Self.english)
                #expect(reply.status == 200 && reply.has("<html lang=\"de\">"), "lang=\(bad.prefix(10)) answers the studio's default")
            }

            // The embed script: ?lang= goes on to the frame; its title in that language.
            let script = try await app.anonymous(widget + ".js?lang=en", headers: Self.german)
            #expect(script.has("frame.src = \"https://studio.example/studios/\(studio.orgId)/widget?lang=en\""))
            #expect(script.has("frame.title = \"Studio · class schedule\""))
            let plain = try await app.anonymous(widget + ".js", headers: Self.english)
            #expect(plain.has("frame.src = \"https://studio.example/studios/\(studio.orgId)/widget\""))
            #expect(plain.has("frame.title = \"Studio · Kursplan\""), "the studio's default")

            // Without a default the browser decides the script too, and says so.
            try await LanguagesStore(database: app.services.database).setStudioDefault(
                orgId: studio.orgId, code: nil, now: app.clock.now())
            let browser = try await app.anonymous(widget + ".js", headers: Self.german)
            #expect(browser.has("frame.title = \"Studio · Kursplan\"") && browser.headers[.vary] == "Accept-Language")
            #expect(try await app.anonymous(widget + ".js", headers: Self.english).has("frame.title = \"Studio · class schedule\""))
        }
    }

    @Test("the book page: the member's choice, else the studio's default, else the browser; strangers and 404 too")
    func bookPage() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            try await app.publishSchedule(studio)
            let session = try await app.session(studio, startsAt: Self.thursday, extra: ["capacity": 1])
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            let browser = Browser(app: app, token: member.token)

            let german = try await browser.get("/book/\(session)", headers: Self.german)
            #expect(german.status == 200 && german.has("<html lang=\"de\">"))
            #expect(german.has("<h1>Diesen Kurs buchen</h1>") && german.has("<title>Buchen · Studio</title>"))
            #expect(german.element("book-state") == "Noch 1 Platz frei")
            #expect(german.has("Donnerstag, 19. November, 18:00–19:00"))
            #expect(german.element("book-confirm") == "Platz buchen" && german.element("book-schedule") == "Die ganze Woche ansehen")

            let english = try await browser.get("/book/\(session)", headers: Self.english)
            #expect(english.has("<h1>Book this class</h1>") && english.element("book-state") == "1 place left")
            #expect(english.has("Thursday 19 November, 18:00–19:00") && english.element("book-confirm") == "Book my place")
            #expect(english.element("book-schedule") == "See the whole week")

            #expect(try await app.book(session, token: member.token).status == 201)
            let booked = try await browser.get("/book/\(session)", headers: Self.german)
            #expect(booked.has("<h1>Dein Kurs</h1>") && booked.element("book-state") == "Du bist gebucht")
            #expect(try await browser.get("/book/\(session)", headers: Self.english).element("book-state") == "You're booked")

            // The studio's default beats the English browser; the member's own choice beats the default.
            try await LanguagesStore(database: app.services.database).setStudioDefault(
                orgId: studio.orgId, code: "de", now: app.clock.now())
            #expect(try await browser.get("/book/\(session)", headers: Self.english).has("<h1>Dein Kurs</h1>"))
            #expect(
                try await app.request(.put, "/api/me/language", token: member.token, body: ["language": "en"]).status == 200)
            #expect(try await browser.get("/book/\(session)", headers: Self.german).has("<h1>Your class</h1>"))

            // Full: the waitlist words.
            let other = try await app.quickMembers(studio.orgId, count: 1)[0]
            let full = try await Browser(app: app, token: other.token).get("/book/\(session)", headers: Self.english)
            #expect(full.element("book-state") == "Voll · du kannst auf die Warteliste")
            #expect(full.element("book-confirm") == "Auf die Warteliste")

            // Signed in, not a member: the 403 in the studio's default; an unknown class: 404 in the browser's language.
            try await app.createUser("visitor@example.com", name: "Vera Visitor")
            let visitor = Browser(app: app, token: try await app.login("visitor@example.com"))
            let stranger = try await visitor.get("/book/\(session)", headers: Self.english)
            #expect(stranger.status == 403 && stranger.has("<h1>Du bist noch kein Mitglied bei Studio</h1>"))
            let unknown = try await visitor.get("/book/\(NewID.make())", headers: Self.german)
            #expect(unknown.status == 404 && unknown.has("<h1>Diesen Kurs gibt es nicht</h1>"))
            let unknownEnglish = try await visitor.get("/book/nonsense", headers: Self.english)
            #expect(unknownEnglish.status == 404 && unknownEnglish.has("<h1>No such class</h1>"))
        }
    }
}

extension HTTPFields {
    /// These fields plus `other`'s.
    func merging(_ other: HTTPFields) -> HTTPFields {
        var all = self
        for field in other { all.append(field) }
        return all
    }
}
