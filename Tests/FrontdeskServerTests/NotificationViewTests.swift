import Foundation
import FrontdeskCore
import FrontdeskStore
import Mustache
import Testing

@testable import FrontdeskServer

/// The e-mail view's hand-written Mustache look-ups (`NotificationView+Mustache.swift`) answer what
/// reflection would: every stored field by its name, an empty optional as absent.
@Suite("Notification view look-ups")
struct NotificationViewTests {
    static func view(position: Int?, location: String?) -> NotificationRenderer.View {
        NotificationRenderer.View(
            firstName: "Ana", orgName: "Loft", className: "Yin", when: "Thursday", time: "18:00", location: location,
            address: "Oranienstraße 25", reason: "Coach ill", position: position, link: "https://l", scheduleLink: "https://s",
            subject: "Booked", changes: [.init(text: "New time")], headline: "Booked!", greeting: "Hi Ana,", lead: "You're in.",
            textLead: "You're in", footer: "Loft", lang: "en", t: ["mail": ["schedule": "Schedule"]])
    }

    @Test("every stored field answers under its own name, with its value; an empty optional is absent")
    func everyField() throws {
        for view in [Self.view(position: 3, location: "Garden"), Self.view(position: nil, location: nil)] {
            let fields = Mirror(reflecting: view).children
            #expect(fields.count == 20)
            for field in fields {
                let name = try #require(field.label)
                let mirrored = Mirror(reflecting: field.value)
                let answer = view.child(named: name)
                if mirrored.displayStyle == .optional {
                    if let held = mirrored.children.first?.value {
                        #expect(answer.map { String(describing: $0) } == String(describing: held), "\(name)")
                    } else {
                        #expect(answer == nil, "\(name) is empty: absent")
                    }
                } else {
                    #expect(answer != nil, "\(name) answers")
                    #expect(
                        answer.map { String(describing: $0) } == String(describing: field.value) || name == "changes" || name == "t",
                        "\(name)")
                }
            }
            #expect(view.child(named: "nothing") == nil)
            let changes = view.child(named: "changes") as? [NotificationRenderer.ChangeLine]
            #expect(changes?.first?.child(named: "text") as? String == "New time")
        }
    }

    @Test("a template reads the fields, the changes and the catalogue through the look-ups")
    func rendersThroughLookups() throws {
        let template = try MustacheTemplate(
            string:
                "{{greeting}} {{#position}}#{{position}}{{/position}}{{^location}}nowhere{{/location}} {{#changes}}[{{text}}]{{/changes}} {{t.mail.schedule}}"
        )
        #expect(template.render(Self.view(position: 3, location: nil)) == "Hi Ana, #3nowhere [New time] Schedule")
        #expect(template.render(Self.view(position: nil, location: "Garden")) == "Hi Ana,  [New time] Schedule")
    }

    @Test("a push gets the e-mail's title and its own line, without the e-mail's bodies")
    func pushWithoutBodies() async throws {
        try await TestApp.run { app in
            let renderer = NotificationRenderer(templates: app.services.pages, publicBaseURL: "https://studio.example")
            let context = NotificationContext.sample()
            for kind in NotificationRenderer.kinds.sorted() {
                let mail = try renderer.render(.sample(kind, at: app.clock.now()), context: context, now: app.clock.now())
                let push = try renderer.render(.sample(kind, channel: "push", at: app.clock.now()), context: context, now: app.clock.now())
                #expect(push.pushTitle == mail.pushTitle && push.pushBody == mail.pushBody && push.subject == mail.subject, "\(kind)")
                #expect(!push.pushBody.isEmpty && push.text.isEmpty && push.html.isEmpty, "\(kind)")
                #expect(!mail.text.isEmpty && !mail.html.isEmpty, "\(kind)")
            }
        }
    }
}
