import Foundation
import FrontdeskCore
import FrontdeskQR
import FrontdeskStore
import HTTPTypes
import Hummingbird
import Synchronization

extension Display: ResponseEncodable {}

/// Display screens: management for owner/admin under `/api/orgs/:org/displays`, and the screen's
/// own state at `/display/:id/state?exp=&sig=` (no login: the signed URL is the credential).
struct DisplayRoutes {
    let services: AppServices
    var store: DisplaysStore { DisplaysStore(database: services.database) }
    var displays: DisplayService { DisplayService(services: services) }

    /// Signed display URLs last a year: a wall screen should not go dark by itself; rotate or revoke to end one.
    static let urlLifetimeDays = 365
    /// Most `have=` values a poll is read for (the current code and `DisplayCodes.aheadWindows`, and a spare).
    static let maxHave = 8

    func register(root: Routes, org: ContextRoutes<OrgContext>) {
        org.get("displays", use: list)
        org.post("displays", use: create)
        org.get("displays/:display/url", use: url)
        org.post("displays/:display/rotate", use: rotate)
        org.post("displays/:display/revoke", use: revoke)
        root.get("display/:display/state", use: state)
    }

    struct DisplayWithURL: ResponseEncodable {
        let display: Display
        let url: String?
    }

    @Sendable func list(_ request: Request, context: OrgContext) async throws -> ItemList<Display> {
        ItemList(items: try await displays.displays(try context.scope(.manager)))
    }

    struct CreateBody: Decodable {
        let locationId: String
        let name: String?
    }

    @Sendable func create(_ request: Request, context: OrgContext) async throws -> Created<DisplayWithURL> {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(CreateBody.self, context: context)
        let display = try await displays.create(scope, locationId: body.locationId, name: body.name)
        return Created(body: DisplayWithURL(display: display, url: try await displays.signedURL(display)))
    }

    @Sendable func url(_ request: Request, context: OrgContext) async throws -> DisplayWithURL {
        let display = try await displays.display(try context.scope(.manager), id: try context.id("display", "Display"))
        return DisplayWithURL(display: display, url: try await displays.signedURL(display))
    }

    @Sendable func rotate(_ request: Request, context: OrgContext) async throws -> DisplayWithURL {
        let display = try await displays.rotate(try context.scope(.manager), id: try context.id("display", "Display"))
        return DisplayWithURL(display: display, url: try await displays.signedURL(display))
    }

    @Sendable func revoke(_ request: Request, context: OrgContext) async throws -> DisplayWithURL {
        let display = try await displays.revoke(try context.scope(.manager), id: try context.id("display", "Display"))
        return DisplayWithURL(display: display, url: nil)
    }

    // MARK: The screen's state

    struct ScreenSession: Encodable, Sendable {
        let id: String
        let className: String
        let color: String
        let coachName: String?
        let locationName: String
        let startsAt: Date
        let endsAt: Date
        let capacity: Int
    }

    struct QRPayload: Encodable, Sendable {
        /// The class this code checks into.
        let sessionId: String
        let url: String
        /// The code as SVG; `nil` when the caller said it already shows this code (`?have=`).
        let svg: JSONString?
        let windowStart: Date
        let expiresAt: Date
        /// When the shown token stops being accepted (rotation plus the org's grace): a screen that has
        /// no newer code by then must stop showing this one.
        let validUntil: Date
        let secondsUntilRotation: Int
        /// The same fields written once for the code (`QRSVGCache`), when made there.
        var rendered: RenderedCode? = nil

        enum CodingKeys: String, CodingKey {
            case sessionId, url, svg, windowStart, expiresAt, validUntil, secondsUntilRotation
        }
    }

    struct ScreenState: Encodable, Sendable {
        let displayName: String
        let organizationName: String
        let primaryColor: String
        let timezone: String
        let now: Date
        let session: ScreenSession?
        let next: ScreenSession?
        var qr: QRPayload?
        /// The codes of the next `aheadWindows` windows, held by the screen so that it keeps rotating
        /// through an outage (issue 19); each is accepted only in its own window, like `qr`.
        var ahead: [QRPayload]
        let checkedInCount: Int
        let checkedIn: [String]
    }

    /// The screen's poll, served from `DisplayStateCache` (no statement while its entry is fresh); the
    /// link is verified on every request all the same.
    @Sendable func state(_ request: Request, context: AppRequestContext) async throws -> Response {
        let now = services.now
        let query = DisplayQuery(request.uri.query, maxHave: Self.maxHave)
        let entry = try await cachedScreen(link(expires: query.expires, signature: query.signature, context: context), now: now)
        if DisplaysStore.needsSeen(entry.display, now: now) {
            await displays.seen(entry.display)
            services.displayStates.noteSeen(displayId: entry.display.id, at: now)
        }
        // A screen already holding a code says so (`have=<url>`, once per code, at most `maxHave`): its
        // SVG is left out, which keeps a poll small instead of ~8 KB a code.
        let body = try await cachedAnswer(entry, now: now).answer(now: now, holds: query.holds)
        return .json(body, extra: Self.stateHeaders)
    }

