import Foundation
import FrontdeskCore
import HTTPTypes
import Testing

@testable import FrontdeskServer

/// The back office's timetable in two languages (issue 19): the week, a class, its cancellation, the
/// series forms, the previews and the closures in German — by the browser's `Accept-Language` and by
/// the studio's default — with German weekday names and dates, and English unchanged for a reader
/// who asks for it. The tests start on Wed 2026-11-18 12:06:40 Berlin.
@Suite("Admin pages: timetable in German")
struct AdminTimetableGermanTests {
    static let german: HTTPFields = [.acceptLanguage: "de-DE,de;q=0.9,en;q=0.8"]
    static let english: HTTPFields = [.acceptLanguage: "en-GB,en;q=0.9"]

    @Test("the week, a class, its cancellation and a 404 in German by Accept-Language; the same pages in English")
    func weekAndClass() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            // Thursday 2026-11-19 18:00 Berlin, one confirmed and one waitlisted booking; a draft on Friday.
            let id = try await app.session(studio, startsAt: iso("2026-11-19T17:00:00Z"), extra: ["locationId": studio.locationId])
            _ = try await app.session(studio, startsAt: iso("2026-11-20T08:00:00Z"), publish: false)
            let ada = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member", email: "ada@example.com")
            let bob = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member", email: "bob@example.com")
            try await app.insertBooking(session: id, membership: ada.membershipId, status: "confirmed")
            try await app.insertBooking(session: id, membership: bob.membershipId, status: "waitlisted", position: 1)

            let week = try await owner.get("/admin/timetable?org=\(studio.orgId)&week=2026-11-18", headers: Self.german)
            #expect(week.status == 200)
            #expect(week.has("<html lang=\"de\">"))
            #expect(week.has("<h1>Stundenplan</h1>") && week.has("<title>Stundenplan"))
            #expect(week.has("Zeiten in Europe/Berlin"))
            #expect(week.element("closures-link") == "Schließzeiten")
            #expect(week.element("week-title") == "Mo. 16. Nov. – So. 22. Nov. 2026", "\(week.element("week-title") ?? "")")
            let thursday = try #require(week.element("day-2026-11-19"))
            #expect(thursday.hasPrefix("Do. 19. Nov."), "\(thursday)")
            #expect(thursday.contains("18:00–19:00") && thursday.contains("1/12 gebucht") && thursday.contains("1 wartet"), "\(thursday)")
            #expect(thursday.contains("Veröffentlicht") && thursday.contains("Auswählen Vinyasa, Morgen 18:00"), "\(thursday)")
            #expect(week.element("day-2026-11-20")?.contains("Entwurf") == true)
            #expect(week.element("day-2026-11-18")?.contains("(heute)") == true)
            #expect(week.element("day-2026-11-16")?.contains("Keine Kurse") == true)
            #expect(week.element("prev-week") == "‹ Vorherige Woche")
            // The forms: German labels, weekday names and statuses.
            #expect(week.has("<summary><h2>Neuer Kurs</h2></summary>") && week.element("create-class") == "Kurs anlegen")
            #expect(week.has("value=\"1\"> Montag</label>") && week.has("value=\"7\"> Sonntag</label>"))
            #expect(week.has("Ihre Kurse werden 8 Wochen im Voraus angelegt"))
            #expect(week.has("value=\"cancelled\"> Abgesagt</label>") && week.element("preview-filter") == "Vorschau der passenden Kurse")
            #expect(!week.has("Monday") && !week.has(" booked"), "no English left on the week")

            let english = try await owner.get("/admin/timetable?org=\(studio.orgId)&week=2026-11-18", headers: Self.english)
            #expect(english.has("<html lang=\"en\">") && english.has("<h1>Timetable</h1>") && english.has("Times in Europe/Berlin"))
            #expect(english.element("week-title") == "Mon 16 Nov – Sun 22 Nov 2026")
            let englishThursday = try #require(english.element("day-2026-11-19"))
            #expect(englishThursday.hasPrefix("Thu 19 Nov") && englishThursday.contains("1/12 booked · 1 waiting"), "\(englishThursday)")
            #expect(englishThursday.contains("Select Select Vinyasa, Tomorrow 18:00"), "\(englishThursday)")
            #expect(english.has("value=\"1\"> Monday</label>") && english.has("value=\"draft\"> Draft</label>"))

