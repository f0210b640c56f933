import Foundation
import FrontdeskCore
import FrontdeskStore

/// Managing a studio's displays, for owners and admins: what `POST|GET /api/orgs/:org/displays…`
/// and the back office's `/admin/displays` both do, with the same checks (another studio's display
/// or location is 404). Rotating and revoking announce the change, so the display's open event
/// streams end at once. Also the screens' presence: when each was last seen (`seen`, throttled) and
/// whether that counts as online now (`presence`).
struct DisplayService {
    let services: AppServices
    var store: DisplaysStore { DisplaysStore(database: services.database) }

    /// A display seen this recently is online: it polls its state at least every 15 s and holds its
    /// stream with a re-check every 15 s, and `last_seen_at` lags by at most `DisplaysStore.seenInterval`.
    static let onlineSeconds: Int64 = 120

    func displays(_ scope: OrgScope) async throws -> [Display] {
        try await store.displays(orgId: scope.orgId)
    }

    /// A display at a live location of the studio; `name` defaults to "Check-in screen".
    func create(_ scope: OrgScope, locationId: String, name: String?) async throws -> Display {
        try await store.create(
            orgId: scope.orgId, locationId: try IDs.ref(locationId, "Location"),
            name: try Validate.name(name ?? "Check-in screen"), createdBy: scope.membership.id, now: services.now)
    }

    /// The studio's display `id` (any other id, well formed or not, is 404).
    func display(_ scope: OrgScope, id: String) async throws -> Display {
        guard let display = try await store.display(id: try IDs.ref(id, "Display")), display.organizationId == scope.orgId else {
            throw DomainError.notFound("Display")
        }
        return display
    }

    /// A new key version: every URL issued so far stops verifying, and open streams end.
    func rotate(_ scope: OrgScope, id: String) async throws -> Display {
        let display = try await store.rotate(orgId: scope.orgId, id: try IDs.ref(id, "Display"), now: services.now)
        await services.displayChanged(display)
        return display
    }

    /// Switched off for good.
    func revoke(_ scope: OrgScope, id: String) async throws -> Display {
        let display = try await store.revoke(orgId: scope.orgId, id: try IDs.ref(id, "Display"), now: services.now)
        await services.displayChanged(display)
        return display
    }

    /// A fresh signed URL (nil once revoked).
    func signedURL(_ display: Display) async throws -> String? {
        try await services.signedDisplayURL(display)
    }

    // MARK: Presence

    /// Records that the screen of `display` (as just read for its request) was seen now. Free when the
    /// stored time is younger than `DisplaysStore.seenInterval` (the row read to verify the link holds
    /// it), else one guarded UPDATE. A failure is logged, never the screen's problem.
    func seen(_ display: Display) async {
        let now = services.now
        guard DisplaysStore.needsSeen(display, now: now) else { return }
        do {
            try await store.markSeen(id: display.id, now: now)
        } catch {
            services.logger.debug("display last-seen write failed", metadata: ["error": .string("\(error)")])
        }
    }

    enum Presence: Equatable {
        case online
        case offline(lastSeen: Date)
        case never
    }

    /// Online when seen at most `onlineSeconds` before `now`.
    static func presence(_ display: Display, now: Date) -> Presence {
        guard let seen = display.lastSeenAt else { return .never }
        return now.epochSeconds - seen.epochSeconds <= onlineSeconds ? .online : .offline(lastSeen: seen)
    }
}
