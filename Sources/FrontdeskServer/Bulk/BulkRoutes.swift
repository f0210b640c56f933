import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

extension BulkPreview: ResponseEncodable {}

/// Bulk operations on sessions (SPEC §8), owner/admin only:
/// `POST /api/orgs/:org/sessions/bulk/preview` with `{filter}` answers the matches and a fingerprint;
/// `POST …/bulk/{delete,publish,cancel}` with `{filter, fingerprint, confirm: true}` (and for cancel an
/// optional `reason`) runs the action on exactly those matches, or answers 409 `preview_changed` with
/// the new preview when they changed since.
struct BulkRoutes {
    let services: AppServices
    var store: BulkSessionsStore { BulkSessionsStore(database: services.database) }

    func register(org: ContextRoutes<OrgContext>) {
        org.post("sessions/bulk/preview", use: preview)
        for action in BulkAction.allCases {
            org.post("sessions/bulk/\(action.rawValue)", use: { request, context in try await execute(action, request, context: context) })
        }
    }

    struct PreviewBody: Decodable {
        let filter: BulkFilter
    }

    @Sendable func preview(_ request: Request, context: OrgContext) async throws -> BulkPreview {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(PreviewBody.self, context: context)
        let filter = try body.filter.validated(calendar: OrgCalendar(timezone: scope.organization.timezone))
        return try await store.preview(org: scope.organization, filter: filter, maximum: services.configuration.bulkMaxSessions)
    }

    struct ExecuteBody: Decodable {
        let filter: BulkFilter
        let fingerprint: String?
        let confirm: Bool?
        let reason: String?
    }

    /// What an executed batch did.
    struct BatchResult: ResponseEncodable {
        let batchId: String
        let action: BulkAction
        let changedSessions: Int
        let skippedSessions: Int
        let cancelledBookings: Int
        let refundedCredits: Int
        let sessionIds: [String]
    }

    /// The 409 answer: the error and the preview the caller should look at again.
    struct PreviewChanged: ResponseEncodable {
        struct Detail: Encodable {
            let code: String
            let message: String
        }
        let error: Detail
        let preview: BulkPreview
    }

    func execute(_ action: BulkAction, _ request: Request, context: OrgContext) async throws -> Response {
        let scope = try context.scope(.manager)
        let body = try await request.decodeJSON(ExecuteBody.self, context: context)
        let filter = try body.filter.validated(calendar: OrgCalendar(timezone: scope.organization.timezone))
        guard body.confirm == true else {
            throw DomainError(.confirmationRequired, "Send \"confirm\": true to \(action.rawValue) the previewed classes.")
        }
        guard let fingerprint = body.fingerprint, !fingerprint.isEmpty, fingerprint.count <= 128 else {
            throw DomainError(.fingerprintRequired, "Send the fingerprint of the preview you checked (POST …/sessions/bulk/preview).")
        }
        let reason = try body.reason.map { try Validate.name($0, field: "reason", maxLength: 500) }
        let outcome = try await store.execute(
            org: scope.organization, action: action, filter: filter, fingerprint: fingerprint, reason: action == .cancel ? reason : nil,
            actor: scope.actor, maximum: services.configuration.bulkMaxSessions, now: services.now)
        switch outcome {
        case .done(let batch):
            let result = BatchResult(
                batchId: batch.batchId, action: action, changedSessions: batch.payload.sessionIds.count,
                skippedSessions: batch.payload.skippedSessionIds.count, cancelledBookings: batch.payload.cancelledBookings,
                refundedCredits: batch.payload.refundedCredits, sessionIds: batch.payload.sessionIds)
            return try result.response(from: request, context: context)
        case .changed(let preview):
            let refused = DomainError(
                .previewChanged, "The classes matching this filter changed since your preview; check the new preview and confirm again.")
            let answer = PreviewChanged(error: .init(code: refused.code, message: refused.message), preview: preview)
            var response = try answer.response(from: request, context: context)
            response.status = refused.httpStatus
            return response
        }
    }
}
