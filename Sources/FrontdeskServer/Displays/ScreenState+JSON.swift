import Foundation
import FrontdeskStore

// The wall display's poll written with `JSONOutput` (every screen polls every few seconds): the same
// bytes as its `Encodable` form, keys in byte order (`JSONOutputTests`). Its instants and SVGs are
// marked as holes: a poll answers from an `AnswerTemplate` of the state, made once per window.

extension DisplayRoutes.ScreenState: JSONOutputResponse {
    /// The SVGs it carries (~8 KB each) and the rest.
    var sizeHint: Int {
        ahead.reduce(2560 + (qr?.svg?.json.count ?? 0)) { $0 + ($1.svg?.json.count ?? 0) + 512 }
    }

    func write(to json: inout JSONOutput) {
        json.object { json in
            json.field("ahead", ahead)
            json.field("checkedIn", checkedIn)
            json.field("checkedInCount", checkedInCount)
            json.field("displayName", displayName)
            json.field("next", next)
            json.field("now", Holed(.now, now))
            json.field("organizationName", organizationName)
            json.field("primaryColor", primaryColor)
            json.field("qr", qr)
            json.field("session", session)
            json.field("timezone", timezone)
        }
    }
}

extension DisplayRoutes.ScreenSession: JSONWritable {
    func write(to json: inout JSONOutput) {
        json.object { json in
            json.field("capacity", capacity)
            json.field("className", className)
            json.field("coachName", coachName)
            json.field("color", color)
            json.field("endsAt", endsAt)
            json.field("id", id)
            json.field("locationName", locationName)
            json.field("startsAt", startsAt)
        }
    }
}

extension DisplayRoutes.QRPayload: JSONWritable {
    func write(to json: inout JSONOutput) {
        if let rendered {
            rendered.write(secondsUntilRotation: secondsUntilRotation, svg: svg, to: &json)
            return
        }
        json.object { json in
            json.field("expiresAt", expiresAt)
            json.field("secondsUntilRotation", Holed(.secondsUntil(expiresAt.epochSeconds), secondsUntilRotation))
            json.field("sessionId", sessionId)
            json.hole(.unlessHeld(key: url)) { $0.field("svg", svg) }
            json.field("url", url)
            json.field("validUntil", validUntil)
            json.field("windowStart", windowStart)
        }
    }
}
