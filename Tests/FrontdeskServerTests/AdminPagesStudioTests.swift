import Foundation
import FrontdeskCore
import HTTPTypes
import Testing

/// The back office's member page (plans, credits, ledger, bookings), plans, catalog and settings:
/// each form's success changes the database; its refusals change nothing.
@Suite("Admin pages: member, plans, catalog, settings")
struct AdminPagesStudioTests {
    @Test("member page: give a plan, grant credits with a reason (ledger row), bookings; coaches see no subscriptions")
    func memberPage() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            let member = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let plan = try await app.plan(studio, ["name": "Ten classes", "classCredits": 10])
            let path = "/admin/members/\(member.membershipId)"

            let page = try await owner.get("\(path)?org=\(studio.orgId)")
            #expect(page.status == 200)
            #expect(page.element("member-name") == "Person member")
            #expect(page.element("no-subscriptions") != nil)
            #expect(page.element("no-bookings") != nil)

            let subscribed = try await owner.post("\(path)/subscribe", ["org": studio.orgId, "plan": plan, "credits": "5"])
            #expect(subscribed.location == "\(path)?org=\(studio.orgId)&done=subscribed")
            let subscription = try #require(
                try await app.services.database.read { sql in
                    try await sql.raw("SELECT id FROM subscriptions WHERE membership_id = \(bind: member.membershipId)").first()?
                        .decode(column: "id", as: String.self)
                })
            #expect(try await app.count("SELECT credits_remaining AS n FROM subscriptions WHERE id = '\(subscription)'") == 5)

            let granted = try await owner.post(
                "\(path)/credits", ["org": studio.orgId, "subscription": subscription, "amount": "3", "reason": "Birthday gift"])
            #expect(granted.status == 303)
            #expect(try await app.count("SELECT credits_remaining AS n FROM subscriptions WHERE id = '\(subscription)'") == 8)
            let ledger = "SELECT COUNT(*) AS n FROM credit_ledger WHERE subscription_id = '\(subscription)'"
            #expect(try await app.count(ledger) == 1)
            // Audited with the owner as actor (user and membership), the member as subject.
            let audited = """
                SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'credits.adjust' AND actor_user_id IS NOT NULL
                  AND actor_membership_id IS NOT NULL AND subject_membership_id IS NOT NULL
                """
            #expect(try await app.count(audited) == 1)
            let after = try await owner.get(try #require(granted.location))
            #expect(after.element("flash") == "Credits changed; the ledger has the new line.")
            #expect(after.element("credits-\(subscription)") == "8 credits left")
            #expect(after.element("ledger-\(subscription)")?.contains("Birthday gift") == true)

            // Refusals: no reason, zero, below zero, forged CSRF, another member's subscription — nothing changes.
            let noReason = try await owner.post("\(path)/credits", ["org": studio.orgId, "subscription": subscription, "amount": "2"])
            #expect(noReason.status == 400)
            #expect(noReason.element("flash") == "reason: say why the credits change.")
            let zero = try await owner.post(
                "\(path)/credits", ["org": studio.orgId, "subscription": subscription, "amount": "0", "reason": "x"])
            #expect(zero.status == 400)
            let tooMany = try await owner.post(
                "\(path)/credits", ["org": studio.orgId, "subscription": subscription, "amount": "-9", "reason": "Correction"])
            #expect(tooMany.status == 409)
            #expect(tooMany.element("flash") == "Only 8 credits are left.")
            let forged = try await owner.post(
                "\(path)/credits", ["org": studio.orgId, "subscription": subscription, "amount": "1", "reason": "x"], csrf: "forged")
            #expect(forged.status == 403)
            let someoneElse = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "member")
            let wrongMember = try await owner.post(
                "/admin/members/\(someoneElse.membershipId)/credits",
                ["org": studio.orgId, "subscription": subscription, "amount": "1", "reason": "x"])
            #expect(wrongMember.status == 404)
            #expect(try await app.count(ledger) == 1)
            #expect(try await app.count("SELECT credits_remaining AS n FROM subscriptions WHERE id = '\(subscription)'") == 8)

            let status = try await owner.post(
                "\(path)/subscription-status", ["org": studio.orgId, "subscription": subscription, "status": "past_due"])
            #expect(status.status == 303)
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM subscriptions WHERE id = '\(subscription)' AND status = 'past_due'") == 1)

            // Bookings and attendance.
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400))
            try await app.insertBooking(session: session, membership: member.membershipId, status: "confirmed")
            let withBooking = try await owner.get("\(path)?org=\(studio.orgId)")
            #expect(withBooking.has("data-booking-id="))
            #expect(withBooking.element("bookings")?.contains("Vinyasa") == true)

            // A coach sees the person and the bookings, not the subscriptions, and cannot change credits.
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let coachBrowser = Browser(app: app, token: coach.token)
            let coachView = try await coachBrowser.get("\(path)?org=\(studio.orgId)")
            #expect(coachView.status == 200)
            #expect(coachView.has("data-booking-id="))
            #expect(!coachView.has("data-subscription-id="))
            let coachGrant = try await coachBrowser.post(
                "\(path)/credits", ["org": studio.orgId, "subscription": subscription, "amount": "1", "reason": "x"])
            #expect(coachGrant.status == 403)
            #expect(try await app.count(ledger) == 1)

            // Another studio's owner: 404 for this member.
            let other = try await app.studio()
            let foreign = Browser(app: app, token: other.ownerToken)
            #expect(try await foreign.get("\(path)?org=\(other.orgId)").status == 404)
            let foreignPost = try await foreign.post("\(path)/subscribe", ["org": other.orgId, "plan": plan])
            #expect(foreignPost.status == 404)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM subscriptions") == 1)
        }
    }

    @Test("plans: create, edit, retire; invalid input and other studios' plans change nothing")
    func plans() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            #expect(try await owner.get("/admin/plans?org=\(studio.orgId)").element("no-plans") != nil)
            let created = try await owner.post(
                "/admin/plans",
                ["org": studio.orgId, "name": "Monthly", "credits": "", "perWeek": "3", "price": "89.50", "overlap": "on"])
            #expect(created.location == "/admin/plans?org=\(studio.orgId)&done=created")
            let plan = try #require(
                try await app.services.database.read { sql in
                    try await sql.raw("SELECT id FROM plans WHERE name = 'Monthly'").first()?.decode(column: "id", as: String.self)
                })
            #expect(try await app.count("SELECT price_cents AS n FROM plans WHERE id = '\(plan)'") == 8950)
            #expect(try await app.count("SELECT max_bookings_per_week AS n FROM plans WHERE id = '\(plan)'") == 3)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM plans WHERE id = '\(plan)' AND class_credits IS NULL") == 1)
            let list = try await owner.get("/admin/plans?org=\(studio.orgId)")
            #expect(list.element("plans")?.contains("Unlimited classes · at most 3 a week") == true)

            let invalid = try await owner.post("/admin/plans", ["org": studio.orgId, "name": "Broken", "credits": "-1"])
            #expect(invalid.status == 400)
            #expect(invalid.element("flash") == "classCredits: must be between 0 and 10000.")
            #expect(invalid.has("value=\"Broken\""))
            let badPrice = try await owner.post("/admin/plans", ["org": studio.orgId, "name": "Broken", "price": "12.345"])
            #expect(badPrice.status == 400)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM plans") == 1)

            let edited = try await owner.post("/admin/plans/\(plan)", ["org": studio.orgId, "name": "Monthly plus", "credits": "12"])
            #expect(edited.location?.hasSuffix("done=saved") == true)
            #expect(try await app.count("SELECT class_credits AS n FROM plans WHERE id = '\(plan)'") == 12)

            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let coachRetire = try await Browser(app: app, token: coach.token).post("/admin/plans/\(plan)/retire", ["org": studio.orgId])
            #expect(coachRetire.status == 403)
            let other = try await app.studio()
            let foreign = try await Browser(app: app, token: other.ownerToken).post("/admin/plans/\(plan)/retire", ["org": other.orgId])
            #expect(foreign.status == 404)
            let forged = try await owner.post("/admin/plans/\(plan)/retire", ["org": studio.orgId], csrf: "forged")
            #expect(forged.status == 403)
            #expect(
                try await app.count(
                    "SELECT COUNT(*) AS n FROM plans WHERE active = \(app.services.database.backend == .postgres ? "true" : "1")") == 1)

            let retired = try await owner.post("/admin/plans/\(plan)/retire", ["org": studio.orgId])
            #expect(retired.location?.hasSuffix("done=retired") == true)
            let after = try await owner.get("/admin/plans?org=\(studio.orgId)")
            #expect(after.element("retired-plans")?.contains("Monthly plus") == true)
            #expect(after.element("no-plans") != nil)
        }
    }

    @Test("catalog: programs, class types and locations with coordinates; coaches read only")
    func catalog() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            let page = try await owner.get("/admin/catalog?org=\(studio.orgId)")
            #expect(page.status == 200)
            #expect(page.has("data-location-id=\"\(studio.locationId)\""))
            #expect(page.has("src=\"/assets/admin.js\""))

            let location = try await owner.post(
                "/admin/catalog/locations",
                ["org": studio.orgId, "name": "Garden", "address": "Hauptstr. 1", "latitude": "52.520008", "longitude": "13.404954"])
            #expect(location.location == "/admin/catalog?org=\(studio.orgId)&done=location")
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM locations WHERE name = 'Garden' AND latitude > 52.5 AND longitude < 13.5")
                    == 1)
            let locations = "SELECT COUNT(*) AS n FROM locations WHERE deleted_at IS NULL"
            let before = try await app.count(locations)
            let badLatitude = try await owner.post(
                "/admin/catalog/locations", ["org": studio.orgId, "name": "Nowhere", "latitude": "123", "longitude": "13"])
            #expect(badLatitude.status == 400)
            #expect(badLatitude.element("flash") == "latitude: must be a number between -90 and 90.")
            let onlyOne = try await owner.post("/admin/catalog/locations", ["org": studio.orgId, "name": "Half", "latitude": "52"])
            #expect(onlyOne.status == 400)
            #expect(try await app.count(locations) == before)

            let edited = try await owner.post(
                "/admin/catalog/locations/\(studio.locationId)",
                ["org": studio.orgId, "name": "Loft", "latitude": "48.1", "longitude": "11.5"])
            #expect(edited.status == 303)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM locations WHERE id = '\(studio.locationId)' AND latitude > 48") == 1)

            let program = try await owner.post(
                "/admin/catalog/programs", ["org": studio.orgId, "name": "Pilates", "deliveryMode": "schedule"])
            #expect(program.location?.hasSuffix("done=program") == true)
            let programId = try #require(
                try await app.services.database.read { sql in
                    try await sql.raw("SELECT id FROM programs WHERE name = 'Pilates'").first()?.decode(column: "id", as: String.self)
                })
            let type = try await owner.post(
                "/admin/catalog/class-types",
                ["org": studio.orgId, "name": "Reformer", "program": programId, "capacity": "8", "duration": "50", "color": "#aa3366"])
            #expect(type.status == 303)
            #expect(try await app.count("SELECT default_capacity AS n FROM class_types WHERE name = 'Reformer'") == 8)
            let badType = try await owner.post(
                "/admin/catalog/class-types",
                ["org": studio.orgId, "name": "Huge", "program": programId, "capacity": "5000", "duration": "50"])
            #expect(badType.status == 400)
            #expect(badType.element("flash") == "defaultCapacity: must be between 1 and 1000.")

            // A coach reads the catalog without the forms, and cannot post to it.
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let coachBrowser = Browser(app: app, token: coach.token)
            let coachPage = try await coachBrowser.get("/admin/catalog?org=\(studio.orgId)")
            #expect(coachPage.status == 200)
            #expect(coachPage.has("Reformer"))
            #expect(!coachPage.has("id=\"location-form\""))
            #expect(try await coachBrowser.post("/admin/catalog/locations", ["org": studio.orgId, "name": "Coach room"]).status == 403)

            // Another studio's location: 404; forged CSRF: 403; nothing changed.
            let other = try await app.studio()
            let foreign = try await Browser(app: app, token: other.ownerToken).post(
                "/admin/catalog/locations/\(studio.locationId)/delete", ["org": other.orgId])
            #expect(foreign.status == 404)
            let forged = try await owner.post("/admin/catalog/locations/\(studio.locationId)/delete", ["org": studio.orgId], csrf: "forged")
            #expect(forged.status == 403)
            #expect(
                try await app.count("SELECT COUNT(*) AS n FROM locations WHERE id = '\(studio.locationId)' AND deleted_at IS NULL") == 1)
            let deleted = try await owner.post("/admin/catalog/locations/\(studio.locationId)/delete", ["org": studio.orgId])
            #expect(deleted.location?.hasSuffix("done=location-deleted") == true)
        }
    }

    static func settings(_ orgId: String, _ changes: [String: String] = [:]) -> [String: String] {
        var fields = [
            "org": orgId, "name": "Studio", "timezone": "Europe/Berlin", "cancellationWindowHours": "12", "paymentProvider": "",
            "bookingOpensDaysBefore": "", "waitlistCutoffMinutes": "0", "checkinOpensMinutesBefore": "30", "checkinGraceSeconds": "10",
            "gpsMaxMeters": "150", "gpsMaxAccuracyMeters": "100", "noShowGraceMinutes": "30", "latitude": "", "longitude": "",
            "primaryColor": "#3b5bdb",
        ]
        for (key, value) in changes { fields[key] = value }
        return fields
    }

    @Test("settings: the PATCH rules; an invalid value shows the API's message and changes nothing")
    func settings() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let owner = Browser(app: app, token: studio.ownerToken)
            let page = try await owner.get("/admin/settings?org=\(studio.orgId)")
            #expect(page.status == 200)
            #expect(page.has("<option value=\"Europe/Berlin\" selected>Europe/Berlin</option>"))

            let saved = try await owner.post(
                "/admin/settings",
                Self.settings(
                    studio.orgId,
                    [
                        "timezone": "America/New_York", "gpsMaxMeters": "300", "allowLateCancellation": "on", "paymentProvider": "manual",
                        "bookingOpensDaysBefore": "14", "primaryColor": "#AA3366",
                    ]))
            #expect(saved.location == "/admin/settings?org=\(studio.orgId)&done=saved")
            let org = try #require(try await app.services.organizations.organization(id: studio.orgId))
            #expect(org.timezone == "America/New_York")
            #expect(org.gpsMaxMeters == 300)
            #expect(org.allowLateCancellation)
            #expect(org.paymentProvider == "manual")
            #expect(org.bookingOpensDaysBefore == 14)
            #expect(org.primaryColor == "#aa3366")

            let invalid = try await owner.post("/admin/settings", Self.settings(studio.orgId, ["gpsMaxMeters": "5", "name": "Renamed"]))
            #expect(invalid.status == 400)
            #expect(invalid.element("flash") == "gpsMaxMeters: must be between 10 and 5000.")
            #expect(invalid.has("value=\"Renamed\""), "the typed values stay in the form")
            let badZone = try await owner.post("/admin/settings", Self.settings(studio.orgId, ["timezone": "Mars/Olympus"]))
            #expect(badZone.status == 400)
            let notNumber = try await owner.post("/admin/settings", Self.settings(studio.orgId, ["noShowGraceMinutes": "soon"]))
            #expect(notNumber.status == 400)
            #expect(notNumber.element("flash") == "noShowGraceMinutes: must be a whole number.")
            let forged = try await owner.post("/admin/settings", Self.settings(studio.orgId, ["name": "Forged"]), csrf: "forged")
            #expect(forged.status == 403)
            let coach = try await app.member(studio.orgId, ownerToken: studio.ownerToken, role: "coach")
            let coachSave = try await Browser(app: app, token: coach.token).post(
                "/admin/settings", Self.settings(studio.orgId, ["name": "Coach"]))
            #expect(coachSave.status == 403)
            let other = try await app.studio()
            let foreign = try await Browser(app: app, token: other.ownerToken).post(
                "/admin/settings", Self.settings(studio.orgId, ["name": "Taken over"]))
            #expect(foreign.status == 404)
            let unchanged = try #require(try await app.services.organizations.organization(id: studio.orgId))
            #expect(unchanged.name == "Studio")
            #expect(unchanged.gpsMaxMeters == 300)
        }
    }
}