    /// The poll's answer is nobody's to keep, and its link (in the page's address) is not passed on.
    static let stateHeaders = [
        HTTPField(name: .cacheControl, value: "no-store"), HTTPField(name: HTTPField.Name("Referrer-Policy")!, value: "no-referrer"),
    ]

    /// The answer from a cached read: its state written once per window and signing key (its codes and
    /// classes), then only its instants (`now`, the seconds until rotation) and the SVGs the screen
    /// holds written afresh (`AnswerTemplate`), so a poll looks up no code.
    func cachedAnswer(_ entry: DisplayStateCache.Entry, now: Date) async throws -> AnswerTemplate {
        let window = CheckinToken.windowStart(now)
        let keyId = try await services.keyRing.ring(now: now).current.id
        if let screen = entry.screen, screen.window == window, screen.keyId == keyId {
            return screen.answer
        }
        let state = try await screenState(
            display: entry.display, org: entry.organization, current: entry.current, next: entry.next, now: now)
        let answer = AnswerTemplate(state, capacity: state.sizeHint)
        services.displayStates.noteScreen(.init(window: window, keyId: keyId, answer: answer), for: entry)
        return answer
    }

    /// What the screen shows at `now`: the class in the check-in window with its current QR code, or the next one.
    func screenState(display: Display, org: Organization, now: Date) async throws -> ScreenState {
        let screen = try await store.screen(org: org, locationId: display.locationId, now: now, rosters: services.displayStates.rosters)
        return try await screenState(display: display, org: org, current: screen.current, next: screen.next, now: now)
    }

    /// The state from the screen's classes as read (`current` in its check-in window, `next`): the QR
    /// code of `now`'s window and of the next `aheadWindows` (rendered once per window in `QRSVGCache`)
    /// and the instants of `now`.
    func screenState(
        display: Display, org: Organization, current: DisplaySession?, next: DisplaySession?, now: Date
    ) async throws -> ScreenState {
        var qr: QRPayload?
        var ahead: [QRPayload] = []
        let window = CheckinToken.windowStart(now)
        let codes = DisplayCodes(services: services, org: org, ring: try await services.keyRing.ring(now: now), keepFrom: window)
        if let current {
            qr = try codes.payload(sessionId: current.session.id, window: window, now: now)
        }
        for (futureWindow, session) in DisplayCodes.schedule(current: current, next: next, org: org, from: window) {
            ahead.append(try codes.payload(sessionId: session.session.id, window: futureWindow, now: now))
        }
        func view(_ s: DisplaySession?) -> ScreenSession? {
            s.map {
                ScreenSession(
                    id: $0.session.id, className: $0.className, color: $0.color, coachName: $0.coachName,
                    locationName: $0.locationName, startsAt: $0.session.startsAt, endsAt: $0.session.endsAt,
                    capacity: $0.session.capacity)
            }
        }
        return ScreenState(
            displayName: display.name, organizationName: org.name, primaryColor: org.primaryColor,
            timezone: org.timezone, now: now, session: view(current), next: view(next), qr: qr, ahead: ahead,
            checkedInCount: current?.checkedIn.count ?? 0, checkedIn: current?.checkedIn ?? [])
    }

    /// A display link's parts as the request carries them (`/display/:display…?exp=&sig=`).
    struct DisplayLink {
        let displayId: String
        let expires: Int64
        let signature: String
    }

    static var refusedLink: DomainError {
        DomainError(.invalidDisplayURL, "This display link is not valid; ask the studio for a new one.")
    }

    /// The link's parts, or the refusal when one is missing or malformed (no database read).
    func link(_ request: Request, context: AppRequestContext) throws -> DisplayLink {
        let query = DisplayQuery(request.uri.query, maxHave: 0)
        return try link(expires: query.expires, signature: query.signature, context: context)
    }

    func link(expires expText: Substring?, signature: Substring?, context: AppRequestContext) throws -> DisplayLink {
        guard let id = context.parameters.get("display"), NewID.isWellFormed(id),
            let expText, let expires = Int64(expText), let signature
        else { throw Self.refusedLink }
        return DisplayLink(displayId: id.lowercased(), expires: expires, signature: String(signature))
    }

    /// Checks the link's `exp` and `sig` against `display`'s key version and revocation (SPEC §6).
    func verify(_ link: DisplayLink, display: Display, now: Date) async throws {
        let ring = try await services.keyRing.ring(now: now)
        switch DisplaySignature.verify(
            displayId: display.id, expires: link.expires, signature: link.signature, keyVersion: display.keyVersion,
            revoked: display.revokedAt != nil, now: now, keys: ring, verified: services.verifiedDisplayLinks)
        {
        case .success: break
        case .failure(.expired):
            throw DomainError(.displayURLExpired, "This display link has expired; ask the studio for a new one.")
        case .failure(.revoked):
            throw DomainError(.displayRevoked, "This display has been switched off by the studio.")
        case .failure: throw Self.refusedLink
        }
    }

