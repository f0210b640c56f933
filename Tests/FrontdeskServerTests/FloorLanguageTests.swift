import Foundation
import FrontdeskCore
import HTTPTypes
import Testing

@testable import FrontdeskServer

/// The floor's pages in two languages (issue 19): the phone's check-in landing (the member's choice,
/// else the studio's default, else the browser), the wall display and the door kiosk (studio screens:
/// the studio's default, else the browser, whoever is signed in), and the kiosk PIN page.
@Suite("Two languages on the floor: check-in landing, wall display, door kiosk")
struct FloorLanguageTests {
    static let german = I18nPageTests.german
    static let english = I18nPageTests.english

    func setStudioLanguage(_ app: TestApp, _ studio: StudioFixture, _ language: String) async throws {
        let reply = try await Browser(app: app, token: studio.ownerToken).post(
            "/admin/language", ["org": studio.orgId, "language": language])
        try #require(reply.status == 303, "\(reply.text)")
    }

    @Test("the check-in landing: German by Accept-Language and by the studio's default, English unchanged, the member's choice wins")
    func checkinLanding() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(
                studio, startsAt: app.clock.now().addingTimeInterval(600), extra: ["locationId": studio.locationId])
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            _ = try await app.book(session, token: member.token)
            let browser = Browser(app: app, token: member.token)

            let pending = try await browser.get(
                "/checkin?session=\(session)&token=\(try await app.checkinToken(session))", headers: Self.german)
            #expect(pending.status == 200)
            #expect(pending.has("<html lang=\"de\">"))
            #expect(pending.has("<h1>Du wirst eingecheckt…</h1>"))
            #expect(pending.has(">Jetzt einchecken</button>") && pending.has(">Zum Kursplan</a>"))
            #expect(pending.has("data-checking=\"Du wirst eingecheckt…\""), "the script's words from the catalogue")
            let english = try await browser.get(
                "/checkin?session=\(session)&token=\(try await app.checkinToken(session))", headers: Self.english)
            #expect(english.has("<html lang=\"en\">") && english.has("<h1>Checking you in…</h1>") && english.has(">Check me in</button>"))

