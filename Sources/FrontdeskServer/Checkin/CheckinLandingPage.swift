import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// What a member's phone opens when it scans the screen: `GET /c/<compact token>` (what the screen
/// shows since issue 19; `CompactCheckinToken`) or the long form `GET /checkin?session=&token=`.
///
/// The token is checked on open and exchanged for a proof of scan (SPEC §6: bound to the session,
/// ten minutes), which survives the login form; then the page posts itself (`POST /checkin`, a
/// normal form, submitted by script or by the member's tap) and shows the result in plain words.
/// Checking in never happens on a GET, so link previews and prefetchers cannot check anyone in.
struct CheckinLandingPage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }
    var checkin: SelfCheckin { SelfCheckin(services: services) }

    func register(_ root: Routes) {
        root.get("checkin", use: open)
        root.get("c/:token", use: openCompact)
        root.post("checkin", use: submit)
    }

    struct ClassLine {
        let name: String
        let time: String
        let coachName: String?
        let locationName: String?
    }

    struct GPSOption {
        let sessionId: String
        let label: String
    }

    struct Outcome {
        let ok: Bool
        let code: String
        let headline: String
        let message: String
        let nextStep: String?
        let classLine: ClassLine?
        /// The auto-submitting form, while the check-in is still to be made.
        let pending: Pending?
        let gps: [GPSOption]
        /// Stored, not computed: templates see stored properties only.
        let hasGPS: Bool

        init(
            ok: Bool, code: String, headline: String, message: String, nextStep: String?, classLine: ClassLine?, pending: Pending?,
            gps: [GPSOption]
        ) {
            self.ok = ok
            self.code = code
            self.headline = headline
            self.message = message
            self.nextStep = nextStep
            self.classLine = classLine
            self.pending = pending
            self.gps = gps
            self.hasGPS = !gps.isEmpty
        }
    }

    struct Pending {
        let sessionId: String
        let proof: String
    }

    struct Target {
        let org: Organization
        let session: ScheduledSession?
        /// Whether the signed-in visitor is an active member of the studio: only they see the class's
        /// details and the studio's other classes.
        let isMember: Bool
    }

    // MARK: GET

    @Sendable func open(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        return try await open(
            request, context: context, session: query.get("session"), token: query.get("token"), proof: query.get("proof"))
    }

    /// The compact URL: the token names its class. A token that is not 81 digits (or whose groups
    /// overflow) names none and is answered like an unknown class; a forged or stale one is refused
    /// by the same check as the long form's token, with the same page.
    @Sendable func openCompact(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        guard let sessionId = CompactCheckinToken.sessionId(of: token) else {
            return try await result(
                .init(
                    code: "invalid_token", headline: "This QR code isn't valid",
                    nextStep: "Scan the code on the screen in the studio."),
                request: request, context: context, status: .badRequest)
        }
        return try await open(request, context: context, session: sessionId, token: token, proof: nil)
    }

    func open(
        _ request: Request, context: AppRequestContext, session: String?, token: String?, proof kept: String?
    ) async throws -> Response {
        let now = services.now
        guard let rawSession = session, NewID.isWellFormed(rawSession),
            let target = try await target(sessionId: rawSession.lowercased(), context: context)
        else {
            return try await result(
                .init(
                    code: "unknown_session", headline: "This code doesn't belong to a class",
                    nextStep: "Scan the code on the screen in the studio."),
                request: request, context: context, status: .notFound)
        }
        let sessionId = rawSession.lowercased()
        let ring = try await services.keyRing.ring(now: now)
        // The proof is bound to this browser (a nonce cookie): copied elsewhere, it checks nobody in.
        let (nonce, isNewNonce) = AccountPages.browserNonce(request)
        let browser = SecretToken.hash(nonce)
        let proof: String
        if let token {
            switch CheckinToken.verify(token, sessionId: sessionId, now: now, graceSeconds: target.org.checkinGraceSeconds, keys: ring) {
            case .success: proof = ProofOfScan.issue(sessionId: sessionId, at: now, keys: ring, browser: browser)
            case .failure(let error):
                return try await failure(SelfCheckin.tokenError(error), target: target, request: request, context: context)
            }
        } else if let kept {
            if case .failure(let error) = ProofOfScan.verify(kept, sessionId: sessionId, now: now, keys: ring, browser: browser) {
                return try await failure(Self.proofError(error), target: target, request: request, context: context)
            }
            proof = kept
        } else {
            return try await failure(SelfCheckin.tokenError(.malformed), target: target, request: request, context: context)
        }
        var response: Response
        if context.signedInUser == nil {
            let back = "/checkin?session=\(sessionId)&proof=\(proof)"
            response = try LoginPage(services: services).form(
                request, context: context, next: back,
                reason: "Log in to check in. Your scan is kept for 10 minutes.")
        } else {
            let outcome = Outcome(
                ok: false, code: "pending", headline: "Checking you in…", message: "", nextStep: nil,
                classLine: target.isMember ? classLine(target) : nil, pending: Pending(sessionId: sessionId, proof: proof),
                gps: [])
            response = try await page(outcome, target: target, request: request, context: context)
        }
        if isNewNonce { AccountPages.setBrowserNonce(nonce, on: &response, secure: services.configuration.secureCookies) }
        return response
    }

    // MARK: POST

    struct CheckinForm: Decodable {
        let csrf: String?
        let session: String?
        let proof: String?
    }

    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.decodeForm(CheckinForm.self, context: context)
        guard let rawSession = form.session, NewID.isWellFormed(rawSession),
            let target = try await target(sessionId: rawSession.lowercased(), context: context)
        else {
            return try await result(
                .init(
                    code: "unknown_session", headline: "This code doesn't belong to a class",
                    nextStep: "Scan the code on the screen in the studio."),
                request: request, context: context, status: .notFound)
        }
        let sessionId = rawSession.lowercased()
        guard context.signedInUser != nil else {
            return try LoginPage(services: services).form(
                request, context: context, next: "/checkin?session=\(sessionId)&proof=\(form.proof ?? "")",
                reason: "Log in to check in.")
        }
        do {
            try PageCSRF.check(request, field: form.csrf)
            let scope = try await OrgAccess(services: services).scope(context, orgId: target.org.id, requiring: .member)
            let result = try await checkin.checkIn(
                scope, sessionId: sessionId, body: .init(proof: form.proof ?? ""),
                browser: SelfCheckin.browserHash(request) ?? "")
            let outcome = Outcome(
                ok: true, code: result.alreadyCheckedIn ? "already_checked_in" : "checked_in",
                headline: result.alreadyCheckedIn ? "You're already checked in" : "You're checked in",
                message: result.walkIn ? "Welcome — we booked you a place as a walk-in." : "Enjoy the class!",
                nextStep: nil, classLine: classLine(target), pending: nil, gps: [])
            return try await page(outcome, target: target, request: request, context: context)
        } catch let error as DomainError {
            return try await failure(error, target: target, request: request, context: context)
        }
    }

    // MARK: Building the page

    /// The session (as the member may see it) and its org, or nil for an unknown session.
    /// Drafts (and deleted classes) are unknown here, whoever asks.
    func target(sessionId: String, context: AppRequestContext) async throws -> Target? {
        guard let orgId = try await services.sessions.organizationId(sessionId: sessionId),
            let org = try await services.organizations.organization(id: orgId),
            let session = try await ScheduleStore(database: services.database).session(orgId: orgId, id: sessionId, viewerMembershipId: ""),
            session.session.status != .draft
        else { return nil }
        var isMember = false
        if let user = context.signedInUser,
            let (membership, _) = try await services.organizations.membershipAndOrganization(orgId: orgId, userId: user.id)
        {
            isMember = membership.status == .active
        }
        return Target(org: org, session: session, isMember: isMember)
    }

    func classLine(_ target: Target) -> ClassLine? {
        guard target.isMember, let session = target.session else { return nil }
        let local = LocalTime(timezone: target.org.timezone, now: services.now)
        return ClassLine(
            name: session.classTypeName, time: local.dayAndTime(session.session.startsAt) + " – " + local.time(session.session.endsAt),
            coachName: session.coachName, locationName: session.locationName)
    }

    static func proofError(_ error: CheckinTokenError) -> DomainError {
        error == .expired
            ? DomainError(.proofExpired, "Your scan is more than 10 minutes old.")
            : SelfCheckin.tokenError(error)
    }

    /// Plain words and the next step for each refusal: every case is decided here (no `default:`), so
    /// a new refusal cannot reach a member's phone without someone choosing its words.
    static func explain(_ error: DomainError) -> (headline: String, nextStep: String) {
        switch error.refusal {
        case .tokenExpired: ("This QR code has expired", "Scan the code on the screen again — it changes every minute.")
        case .proofExpired: ("Your scan has expired", "Scan the code on the screen again.")
        case .tokenNotYetValid: ("This QR code isn't valid yet", "Check that your phone's clock is right, then scan again.")
        case .invalidToken: ("This QR code isn't valid for this class", "Scan the code on the screen in the studio.")
        case .checkinNotOpen: ("Check-in isn't open yet", "Come back a little before the class starts and scan again.")
        case .checkinClosed: ("This class has ended", "Check-in closes when the class ends.")
        case .classFull: ("The class is full", "Ask the coach — they can add you if there is room on the mat.")
        case .sessionCancelled: ("This class was cancelled", "See the schedule for another class.")
        case .sessionNotPublished: ("This class isn't open", "See the schedule for another class.")
        case .noPlan: ("You need a plan for this class", "Ask at the desk, or buy a plan, then scan again.")
        case .noCredits: ("You have no credits left", "Top up your plan at the desk, then scan again.")
        case .quotaDay, .quotaWeek: ("You've reached your plan's limit", "Ask at the desk about your plan.")
        case .overlap: ("You're booked into another class at this time", "Cancel the other booking first, or ask the coach.")
        case .membershipSuspended: ("Your membership is paused", "Ask at the desk.")
        case .notFound: ("You're not a member of this studio", "Ask at the desk to join, or log in with the account you use here.")
        case .rateLimited: ("Too many attempts", "Wait a minute, then scan again.")
        case .csrfFailed: ("This page had expired", "Scan the code on the screen again.")
        // Refusals a scan does not meet (or only through a fault): the coach sorts them out.
        case .badRequest, .invalidJSON, .invalidType, .missingField, .invalidField, .invalidText, .invalidForm, .invalidQuery,
            .invalidCursor, .invalidDate, .invalidRange, .rangeTooLong, .invalidIdempotencyKey, .payloadTooLarge,
            .unsupportedMediaType, .methodNotAllowed, .httpError,
            .unauthorized, .invalidCredentials, .forbidden, .crossSiteLogin, .wrongPassword, .passwordNotAllowed, .linkInvalid,
            .alreadyVerified, .emailTaken, .accountExists, .invitationInvalid, .invitationWrongAccount, .invitationClosed,
            .alreadyMember, .alreadyInvited, .mailHeld, .orgCreationDisabled, .lastOwner, .currentKey,
            .invalidCoach, .notPublished, .capacityBelowBooked, .programInUse, .seriesEndNeedsPreview, .seriesDayHasBookings,
            .coachEditsDraftsOnly, .sessionHasBookings, .coachBusy, .roomBusy, .attendanceNotOpen, .attendanceClosed,
            .sessionStarted, .bookingWindowClosed, .alreadyBooked, .lateCancelBlocked, .notCancellable, .alreadyCancelled,
            .insufficientCredits, .unlimitedPlan, .idempotencyKeyReused,
            .gpsNotAllowed, .invalidCoordinates, .accuracyTooLow, .locationHasNoCoordinates, .tooFar, .invalidTransition,
            .invalidDisplayURL, .displayURLExpired, .displayRevoked, .tooManyStreams,
            .emptyFilter, .batchTooLarge, .confirmationRequired, .fingerprintRequired, .previewChanged, .undoNotSupported,
            .alreadyUndone, .bookedSince, .changedSince,
            .internalError, .corruptAuditRow, .busy, .databaseUnavailable:
            ("We couldn't check you in", "Ask the coach at the desk.")
        }
    }

    func failure(_ error: DomainError, target: Target?, request: Request, context: AppRequestContext) async throws -> Response {
        let (headline, nextStep) = Self.explain(error)
        let outcome = Outcome(
            ok: false, code: error.code, headline: headline, message: error.message, nextStep: nextStep,
            classLine: target.flatMap(classLine), pending: nil, gps: [])
        return try await page(outcome, target: target, request: request, context: context, status: HTTPResponse.Status(code: error.status))
    }

    func result(_ outcome: Outcome, request: Request, context: AppRequestContext, status: HTTPResponse.Status) async throws -> Response {
        try await page(outcome, target: nil, request: request, context: context, status: status)
    }

    func page(
        _ outcome: Outcome, target: Target?, request: Request, context: AppRequestContext,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var outcome = outcome
        if outcome.pending == nil, !outcome.ok, let target, target.isMember {
            outcome = Outcome(
                ok: outcome.ok, code: outcome.code, headline: outcome.headline, message: outcome.message,
                nextStep: outcome.nextStep, classLine: outcome.classLine, pending: nil,
                gps: try await gpsOptions(target))
        }
        return try responder.page(
            "checkin", title: outcome.headline, page: outcome, request: request, context: context,
            status: status, orgName: target?.org.name, brand: target?.org.primaryColor, bodyClass: "landing")
    }

    /// When the scan itself did not work but the member is in the studio: today's classes at that
    /// location that are not over, schedule-mode only (feed-mode programs refuse GPS, SPEC §6).
    func gpsOptions(_ target: Target) async throws -> [GPSOption] {
        guard let locationId = target.session?.session.locationId else { return [] }
        let now = services.now
        let calendar = OrgCalendar(timezone: target.org.timezone)
        let day = calendar.startOfDay(now)
        let today = try await ScheduleStore(database: services.database).sessions(
            orgId: target.org.id, from: day, to: calendar.startOfDay(day, addingDays: 1), viewerMembershipId: "", membersView: true)
        let local = LocalTime(timezone: target.org.timezone, now: now)
        return today.filter { $0.session.locationId == locationId && $0.session.endsAt > now && $0.deliveryMode != .feed }
            .map {
                GPSOption(sessionId: $0.session.id, label: "\($0.classTypeName) · \(local.range($0.session.startsAt, $0.session.endsAt))")
            }
    }
}

extension CheckinLandingPage.Outcome {
    init(code: String, headline: String, nextStep: String) {
        self.init(ok: false, code: code, headline: headline, message: "", nextStep: nextStep, classLine: nil, pending: nil, gps: [])
    }
}
