import Foundation
import FrontdeskCore
import FrontdeskStore
import Testing

@testable import FrontdeskServer

@Suite("Door kiosk: the pages, the PIN form and the back office")
struct KioskPageTests {
    @Test("a member sets a PIN on My bookings; trivial, short, mismatched and CSRF-less posts are refused")
    func pinForm() async throws {
        try await TestApp.run { app in
            let kiosk = try await app.kioskFixture()
            let member = try await app.namedMember(kiosk.studio, "Maya Lindqvist")
            let browser = Browser(app: app, token: member.token)
            let bookings = try await browser.get("/me/bookings")
            #expect(bookings.status == 200 && bookings.has("id=\"kiosk-pin-set\"") && bookings.has("action=\"/me/kiosk-pin\""))
            #expect(try await browser.get("/me/kiosk-pin").element("kiosk-pin-status")?.contains("no kiosk PIN yet") == true)
            for pin in ["0000", "9999", "1234", "0123", "6789", "9876", "3210", "123", "12345", "12a4", ""] {
                let refused = try await browser.post("/me/kiosk-pin", ["pin": pin, "pinRepeat": pin])
                #expect(refused.status == 400, "\(pin): \(refused.status)")
            }
            #expect(try await browser.post("/me/kiosk-pin", ["pin": "2580", "pinRepeat": "2581"]).status == 400)
            #expect(try await browser.post("/me/kiosk-pin", ["pin": "2580", "pinRepeat": "2580"], csrf: "wrong").status == 403)
            #expect(try await KioskPinsStore(database: app.services.database).hasPin(userId: try app.userId(member)) == false)
            // Just outside the trivial runs: accepted.
            for pin in ["1235", "0124", "9875", "0001"] {
                #expect(try await browser.post("/me/kiosk-pin", ["pin": pin, "pinRepeat": pin]).status == 303, "\(pin)")
            }
            let saved = try await browser.get("/me/kiosk-pin?done=set")
            #expect(saved.element("kiosk-pin-status")?.contains("is set") == true && saved.has("Your kiosk PIN is set"))
            // Signed out: the login page, nothing saved.
            let stranger = try await Browser(app: app, token: nil).post("/me/kiosk-pin", ["pin": "2580", "pinRepeat": "2580"])
            #expect(stranger.status != 303 && !stranger.has("kiosk-pin-status"), "the login page, not the PIN page")
            #expect(try await app.count("SELECT COUNT(*) AS n FROM kiosk_pins") == 1)
        }
    }

    @Test("the kiosk page: find yourself by name, enter the PIN, see the welcome; only names and classes are shown")
    func pageFlow() async throws {
        try await TestApp.run { app in
            let kiosk = try await app.kioskFixture()
            let (member, booking) = try await app.bookedMember(kiosk, "Maya Lindqvist")
            _ = try await app.bookedMember(kiosk, "Maya Lundgren")
            let tablet = Browser(app: app, token: nil)
            let start = try await tablet.get(kiosk.path)
            #expect(start.status == 200 && start.has("id=\"kiosk-search\""), "\(start.text)")
            #expect(start.headers[.init("Referrer-Policy")!] == "no-referrer" && start.headers[.cacheControl] == "no-store")

            let short = try await tablet.get(kiosk.path + "&q=m")
            #expect(short.status == 400 && short.element("flash")?.contains("at least 2 letters") == true)
            let found = try await tablet.get(kiosk.path + "&q=maya")
            #expect(found.status == 200)
            let list = try #require(found.element("kiosk-matches"))
            #expect(list.contains("Maya Li.") && list.contains("Maya Lu.") && list.contains("Vinyasa"), "\(list)")
            #expect(!found.has(member.email) && !found.has("Lindqvist"), "no e-mail, no full name")
            #expect(found.has("booking=\(booking)"))

            let pinPage = try await tablet.get(kiosk.path + "&booking=\(booking)")
            #expect(pinPage.element("kiosk-pin-title") == "Hi Maya L.")
            let wrong = try await tablet.post(kiosk.path, ["booking": booking, "pin": "1111"])
            #expect(
                wrong.status == 401 && wrong.element("flash")?.contains("PIN is not right") == true && wrong.has("id=\"kiosk-pin-form\""))
            let noCSRF = try await tablet.post(kiosk.path, ["booking": booking, "pin": "2580"], csrf: "other")
            #expect(noCSRF.status == 403)
            #expect(try await app.bookingStatus(booking) == "confirmed")
            let done = try await tablet.post(kiosk.path, ["booking": booking, "pin": "2580"])
            #expect(done.status == 200 && done.element("kiosk-done-title") == "Welcome, Maya L.!", "\(done.text)")
            #expect(done.has("http-equiv=\"refresh\""))
            #expect(try await app.bookingStatus(booking) == "attended")

            let unknown = try await tablet.get(kiosk.path + "&booking=\(NewID.make())")
            #expect(unknown.status == 404)
            let forged = try await tablet.get(kiosk.path.replacingOccurrences(of: "sig=", with: "sig=x"))
            #expect(forged.status == 403 && forged.element("kiosk-error")?.contains("not valid") == true && !forged.has("Vinyasa"))
        }
    }

    @Test("only owners and admins enrol kiosks; another studio's location or kiosk is 404")
    func backOffice() async throws {
        try await TestApp.run { app in
            let kiosk = try await app.kioskFixture()
            let owner = Browser(app: app, token: kiosk.studio.ownerToken)
            let page = try await owner.get("/admin/kiosks?org=\(kiosk.studio.orgId)")
            #expect(page.status == 200 && page.has("data-kiosk-id=\"\(kiosk.kioskId)\"") && page.has("id=\"qr-\(kiosk.kioskId)\""))
            let coach = try await app.member(kiosk.studio.orgId, ownerToken: kiosk.studio.ownerToken, role: "coach")
            let coachBrowser = Browser(app: app, token: coach.token)
            #expect(try await coachBrowser.get("/admin/kiosks?org=\(kiosk.studio.orgId)").status == 403)
            let refused = try await coachBrowser.post("/admin/kiosks", ["org": kiosk.studio.orgId, "location": kiosk.studio.locationId])
            #expect(refused.status == 403)
            #expect(try await coachBrowser.post("/admin/kiosks/\(kiosk.kioskId)/revoke", ["org": kiosk.studio.orgId]).status == 403)

            let other = try await app.studio()
            let foreign = try await owner.post("/admin/kiosks", ["org": kiosk.studio.orgId, "location": other.locationId])
            #expect(foreign.status == 404)
            let otherOwner = Browser(app: app, token: other.ownerToken)
            #expect(try await otherOwner.post("/admin/kiosks/\(kiosk.kioskId)/revoke", ["org": other.orgId]).status == 404)
            #expect(
                try await owner.post("/admin/kiosks", ["org": kiosk.studio.orgId, "location": kiosk.studio.locationId], csrf: "x").status
                    == 403)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM kiosks WHERE revoked_at IS NOT NULL") == 0)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM kiosks") == 1)
        }
    }
}

extension TestApp {
    func userId(_ member: KioskMember) async throws -> String {
        try await services.database.read { sql in
            try await sql.raw("SELECT user_id FROM memberships WHERE id = \(bind: member.membershipId)").first()!
                .decode(column: "user_id", as: String.self)
        }
    }
}