            // One class.
            let page = try await owner.get("/admin/timetable/classes/\(id)?org=\(studio.orgId)", headers: Self.german)
            #expect(page.status == 200)
            #expect(page.has("<title>Vinyasa · Stundenplan"))
            #expect(page.element("class-when") == "Donnerstag, 19. November, 18:00–19:00")
            #expect(page.element("class-status") == "Veröffentlicht")
            #expect(page.element("class-counts") == "1 von 12 Plätzen gebucht; 1 auf der Warteliste")
            #expect(page.element("cancel-class") == "Diesen Kurs absagen …")
            #expect(page.element("edit-heading") == "Nur diesen Kurs bearbeiten" && page.element("save-class") == "Diesen Kurs speichern")
            let englishPage = try await owner.get("/admin/timetable/classes/\(id)?org=\(studio.orgId)", headers: Self.english)
            #expect(englishPage.element("class-when") == "Thursday 19 November, 18:00–19:00")
            #expect(englishPage.element("class-counts") == "1 of 12 places booked; 1 on the waitlist")

            // Its cancellation: the summary, the members and the button.
            let cancel = try await owner.get("/admin/timetable/classes/\(id)/cancel?org=\(studio.orgId)", headers: Self.german)
            #expect(cancel.status == 200)
            #expect(cancel.has("<h1>Vinyasa absagen</h1>"))
            #expect(
                cancel.element("cancel-summary")
                    == "Die Absage storniert 1 bestätigte und 1 wartende Buchungen; abgebuchte Guthaben werden erstattet, "
                    + "und jedes Mitglied bekommt eine E-Mail.")
            let members = try #require(cancel.element("affected-members"))
            #expect(members.contains("ada@example.com · 1 bestätigt") && members.contains("bob@example.com · 1 auf der Warteliste"))
            #expect(cancel.element("confirm-cancel") == "Kurs absagen und 1 bestätigte + 1 wartende Buchungen stornieren")
            let englishCancel = try await owner.get("/admin/timetable/classes/\(id)/cancel?org=\(studio.orgId)", headers: Self.english)
            #expect(englishCancel.element("cancel-summary")?.hasPrefix("Cancelling cancels 1 confirmed and 1 waitlisted bookings;") == true)
            #expect(englishCancel.element("confirm-cancel") == "Cancel the class and 1 confirmed + 1 waitlisted bookings")

            // The flash after the cancellation, read in German.
            let cancelled = try await owner.post("/admin/timetable/classes/\(id)/cancel", ["org": studio.orgId, "reason": "Krank"])
            let location = try #require(cancelled.location)
            let after = try await owner.get(location, headers: Self.german)
            #expect(after.element("flash") == "Kurs abgesagt; 2 Buchungen storniert, 0 Guthaben erstattet, Mitglieder benachrichtigt.")
            #expect(after.element("class-status") == "Abgesagt" && after.element("class-locked")?.contains("abgesagter Kurs") == true)
            #expect(try await owner.get(location, headers: Self.english).element("flash")?.hasPrefix("Class cancelled; 2 bookings") == true)

            // A class that is not the studio's: the 404 page in the browser's language.
            let missing = try await owner.get("/admin/timetable/classes/not-an-id?org=\(studio.orgId)", headers: Self.german)
            #expect(missing.status == 404 && missing.has("Kurs nicht gefunden."))
        }
    }

    @Test("series, its end preview, bulk changes and closures in German by the studio's default; English by the reader's choice")
    func seriesPreviewsAndClosures() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            #expect(try await owner.post("/admin/language", ["org": studio.orgId, "language": "de"]).status == 303)

            // A series on Mondays and Wednesdays from Mon 2026-11-23: eight weeks of both up to the horizon.
            let created = try await owner.postPairs(
                "/admin/timetable/series",
                [
                    ("org", studio.orgId), ("classType", studio.classTypeId), ("classLocation", studio.locationId), ("weekdays[]", "1"),
                    ("weekdays[]", "3"), ("time", "18:00"), ("firstDate", "2026-11-23"), ("publish", "on"), ("week", "2026-11-18"),
                ])
            let createdAt = try #require(created.location)
            #expect(createdAt.contains("done=series-created&made=16"), "\(createdAt)")
            let week = try await owner.get(createdAt)
            #expect(week.has("<html lang=\"de\">"))
            #expect(week.element("flash") == "Wöchentliche Serie angelegt: 16 Kurse bis zum Planungshorizont angelegt.")
            #expect(week.element("day-2026-11-23")?.contains("Serie") == true)
            let seriesId = try #require(
                try await app.services.database.read { sql in
                    try await sql.raw("SELECT id FROM class_series").first()?.decode(column: "id", as: String.self)
                })

            // "This and following": the summary with German weekdays and dates, the form's days ticked.
            let form = try await owner.get("/admin/timetable/series/\(seriesId)?org=\(studio.orgId)&from=2026-12-07")
            #expect(form.status == 200)
            #expect(form.has("<title>Wöchentliche Serie · Stundenplan"))
            #expect(
                form.element("series-summary")
                    == "Vinyasa: jeden Mo., Mi. um 18:00, ab 23.11.2026, ohne Ende; 12 Plätze, 60 Minuten, veröffentlicht.")
            #expect(form.element("series-edit-heading") == "Änderungen ab 07.12.2026")
            #expect(form.has("id=\"edit-from\" name=\"from\" type=\"date\" required value=\"2026-12-07\""), "the field keeps ISO")
            #expect(form.has("value=\"1\" checked> Montag</label>") && form.has("value=\"3\" checked> Mittwoch</label>"))
            #expect(form.has("value=\"2\"> Dienstag</label>"))
            #expect(form.element("end-series") == "Vorschau: ab 07.12.2026 beenden")

            // Ending it from Mon 2026-12-21: the preview in German (a booked member on the 12-21 class).
            let booked = try await AdminTimetablePageTests.classId(
                app, where: "series_id = '\(seriesId)' AND series_date = '2026-12-21'")
            let ada = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member", email: "ada@example.com")
            try await app.insertBooking(session: booked, membership: ada.membershipId, status: "confirmed")
            let end = try await owner.get("/admin/timetable/series/\(seriesId)/end?org=\(studio.orgId)&from=2026-12-21")
            #expect(end.status == 200)
            #expect(end.element("preview-heading") == "Serie ab 21.12.2026 beenden")
            #expect(
                end.element("preview-totals")
                    == "8 Kurse (0 im Entwurf, 8 veröffentlicht, 0 abgesagt) mit 1 bestätigten, 0 wartenden und 0 eingecheckten Buchungen.")
            #expect(end.has("<th scope=\"col\">Datum</th>") && end.has("<td>21.12.2026</td><td>18:00</td>"))
            #expect(end.element("preview-members-heading") == "1 Mitglied mit bestätigtem Platz oder auf der Warteliste")
            #expect(end.element("affected-members")?.contains("ada@example.com · 1 bestätigt") == true)
            #expect(end.element("confirm-button") == "Serie beenden und 8 Kurse löschen")
            #expect(end.element("preview-back") == "‹ Zurück zur Serie")

            // Editing this and following: the flash in German with the German date.
            let edited = try await owner.postPairs(
                "/admin/timetable/series/\(seriesId)",
                [
                    ("org", studio.orgId), ("from", "2026-12-07"), ("classType", studio.classTypeId),
                    ("classLocation", studio.locationId), ("coach", ""), ("weekdays[]", "1"), ("weekdays[]", "3"), ("time", "19:00"),
                    ("lastDate", ""), ("duration", "60"), ("capacity", "12"), ("publish", "on"),
                ])
            let editedAt = try #require(edited.location)
            let flash = try #require(try await owner.get(editedAt).element("flash"))
            #expect(flash.hasPrefix("Serie ab 07.12.2026 geändert: ") && flash.hasSuffix("; 1 Mitglied benachrichtigt."), "\(flash)")

            // Bulk: two ticked classes → the preview and the flash in German.
            let first = try await AdminTimetablePageTests.classId(app, where: "series_id = '\(seriesId)' AND series_date = '2026-11-23'")
            let second = try await AdminTimetablePageTests.classId(app, where: "series_id = '\(seriesId)' AND series_date = '2026-11-25'")
            let bulk = try await owner.postPairs(
                "/admin/timetable/bulk/preview",
                [("org", studio.orgId), ("week", "2026-11-23"), ("action", "select"), ("sessions[]", first), ("sessions[]", second)])
            #expect(bulk.status == 200)
            #expect(bulk.element("preview-heading") == "2 Kurse ändern")
            #expect(bulk.has("<title>2 Kurse ändern · Stundenplan"))
            #expect(bulk.has("value=\"publish\" required> Die 0 Entwürfe veröffentlichen (die anderen bleiben unverändert)</label>"))
            #expect(bulk.has("value=\"cancel\" required> Die 2 veröffentlichten Kurse absagen (die anderen bleiben unverändert)</label>"))
            #expect(bulk.element("no-members") == "Niemand ist gebucht oder wartet.")
            let done = try await owner.post(
                "/admin/timetable/bulk/confirm",
                [
                    "org": studio.orgId, "filter": try #require(bulk.hidden("filter")),
                    "fingerprint": try #require(bulk.hidden("fingerprint")),
                    "action": "cancel", "week": "2026-11-23",
                ])
            let bulkFlash = try await owner.get(try #require(done.location)).element("flash")
            #expect(bulkFlash == "2 Kurse abgesagt, 0 übersprungen; 0 Buchungen storniert und erstattet.")

            // Closures: the page, the preview of Mon 2026-11-30 to Tue 12-01 (one class, one booking), a stale confirmation.
            let closures = try await owner.get("/admin/timetable/closures?org=\(studio.orgId)")
            #expect(closures.has("<h1>Schließzeiten</h1>") && closures.element("no-closures") == "Keine Schließzeiten geplant.")
            #expect(
                closures.has("<option value=\"\">Das ganze Studio</option>")
                    && closures.element("preview-closure") == "Vorschau der Schließzeit")
            let monday = try await AdminTimetablePageTests.classId(app, where: "series_id = '\(seriesId)' AND series_date = '2026-11-30'")
            try await app.insertBooking(session: monday, membership: ada.membershipId, status: "confirmed")
            let fields = ["org": studio.orgId, "classLocation": "", "from": "2026-11-30", "to": "2026-12-01", "reason": "Feiertag"]
            let preview = try await owner.post("/admin/timetable/closures/preview", fields)
            #expect(preview.status == 200)
            #expect(preview.element("preview-heading") == "Das ganze Studio vom 30.11.2026 bis 01.12.2026 schließen")
            #expect(
                preview.element("preview-totals")?.hasPrefix("1 Kurs (0 im Entwurf, 1 veröffentlicht, 0 abgesagt) mit 1 bestätigten")
                    == true)
            #expect(preview.element("confirm-button") == "Diese Tage schließen")
            var stale = fields
            stale["fingerprint"] = "stale"
            let changed = try await owner.post("/admin/timetable/closures", stale)
            #expect(changed.status == 409)
            #expect(changed.element("flash")?.hasPrefix("Die Kurse haben sich seit deiner Vorschau geändert") == true)
            var confirm = fields
            confirm["fingerprint"] = try #require(preview.hidden("fingerprint"))
            let added = try await owner.post("/admin/timetable/closures", confirm)
            let list = try await owner.get(try #require(added.location))
            #expect(
                list.element("flash")
                    == "Schließzeit eingetragen: 1 Kurs abgesagt, 1 Buchung storniert und erstattet, Mitglieder benachrichtigt.")
            let listed = try #require(list.element("closures"))
            #expect(listed.contains("30.11.2026 bis 01.12.2026") && listed.contains("Ganzes Studio · Feiertag"), "\(listed)")
            #expect(listed.contains("Entfernen die Schließzeit 30.11.2026 bis 01.12.2026"), "\(listed)")

            // A coach may not open the series pages: the refusal in German.
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let refused = try await Browser(app: app, token: coach.token).get("/admin/timetable/series/\(seriesId)?org=\(studio.orgId)")
            #expect(refused.status == 403)
            #expect(refused.has("Serien, Schließzeiten und Sammeländerungen sind für Inhaber und Admins des Studios."))

            // The owner chooses English: it wins over the studio's German, the pages read as before.
            #expect(try await owner.post("/me/language", ["language": "en"]).status == 303)
            let englishForm = try await owner.get("/admin/timetable/series/\(seriesId)?org=\(studio.orgId)&from=2026-12-07")
            #expect(englishForm.has("<html lang=\"en\">"))
            #expect(
                englishForm.element("series-summary")
                    == "Vinyasa: every Mon, Wed at 18:00, from 2026-11-23 until 2026-12-06; 12 places, 60 minutes, published.")
            #expect(englishForm.element("series-edit-heading") == "Changes from 2026-12-07")
            #expect(englishForm.has("value=\"1\" checked> Monday</label>"))
            let englishList = try await owner.get("/admin/timetable/closures?org=\(studio.orgId)")
            #expect(englishList.element("closures")?.contains("2026-11-30 to 2026-12-01") == true)
            #expect(englishList.element("closures")?.contains("Whole studio · Feiertag") == true)
        }
    }

    @Test("the keys built at run time exist in both languages; weekday names and dates per language")
    func runtimeKeys() {
        for language in Language.allCases {
            let t = Messages.of(language)
            for status in SessionStatus.allCases {
                #expect(t.strings["timetable.status.\(status.rawValue)"] != nil, "\(language) timetable.status.\(status.rawValue)")
            }
            for action in BulkAction.allCases.map(\.rawValue) + ["changed"] {
                #expect(t.strings["timetable.done.bulk.\(action)"] != nil, "\(language) timetable.done.bulk.\(action)")
            }
            for key in ["timetable.notFound.class", "timetable.notFound.series"] { #expect(t.strings[key] != nil, "\(language) \(key)") }
        }
        let now = iso("2026-11-18T11:06:40Z")
        let de = Messages.of(.de).localTime(timezone: "Europe/Berlin", now: now)
        let en = Messages.of(.en).localTime(timezone: "Europe/Berlin", now: now)
        #expect((1...7).map { de.weekdayName($0) } == ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"])
        #expect((1...7).map { en.weekdayName($0, short: true) } == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
        #expect(de.weekdayName(1, short: true) == "Mo.")
        #expect(de.localDate("2026-12-07") == "07.12.2026" && en.localDate("2026-12-07") == "2026-12-07")
        #expect(de.localDate("not-a-date") == "not-a-date" && de.localDate("") == "")
        #expect(de.weekDay(iso("2026-11-16T12:00:00Z"), year: true) == "Mo. 16. Nov. 2026")
    }
}
