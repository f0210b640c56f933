import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The confirm step every bulk path shares (bulk actions, ending a series, closures): the caller
/// sends `confirm: true` and the fingerprint of the preview they checked; the answer is the batch, or
/// 409 `preview_changed` with the new preview when the matches changed since.
enum BulkConfirmation {
    /// The fingerprint, when the caller confirmed; 400 otherwise.
    static func check(confirm: Bool?, fingerprint: String?, what: String) throws -> String {
        guard confirm == true else {
            throw DomainError(.confirmationRequired, "Send \"confirm\": true to \(what).")
        }
        guard let fingerprint, !fingerprint.isEmpty, fingerprint.count <= 128 else {
            throw DomainError(.fingerprintRequired, "Send the fingerprint of the preview you checked.")
        }
        return fingerprint
    }

    /// The 409 answer to a preview that changed: the error and the preview to look at again.
    static func changed(_ preview: BulkPreview, request: Request, context: some RequestContext) throws -> Response {
        let refused = DomainError(
            .previewChanged, "The classes matching this filter changed since your preview; check the new preview and confirm again.")
        let answer = BulkRoutes.PreviewChanged(error: .init(code: refused.code, message: refused.message), preview: preview)
        var response = try answer.response(from: request, context: context)
        response.status = refused.httpStatus
        return response
    }

    /// The answer to an executed bulk path.
    static func respond(
        _ outcome: BulkSessionsStore.Outcome, action: BulkAction, request: Request, context: some RequestContext
    ) throws -> Response {
        switch outcome {
        case .done(let batch): try BulkRoutes.BatchResult(batch, action: action).response(from: request, context: context)
        case .changed(let preview): try changed(preview, request: request, context: context)
        }
    }
}

extension BulkRoutes.BatchResult {
    init(_ batch: AuditBatch, action: BulkAction) {
        self.init(
            batchId: batch.batchId, action: action, changedSessions: batch.payload.sessionIds.count,
            skippedSessions: batch.payload.skippedSessionIds.count, cancelledBookings: batch.payload.cancelledBookings,
            refundedCredits: batch.payload.refundedCredits, sessionIds: batch.payload.sessionIds)
    }
}
