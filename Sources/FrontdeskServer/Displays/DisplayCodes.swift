import Foundation
import FrontdeskCore
import FrontdeskStore

/// The QR codes a screen shows: the compact check-in URL of one class and one window, rendered once
/// per window, and which class each of the next windows belongs to (issue 19: the screen holds them
/// and keeps rotating through an outage of up to five minutes).
struct DisplayCodes {
    let services: AppServices
    let org: Organization
    let ring: SigningKeyRing
    /// The window of now: the rendered codes of older windows are dropped from the cache.
    let keepFrom: Int64

    /// Windows handed out ahead of the current one. A screen that polled last at t (it polls at least
    /// every 15 s) then holds codes until the end of window(t) + 5 minutes, which is more than five
    /// minutes after t. More would only lengthen what a leaked state answer is good for.
    static let aheadWindows = 5

    /// `<publicBaseURL>/c/<81 digits>` (the compact form; `CompactCheckinToken`), or the long form
    /// `/checkin?session=&token=` for a class id that is not a UUID (none is; kept total).
    static func checkinURL(base: String, sessionId: String, at date: Date, keys: SigningKeyRing) -> String {
        if let token = CompactCheckinToken.issue(sessionId: sessionId, at: date, keys: keys) { return "\(base)/c/\(token)" }
        return "\(base)/checkin?session=\(sessionId)&token=\(CheckinToken.issue(sessionId: sessionId, at: date, keys: keys))"
    }

    /// The code of `sessionId` for the window starting at `window`, with its instants seen from `now`.
    func payload(sessionId: String, window: Int64, now: Date) throws -> DisplayRoutes.QRPayload {
        let start = Date(timeIntervalSince1970: TimeInterval(window))
        let rotation = window + CheckinToken.windowSeconds
        let grace = Int64(max(0, org.checkinGraceSeconds))
        let expiresAt = Date(timeIntervalSince1970: TimeInterval(rotation))
        let validUntil = Date(timeIntervalSince1970: TimeInterval(rotation + grace))
        // The signed URL, its SVG and its JSON are made once per class, window, key and grace (the
        // JSON's `validUntil`), however many screens poll.
        let code = try services.qrCache.code(
            key: QRSVGCache.Key(sessionId: sessionId, window: window, keyId: ring.current.id, graceSeconds: grace), window: window,
            keepFrom: keepFrom,
            text: { Self.checkinURL(base: services.configuration.publicBaseURL, sessionId: sessionId, at: start, keys: ring) },
            rendered: { RenderedCode(sessionId: sessionId, url: $0, windowStart: start, expiresAt: expiresAt, validUntil: validUntil) })
        return DisplayRoutes.QRPayload(
            sessionId: sessionId, url: code.text, svg: code.svg, windowStart: start, expiresAt: expiresAt, validUntil: validUntil,
            secondsUntilRotation: Int(max(0, rotation - now.epochSeconds)), rendered: code.rendered)
    }

    /// For each of the `aheadWindows` windows after `window`, the class the screen shows at its start,
    /// by the screen's own rule (`DisplaysStore.screen`): the first of `current` and `next` not yet
    /// ended, once its check-in has opened. Windows with no such class get no code.
    static func schedule(
        current: DisplaySession?, next: DisplaySession?, org: Organization, from window: Int64
    ) -> [(
        Int64, DisplaySession
    )] {
        let opensBefore = Int64(org.checkinOpensMinutesBefore) * 60
        let classes = [current, next].compactMap { $0 }
        return (1...aheadWindows).compactMap { step in
            let start = window + Int64(step) * CheckinToken.windowSeconds
            guard let shown = classes.first(where: { $0.session.endsAt.epochSeconds > start }),
                start >= shown.session.startsAt.epochSeconds - opensBefore
            else { return nil }
            return (start, shown)
        }
    }
}
