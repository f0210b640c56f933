import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// `GET /calendar/:feed/:secret.ics`: a member's bookings or a coach's classes as an RFC 5545 feed
/// for calendar apps, which cannot log in. The URL is the credential: the feed's id picks the row,
/// the secret's SHA-256 is compared in constant time with the stored hash. Anything wrong (unknown
/// id, wrong or revoked secret, a coach who no longer teaches there) is the same 404.
struct CalendarFeedRoutes {
    let services: AppServices

    /// Fetches per feed per minute (calendar apps poll every few minutes at most).
    static let fetchesPerFeedPerMinute = 30
    /// Fetches per client address per minute, across feeds (a calendar service fetches many
    /// members' feeds from few addresses, so this is generous; it stops a flood, not a guess —
    /// guessing a 256-bit secret is hopeless anyway).
    static let fetchesPerAddressPerMinute = 600

    func register(_ root: Routes) {
        root.get("calendar/:feed/:file", use: feed)
    }

    @Sendable func feed(_ request: Request, context: AppRequestContext) async throws -> Response {
        let now = services.now
        let address = ClientAddress.of(request, context: context, trustForwardedFor: services.configuration.trustForwardedFor)
        if services.calendarFeedLimiter.hit("address:" + address, now: now) > Self.fetchesPerAddressPerMinute {
            throw DomainError.rateLimited("Too many calendar requests; try again in a minute.")
        }
        guard let feedId = context.parameters.get("feed"), let file = context.parameters.get("file"),
            let secret = Self.secret(fromFile: file), NewID.isWellFormed(feedId)
        else { throw Self.notFound }
        if services.calendarFeedLimiter.hit("feed:" + feedId.lowercased(), now: now) > Self.fetchesPerFeedPerMinute {
            throw DomainError.rateLimited("This calendar was fetched too often; try again in a minute.")
        }
        let store = CalendarFeedsStore(database: services.database)
        guard let feed = try await store.feed(id: feedId.lowercased()),
            ConstantTime.equals(Array(SecretToken.hash(secret).utf8), Array(feed.secretHash.utf8))
        else { throw Self.notFound }
        if feed.kind == .teaching {
            guard let membershipId = feed.membershipId, try await store.isActiveStaff(membershipId: membershipId, userId: feed.userId)
            else { throw Self.notFound }
        }
        let text = try await CalendarFeedBuilder(services: services).feed(feed)
        let tag = "\"" + String(Hashing.sha256Hex(text).prefix(32)) + "\""
        var headers: HTTPFields = [
            .contentType: "text/calendar; charset=utf-8", .eTag: tag,
            // Personal data behind a secret URL: no shared cache keeps it; the client may reuse it briefly.
            .cacheControl: "private, max-age=300",
            .init("Referrer-Policy")!: "no-referrer", .xContentTypeOptions: "nosniff",
            .contentDisposition: "inline; filename=\"frontdesk.ics\"",
        ]
        if let match = request.headers[.ifNoneMatch], Self.matches(match, tag: tag) {
            headers[.contentType] = nil
            headers[.contentDisposition] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static var notFound: DomainError { DomainError.notFound("Calendar feed") }

    /// The secret of a `<secret>.ics` file name: the URL-safe alphabet, 43 characters (256 bits).
    static func secret(fromFile file: String) -> String? {
        guard file.hasSuffix(".ics") else { return nil }
        let secret = String(file.dropLast(4))
        guard secret.utf8.count == 43, Base64URL.decodeCanonical(secret.utf8)?.count == 32 else { return nil }
        return secret
    }

    /// Whether an `If-None-Match` value names `tag` (a list, weak forms, or `*`).
    static func matches(_ header: String, tag: String) -> Bool {
        header.split(separator: ",").contains { part in
            let value = part.trimmingCharacters(in: .whitespaces)
            return value == "*" || value == tag || value == "W/" + tag
        }
    }

    /// The feed's URL for a secret just issued.
    static func url(base: String, feed: CalendarFeed, secret: String) -> String {
        "\(base)/calendar/\(feed.id)/\(secret).ics"
    }
}
