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
        /// Nil when there is nothing to say (an empty string would still open the template's section).
        let message: String?
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
            self.message = message.isEmpty ? nil : message
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
            let t = try await PageLanguage.messages(services, request, context)
            return try await result(
                .init(code: "invalid_token", headline: t["checkin.invalidCode.headline"], nextStep: t["checkin.invalidCode.nextStep"]),
                request: request, context: context, status: .badRequest, messages: t)
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
            return try await unknownSession(request, context: context)
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
                reason: .checkinKept)
        } else {
            let t = try await messages(request, context: context, target: target)
            let outcome = Outcome(
                ok: false, code: "pending", headline: t["checkin.checkingIn"], message: "", nextStep: nil,
                classLine: target.isMember ? classLine(target, t: t) : nil, pending: Pending(sessionId: sessionId, proof: proof),
                gps: [])
            response = try await page(outcome, target: target, request: request, context: context, messages: t)
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
            return try await unknownSession(request, context: context)
        }
        let sessionId = rawSession.lowercased()
        guard context.signedInUser != nil else {
            return try LoginPage(services: services).form(
                request, context: context, next: "/checkin?session=\(sessionId)&proof=\(form.proof ?? "")",
                reason: .checkin)
        }
        do {
            try PageCSRF.check(request, field: form.csrf)
            let scope = try await OrgAccess(services: services).scope(context, orgId: target.org.id, requiring: .member)
            let result = try await checkin.checkIn(
                scope, sessionId: sessionId, body: .init(proof: form.proof ?? ""),
                browser: SelfCheckin.browserHash(request) ?? "")
            let t = try await messages(request, context: context, target: target)
            let outcome = Outcome(
                ok: true, code: result.alreadyCheckedIn ? "already_checked_in" : "checked_in",
                headline: result.alreadyCheckedIn ? t["checkin.done.already"] : t["checkin.done.checkedIn"],
                message: result.walkIn ? t["checkin.done.walkIn"] : t["checkin.done.enjoy"],
                nextStep: nil, classLine: classLine(target, t: t), pending: nil, gps: [])
            return try await page(outcome, target: target, request: request, context: context, messages: t)
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

    /// The reader's language (docs/i18n.md): their own choice, else the studio's default, else the
    /// browser's; a page without a known class has no studio to ask.
    func messages(_ request: Request, context: AppRequestContext, target: Target?) async throws -> Messages {
        try await PageLanguage.messages(services, request, context, orgId: target?.org.id)
    }

    func unknownSession(_ request: Request, context: AppRequestContext) async throws -> Response {
        let t = try await messages(request, context: context, target: nil)
        return try await result(
            .init(code: "unknown_session", headline: t["checkin.unknownSession.headline"], nextStep: t["checkin.unknownSession.nextStep"]),
            request: request, context: context, status: .notFound, messages: t)
    }

    func classLine(_ target: Target, t: Messages) -> ClassLine? {
        guard target.isMember, let session = target.session else { return nil }
        let local = t.localTime(timezone: target.org.timezone, now: services.now)
        return ClassLine(
            name: session.classTypeName, time: local.dayAndTime(session.session.startsAt) + " – " + local.time(session.session.endsAt),
            coachName: session.coachName, locationName: session.locationName)
    }

    static func proofError(_ error: CheckinTokenError) -> DomainError {
        error == .expired
            ? DomainError(.proofExpired, "Your scan is more than 10 minutes old.")
            : SelfCheckin.tokenError(error)
    }

    /// Plain words and the next step for each refusal, in the reader's language: every case is decided
    /// here (no `default:`), so a new refusal cannot reach a member's phone without someone choosing its words.
    static func explain(_ error: DomainError, _ t: Messages = .english) -> (headline: String, nextStep: String) {
        switch error.refusal {
        case .tokenExpired: (t["checkin.refusal.tokenExpired.headline"], t["checkin.refusal.tokenExpired.nextStep"])
        case .proofExpired: (t["checkin.refusal.proofExpired.headline"], t["checkin.refusal.proofExpired.nextStep"])
        case .tokenNotYetValid: (t["checkin.refusal.tokenNotYetValid.headline"], t["checkin.refusal.tokenNotYetValid.nextStep"])
        case .invalidToken: (t["checkin.refusal.invalidToken.headline"], t["checkin.refusal.invalidToken.nextStep"])
        case .checkinNotOpen: (t["checkin.refusal.checkinNotOpen.headline"], t["checkin.refusal.checkinNotOpen.nextStep"])
        case .checkinClosed: (t["checkin.refusal.checkinClosed.headline"], t["checkin.refusal.checkinClosed.nextStep"])
        case .classFull: (t["checkin.refusal.classFull.headline"], t["checkin.refusal.classFull.nextStep"])
        case .sessionCancelled: (t["checkin.refusal.sessionCancelled.headline"], t["checkin.refusal.sessionCancelled.nextStep"])
        case .sessionNotPublished: (t["checkin.refusal.sessionNotPublished.headline"], t["checkin.refusal.sessionNotPublished.nextStep"])
        case .noPlan: (t["checkin.refusal.noPlan.headline"], t["checkin.refusal.noPlan.nextStep"])
        case .noCredits: (t["checkin.refusal.noCredits.headline"], t["checkin.refusal.noCredits.nextStep"])
        case .quotaDay, .quotaWeek: (t["checkin.refusal.quota.headline"], t["checkin.refusal.quota.nextStep"])
        case .overlap: (t["checkin.refusal.overlap.headline"], t["checkin.refusal.overlap.nextStep"])
        case .membershipSuspended: (t["checkin.refusal.membershipSuspended.headline"], t["checkin.refusal.membershipSuspended.nextStep"])
        case .notFound: (t["checkin.refusal.notFound.headline"], t["checkin.refusal.notFound.nextStep"])
        case .rateLimited: (t["checkin.refusal.rateLimited.headline"], t["checkin.refusal.rateLimited.nextStep"])
        case .csrfFailed: (t["checkin.refusal.csrfFailed.headline"], t["checkin.refusal.csrfFailed.nextStep"])
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
            (t["checkin.refusal.other.headline"], t["checkin.refusal.other.nextStep"])
        }
    }

    /// A refusal in plain words. The refusal's own message is the API's, in English (docs/i18n.md): a
    /// reader in another language gets the headline and the next step in theirs, without it.
    func failure(_ error: DomainError, target: Target?, request: Request, context: AppRequestContext) async throws -> Response {
        let t = try await messages(request, context: context, target: target)
        let (headline, nextStep) = Self.explain(error, t)
        let outcome = Outcome(
            ok: false, code: error.code, headline: headline, message: t.language == .en ? error.message : "", nextStep: nextStep,
            classLine: target.flatMap { classLine($0, t: t) }, pending: nil, gps: [])
        return try await page(
            outcome, target: target, request: request, context: context, status: HTTPResponse.Status(code: error.status), messages: t)
    }

    func result(
        _ outcome: Outcome, request: Request, context: AppRequestContext, status: HTTPResponse.Status, messages: Messages
    ) async throws -> Response {
        try await page(outcome, target: nil, request: request, context: context, status: status, messages: messages)
    }

    func page(
        _ outcome: Outcome, target: Target?, request: Request, context: AppRequestContext,
        status: HTTPResponse.Status = .ok, messages: Messages? = nil
    ) async throws -> Response {
        let t: Messages
        if let messages { t = messages } else { t = try await self.messages(request, context: context, target: target) }
        var outcome = outcome
        if outcome.pending == nil, !outcome.ok, let target, target.isMember {
            outcome = Outcome(
                ok: outcome.ok, code: outcome.code, headline: outcome.headline, message: outcome.message ?? "",
                nextStep: outcome.nextStep, classLine: outcome.classLine, pending: nil,
                gps: try await gpsOptions(target, t: t))
        }
        return try responder.page(
            "checkin", title: outcome.headline, page: outcome, request: request, context: context,
            status: status, orgName: target?.org.name, brand: target?.org.primaryColor, bodyClass: "landing", messages: t)
    }

    /// When the scan itself did not work but the member is in the studio: today's classes at that
    /// location that are not over, schedule-mode only (feed-mode programs refuse GPS, SPEC §6).
    func gpsOptions(_ target: Target, t: Messages) async throws -> [GPSOption] {
        guard let locationId = target.session?.session.locationId else { return [] }
        let now = services.now
        let calendar = OrgCalendar(timezone: target.org.timezone)
        let day = calendar.startOfDay(now)
        let today = try await ScheduleStore(database: services.database).sessions(
            orgId: target.org.id, from: day, to: calendar.startOfDay(day, addingDays: 1), viewerMembershipId: "", membersView: true)
        let local = t.localTime(timezone: target.org.timezone, now: now)
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
