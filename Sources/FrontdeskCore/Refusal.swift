/// Every refusal Frontdesk gives, one case per stable snake_case code (the raw value is the code on
/// the wire, `{"error":{"code","message"}}`).
///
/// Each case knows its kind through one exhaustive switch, so a code answers one status wherever it
/// is thrown; the server maps kinds to HTTP statuses (`DomainError.status`), the check-in landing page
/// explains each case in plain words, and the OpenAPI document's `ErrorCode` enum lists exactly these
/// raw values (`tools/openapi/gen.py` reads them from this file; `OpenAPIConsistencyTests` checks).
public enum Refusal: String, CaseIterable, Sendable {
    // Requests the server cannot read.
    case badRequest = "bad_request"
    case invalidJSON = "invalid_json"
    case invalidType = "invalid_type"
    case missingField = "missing_field"
    case invalidField = "invalid_field"
    case invalidText = "invalid_text"
    case invalidForm = "invalid_form"
    case invalidQuery = "invalid_query"
    case invalidCursor = "invalid_cursor"
    case invalidDate = "invalid_date"
    case invalidRange = "invalid_range"
    case rangeTooLong = "range_too_long"
    case invalidIdempotencyKey = "invalid_idempotency_key"
    case payloadTooLarge = "payload_too_large"
    case unsupportedMediaType = "unsupported_media_type"
    case methodNotAllowed = "method_not_allowed"
    case notFound = "not_found"
    /// An HTTP error of the framework's with no code of its own; it keeps the framework's status.
    case httpError = "http_error"

    // Accounts and roles.
    case unauthorized
    case invalidCredentials = "invalid_credentials"
    case forbidden
    case csrfFailed = "csrf_failed"
    case crossSiteLogin = "cross_site_login"
    case wrongPassword = "wrong_password"
    case passwordNotAllowed = "password_not_allowed"
    case linkInvalid = "link_invalid"
    case alreadyVerified = "already_verified"
    case emailTaken = "email_taken"
    case accountExists = "account_exists"
    case invitationInvalid = "invitation_invalid"
    case invitationWrongAccount = "invitation_wrong_account"
    case invitationClosed = "invitation_closed"
    case alreadyMember = "already_member"
    case alreadyInvited = "already_invited"
    case mailHeld = "mail_held"
    case orgCreationDisabled = "org_creation_disabled"
    /// 403 for the caller's own membership; 409 when staff act on a suspended member (`DomainError(_:kind:_:)`).
    case membershipSuspended = "membership_suspended"
    case lastOwner = "last_owner"
    case currentKey = "current_key"

    // Scheduling and catalog.
    case invalidCoach = "invalid_coach"
    case sessionCancelled = "session_cancelled"
    case notPublished = "not_published"
    case capacityBelowBooked = "capacity_below_booked"
    case programInUse = "program_in_use"
    case seriesEndNeedsPreview = "series_end_needs_preview"
    case seriesDayHasBookings = "series_day_has_bookings"
    case coachEditsDraftsOnly = "coach_edits_drafts_only"
    case sessionHasBookings = "session_has_bookings"
    case coachBusy = "coach_busy"
    case roomBusy = "room_busy"

    // Booking, plans and credits.
    case sessionNotPublished = "session_not_published"
    case sessionStarted = "session_started"
    case bookingWindowClosed = "booking_window_closed"
    case alreadyBooked = "already_booked"
    case classFull = "class_full"
    case noPlan = "no_plan"
    case noCredits = "no_credits"
    case quotaDay = "quota_day"
    case quotaWeek = "quota_week"
    case overlap
    case lateCancelBlocked = "late_cancel_blocked"
    case notCancellable = "not_cancellable"
    case alreadyCancelled = "already_cancelled"
    case insufficientCredits = "insufficient_credits"
    case unlimitedPlan = "unlimited_plan"
    case idempotencyKeyReused = "idempotency_key_reused"

