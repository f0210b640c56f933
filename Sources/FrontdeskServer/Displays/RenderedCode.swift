import Foundation
import FrontdeskStore

/// A check-in code's part of the display poll, written once when the code is made (`QRSVGCache`):
/// all of its `QRPayload` but the seconds left until rotation, which change every second, and the
/// SVG, which a screen that already holds the code is not sent. Writing each code's URL (its slashes
/// escaped) and three instants, for the six codes of every poll, was most of the poll's JSON (`perf`).
/// `JSONOutputTests` checks that a payload written this way is the bytes of its `Encodable` form.
struct RenderedCode: Sendable {
    /// `{"expiresAt":"…","secondsUntilRotation":`
    private let head: [UInt8]
    /// `,"sessionId":"…"`
    private let session: [UInt8]
    /// `,"url":"…","validUntil":"…","windowStart":"…"}`
    private let tail: [UInt8]
    private let url: String
    /// Unix seconds of the end of the code's window.
    private let expiresAt: Int64

    init(sessionId: String, url: String, windowStart: Date, expiresAt: Date, validUntil: Date) {
        var head = JSONOutput(capacity: 64)
        head.text(#"{"expiresAt":"#)
        head.date(expiresAt)
        head.text(#","secondsUntilRotation":"#)
        var session = JSONOutput(capacity: 64)
        session.text(#","sessionId":"#)
        session.string(sessionId)
        var tail = JSONOutput(capacity: url.utf8.count + 96)
        tail.text(#","url":"#)
        tail.string(url)
        tail.text(#","validUntil":"#)
        tail.date(validUntil)
        tail.text(#","windowStart":"#)
        tail.date(windowStart)
        tail.text("}")
        (self.head, self.session, self.tail) = (head.bytes, session.bytes, tail.bytes)
        (self.url, self.expiresAt) = (url, expiresAt.epochSeconds)
    }

    /// The payload's object, with `svg` when the screen is sent it; the seconds and the SVG are holes
    /// of an `AnswerTemplate`.
    func write(secondsUntilRotation: Int, svg: JSONString?, to json: inout JSONOutput) {
        json.raw(head)
        json.hole(.secondsUntil(expiresAt)) { $0.int(secondsUntilRotation) }
        json.raw(session)
        if let svg {
            json.hole(.unlessHeld(key: url)) { json in
                json.text(#","svg":"#)
                json.raw(svg.json)
            }
        }
        json.raw(tail)
    }
}