    /// Checks `exp` and `sig` against the display's key version and revocation as stored now (SPEC §6).
    func verifiedDisplay(_ request: Request, context: AppRequestContext, now: Date) async throws -> (Display, Organization) {
        let link = try link(request, context: context)
        guard let display = try await store.display(id: link.displayId) else { throw Self.refusedLink }
        try await verify(link, display: display, now: now)
        guard let org = try await services.organizations.organization(id: display.organizationId) else { throw Self.refusedLink }
        return (display, org)
    }

    /// The verified display's facts for its state: the cached entry while fresh (its link verified
    /// against the cached row, every time; its class's names read again after a check-in), else read
    /// (display, studio, screen) and kept when the link holds. A refused link is never kept.
    func cachedScreen(_ link: DisplayLink, now: Date) async throws -> DisplayStateCache.Entry {
        let cache = services.displayStates
        if let entry = cache.entry(displayId: link.displayId, now: now) {
            try await verify(link, display: entry.display, now: now)
            guard entry.namesChanged != 0, let current = entry.current else { return entry }
            let (names, readAt) = try await store.names(sessionId: current.session.id, now: now, rosters: cache.rosters)
            return cache.names(of: entry, names: names, readAt: readAt, now: now)
        }
        cache.listen(to: services.checkinEvents)
        let ticket = cache.ticket()
        guard let display = try await store.display(id: link.displayId) else { throw Self.refusedLink }
        try await verify(link, display: display, now: now)
        guard let org = try await services.organizations.organization(id: display.organizationId) else { throw Self.refusedLink }
        let screen = try await store.screen(org: org, locationId: display.locationId, now: now, rosters: services.displayStates.rosters)
        let entry = DisplayStateCache.Entry(display: display, organization: org, current: screen.current, next: screen.next, now: now)
        cache.store(entry, ticket: ticket)
        return entry
    }
}

/// Rendered QR SVGs per session × 60-second window: each is rendered once however many screens poll.
public final class QRSVGCache: Sendable {
    private let entries = Mutex<[Key: Code]>([:])

    public init() {}

    /// Rendered codes held now (bounded: for each running class, the previous and current window and
    /// the `DisplayCodes.aheadWindows` after it).
    var count: Int { entries.withLock { $0.count } }

    /// The text of the code filed under `key` (made by `text` only the first time: for a check-in code,
    /// its signature), its SVG and its JSON part (`rendered`, from the text), made once; `keepFrom` is the window of now: codes of windows
    /// before the one before it are dropped. Numeric runs (the compact token) are encoded in numeric mode.
    func code(
        key: Key, window: Int64, keepFrom: Int64? = nil, text: () -> String, rendered: (String) -> RenderedCode
    ) throws -> Code {
        if let hit = entries.withLock({ $0[key] }) { return hit }
        let text = text()
        let code = Code(
            text: text,
            svg: JSONString(try QRCode.encodeSegmented(text, level: .medium).svg(moduleSize: nil, quietZone: 4, title: "Scan to check in")),
            rendered: rendered(text), window: window)
        let oldest = (keepFrom ?? window) - CheckinToken.windowSeconds
        entries.withLock { cache in
            cache[key] = code
            cache = cache.filter { $0.value.window >= oldest }
        }
        return code
    }

    /// What a check-in code is made of: its class and window, the signing key, and the grace after
    /// its window (the JSON's `validUntil`).
    struct Key: Hashable, Sendable {
        let sessionId: String
        let window: Int64
        let keyId: String
        let graceSeconds: Int64
    }

    /// A code as held: its text, its SVG, its part of the display poll, and its window.
    struct Code: Sendable {
        let text: String
        let svg: JSONString
        let rendered: RenderedCode
        let window: Int64
    }
}

extension AppServices {
    /// Announces that `display` was rotated or revoked (after the change committed): its open event
    /// streams end, on this instance at once and, through NOTIFY on PostgreSQL, on every other one.
    public func displayChanged(_ display: Display) async {
        displayStates.invalidate(displayId: display.id, organizationId: display.organizationId)
        await checkinEvents.publish(.displayChanged(display, at: now))
    }

    /// A fresh signed URL for a display, valid for a year (nil once revoked).
    public func signedDisplayURL(_ display: Display) async throws -> String? {
        guard display.revokedAt == nil else { return nil }
        let expires = now.epochSeconds + Int64(DisplayRoutes.urlLifetimeDays * 86_400)
        let ring = try await keyRing.ring(now: now)
        return configuration.publicBaseURL
            + DisplaySignature.path(displayId: display.id, expires: expires, keyVersion: display.keyVersion, keys: ring)
    }
}