    // Check-in.
    case invalidToken = "invalid_token"
    case tokenExpired = "token_expired"
    case tokenNotYetValid = "token_not_yet_valid"
    case proofExpired = "proof_expired"
    case checkinNotOpen = "checkin_not_open"
    case checkinClosed = "checkin_closed"
    case gpsNotAllowed = "gps_not_allowed"
    case invalidCoordinates = "invalid_coordinates"
    case accuracyTooLow = "accuracy_too_low"
    case locationHasNoCoordinates = "location_has_no_coordinates"
    case tooFar = "too_far"
    case invalidTransition = "invalid_transition"
    case attendanceNotOpen = "attendance_not_open"
    case attendanceClosed = "attendance_closed"
    case rateLimited = "rate_limited"

    // Displays.
    case invalidDisplayURL = "invalid_display_url"
    case displayURLExpired = "display_url_expired"
    case displayRevoked = "display_revoked"
    case tooManyStreams = "too_many_streams"

    // Bulk actions and the audit log.
    case emptyFilter = "empty_filter"
    case batchTooLarge = "batch_too_large"
    case confirmationRequired = "confirmation_required"
    case fingerprintRequired = "fingerprint_required"
    case previewChanged = "preview_changed"
    case undoNotSupported = "undo_not_supported"
    case alreadyUndone = "already_undone"
    case bookedSince = "booked_since"
    case changedSince = "changed_since"

    // Failures of ours.
    case internalError = "internal_error"
    case corruptAuditRow = "corrupt_audit_row"
    case busy
    case databaseUnavailable = "database_unavailable"

    /// The kind of each refusal (and so its HTTP status): one decision per code.
    public var kind: DomainError.Kind {
        switch self {
        case .badRequest, .invalidJSON, .invalidType, .missingField, .invalidField, .invalidText, .invalidForm, .invalidQuery,
            .invalidCursor, .invalidDate, .invalidRange, .rangeTooLong, .invalidIdempotencyKey, .httpError, .passwordNotAllowed,
            .invalidCoach, .invalidToken, .invalidCoordinates, .accuracyTooLow, .locationHasNoCoordinates, .emptyFilter,
            .batchTooLarge, .confirmationRequired, .fingerprintRequired:
            .invalid
        case .unauthorized, .invalidCredentials:
            .unauthenticated
        case .noPlan, .noCredits:
            .paymentRequired
        case .forbidden, .csrfFailed, .crossSiteLogin, .wrongPassword, .invitationWrongAccount, .mailHeld, .orgCreationDisabled,
            .membershipSuspended, .invalidDisplayURL, .displayURLExpired, .displayRevoked, .coachEditsDraftsOnly:
            .forbidden
        case .notFound, .linkInvalid, .invitationInvalid:
            .notFound
        case .methodNotAllowed:
            .methodNotAllowed
        case .alreadyVerified, .emailTaken, .accountExists, .invitationClosed, .alreadyMember, .alreadyInvited, .lastOwner,
            .currentKey, .sessionCancelled, .notPublished, .capacityBelowBooked, .programInUse, .seriesEndNeedsPreview,
            .seriesDayHasBookings, .sessionNotPublished, .sessionStarted,
            .bookingWindowClosed, .alreadyBooked, .classFull, .quotaDay, .quotaWeek, .overlap, .lateCancelBlocked, .notCancellable,
            .alreadyCancelled, .insufficientCredits, .unlimitedPlan, .tokenExpired, .tokenNotYetValid, .proofExpired, .checkinNotOpen,
            .checkinClosed, .gpsNotAllowed, .tooFar, .invalidTransition, .previewChanged, .undoNotSupported, .alreadyUndone,
            .bookedSince, .changedSince, .sessionHasBookings, .coachBusy, .roomBusy, .attendanceNotOpen, .attendanceClosed:
            .conflict
        case .payloadTooLarge:
            .tooLarge
        case .unsupportedMediaType:
            .unsupportedMediaType
        case .idempotencyKeyReused:
            .unprocessable
        case .rateLimited, .tooManyStreams:
            .rateLimited
        case .internalError, .corruptAuditRow:
            .internalFailure
        case .busy, .databaseUnavailable:
            .unavailable
        }
    }
}