            // A refusal: headline and next step in German, without the API's English sentence.
            let stale = try await app.checkinToken(session)
            app.clock.advance(by: 90)
            let expired = try await browser.get("/checkin?session=\(session)&token=\(stale)", headers: Self.german)
            #expect(expired.status == 409 && expired.has("data-code=\"token_expired\""))
            #expect(expired.has("<h1>Dieser QR-Code ist abgelaufen</h1>"))
            #expect(expired.element("next-step") == "Scanne den Code auf dem Bildschirm noch einmal – er wechselt jede Minute.")
            #expect(expired.element("message") == nil && !expired.has("scan the code on the screen again."))
            #expect(
                expired.has("<h2>Stattdessen mit deinem Standort einchecken</h2>") && expired.has("data-location-denied=\"Der Standort"))
            let expiredEnglish = try await browser.get("/checkin?session=\(session)&token=\(stale)", headers: Self.english)
            #expect(expiredEnglish.element("next-step") == "Scan the code on the screen again — it changes every minute.")
            #expect(expiredEnglish.element("message") == "This QR code has expired; scan the code on the screen again.")
            #expect(expiredEnglish.has("<h2>Check in with your location instead</h2>"))
            let unknown = try await browser.get("/c/123", headers: Self.german)
            #expect(unknown.status == 400 && unknown.has("<h1>Dieser QR-Code ist ungültig</h1>"))

            // The studio's default beats the English browser, the page and the result of the post alike.
            try await setStudioLanguage(app, studio, "de")
            let byStudio = try await browser.get(
                "/checkin?session=\(session)&token=\(try await app.checkinToken(session))", headers: Self.english)
            #expect(byStudio.has("<html lang=\"de\">") && byStudio.has("<h1>Du wirst eingecheckt…</h1>"))
            let done = try await browser.post("/checkin", ["session": session, "proof": try CheckinLandingPageTests().proof(byStudio)])
            #expect(done.status == 200 && done.has("data-code=\"checked_in\""), "\(done.text)")
            #expect(done.has("<h1>Du bist eingecheckt</h1>") && done.element("message") == "Viel Spaß im Kurs!")

            // The member's own choice beats the studio's default.
            #expect(try await browser.post("/me/language", ["language": "en"]).status == 303)
            let again = try await browser.post("/checkin", ["session": session, "proof": try CheckinLandingPageTests().proof(byStudio)])
            #expect(again.has("<html lang=\"en\">") && again.has("You&#39;re already checked in") && again.has("Enjoy the class!"))
        }
    }

    @Test("the wall display: German by Accept-Language and by the studio's default (not by a signed-in person), its script's words too")
    func display() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let display = try await app.displayPath(studio)
            let idle = try await app.request(.get, display.path, headers: Self.german)
            #expect(idle.status == 200 && idle.has("<html lang=\"de\">"))
            #expect(idle.has("<h1>Gerade kein Kurs</h1>"))
            #expect(idle.element("next") == "Hier sind keine weiteren Kurse geplant")
            #expect(idle.element("offline") == "Offline – verbinde neu")
            #expect(idle.has("data-locale=\"de-DE\"") && idle.has("data-t-tomorrow-at=\"Morgen {time}\""))
            #expect(idle.has("data-t-next-with-coach=\"Als Nächstes: {className}, {time} mit {coach}\""))
            let englishIdle = try await app.request(.get, display.path, headers: Self.english)
            #expect(englishIdle.has("<h1>No class right now</h1>") && englishIdle.element("next") == "No more classes scheduled here")
            #expect(englishIdle.has("data-locale=\"en-GB\"") && englishIdle.element("offline") == "Offline — reconnecting")

            let startsAt = app.clock.now().addingTimeInterval(3 * 3600)
            _ = try await app.session(studio, startsAt: startsAt, extra: ["locationId": studio.locationId])
            let later = try await app.request(.get, display.path, headers: Self.german)
            let next = try #require(later.element("next"))
            #expect(next.hasPrefix("Als Nächstes: Vinyasa, ") && next.hasSuffix(Reply.berlin(startsAt)), "\(next)")
            #expect(
                try await app.request(.get, display.path, headers: Self.english).element("next")?.hasPrefix("Next: Vinyasa at ") == true)

            // A running class.
            let now = try await app.session(
                studio, startsAt: app.clock.now().addingTimeInterval(300), extra: ["locationId": studio.locationId])
            let members = try await app.quickMembers(studio.orgId, count: 1)
            _ = try await app.book(now, token: members[0].token)
            let running = try await app.request(.get, display.path, headers: Self.german)
            #expect(running.element("count") == "0 / 12 eingecheckt", "\(running.element("count") ?? "")")
            #expect(running.has("Neuer Code in") && running.has("Scanne mit der Kamera deines Handys, um einzuchecken"))
            let runningEnglish = try await app.request(.get, display.path, headers: Self.english)
            #expect(runningEnglish.element("count") == "0 / 12 checked in" && runningEnglish.has("New code in"))

            // The studio's default: German for an English browser, even one signed in as a member who chose English.
            try await setStudioLanguage(app, studio, "de")
            let member = Browser(app: app, token: members[0].token)
            #expect(try await member.post("/me/language", ["language": "en"]).status == 303)
            let screen = try await member.get(display.path, headers: Self.english)
            #expect(screen.has("<html lang=\"de\">") && screen.has("Neuer Code in"), "a studio screen, not the member's page")

            // A refused link names no studio: the browser's language.
            let forged = display.path.replacingOccurrences(of: "sig=", with: "sig=x")
            let refused = try await app.request(.get, forged, headers: Self.german)
            #expect(refused.status == 403 && refused.has("<h1>Der Link dieses Bildschirms ist ungültig</h1>"))
            let refusedEnglish = try await app.request(.get, forged, headers: Self.english)
            #expect(
                refusedEnglish.has("<h1>This screen&#39;s link is not valid</h1>")
                    || refusedEnglish.has("<h1>This screen's link is not valid</h1>"))
            #expect(refusedEnglish.has("This display link is not valid; ask the studio for a new one."))
        }
    }

    @Test("the door kiosk: German by Accept-Language and by the studio's default, refusals too; the JSON stays English")
    func kiosk() async throws {
        try await TestApp.run { app in
            let kiosk = try await app.kioskFixture()
            let (member, booking) = try await app.bookedMember(kiosk, "Maya Lindqvist")
            let tablet = Browser(app: app, token: nil)

            let start = try await tablet.get(kiosk.path, headers: Self.german)
            #expect(start.status == 200 && start.has("<html lang=\"de\">"))
            #expect(start.has("<h1 class=\"kiosk-title\">Einchecken</h1>") && start.has(">Finde mich</button>"))
            #expect(start.has("placeholder=\"Erste Buchstaben deines Namens\"") && start.has("<strong>Meine Buchungen</strong>"))
            let short = try await tablet.get(kiosk.path + "&q=m", headers: Self.german)
            #expect(short.status == 400 && short.element("flash") == "Tippe mindestens 2 Buchstaben deines Namens.")
            let nobody = try await tablet.get(kiosk.path + "&q=zz", headers: Self.german)
            #expect(
                nobody.element("kiosk-no-matches")?.hasPrefix("Niemand, der gerade für einen Kurs hier gebucht ist, passt zu „zz“") == true)
            let pin = try await tablet.get(kiosk.path + "&booking=\(booking)", headers: Self.german)
            #expect(
                pin.element("kiosk-pin-title") == "Hallo Maya L." && pin.has("Gib deine 4-stellige PIN ein.")
                    && pin.has(">Löschen</button>"))
            let english = try await tablet.get(kiosk.path + "&booking=\(booking)", headers: Self.english)
            #expect(
                english.element("kiosk-pin-title") == "Hi Maya L." && english.has("Enter your 4-digit PIN.")
                    && english.has(">Clear</button>"))
            let forged = try await tablet.get(kiosk.path.replacingOccurrences(of: "sig=", with: "sig=x"), headers: Self.german)
            #expect(forged.status == 403 && forged.element("kiosk-error")?.contains("Der Link dieses Kiosks ist ungültig") == true)

            // The studio's default: the form posts (no Accept-Language to ask) answer in German.
            try await setStudioLanguage(app, kiosk.studio, "de")
            let wrong = try await tablet.post(kiosk.path, ["booking": booking, "pin": "1111"])
            #expect(
                wrong.status == 401 && wrong.element("flash") == "Diese PIN stimmt nicht. Versuch es noch einmal oder frag im Studio nach.")
            #expect(wrong.has("<html lang=\"de\">") && wrong.has("id=\"kiosk-pin-form\""))
            let json = try await app.kioskCheckin(kiosk, booking: booking, pin: "1111")
            #expect(
                json.status == 401 && json.errorMessage == "That PIN is not right. Try again, or ask the coach.", "the API stays English")
            let done = try await tablet.post(kiosk.path, ["booking": booking, "pin": "2580"])
            #expect(done.status == 200 && done.element("kiosk-done-title") == "Willkommen, Maya L.!", "\(done.text)")
            #expect(done.has("Viel Spaß im Kurs!") && done.has(">Fertig</a>"))
            #expect(try await app.bookingStatus(booking) == "attended")
            _ = member
        }
    }

    @Test("the kiosk PIN page in the member's language: the page, the refusals and the saved message")
    func pinPage() async throws {
        try await TestApp.run { app in
            let kiosk = try await app.kioskFixture()
            let member = try await app.namedMember(kiosk.studio, "Maya Lindqvist")
            let browser = Browser(app: app, token: member.token)
            let german = try await browser.get("/me/kiosk-pin", headers: Self.german)
            #expect(german.has("<h1>Kiosk-PIN</h1>") && german.element("kiosk-pin-status") == "Du hast noch keine Kiosk-PIN.")
            #expect(german.has(">PIN speichern</button>"))
            #expect(
                try await browser.get("/me/kiosk-pin", headers: Self.english).element("kiosk-pin-status") == "You have no kiosk PIN yet.")

            #expect(try await browser.post("/me/language", ["language": "de"]).status == 303)
            let trivial = try await browser.post("/me/kiosk-pin", ["pin": "1234", "pinRepeat": "1234"])
            #expect(
                trivial.status == 400 && trivial.element("flash") == "PIN: zu leicht zu erraten (wie 0000 oder 1234); wähle eine andere.")
            let short = try await browser.post("/me/kiosk-pin", ["pin": "12", "pinRepeat": "12"])
            #expect(short.status == 400 && short.element("flash") == "PIN: genau 4 Ziffern, bitte.")
            let mismatch = try await browser.post("/me/kiosk-pin", ["pin": "2580", "pinRepeat": "2581"])
            #expect(mismatch.status == 400 && mismatch.element("flash") == "PIN-Wiederholung: stimmt nicht mit der PIN überein.")
            #expect(try await browser.post("/me/kiosk-pin", ["pin": "2580", "pinRepeat": "2580"]).status == 303)
            let saved = try await browser.get("/me/kiosk-pin?done=set", headers: Self.english)
            #expect(saved.element("flash") == "Deine Kiosk-PIN ist gesetzt. Nutze sie am Eingangs-Kiosk des Studios.")

            #expect(try await browser.post("/me/language", ["language": "en"]).status == 303)
            let english = try await browser.post("/me/kiosk-pin", ["pin": "1234", "pinRepeat": "1234"])
            #expect(english.element("flash") == "pin: is too easy to guess (like 0000 or 1234); choose another.")
        }
    }

    @Test("every refusal the check-in landing explains has words in both languages")
    func refusalWords() {
        for refusal in Refusal.allCases {
            let error = DomainError(refusal, "x")
            let english = CheckinLandingPage.explain(error, .of(.en))
            let german = CheckinLandingPage.explain(error, .of(.de))
            #expect(!english.headline.contains("checkin.") && !german.headline.contains("checkin."), "\(refusal)")
            #expect(english.headline != german.headline, "\(refusal)")
        }
    }
}
