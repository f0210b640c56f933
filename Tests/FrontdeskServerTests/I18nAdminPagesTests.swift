import Foundation
import FrontdeskCore
import FrontdeskStore
import HTTPTypes
import Testing

@testable import FrontdeskServer

/// The back office's settings, member, catalog, displays, kiosks, notifications and audit pages in
/// two languages (issue 19): German by the browser's `Accept-Language` or by the studio's default,
/// English unchanged otherwise, and the messages after a form in the reader's language.
@Suite("Two languages: back-office pages")
struct I18nAdminPagesTests {
    static let german = I18nPageTests.german
    static let english = I18nPageTests.english

    /// Keys the pages build at run time from stored codes, each in both catalogues; the English ones
    /// read as the pages wrote them before the catalogues (the code in words).
    @Test("the keys the back-office pages build from codes exist in both languages")
    func runtimeKeys() throws {
        var keys: [String] = []
        keys += AdminSettingsPage.doneCodes.map { "settings.done.\($0)" }
        keys += AdminCatalogPage.doneCodes.map { "catalog.done.\($0)" }
        keys += DeliveryMode.allCases.map { "catalog.mode.\($0.rawValue)" }
        keys += AdminMemberPage.doneCodes.map { "member.admin.done.\($0)" }
        keys += AdminMemberPage.subscriptionStatuses.map { "member.admin.subscription.\($0)" }
        keys += AdminMemberPage.ledgerKinds.map { "member.admin.kind.\($0)" }
        keys += AdminDisplaysPage.doneCodes.map { "displays.done.\($0)" }
        keys += AdminKiosksPage.doneCodes.map { "kiosks.done.\($0)" }
        keys += AdminNotificationsPage.statuses.flatMap { ["notificationsAdmin.status.\($0)", "notificationsAdmin.badge.\($0)"] }
        keys += AdminNotificationsPage.knownTemplates.map { "notificationsAdmin.template.\($0)" }
        keys += AdminAuditPage.families.map { "audit.families.\($0)" }
        keys += AdminAuditPage.actions.map { "audit.actions.\($0)" }
        keys += AdminAuditPage.fields.map { "audit.field.\($0)" }
        keys += AdminAuditPage.values.map { "audit.value.\($0)" } + ["audit.value.cancelledClass"]
        for language in Language.allCases {
            let strings = Catalogue.bundled.strings[language] ?? [:]
            for key in keys where strings[key] == nil { Issue.record("\(language.rawValue) lacks \(key)") }
        }
        let english = Messages.of(.en)
        for template in AdminNotificationsPage.knownTemplates {
            #expect(AdminNotificationsPage.label(template, english) == AdminNotificationsPage.label(template))
        }
        for status in AdminNotificationsPage.statuses {
            #expect(AdminNotificationsPage.statusLabel(status, english) == AdminNotificationsPage.label(status))
            #expect(AdminNotificationsPage.badge(status, english) == status)
        }
        for field in AdminAuditPage.fields { #expect(AdminAuditPage.field(field, english) == AdminAuditPage.words(field)) }
        let local = english.localTime(timezone: "Europe/Berlin", now: TestApp.start)
        for code in AdminAuditPage.values {
            #expect(AdminAuditPage.value("status", .string(code), entityType: "session", local: local, t: english) == code)
        }
        let german = Messages.of(.de)
        #expect(AdminAuditPage.value("status", .string("cancelled"), entityType: "session", local: local, t: german) == "abgesagt")
        #expect(AdminAuditPage.value("status", .string("cancelled"), entityType: "booking", local: local, t: german) == "storniert")
        #expect(AdminAuditPage.value("reason", .string("cancelled"), entityType: "booking", local: local, t: german) == "cancelled")
        // The kinds of notification the renderer sends all have a name.
        #expect(NotificationRenderer.kinds.isSubset(of: AdminNotificationsPage.knownTemplates))
    }

    @Test("settings, catalog, displays and kiosks in German for a German browser; English for an English one")
    func germanBrowser() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            let org = studio.orgId

            // Settings: labels, the origins hint with its number, the geo script's words, the flash.
            let settings = try await owner.get("/admin/settings?org=\(org)&done=saved", headers: Self.german)
            #expect(settings.status == 200)
            #expect(settings.has("<html lang=\"de\">"))
            #expect(settings.has("<h1>Einstellungen</h1>"))
            #expect(settings.has(">Stundenplan</a>"), "the shell is German too")
            #expect(settings.has("Einstellungen speichern"))
            #expect(settings.has("höchstens \(EmbedOrigins.maxCount)"))
            #expect(settings.has("data-geo-finding=\"Standort dieses Geräts wird ermittelt …\""))
            #expect(settings.has("Keiner – Mitglieder buchen ohne Tarif"))
            #expect(settings.element("flash") == "Einstellungen gespeichert.")
            let englishSettings = try await owner.get("/admin/settings?org=\(org)&done=public_saved", headers: Self.english)
            #expect(englishSettings.has("<h1>Settings</h1>") && englishSettings.has("Save settings"))
            #expect(englishSettings.has("at most \(EmbedOrigins.maxCount)"))
            #expect(englishSettings.has("None — members book without a plan"))
            #expect(englishSettings.element("flash") == "Public schedule settings saved.")
            // A refused form: the page again, with what was typed.
            let refused = try await owner.post("/admin/settings/public", ["org": org, "embedOrigins": "ftp://nope"])
            #expect(refused.status == 400)
            #expect(refused.has("Save public schedule") && refused.has("ftp://nope"))

            // Catalog: modes, places and minutes, and the flash after creating a location.
            let catalog = try await owner.get("/admin/catalog?org=\(org)", headers: Self.german)
            #expect(catalog.has("<h1>Katalog</h1>"))
            #expect(catalog.has("Im Kursplan (Mitglieder buchen)"))
            #expect(catalog.has("Yoga · 12 Plätze · 60 Min."))
            #expect(catalog.has("keine Koordinaten (kein GPS-Einchecken)"))
            let created = try await owner.post("/admin/catalog/locations", ["org": org, "name": "Dach"])
            #expect(created.status == 303)
            let afterCreate = try await owner.get(try #require(created.location), headers: Self.german)
            #expect(afterCreate.element("flash") == "Standort gespeichert.")
            let englishCatalog = try await owner.get(try #require(created.location), headers: Self.english)
            #expect(englishCatalog.element("flash") == "Location saved.")
            #expect(englishCatalog.has("Yoga · 12 places · 60 min"))
            #expect(englishCatalog.has("On the schedule (members book)"))

            // Displays: created, never seen, the date in German.
            let display = try await owner.post("/admin/displays", ["org": org, "location": studio.locationId, "name": "Lobby"])
            #expect(display.status == 303)
            let displays = try await owner.get(try #require(display.location), headers: Self.german)
            #expect(displays.has("<h1>Bildschirme</h1>"))
            #expect(displays.element("flash")?.hasPrefix("Bildschirm angelegt.") == true)
            #expect(displays.has("Loft · angelegt am Mittwoch, 18. November"))
            #expect(displays.has(">Nie gesehen</span>"))
            #expect(displays.has("in den letzten 2 Minuten gemeldet hat"))
            #expect(displays.has(">Tür-Kiosks</a>"))
            let englishDisplays = try await owner.get(try #require(display.location), headers: Self.english)
            #expect(englishDisplays.element("flash")?.hasPrefix("Display created.") == true)
            #expect(englishDisplays.has("Loft · created Wednesday 18 November"))
            #expect(englishDisplays.has(">Never seen</span>"))

            // Door kiosks.
            let kiosk = try await owner.post("/admin/kiosks", ["org": org, "location": studio.locationId])
            #expect(kiosk.status == 303)
            let kiosks = try await owner.get(try #require(kiosk.location), headers: Self.german)
            #expect(kiosks.has("<h1>Tür-Kiosks</h1>") && kiosks.has("<title>Tür-Kiosks"))
            #expect(kiosks.element("flash")?.hasPrefix("Kiosk angelegt.") == true)
            #expect(kiosks.has("Link für diesen Kiosk"))
            let englishKiosks = try await owner.get(try #require(kiosk.location), headers: Self.english)
            #expect(englishKiosks.has("<h1>Door kiosks</h1>") && englishKiosks.has("Link for this kiosk"))
            #expect(englishKiosks.element("flash")?.hasPrefix("Kiosk created.") == true)
        }
    }

    @Test("member, notifications and audit in German by the studio's default; the owner's own choice of English wins")
    func studioDefault() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let org = studio.orgId
            let owner = Browser(app: app, token: studio.ownerToken)
            #expect(try await owner.post("/admin/language", ["org": org, "language": "de"]).status == 303)
            let member = try await app.member(org, ownerToken: studio.ownerToken, role: "member")
            let plan = try await app.plan(studio, ["name": "Ten classes", "classCredits": 10])
            let path = "/admin/members/\(member.membershipId)"

            // The member's page: the flash after giving a plan, credits, statuses and dates in German
            // (an English browser: the studio's default comes first).
            let subscribed = try await owner.post("\(path)/subscribe", ["org": org, "plan": plan, "credits": "5"])
            #expect(subscribed.status == 303)
            let page = try await owner.get(try #require(subscribed.location), headers: Self.english)
            #expect(page.has("<html lang=\"de\">"))
            #expect(page.element("flash") == "Tarif vergeben.")
            #expect(page.element("member-role") == "Mitglied")
            #expect(page.has("<dt>Mitglied seit</dt><dd>Mittwoch, 18. November</dd>"))
            #expect(page.has("Ab Mittwoch, 18. November · <span class=\"subscription-status\">Aktiv</span>"))
            #expect(page.has("<option value=\"past_due\">Zahlung überfällig</option>"))
            #expect(page.has("Noch 5 Kurse übrig"))
            #expect(page.element("no-bookings") == "Noch keine Buchungen.")
            let subscription = try #require(
                try await app.services.database.read { sql in
                    try await sql.raw("SELECT id FROM subscriptions WHERE membership_id = \(bind: member.membershipId)").first()?
                        .decode(column: "id", as: String.self)
                })
            let granted = try await owner.post(
                "\(path)/credits", ["org": org, "subscription": subscription, "amount": "3", "reason": "Geburtstag"])
            let afterGrant = try await owner.get(try #require(granted.location))
            #expect(afterGrant.element("flash") == "Guthaben geändert; das Guthabenkonto hat die neue Zeile.")
            #expect(afterGrant.element("credits-\(subscription)") == "Noch 8 Kurse übrig")
            #expect(afterGrant.element("ledger-\(subscription)")?.contains("Korrektur") == true)

            // Suspending from the member's page: the members page's form, back to this page in German.
            let suspended = try await owner.post(
                "/admin/members/suspend", ["org": org, "membership": member.membershipId, "back": "member"])
            #expect(suspended.status == 303)
            #expect(try await owner.get(try #require(suspended.location)).element("flash") == "Mitgliedschaft gesperrt.")

            // Notifications: names of templates and statuses, the retry flash with its count.
            _ = try await AdminNotificationsPageTests.message(
                app, orgId: org, membershipId: member.membershipId, template: "booking_confirmed", status: "dead")
            let notifications = try await owner.get("/admin/notifications?org=\(org)")
            #expect(notifications.has("<h1>Benachrichtigungen</h1>"))
            #expect(notifications.has("<tr data-template=\"booking_confirmed\"><th scope=\"row\">Buchung bestätigt</th>"))
            #expect(notifications.has("<th scope=\"col\" class=\"num\">Tot</th>"))
            #expect(notifications.element("retry-dead") == "Alle toten Nachrichten erneut versuchen (1)")
            #expect(notifications.has(">tot</span>"))
            let retried = try await owner.post("/admin/notifications/retry-dead", ["org": org])
            #expect(retried.status == 303)
            #expect(
                try await owner.get(try #require(retried.location)).element("flash")
                    == "1 tote Benachrichtigung ist wieder in der Warteschlange.")

            // Audit: the action's label (the stored code stays), before → after, the filter's families.
            let audit = try await owner.get("/admin/audit?org=\(org)&member=\(member.membershipId)")
            #expect(audit.has("<h1>Protokoll</h1>"))
            #expect(audit.has("data-action=\"member.suspend\""))
            #expect(audit.has(">Mitgliedschaft gesperrt</span>"))
            #expect(audit.has("Status: aktiv → gesperrt"))
            #expect(audit.has(">Rollen und Sperren</option>"))
            #expect(audit.element("filter-member")?.hasPrefix("Mitglied: Person member") == true)
            let badDate = try await owner.get("/admin/audit?org=\(org)&from=nope")
            #expect(badDate.status == 400)
            #expect(badDate.element("flash") == "Das Datum „von“ muss ein Datum wie 2026-11-23 sein.")
            let badCursor = try await owner.get("/admin/audit?org=\(org)&cursor=not-a-cursor")
            #expect(badCursor.status == 400)
            #expect(badCursor.element("flash") == "Dieser Seitenlink ist ungültig.")
            let unknown = try await owner.get("/admin/members/\(NewID.make())?org=\(org)", headers: Self.german)
            #expect(unknown.status == 404)
            #expect(unknown.has("Mitglied nicht gefunden."))
            #expect(try await owner.get("/admin/members/\(NewID.make())?org=\(org)").has("Member not found."))

            // The owner chooses English: every page is English again, as before the catalogues.
            #expect(try await owner.post("/me/language", ["language": "en"]).status == 303)
            let english = try await owner.get("/admin/audit?org=\(org)&member=\(member.membershipId)", headers: Self.german)
            #expect(english.has("<html lang=\"en\">") && english.has("<h1>Audit</h1>"))
            #expect(english.has(">Suspended a membership</span>"))
            #expect(english.has("status: active → suspended"))
            #expect(english.element("filter-member")?.hasPrefix("Member: Person member") == true)
            let englishMember = try await owner.get("\(path)?org=\(org)&done=credits", headers: Self.german)
            #expect(englishMember.element("flash") == "Credits changed; the ledger has the new line.")
            #expect(englishMember.element("credits-\(subscription)") == "8 credits left")
            #expect(englishMember.has("From Wednesday 18 November · <span class=\"subscription-status\">Active</span>"))
            let englishNotifications = try await owner.get("/admin/notifications?org=\(org)&done=retried-dead&count=2")
            #expect(englishNotifications.element("flash") == "2 dead notifications are back in line.")
            #expect(englishNotifications.has("<th scope=\"row\">Booking confirmed</th>"))
        }
    }
}
