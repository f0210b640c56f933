import Foundation
import FrontdeskCore
import FrontdeskStore
import HTTPTypes
import Hummingbird

extension Booking: ResponseEncodable {}

/// `POST /api/sessions/:id/bookings`, `POST /api/bookings/:id/cancel`, `GET /api/bookings/:id`, `GET /api/me/bookings`.
struct BookingRoutes {
    let services: AppServices
    var access: OrgAccess { OrgAccess(services: services) }

    func register(api: Routes, session: ContextRoutes<SessionContext>) {
        session.post("bookings", use: book)
        api.get("bookings/:booking", use: show)
        api.post("bookings/:booking/cancel", use: cancel)
        api.get("me/bookings", use: mine)
    }

    static let idempotencyHeader = HTTPField.Name("Idempotency-Key")!

    /// The `Idempotency-Key` header, if any: 1–200 visible ASCII characters.
    static func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[idempotencyHeader] else { return nil }
        guard (1...200).contains(key.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace && ($0.asciiValue ?? 0) >= 33 }) else {
            throw DomainError(.invalidIdempotencyKey, "Idempotency-Key must be 1–200 visible ASCII characters.")
        }
        return key
    }

    struct BookBody: Decodable {
        let membershipId: String?
        let overrideCapacity: Bool?
    }

    struct BookingAnswer: ResponseGenerator {
        let result: BookingResult
        let created: Bool

        func response(from request: Request, context: some RequestContext) throws -> Response {
            // Written straight into bytes (`JSONOutput`, the same bytes as the encoder's): JSONEncoder was
            // 3 % of the server's time in a class-release rush.
            var response = try JSONAnswer(result.booking).response(from: request, context: context)
            response.status = created && !result.replayed ? .created : .ok
            if result.replayed { response.headers[.init("Idempotent-Replayed")!] = "true" }
            return response
        }
    }

    @Sendable func book(_ request: Request, context: SessionContext) async throws -> BookingAnswer {
        let (scope, sessionId) = (try context.scope(.member), context.sessionId)
        let body = try await request.decodeJSONIfPresent(
            BookBody.self, context: context, fallback: BookBody(membershipId: nil, overrideCapacity: nil))
        let result = try await BookingService(services: services).book(
            scope, sessionId: sessionId, onBehalfOf: body.membershipId, overrideCapacity: body.overrideCapacity ?? false,
            idempotencyKey: try Self.idempotencyKey(request))
        return BookingAnswer(result: result, created: true)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Booking {
        try await access.bookingScope(context).1
    }

    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> BookingAnswer {
        let (scope, booking) = try await access.bookingHomeScope(context)
        let result = try await BookingService(services: services).cancel(
            scope, booking: booking, idempotencyKey: try Self.idempotencyKey(request))
        return BookingAnswer(result: result, created: false)
    }

    struct MyBookings: ResponseEncodable {
        let items: [MyBookingRow]
        let nextCursor: String?
    }

    /// `?status=upcoming|past|cancelled|all&from=&to=&limit=1…100&cursor=`
    @Sendable func mine(_ request: Request, context: AppRequestContext) async throws -> MyBookings {
        let user = try context.requireUser()
        let query = request.uri.queryParameters
        let group =
            try query.get("status").map { value in
                guard let group = MyBookingsGroup(rawValue: value) else {
                    throw DomainError(.invalidQuery, "status must be one of upcoming, past, cancelled, all.")
                }
                return group
            } ?? .upcoming
        let limit = try ListQuery.limit(query)
        let cursor = try ListQuery.cursor(query)
        func instant(_ name: String) throws -> Date? {
            try query.get(name).map { value in
                guard let date = ISO8601.parse(value) else {
                    throw DomainError(.invalidQuery, "\(name) must be an ISO-8601 instant with offset.")
                }
                return date
            }
        }
        let from = try instant("from"), to = try instant("to")
        if let from, let to, from >= to { throw DomainError(.invalidRange, "from must be before to.") }
        let (rows, next) = try await MyBookingsStore(database: services.database)
            .list(userId: user.id, group: group, from: from, to: to, limit: limit, after: cursor, now: services.now)
        return MyBookings(items: rows, nextCursor: next?.encoded)
    }
}
