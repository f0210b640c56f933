#!/usr/bin/env python3
"""Generates the OpenAPI 3.1 document of the Frontdesk /api routes,
Sources/FrontdeskServer/OpenAPI/openapi.json (served at /openapi.json).

Everything here was read off the Swift sources (handlers, body structs, models, stores). When a route
or a payload changes, change it here and run `python3 tools/openapi/gen.py`; OpenAPITests fails while
the document and the server's routes disagree.
"""
import os
import json
import re

# ---------------------------------------------------------------- helpers

CTRL = r"\x00-\x1f\x7f-\x9f"  # Unicode general category Cc (what Validate refuses)
NAME_PATTERN = rf"^[^{CTRL}]*[^\s{CTRL}][^{CTRL}]*$"
UUID = {"type": "string", "format": "uuid"}
DT = {"type": "string", "format": "date-time"}
# Month-day combinations that exist in every year (29 February is left out of the patterns).
MMDD = r"((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)"
TIME_OFFSET = r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,3})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])$"
# Patterns rather than `format` for request values: generators give `format` precedence over `pattern`.
LOCAL_DATE = {"type": "string", "pattern": r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-" + MMDD + "$",
              "description": "Date YYYY-MM-DD (years 1900–2200)."}
INSTANT = {"type": "string", "pattern": r"^(19|20|21)[0-9]{2}-" + MMDD + TIME_OFFSET,
           "description": "ISO-8601 instant with offset, e.g. 2026-11-20T18:00:00+01:00 (fractional seconds allowed)."}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema):
    """`schema` or null (3.1 style)."""
    s = dict(schema)
    if "$ref" in s:
        return {"anyOf": [s, {"type": "null"}]}
    t = s.get("type")
    s["type"] = [t, "null"] if isinstance(t, str) else list(t) + ["null"]
    if "enum" in s:
        s["enum"] = list(s["enum"]) + [None]
    return s


def name_schema(max_len=200, description=None):
    s = {"type": "string", "minLength": 1, "maxLength": max_len, "pattern": NAME_PATTERN}
    if description:
        s["description"] = description
    return s


def obj(props, required=(), description=None, **extra):
    s = {"type": "object", "properties": props}
    if required:
        s["required"] = list(required)
    if description:
        s["description"] = description
    s.update(extra)
    return s


def integer(lo=None, hi=None, description=None):
    s = {"type": "integer"}
    if lo is not None:
        s["minimum"] = lo
    if hi is not None:
        s["maximum"] = hi
    if description:
        s["description"] = description
    return s


def array(items, **extra):
    s = {"type": "array", "items": items}
    s.update(extra)
    return s


# ---------------------------------------------------------------- enums

ROLES = ["owner", "admin", "coach", "member"]
MEMBERSHIP_STATUS = ["active", "suspended"]
DELIVERY_MODES = ["schedule", "feed", "coaching", "course"]
SESSION_STATUS = ["draft", "published", "cancelled"]
BOOKING_STATUS = ["confirmed", "waitlisted", "attended", "no_show", "cancelled"]
CHECKIN_METHODS = ["manual", "qr", "gps"]
SUBSCRIPTION_STATUS = ["active", "cancelled", "past_due"]
LEDGER_KINDS = ["charge", "refund", "adjustment"]
ELIGIBILITY = ["eligible", "no_plan", "no_credits", "quota_day", "quota_week", "overlap", "full", "already_booked", "closed"]
WORKOUT_SOURCES = ["session", "daily_programming", "none"]
PAYMENT_PROVIDERS = ["gocardless", "manual", "mollie", "stripe"]
PLATFORMS = ["ios", "android", "web"]
BULK_ACTIONS = ["delete", "publish", "cancel"]
AUDIT_ACTIONS = ["sessions.bulk_delete", "sessions.bulk_publish", "sessions.bulk_cancel", "sessions.bulk_undo", "closures.create"]


def time_zones():
    """Canonical IANA zones (zone1970.tab) plus UTC, minus zones added since 2022 that an older ICU may not know."""
    zones = set()
    with open("/usr/share/zoneinfo/zone1970.tab") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            zones.add(line.split("\t")[2].strip())
    zones -= {"Europe/Kyiv", "America/Ciudad_Juarez", "America/Coyhaique"}
    return ["UTC"] + sorted(z for z in zones if "/" in z and len(z) <= 64)


TIMEZONE = {
    "type": "string",
    "maxLength": 64,
    "enum": time_zones(),
    "description": "IANA time zone such as Europe/Berlin (or UTC). The server accepts any zone identifier containing '/' that "
                   "Foundation knows; this list holds the canonical zones.",
}

# ---------------------------------------------------------------- component schemas (responses)

S = {}

def refusal_codes():
    """The error codes: the raw values of Swift's `Refusal` enum (FrontdeskCore/Refusal.swift), its one source."""
    swift = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources", "FrontdeskCore", "Refusal.swift")
    with open(swift) as f:
        text = f.read()
    text = text[text.index("public enum Refusal"):text.index("public var kind")]
    codes = [raw or name for name, raw in re.findall(r'^\s*case (\w+)(?: = "([a-z_]+)")?\s*$', text, re.M)]
    assert codes and all(re.fullmatch(r"[a-z_]+", c) for c in codes), codes
    return codes


S["ErrorCode"] = {"type": "string", "enum": refusal_codes(),
                  "description": "Stable snake_case code: one of Swift's `Refusal` cases (FrontdeskCore/Refusal.swift)."}

S["Error"] = obj(
    {"error": obj({"code": ref("ErrorCode"),
                   "message": {"type": "string", "description": "Human-readable message."}},
                  required=["code", "message"])},
    required=["error"],
    description="The body of every failure.")

S["User"] = obj({
    "id": UUID, "email": {"type": "string"}, "name": {"type": "string"}, "createdAt": DT,
}, required=["id", "email", "name", "createdAt"])

S["Role"] = {"type": "string", "enum": ROLES}
S["MembershipStatus"] = {"type": "string", "enum": MEMBERSHIP_STATUS}
S["DeliveryMode"] = {"type": "string", "enum": DELIVERY_MODES}
S["SessionStatus"] = {"type": "string", "enum": SESSION_STATUS}
S["BookingStatus"] = {"type": "string", "enum": BOOKING_STATUS}

S["Membership"] = obj({
    "id": UUID, "organizationId": UUID, "userId": UUID, "role": ref("Role"), "status": ref("MembershipStatus"), "createdAt": DT,
}, required=["id", "organizationId", "userId", "role", "status", "createdAt"])

S["LoginResponse"] = obj({
    "token": {"type": "string", "description": "Opaque session token for `Authorization: Bearer …`."},
    "expiresAt": DT,
    "csrfToken": {"type": "string", "description": "The value also set as the `fd_csrf` cookie."},
    "user": ref("User"),
}, required=["token", "expiresAt", "csrfToken", "user"])

S["Me"] = obj({
    "user": ref("User"),
    "memberships": array(obj({
        "membershipId": UUID, "organizationId": UUID, "organizationName": {"type": "string"},
        "role": ref("Role"), "status": ref("MembershipStatus"),
    }, required=["membershipId", "organizationId", "organizationName", "role", "status"])),
}, required=["user", "memberships"])

S["Organization"] = obj({
    "id": UUID,
    "name": {"type": "string"},
    "timezone": {"type": "string", "description": "IANA zone every calendar notion of the org uses."},
    "cancellationWindowHours": {"type": "integer"},
    "allowLateCancellation": {"type": "boolean"},
    "paymentProvider": nullable({"type": "string", "enum": PAYMENT_PROVIDERS, "description": "Absent: no payment provider; members book without a plan."}),
    "latitude": nullable({"type": "number"}),
    "longitude": nullable({"type": "number"}),
    "primaryColor": {"type": "string", "description": "#rrggbb"},
    "checkinOpensMinutesBefore": {"type": "integer"},
    "checkinGraceSeconds": {"type": "integer"},
    "gpsMaxMeters": {"type": "integer"},
    "gpsMaxAccuracyMeters": {"type": "integer"},
    "noShowGraceMinutes": {"type": "integer"},
    "bookingOpensDaysBefore": nullable({"type": "integer", "description": "Absent: no booking window."}),
    "waitlistCutoffMinutes": {"type": "integer"},
    "createdAt": DT,
    "updatedAt": DT,
}, required=["id", "name", "timezone", "cancellationWindowHours", "allowLateCancellation", "primaryColor",
             "checkinOpensMinutesBefore", "checkinGraceSeconds", "gpsMaxMeters", "gpsMaxAccuracyMeters",
             "noShowGraceMinutes", "waitlistCutoffMinutes", "createdAt", "updatedAt"])

S["OrganizationCreated"] = obj({"organization": ref("Organization"), "membership": ref("Membership")},
                               required=["organization", "membership"])

S["Member"] = obj({
    "membershipId": UUID, "userId": UUID, "name": {"type": "string"}, "email": {"type": "string"},
    "role": ref("Role"), "status": ref("MembershipStatus"), "joinedAt": DT,
}, required=["membershipId", "userId", "name", "email", "role", "status", "joinedAt"])

S["MemberList"] = obj({"members": array(ref("Member"))}, required=["members"])

S["Invitation"] = obj({
    "id": UUID, "organizationId": UUID, "email": {"type": "string"}, "role": ref("Role"),
    "status": {"type": "string", "enum": ["pending", "accepted", "revoked"]}, "sends": {"type": "integer"},
    "createdAt": DT, "expiresAt": DT, "acceptedAt": nullable(DT),
    "expired": {"type": "boolean", "description": "A pending invitation whose 7-day link ran out (it can be re-sent)."},
}, required=["id", "organizationId", "email", "role", "status", "sends", "createdAt", "expiresAt", "expired"])
S["InvitationList"] = obj({"invitations": array(ref("Invitation"))}, required=["invitations"])
S["MemberAdded"] = obj({"invitation": ref("Invitation")}, required=["invitation"])
S["AcceptedNotice"] = obj({"status": {"type": "string", "enum": ["accepted"]}, "message": {"type": "string"}},
                          required=["status", "message"])
S["InvitationAccepted"] = obj({"membershipId": UUID, "organizationId": UUID, "role": ref("Role")},
                              required=["membershipId", "organizationId", "role"])
S["SignupSetting"] = obj({"enabled": {"type": "boolean"}, "joinURL": nullable({"type": "string"})}, required=["enabled"])

S["Program"] = obj({
    "id": UUID, "organizationId": UUID, "name": {"type": "string"}, "deliveryMode": ref("DeliveryMode"), "createdAt": DT,
}, required=["id", "organizationId", "name", "deliveryMode", "createdAt"])

S["ClassType"] = obj({
    "id": UUID, "organizationId": UUID, "programId": UUID, "name": {"type": "string"},
    "description": nullable({"type": "string"}),
    "defaultCapacity": {"type": "integer"}, "defaultDurationMin": {"type": "integer"},
    "color": {"type": "string", "description": "#rrggbb"}, "createdAt": DT,
}, required=["id", "organizationId", "programId", "name", "defaultCapacity", "defaultDurationMin", "color", "createdAt"])

S["Location"] = obj({
    "id": UUID, "organizationId": UUID, "name": {"type": "string"},
    "address": nullable({"type": "string"}),
    "latitude": nullable({"type": "number"}), "longitude": nullable({"type": "number"}),
    "createdAt": DT,
}, required=["id", "organizationId", "name", "createdAt"])

for name, item in [("ProgramList", "Program"), ("ClassTypeList", "ClassType"), ("LocationList", "Location"),
                   ("WorkoutList", "Workout"), ("PlanList", "Plan"), ("SubscriptionList", "Subscription"),
                   ("LedgerEntryList", "LedgerEntry"), ("RosterList", "RosterEntry"), ("DisplayList", "Display"),
                   ("PushTokenList", "PushTokenRegistration"), ("DailyProgrammingList", "DailyProgramming")]:
    S[name] = obj({"items": array(ref(item))}, required=["items"])

S["Plan"] = obj({
    "id": UUID, "name": {"type": "string"},
    "classCredits": nullable({"type": "integer", "description": "Absent: unlimited classes."}),
    "maxBookingsPerDay": nullable({"type": "integer"}),
    "maxBookingsPerWeek": nullable({"type": "integer"}),
    "allowOverlappingBookings": {"type": "boolean"},
    "priceCents": nullable({"type": "integer"}),
}, required=["id", "name", "allowOverlappingBookings"], description="A plan's booking terms (PlanTerms).")

S["BookingEligibility"] = obj({
    "status": {"type": "string", "enum": ELIGIBILITY},
    "reasons": array({"type": "string", "enum": ELIGIBILITY}, description="Every problem found, most decisive first; empty when eligible."),
    "plans": array(ref("Plan"), description="Plans on offer when the status is no_plan or no_credits."),
}, required=["status", "reasons", "plans"])

S["Session"] = obj({
    "id": UUID, "organizationId": UUID, "status": ref("SessionStatus"),
    "startsAt": DT, "endsAt": DT,
    "localDate": {"type": "string", "format": "date", "description": "The session's date in the org's zone."},
    "durationMin": {"type": "integer"}, "capacity": {"type": "integer"},
    "cancelReason": nullable({"type": "string"}),
    "classType": obj({"id": UUID, "name": {"type": "string"}, "color": {"type": "string"}}, required=["id", "name", "color"]),
    "program": obj({"id": UUID, "name": {"type": "string"}, "deliveryMode": ref("DeliveryMode")}, required=["id", "name", "deliveryMode"]),
    "location": nullable(obj({"id": UUID, "name": {"type": "string"}}, required=["id", "name"])),
    "coach": nullable(obj({"membershipId": UUID, "name": {"type": "string"}}, required=["membershipId", "name"])),
    "bookedCount": {"type": "integer", "description": "Confirmed plus attended."},
    "waitlistCount": {"type": "integer"},
    "spotsLeft": {"type": "integer", "minimum": 0},
    "myBooking": nullable(obj({
        "id": UUID,
        "status": {"type": "string", "enum": ["confirmed", "waitlisted", "attended"]},
        "waitlistPosition": nullable({"type": "integer"}),
    }, required=["id", "status"], description="The caller's own active booking.")),
    "bookingEligibility": nullable(ref("BookingEligibility")),
    "workoutSource": nullable({"type": "string", "enum": WORKOUT_SOURCES}),
    "workouts": nullable(array(obj({"id": UUID, "title": {"type": "string"}, "body": {"type": "string"}},
                                   required=["id", "title", "body"]))),
}, required=["id", "organizationId", "status", "startsAt", "endsAt", "localDate", "durationMin", "capacity",
             "classType", "program", "bookedCount", "waitlistCount", "spotsLeft"],
    description="A session as the API shows it (SessionView). `bookingEligibility` is sent to members only; "
                "`workoutSource`/`workouts` on single-session reads, `today` and session changes, not on the range list.")

S["SessionList"] = obj({
    "from": DT, "to": DT, "timezone": {"type": "string"}, "items": array(ref("Session")),
}, required=["from", "to", "timezone", "items"])

S["TodayList"] = obj({
    "date": {"type": "string", "format": "date"}, "timezone": {"type": "string"}, "items": array(ref("Session")),
}, required=["date", "timezone", "items"])

S["SessionCancelled"] = obj({
    "session": ref("Session"), "cancelledBookings": {"type": "integer"}, "refundedCredits": {"type": "integer"},
}, required=["session", "cancelledBookings", "refundedCredits"])

S["Booking"] = obj({
    "id": UUID, "organizationId": UUID, "sessionId": UUID, "membershipId": UUID,
    "subscriptionId": nullable(UUID),
    "status": ref("BookingStatus"),
    "waitlistPosition": nullable({"type": "integer"}),
    "creditCharged": {"type": "boolean"}, "lateCancel": {"type": "boolean"}, "capacityOverride": {"type": "boolean"},
    "checkedInAt": nullable(DT),
    "checkinMethod": nullable({"type": "string", "enum": CHECKIN_METHODS}),
    "cancelledAt": nullable(DT),
    "createdAt": DT, "updatedAt": DT,
}, required=["id", "organizationId", "sessionId", "membershipId", "status", "creditCharged", "lateCancel",
             "capacityOverride", "createdAt", "updatedAt"])

S["MyBooking"] = obj({
    "booking": ref("Booking"), "organizationName": {"type": "string"}, "classTypeName": {"type": "string"},
    "startsAt": DT, "endsAt": DT, "sessionStatus": ref("SessionStatus"), "locationName": nullable({"type": "string"}),
}, required=["booking", "organizationName", "classTypeName", "startsAt", "endsAt", "sessionStatus"])

S["MyBookingList"] = obj({
    "items": array(ref("MyBooking")),
    "nextCursor": nullable({"type": "string", "description": "Pass as `cursor` for the next page; absent on the last page."}),
}, required=["items"])

S["Subscription"] = obj({
    "id": UUID, "organizationId": UUID, "membershipId": UUID, "plan": ref("Plan"),
    "status": {"type": "string", "enum": SUBSCRIPTION_STATUS},
    "creditsGranted": nullable({"type": "integer"}), "creditsRemaining": nullable({"type": "integer"}),
    "startsAt": DT, "endsAt": nullable(DT), "createdAt": DT,
}, required=["id", "organizationId", "membershipId", "plan", "status", "startsAt", "createdAt"])

S["LedgerEntry"] = obj({
    "id": UUID, "kind": {"type": "string", "enum": LEDGER_KINDS}, "amount": {"type": "integer"},
    "bookingId": nullable(UUID), "reason": nullable({"type": "string"}), "createdAt": DT,
}, required=["id", "kind", "amount", "createdAt"])

S["Workout"] = obj({
    "id": UUID, "organizationId": UUID, "title": {"type": "string"}, "body": {"type": "string"}, "createdAt": DT, "updatedAt": DT,
}, required=["id", "organizationId", "title", "body", "createdAt", "updatedAt"])

S["WorkoutCreatedInline"] = obj({"workout": ref("Workout"), "session": ref("Session")}, required=["workout", "session"])

S["DailyProgramming"] = obj({
    "localDate": {"type": "string", "format": "date"},
    "programId": nullable(UUID),
    "workoutIds": array(UUID),
}, required=["localDate", "workoutIds"], description="One date's programming; org-wide when programId is absent.")

S["CheckinResult"] = obj({
    "booking": ref("Booking"),
    "alreadyCheckedIn": {"type": "boolean", "description": "The member was already checked in; nothing changed."},
    "walkIn": {"type": "boolean", "description": "The member had no place and was booked and checked in in one go."},
}, required=["booking", "alreadyCheckedIn", "walkIn"])

S["RosterEntry"] = obj({"booking": ref("Booking"), "name": {"type": "string"}, "email": {"type": "string"}},
                       required=["booking", "name", "email"])

S["NotificationPreferences"] = obj({"email": {"type": "boolean"}, "push": {"type": "boolean"}}, required=["email", "push"])

# The languages Frontdesk speaks (Swift: `Language`, Sources/FrontdeskServer/I18n/Language.swift).
LANGUAGES = ["en", "de"]
S["LanguageChoice"] = obj({
    "language": nullable({"type": "string", "enum": LANGUAGES,
                          "description": "The person's own language; null when none is chosen (the studio's default, then the "
                                         "browser's language decide; e-mails: the studio's default, then English)."}),
}, required=["language"], description="The signed-in person's own language for pages, e-mails and push messages (docs/i18n.md).")

S["PushTokenRegistration"] = obj({
    "id": UUID, "token": {"type": "string"}, "platform": nullable({"type": "string", "enum": PLATFORMS}), "createdAt": DT,
}, required=["id", "token", "createdAt"])

S["Display"] = obj({
    "id": UUID, "organizationId": UUID, "locationId": UUID, "name": {"type": "string"},
    "keyVersion": {"type": "integer"}, "revokedAt": nullable(DT), "createdAt": DT,
    "lastSeenAt": nullable({**DT, "description": "When the screen last polled its state or held its event stream (at most a minute behind); null: never."}),
}, required=["id", "organizationId", "locationId", "name", "keyVersion", "createdAt"])

S["DisplayWithURL"] = obj({
    "display": ref("Display"),
    "url": nullable({"type": "string", "description": "Signed screen URL (valid a year); absent once the display is revoked."}),
}, required=["display"])

S["BulkFilter"] = obj({
    "programId": nullable(UUID), "classTypeId": nullable(UUID), "locationId": nullable(UUID),
    "from": nullable({"type": "string", "format": "date"}), "to": nullable({"type": "string", "format": "date"}),
    "daysOfWeek": nullable(array({"type": "integer"})),
    "startTimes": nullable(array({"type": "string"})),
    "status": nullable(array(ref("SessionStatus"))),
    "seriesId": nullable({**UUID, "description": "The classes of one weekly series."}),
    "sessionIds": nullable(array(UUID, description="Exactly these classes (1-1000 ids of the studio's; another studio's id is 404)."
                                                   " The other fields narrow them further.")),
}, description="A validated bulk filter as the server echoes it (ids lower-cased, lists sorted and de-duplicated).")

S["BulkMatch"] = obj({
    "id": UUID, "startsAt": DT, "localDate": {"type": "string", "format": "date"},
    "localTime": {"type": "string", "description": "HH:mm in the org's zone"},
    "className": {"type": "string"}, "locationId": nullable(UUID), "status": ref("SessionStatus"),
    "confirmed": {"type": "integer"}, "waitlisted": {"type": "integer"}, "attended": {"type": "integer"},
}, required=["id", "startsAt", "localDate", "localTime", "className", "status", "confirmed", "waitlisted", "attended"])

S["BulkPreview"] = obj({
    "filter": ref("BulkFilter"),
    "fingerprint": {"type": "string", "description": "Present it to run an action on exactly these matches."},
    "totals": obj({k: {"type": "integer"} for k in ["sessions", "drafts", "published", "cancelled", "confirmed", "waitlisted", "attended"]},
                  required=["sessions", "drafts", "published", "cancelled", "confirmed", "waitlisted", "attended"]),
    "sessions": array(ref("BulkMatch")),
}, required=["filter", "fingerprint", "totals", "sessions"])

S["BulkBatchResult"] = obj({
    "batchId": UUID, "action": {"type": "string", "enum": BULK_ACTIONS},
    "changedSessions": {"type": "integer"}, "skippedSessions": {"type": "integer"},
    "cancelledBookings": {"type": "integer"}, "refundedCredits": {"type": "integer"},
    "sessionIds": array(UUID),
}, required=["batchId", "action", "changedSessions", "skippedSessions", "cancelledBookings", "refundedCredits", "sessionIds"])

S["PreviewChanged"] = {
    "allOf": [ref("Error"), obj({
        "error": obj({"code": {"type": "string", "enum": ["preview_changed"]}, "message": {"type": "string"}}, required=["code", "message"]),
        "preview": ref("BulkPreview"),
    }, required=["error", "preview"])],
    "description": "409 answer of a bulk action whose matches changed since the preview: the error plus the new preview.",
}

S["BulkBatchPayload"] = obj({
    "action": {"type": "string", "enum": BULK_ACTIONS + ["undo", "closure"]},
    "filter": nullable(ref("BulkFilter")),
    "fingerprint": nullable({"type": "string"}),
    "reason": nullable({"type": "string"}),
    "sessionIds": array(UUID, description="The sessions the batch changed."),
    "skippedSessionIds": array(UUID, description="Matched but left alone."),
    "cancelledBookings": {"type": "integer"},
    "refundedCredits": {"type": "integer"},
    "undoes": nullable({**UUID, "description": "For an undo: the batch it reverted."}),
    "seriesId": nullable({**UUID, "description": "The end of a weekly series: the series (an undo gives it its dates back)."}),
    "seriesLastDate": nullable({**LOCAL_DATE, "description": "The series' last date before it was ended (null: open-ended)."}),
}, required=["action", "sessionIds", "skippedSessionIds", "cancelledBookings", "refundedCredits"])

S["AuditBatch"] = obj({
    "batchId": UUID,
    "action": {"type": "string", "enum": AUDIT_ACTIONS},
    "actorMembershipId": nullable(UUID),
    "actorName": nullable({"type": "string"}),
    "createdAt": DT,
    "payload": ref("BulkBatchPayload"),
    "undoneBy": nullable({**UUID, "description": "The batch that undid this one."}),
}, required=["batchId", "action", "createdAt", "payload"])

S["AuditBatchList"] = obj({
    "items": array(ref("AuditBatch")),
    "nextCursor": nullable({"type": "string", "description": "Pass as `cursor` for the next page; absent on the last page."}),
}, required=["items"])

FIGURE_PROPS = {
    "sessions": {"type": "integer"}, "capacity": {"type": "integer"}, "booked": {"type": "integer"},
    "attended": {"type": "integer"}, "noShows": {"type": "integer"},
    "averageAttendance": {"type": "number", "description": "One decimal."},
    "fillPercent": {"type": "number", "description": "One decimal."},
    "noShowPercent": {"type": "number", "description": "One decimal."},
}
S["Figures"] = obj(FIGURE_PROPS, required=list(FIGURE_PROPS), description="Attendance figures (counts and ratios).")
S["DayFigures"] = obj({"date": {"type": "string", "format": "date"}, **FIGURE_PROPS}, required=["date"] + list(FIGURE_PROPS),
                      description="One org-local day's figures (the Figures keys next to `date`).")
S["AttendanceSummary"] = obj({
    "days": {"type": "integer"}, "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
    "timezone": {"type": "string"}, "summary": ref("Figures"),
}, required=["days", "from", "to", "timezone", "summary"])
S["AttendanceDaily"] = obj({
    "days": {"type": "integer"}, "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
    "timezone": {"type": "string"}, "items": array(ref("DayFigures")),
}, required=["days", "from", "to", "timezone", "items"])

# ---------------------------------------------------------------- component schemas (requests)

COLOR = {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$", "description": "#RRGGBB (stored lower-cased)"}
LAT = {"type": "number", "minimum": -90, "maximum": 90}
LON = {"type": "number", "minimum": -180, "maximum": 180}
START_2000_2100 = {"type": "string", "pattern": r"^20[0-9]{2}-" + MMDD + TIME_OFFSET,
                   "description": "ISO-8601 instant with offset between 2000 and 2100, e.g. 2026-11-20T18:00:00+01:00 (else 400 invalid_field)."}

S["TimeZoneName"] = TIMEZONE
S["LoginRequest"] = obj({"email": {"type": "string"}, "password": {"type": "string"}}, required=["email", "password"])

ORG_SETTINGS = {
    "name": name_schema(200),
    "timezone": ref("TimeZoneName"),
    "cancellationWindowHours": integer(0, 336),
    "allowLateCancellation": {"type": "boolean"},
    "paymentProvider": nullable({"type": "string", "enum": PAYMENT_PROVIDERS, "description": "null: no payment provider."}),
    "latitude": nullable(LAT),
    "longitude": nullable(LON),
    "primaryColor": COLOR,
    "checkinOpensMinutesBefore": integer(0, 240),
    "checkinGraceSeconds": integer(0, 120),
    "gpsMaxMeters": integer(10, 5000),
    "gpsMaxAccuracyMeters": integer(5, 5000),
    "noShowGraceMinutes": integer(0, 1440),
    "bookingOpensDaysBefore": nullable(integer(1, 365)),
    "waitlistCutoffMinutes": integer(0, 1440),
}
S["OrganizationCreate"] = obj(ORG_SETTINGS, required=["name", "timezone"],
                              dependentRequired={"latitude": ["longitude"], "longitude": ["latitude"]},
                              description="latitude and longitude go together (both numbers or both absent/null).")
S["OrganizationUpdate"] = obj(ORG_SETTINGS, description="Every field optional; only paymentProvider, latitude, longitude and "
                              "bookingOpensDaysBefore may be null (cleared). After the change latitude and longitude must be both set or both unset.")

EMAIL = {"type": "string", "maxLength": 254,
         "pattern": rf"^[^@\s{CTRL}]+@[^@\s.{CTRL}][^@\s{CTRL}]*\.[^@\s{CTRL}]*[^@\s.{CTRL}]$"}
S["MemberAdd"] = obj({
    "email": EMAIL,
    "name": nullable(name_schema(200, "Only greets the person in the invitation e-mail.")),
    "role": nullable({"type": "string", "enum": ROLES, "description": "Default member; only an owner may invite an owner."}),
    "password": {"not": {}, "description": "Read only to be refused: 400 `password_not_allowed` (nobody chooses another person's password)."},
}, required=["email"], description="Sends an invitation; a `password` field is refused with 400 `password_not_allowed`.")
PASSWORD = {"type": "string", "minLength": 8, "maxLength": 72, "description": "8 characters to 72 UTF-8 bytes."}
TOKEN = {"type": "string", "minLength": 1, "maxLength": 128}
S["EmailRequest"] = obj({"email": EMAIL}, required=["email"])
S["PasswordResetConfirm"] = obj({"token": TOKEN, "password": PASSWORD}, required=["token", "password"])
S["PasswordChange"] = obj({"currentPassword": {"type": "string"}, "newPassword": PASSWORD}, required=["currentPassword", "newPassword"])
S["TokenRequest"] = obj({"token": TOKEN}, required=["token"])
S["InvitationAccept"] = obj({"token": TOKEN, "name": nullable(name_schema(200)), "password": nullable(PASSWORD)}, required=["token"],
                            description="Signed in: accepts as that user (the invited address). Signed out: name and password create the account.")
S["InvitationCreate"] = obj({"email": EMAIL, "role": nullable({"type": "string", "enum": ROLES}), "name": nullable(name_schema(200))},
                            required=["email"])
S["SignupUpdate"] = obj({"enabled": {"type": "boolean"}}, required=["enabled"])
S["JoinRequest"] = obj({"name": name_schema(200), "email": EMAIL, "password": PASSWORD}, required=["name", "email", "password"])
S["MemberUpdate"] = obj({"role": nullable({"type": "string", "enum": ROLES}), "status": nullable({"type": "string", "enum": MEMBERSHIP_STATUS})})

S["ProgramCreate"] = obj({"name": name_schema(200), "deliveryMode": nullable({"type": "string", "enum": DELIVERY_MODES})},
                         required=["name"])
S["ProgramUpdate"] = obj({"name": nullable(name_schema(200)), "deliveryMode": nullable({"type": "string", "enum": DELIVERY_MODES})},
                         description="Absent or null fields stay as they are.")

CT_FIELDS = {
    "description": nullable({"type": "string", "description": "Empty clears it; longer than 2000 characters is truncated."}),
    "defaultCapacity": nullable(integer(1, 1000)),
    "defaultDurationMin": nullable(integer(1, 1440)),
    "color": nullable(COLOR),
}
S["ClassTypeCreate"] = obj({"programId": UUID, "name": name_schema(200), **CT_FIELDS}, required=["programId", "name"])
S["ClassTypeUpdate"] = obj({"programId": nullable(UUID), "name": nullable(name_schema(200)), **CT_FIELDS},
                           description="Absent or null fields stay as they are.")

LOC_FIELDS = {
    "address": nullable({"type": "string", "description": "null or empty clears it; truncated to 500 characters."}),
    "latitude": nullable(LAT), "longitude": nullable(LON),
}
S["LocationCreate"] = obj({"name": name_schema(200), **LOC_FIELDS}, required=["name"],
                          dependentRequired={"latitude": ["longitude"], "longitude": ["latitude"]})
S["LocationUpdate"] = obj({"name": name_schema(200), **LOC_FIELDS},
                          description="name may not be null; null address/latitude/longitude clear them. After the change "
                                      "latitude and longitude must be both set or both unset.")

S["SessionCreate"] = obj({
    "classTypeId": UUID,
    "startsAt": START_2000_2100,
    "locationId": nullable(UUID),
    "coachMembershipId": nullable({**UUID, "description": "An active owner, admin or coach of the org."}),
    "durationMin": nullable(integer(1, 1440, "Default: the class type's.")),
    "capacity": nullable(integer(1, 1000, "Default: the class type's.")),
    "force": nullable({"type": "boolean", "description": "Schedule it even when its coach or location is busy then (audited)."}),
}, required=["classTypeId", "startsAt"])
S["SessionUpdate"] = obj({
    "classTypeId": UUID,
    "locationId": nullable({**UUID, "description": "null clears the location."}),
    "coachMembershipId": nullable({**UUID, "description": "null clears the coach."}),
    "startsAt": START_2000_2100,
    "durationMin": integer(1, 1440),
    "capacity": integer(1, 1000, "Below the booked count only with force: true (else 409 capacity_below_booked)."),
    "force": nullable({"type": "boolean"}),
}, description="Absent fields stay as they are; only locationId, coachMembershipId and force may be null.")
S["SessionCancel"] = obj({
    "reason": nullable({"type": "string", "maxLength": 500,
                        "pattern": rf"^(|[^{CTRL}]*[^\s{CTRL}][^{CTRL}]*)$",
                        "description": "Empty or null: no reason."}),
})

SESSION_STATUS_INPUT = {"anyOf": [
    {"type": "string", "enum": SESSION_STATUS},
    {"type": "array", "items": {"type": "string", "enum": SESSION_STATUS}, "minItems": 1},
    {"type": "null"},
], "description": "One status or a non-empty list."}
FILTER_FIELDS = {
    "programId": nullable(UUID), "classTypeId": nullable(UUID), "locationId": nullable(UUID),
    "from": nullable({**LOCAL_DATE, "description": "Org-local date, inclusive."}),
    "to": nullable({**LOCAL_DATE, "description": "Org-local date, inclusive; not before from, at most 731 days after it."}),
    "daysOfWeek": nullable(array(integer(1, 7), minItems=1, description="ISO weekdays, 1 = Monday … 7 = Sunday.")),
    "startTimes": nullable(array({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}, minItems=1, maxItems=96,
                                 description="Org-local wall-clock start times HH:mm.")),
    "status": SESSION_STATUS_INPUT,
    "seriesId": nullable({**UUID, "description": "The classes of one weekly series (another studio's is 404)."}),
    "sessionIds": nullable(array(UUID, minItems=1, maxItems=1000,
                                 description="Exactly these classes (ticked on the timetable page); another studio's id is 404.")),
}
S["BulkFilterInput"] = obj(FILTER_FIELDS, anyOf=[
    {"required": ["programId"], "properties": {"programId": {"type": "string"}}},
    {"required": ["classTypeId"], "properties": {"classTypeId": {"type": "string"}}},
    {"required": ["locationId"], "properties": {"locationId": {"type": "string"}}},
    {"required": ["from"], "properties": {"from": {"type": "string"}}},
    {"required": ["to"], "properties": {"to": {"type": "string"}}},
    {"required": ["daysOfWeek"], "properties": {"daysOfWeek": {"type": "array"}}},
    {"required": ["startTimes"], "properties": {"startTimes": {"type": "array"}}},
    {"required": ["status"], "properties": {"status": {"type": ["string", "array"]}}},
    {"required": ["seriesId"], "properties": {"seriesId": {"type": "string"}}},
    {"required": ["sessionIds"], "properties": {"sessionIds": {"type": "array"}}},
], description="Which sessions a bulk operation touches; every field narrows the match and at least one must be given (non-null).")
S["BulkPreviewRequest"] = obj({"filter": ref("BulkFilterInput")}, required=["filter"])
S["BulkExecuteRequest"] = obj({
    "filter": ref("BulkFilterInput"),
    "fingerprint": {"type": "string", "minLength": 1, "maxLength": 128, "description": "The fingerprint of the preview checked."},
    "confirm": {"type": "boolean", "const": True},
    "reason": nullable(name_schema(500, "Cancel only (validated for every action).")),
}, required=["filter", "fingerprint", "confirm"])

S["WorkoutCreate"] = obj({"title": name_schema(200), "body": nullable({"type": "string", "maxLength": 20000})}, required=["title"])
S["WorkoutUpdate"] = obj({"title": nullable(name_schema(200)), "body": nullable({"type": "string", "maxLength": 20000})},
                         description="Absent or null fields stay as they are.")
WORKOUT_IDS = array(UUID, maxItems=50, uniqueItems=True, description="Ordered; at most 50, no repeats.")
S["SessionWorkoutsUpdate"] = obj({"workoutIds": WORKOUT_IDS, "programId": nullable({**UUID, "description": "Ignored here."})},
                                 required=["workoutIds"])
S["DailyProgrammingUpdate"] = obj({"workoutIds": WORKOUT_IDS, "programId": nullable({**UUID, "description": "null: org-wide programming."})},
                                  required=["workoutIds"])

S["BookingCreate"] = obj({
    "membershipId": nullable({**UUID, "description": "Staff only: book on behalf of this member."}),
    "overrideCapacity": nullable({"type": "boolean", "description": "Staff only: confirm beyond capacity."}),
})

PLAN_FIELDS = {
    "classCredits": nullable(integer(0, 10000, "null: unlimited.")),
    "maxBookingsPerDay": nullable(integer(1, 50)),
    "maxBookingsPerWeek": nullable(integer(1, 200)),
    "allowOverlappingBookings": {"type": "boolean"},
    "priceCents": nullable(integer(0, 100000000)),
}
S["PlanCreate"] = obj({"name": name_schema(200), **PLAN_FIELDS}, required=["name"])
S["PlanUpdate"] = obj({"name": name_schema(200), **PLAN_FIELDS},
                      description="Absent fields stay as they are; null clears the nullable ones (name and allowOverlappingBookings may not be null).")
S["SubscriptionCreate"] = obj({
    "planId": {**UUID, "description": "An active plan of the org."},
    "credits": nullable(integer(0, 10000, "Default: the plan's credits (ignored for unlimited plans).")),
    "startsAt": nullable({**INSTANT, "description": "ISO-8601 instant with offset; default now."}),
    "endsAt": nullable({**INSTANT, "description": "ISO-8601 instant with offset; must be after startsAt."}),
}, required=["planId"])
S["SubscriptionStatusUpdate"] = obj({"status": {"type": "string", "enum": SUBSCRIPTION_STATUS}}, required=["status"])
S["CreditAdjustment"] = obj({
    "amount": {"type": "integer", "minimum": -10000, "maximum": 10000, "not": {"const": 0}, "description": "Non-zero."},
    "reason": nullable(name_schema(500)),
}, required=["amount"])

S["SelfCheckin"] = obj({
    "token": nullable({"type": "string", "description": "The QR token from the display."}),
    "proof": nullable({"type": "string", "description": "A proof of scan (valid 10 minutes)."}),
    "latitude": nullable({"type": "number", "minimum": -90, "maximum": 90}),
    "longitude": nullable({"type": "number", "minimum": -180, "maximum": 180}),
    "accuracyMeters": nullable({"type": "number", "minimum": 0,
                                "description": "Required with coordinates; at most the org's gpsMaxAccuracyMeters."}),
}, anyOf=[
    {"required": ["token"], "properties": {"token": {"type": "string"}}},
    {"required": ["proof"], "properties": {"proof": {"type": "string"}}},
    {"required": ["latitude", "longitude", "accuracyMeters"],
     "properties": {"latitude": {"type": "number"}, "longitude": {"type": "number"}, "accuracyMeters": {"type": "number"}}},
], description="One of: a QR token, a proof of scan, or GPS coordinates with accuracy (tried in that order).")
S["StaffCheckin"] = obj({
    "bookingId": nullable({**UUID, "description": "A booking of this session."}),
    "membershipId": nullable(UUID),
    "overrideCapacity": nullable({"type": "boolean", "description": "Allow a walk-in into a full class."}),
}, anyOf=[
    {"required": ["bookingId"], "properties": {"bookingId": {"type": "string"}}},
    {"required": ["membershipId"], "properties": {"membershipId": {"type": "string"}}},
], description="bookingId or membershipId is required.")

S["NotificationPreferencesUpdate"] = obj({"email": nullable({"type": "boolean"}), "push": nullable({"type": "boolean"})}, anyOf=[
    {"required": ["email"], "properties": {"email": {"type": "boolean"}}},
    {"required": ["push"], "properties": {"push": {"type": "boolean"}}},
], description="Either channel may be left out (unchanged), not both.")
S["PushTokenCreate"] = obj({
    "token": {"type": "string", "maxLength": 200, "pattern": r"^(ExponentPushToken|ExpoPushToken)\[[\x21-\x7e]*\]$",
              "description": "An Expo push token, ExponentPushToken[…]; 1–200 UTF-8 bytes, no spaces or control characters."},
    "platform": nullable({"type": "string", "enum": PLATFORMS}),
}, required=["token"])

S["LanguageChoiceUpdate"] = obj({
    "language": nullable({"type": "string", "enum": LANGUAGES, "description": "A language code, or null to clear the choice."}),
}, required=["language"], description="`language` must be present: a code Frontdesk speaks, or null for no choice.")

S["DisplayCreate"] = obj({
    "locationId": UUID,
    "name": nullable(name_schema(200, "Default: \"Check-in screen\".")),
}, required=["locationId"])

# The server refuses any body holding a NUL character (400 invalid_text) and ignores unknown keys.
NO_NUL = r"^[^\x00]*$"
S["JsonValueWithoutNul"] = {
    "description": "Any JSON value without NUL characters (the server ignores unknown keys but refuses NUL anywhere in a body).",
    "pattern": NO_NUL,
    "items": ref("JsonValueWithoutNul"),
    "propertyNames": {"pattern": NO_NUL},
    "additionalProperties": ref("JsonValueWithoutNul"),
}
REQUEST_SCHEMAS = ["EmailRequest", "PasswordResetConfirm", "PasswordChange", "TokenRequest", "InvitationAccept", "InvitationCreate",
                   "SignupUpdate", "JoinRequest", "LoginRequest", "OrganizationCreate", "OrganizationUpdate", "MemberAdd", "MemberUpdate", "ProgramCreate",
                   "ProgramUpdate", "ClassTypeCreate", "ClassTypeUpdate", "LocationCreate", "LocationUpdate", "SessionCreate",
                   "SessionUpdate", "SessionCancel", "BulkFilterInput", "BulkPreviewRequest", "BulkExecuteRequest", "WorkoutCreate",
                   "WorkoutUpdate", "SessionWorkoutsUpdate", "DailyProgrammingUpdate", "BookingCreate", "PlanCreate", "PlanUpdate",
                   "SubscriptionCreate", "SubscriptionStatusUpdate", "CreditAdjustment", "SelfCheckin", "StaffCheckin",
                   "NotificationPreferencesUpdate", "PushTokenCreate", "DisplayCreate", "LanguageChoiceUpdate"]
for _name in REQUEST_SCHEMAS:
    S[_name]["propertyNames"] = {"pattern": NO_NUL}
    S[_name]["additionalProperties"] = ref("JsonValueWithoutNul")


def _no_nul_strings(schema):
    """Free-text request strings: no NUL."""
    if isinstance(schema, dict):
        t = schema.get("type")
        if (t == "string" or (isinstance(t, list) and "string" in t)) and "pattern" not in schema and "enum" not in schema \
                and "format" not in schema and "const" not in schema:
            schema["pattern"] = NO_NUL
        for k, v in schema.items():
            if k not in ("propertyNames",):
                _no_nul_strings(v)
    elif isinstance(schema, list):
        for v in schema:
            _no_nul_strings(v)


for _name in REQUEST_SCHEMAS:
    _no_nul_strings(S[_name])

# ---------------------------------------------------------------- operations

ERR_DESC = {
    "400": "Malformed or out-of-range input",
    "401": "No valid credentials (`unauthorized`)",
    "402": "Payment required",
    "403": "Forbidden",
    "404": "Not found (unknown ids and other organizations' ids alike)",
    "409": "Conflict with the current state",
    "413": "Request body larger than 1 MiB (`payload_too_large`)",
    "422": "`idempotency_key_reused`: this Idempotency-Key was used for a different request",
    "429": "Too many requests (`rate_limited`)",
    "503": "Database busy (`busy`) or unreachable (`database_unavailable`); retry after `Retry-After` seconds",
}

BODY_400 = "`invalid_json`, `invalid_type`, `missing_field`, `invalid_field`, `invalid_text`"
CSRF_403 = "`csrf_failed` (cookie auth without a matching X-CSRF-Token)"


def err(status, detail=None):
    desc = ERR_DESC[status]
    if detail:
        desc += ": " + detail
    r = {"description": desc, "content": {"application/json": {"schema": ref("Error")}}}
    if status == "503":
        r["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}
    return r


def ok(schema_name, status="200", description="OK", headers=None, extra_content=None):
    content = {"application/json": {"schema": ref(schema_name)}}
    if extra_content:
        content.update(extra_content)
    r = {"description": description, "content": content}
    if headers:
        r["headers"] = headers
    return {status: r}


def no_content(description="No content"):
    return {"204": {"description": description}}


PATH_PARAMS = {
    "org": "Organization id.",
    "membership": "Membership id.",
    "invitation": "Invitation id.",
    "id": "Id of the program, class type, location or workout.",
    "session": "Session id.",
    "series": "Series id.",
    "closure": "Closure id.",
    "batch": "Audit batch id.",
    "plan": "Plan id.",
    "subscription": "Subscription id.",
    "booking": "Booking id.",
    "device": "Push token registration id.",
    "display": "Display id.",
}


def path_param(name):
    if name == "date":
        return {"name": "date", "in": "path", "required": True, "description": "Org-local date YYYY-MM-DD (else 400 `invalid_date`).",
                "schema": LOCAL_DATE}
    return {"name": name, "in": "path", "required": True,
            "description": PATH_PARAMS[name] + " Anything but an id this server issued answers 404.",
            "schema": UUID}


def query(name, schema, description):
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


LIMIT = query("limit", integer(1, 100), "Page size, 1…100 (default 20); anything else 400 `invalid_query`.")
CURSOR = query("cursor", {"type": "string", "maxLength": 200},
               "`nextCursor` of the previous page; anything this server did not issue is 400 `invalid_cursor`.")
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "description": "1–200 visible ASCII characters (else 400 `invalid_idempotency_key`). A replay answers 200 with the first "
                              "result and `Idempotent-Replayed: true`; the same key on another request is 422.",
               "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"^[\x21-\x7e]+$"}}
REPLAYED = {"Idempotent-Replayed": {"description": "`true` when the answer is the stored result of an earlier request with the same Idempotency-Key.",
                                    "schema": {"type": "string", "enum": ["true"]}}}

OPS = []  # (method, path, spec)


def op(method, path, op_id, summary, tag, responses, *, body=None, body_required=True, params=(), errors=None,
       description=None, secured=True):
    """`path` in the server's registration form (`:param`)."""
    names = re.findall(r":(\w+)", path)
    spec = {"operationId": op_id, "summary": summary, "tags": [tag]}
    if description:
        spec["description"] = description
    parameters = [path_param(n) for n in names] + list(params)
    if parameters:
        spec["parameters"] = parameters
    if body:
        spec["requestBody"] = {"required": body_required, "content": {"application/json": {"schema": ref(body)}}}
    resp = dict(responses)
    for status, detail in (errors or {}).items():
        resp[status] = err(status, detail)
    if secured:
        resp.setdefault("401", err("401"))
    resp.setdefault("503", err("503"))
    resp["default"] = {"description": "Any other failure (405 `method_not_allowed`, 500 `internal_error`, …)",
                       "content": {"application/json": {"schema": ref("Error")}}}
    spec["responses"] = dict(sorted(resp.items(), key=lambda kv: (kv[0] == "default", kv[0])))
    if not secured:
        spec["security"] = []
    OPS.append((method, path, spec))


def errs(*pairs, body=False, csrf=None, org=False, role=None, notfound=None):
    """Builds the error map. body: decodes a JSON body (400/413); csrf: state-changing (403);
    org: org-scoped access (404 unknown org / not a member, 403 suspended); role: extra 403 detail."""
    e = {}
    f403 = []
    if csrf:
        f403.append(CSRF_403)
    if org:
        f403.append("`membership_suspended`")
    if role:
        f403.append(role)
    if f403:
        e["403"] = ", ".join(f403)
    if body:
        e["400"] = BODY_400
        e["413"] = None
    nf = []
    if org:
        nf.append("organization")
    if notfound:
        nf.append(notfound)
    if nf:
        e["404"] = ", ".join(nf)
    for k, v in pairs:
        if k in e and v:
            e[k] = (e[k] + ", " + v) if e[k] else v
        else:
            e[k] = v
    return e


MGR = "`forbidden` (owner/admin only)"
STAFF = "`forbidden` (staff only: owner, admin or coach)"

# --- Accounts
op("POST", "/api/auth/login", "login", "Log in", "Auth",
   ok("LoginResponse", description="Logged in: the token, and `fd_session` (HttpOnly) and `fd_csrf` cookies set.",
      headers={"Set-Cookie": {"description": "`fd_session` and `fd_csrf` cookies.", "schema": {"type": "string"}}}),
   body="LoginRequest", secured=False,
   errors=errs(("401", "`invalid_credentials`"), ("429", "too many login attempts"), body=True, csrf=True),
   description="No authentication needed. Throttled per client address and per account (15-minute windows).")
op("POST", "/api/auth/logout", "logout", "Log out (ends the session, clears the cookies)", "Auth", no_content("Logged out"),
   errors=errs(csrf=True))
op("GET", "/api/me", "getMe", "The signed-in user and their memberships", "Auth", ok("Me"))
op("POST", "/api/auth/password-reset", "requestPasswordReset", "E-mail a password-reset link (always 202)", "Auth",
   ok("AcceptedNotice", "202", "Accepted (the same answer whether or not the address has an account)"), body="EmailRequest",
   secured=False, errors=errs(body=True))
op("POST", "/api/auth/password-reset/confirm", "confirmPasswordReset", "Set a new password with a reset link's token", "Auth",
   no_content("Password set; every session of the user ended"), body="PasswordResetConfirm", secured=False,
   errors=errs(("404", "`link_invalid`"), body=True))
op("POST", "/api/auth/password", "changePassword", "Change the signed-in user's password (other sessions end)", "Auth",
   no_content("Password changed"), body="PasswordChange", errors=errs(("403", "`wrong_password`, " + "`csrf_failed`"), body=True))
op("POST", "/api/auth/verify-email", "requestEmailVerification", "E-mail the signed-in user a verification link", "Auth",
   ok("AcceptedNotice", "202", "Accepted"), errors=errs(("409", "`already_verified`"), ("429", "too many links"), csrf=True))
op("POST", "/api/auth/verify-email/confirm", "confirmEmailVerification", "Verify an address with a link's token", "Auth",
   no_content("Verified"), body="TokenRequest", secured=False, errors=errs(("404", "`link_invalid`"), body=True))
op("POST", "/api/invitations/accept", "acceptInvitation", "Accept an invitation", "Members",
   ok("InvitationAccepted", "201", "Created"), body="InvitationAccept", secured=False,
   errors=errs(("403", "`invitation_wrong_account`, `csrf_failed`"), ("404", "`invitation_invalid`"), ("409", "`account_exists`"), body=True))
op("POST", "/api/join/:org", "join", "Sign up to a studio's join page (an e-mailed link completes it)", "Members",
   ok("AcceptedNotice", "202", "Accepted"), body="JoinRequest", secured=False,
   errors=errs(("404", "the studio does not take sign-ups"), body=True))

# --- Organizations
op("POST", "/api/orgs", "createOrganization", "Create an organization (the caller becomes its owner)", "Organizations",
   ok("OrganizationCreated", "201", "Created"), body="OrganizationCreate", errors=errs(("403", "`org_creation_disabled` (the default: "
   "studios are made with `frontdesk org create`), `csrf_failed`"), body=True),
   description="Only when the server's `orgCreation` is `anyone`; the studio sends no mail until its owner's address is verified.")
op("GET", "/api/orgs/:org", "getOrganization", "An organization the caller belongs to", "Organizations",
   ok("Organization"), errors=errs(org=True))
op("PATCH", "/api/orgs/:org", "updateOrganization", "Change an organization's settings (owner/admin)", "Organizations",
   ok("Organization"), body="OrganizationUpdate", errors=errs(body=True, csrf=True, org=True, role=MGR))

# --- Members
op("GET", "/api/orgs/:org/members", "listMembers", "Members of the organization (staff)", "Members",
   ok("MemberList"), errors=errs(org=True, role=STAFF))
op("POST", "/api/orgs/:org/members", "addMember", "Invite a person by e-mail (owner/admin)", "Members",
   ok("MemberAdded", "201", "Created"), body="MemberAdd",
   errors=errs(("400", "`password_not_allowed`"), ("409", "`already_member`, `already_invited`"), body=True, csrf=True, org=True,
               role=MGR + ", only an owner can invite an owner, `mail_held`"))
op("GET", "/api/orgs/:org/invitations", "listInvitations", "Pending invitations (staff)", "Members",
   ok("InvitationList"), errors=errs(org=True, role=STAFF))
op("POST", "/api/orgs/:org/invitations", "createInvitation", "Invite a person by e-mail (owner/admin)", "Members",
   ok("Invitation", "201", "Created"), body="InvitationCreate",
   errors=errs(("409", "`already_member`, `already_invited`"), body=True, csrf=True, org=True, role=MGR + ", `mail_held`"))
op("POST", "/api/orgs/:org/invitations/:invitation/resend", "resendInvitation", "Send a fresh link (the old one stops working)", "Members",
   ok("Invitation"), errors=errs(("409", "`invitation_closed`"), ("429", "sent too often"), csrf=True, org=True, role=MGR,
                                 notfound="invitation"))
op("POST", "/api/orgs/:org/invitations/:invitation/revoke", "revokeInvitation", "Withdraw a pending invitation", "Members",
   ok("Invitation"), errors=errs(("409", "`invitation_closed`"), csrf=True, org=True, role=MGR, notfound="invitation"))
op("GET", "/api/orgs/:org/signup", "getSignup", "Whether the studio's join page takes sign-ups (staff)", "Members",
   ok("SignupSetting"), errors=errs(org=True, role=STAFF))
op("PUT", "/api/orgs/:org/signup", "setSignup", "Turn the join page on or off (owner/admin)", "Members",
   ok("SignupSetting"), body="SignupUpdate", errors=errs(body=True, csrf=True, org=True, role=MGR))
op("GET", "/api/orgs/:org/members/:membership", "getMember", "One member (staff)", "Members",
   ok("Member"), errors=errs(org=True, role=STAFF, notfound="member"))
op("PATCH", "/api/orgs/:org/members/:membership", "updateMember", "Change a member's role and/or status (owner/admin)", "Members",
   ok("Member"), body="MemberUpdate",
   errors=errs(("409", "`last_owner`"), body=True, csrf=True, org=True, role=MGR + ", only an owner can change an owner or grant owner",
               notfound="member"))
op("POST", "/api/orgs/:org/members/:membership/suspend", "suspendMember", "Suspend a member (owner/admin)", "Members",
   ok("Member"), errors=errs(("409", "`last_owner`"), csrf=True, org=True, role=MGR + ", only an owner can change an owner",
                             notfound="member"))
op("POST", "/api/orgs/:org/members/:membership/reactivate", "reactivateMember", "Reactivate a member (owner/admin)", "Members",
   ok("Member"), errors=errs(csrf=True, org=True, role=MGR + ", only an owner can change an owner", notfound="member"))

# --- Catalog
for plural, single, schema, extra_create_404, del_409 in [
    ("programs", "Program", "Program", None, "`program_in_use` (it still has class types)"),
    ("class-types", "ClassType", "ClassType", "program", None),
    ("locations", "Location", "Location", None, None),
]:
    human = {"Program": "program", "ClassType": "class type", "Location": "location"}[single]
    op("GET", f"/api/orgs/:org/{plural}", f"list{single}s", f"List {human}s (staff)", "Catalog",
       ok(f"{schema}List"), errors=errs(org=True, role=STAFF))
    op("POST", f"/api/orgs/:org/{plural}", f"create{single}", f"Create a {human} (owner/admin)", "Catalog",
       ok(schema, "201", "Created"), body=f"{single}Create",
       errors=errs(body=True, csrf=True, org=True, role=MGR, notfound=extra_create_404))
    op("GET", f"/api/orgs/:org/{plural}/:id", f"get{single}", f"One {human} (staff)", "Catalog",
       ok(schema), errors=errs(org=True, role=STAFF, notfound=human))
    op("PATCH", f"/api/orgs/:org/{plural}/:id", f"update{single}", f"Change a {human} (owner/admin)", "Catalog",
       ok(schema), body=f"{single}Update",
       errors=errs(body=True, csrf=True, org=True, role=MGR, notfound=human + (", program" if extra_create_404 else "")))
    e = errs(csrf=True, org=True, role=MGR, notfound=human)
    if del_409:
        e["409"] = del_409
    op("DELETE", f"/api/orgs/:org/{plural}/:id", f"delete{single}", f"Delete a {human} (soft; owner/admin)", "Catalog",
       no_content("Deleted"), errors=e)

# --- Sessions
RANGE_Q = [
    query("from", {"anyOf": [LOCAL_DATE, INSTANT]},
          "ISO-8601 instant with offset, or org-local date YYYY-MM-DD (its start). Default: start of today (org-local)."),
    query("to", {"anyOf": [LOCAL_DATE, INSTANT]},
          "ISO-8601 instant with offset, or org-local date YYYY-MM-DD (that whole day included). Default: 7 days after from. "
          "from must be before to and the range at most 62 days."),
]
op("GET", "/api/orgs/:org/sessions", "listSessions", "The schedule: sessions starting in [from, to)", "Sessions",
   ok("SessionList"), params=RANGE_Q,
   errors=errs(("400", "`invalid_query`, `invalid_range`, `range_too_long`"), org=True),
   description="Members see published sessions of schedule-mode programs plus sessions they hold an active booking for; "
               "staff see everything. Members get `bookingEligibility` per session.")
op("POST", "/api/orgs/:org/sessions", "createSession", "Create a draft session (staff)", "Sessions",
   ok("Session", "201", "Created"), body="SessionCreate",
   errors=errs(("400", "`invalid_coach`"), ("409", "`coach_busy`, `room_busy` (unless force)"), body=True, csrf=True, org=True,
               role=STAFF, notfound="class type, location, coach"))
op("GET", "/api/orgs/:org/sessions/today", "listTodaySessions", "Today's sessions (org-local) with resolved workouts", "Sessions",
   ok("TodayList"), errors=errs(org=True))
op("GET", "/api/sessions/:session", "getSession", "One session with resolved workouts", "Sessions",
   ok("Session"), errors=errs(org=True, notfound="session (also one a member may not see)"))
op("PATCH", "/api/sessions/:session", "updateSession", "Edit a session (staff)", "Sessions",
   ok("Session"), body="SessionUpdate",
   errors=errs(("400", "`invalid_coach`"), ("409", "`session_cancelled`, `capacity_below_booked`, `coach_busy`, `room_busy`"), body=True,
               csrf=True, org=True, role=STAFF + "; `coach_edits_drafts_only` (a coach editing a published class)",
               notfound="session, class type, location, coach"),
   description="Members booked (confirmed or waitlisted) are told of a new start, location or coach (`class_changed`).")
op("DELETE", "/api/sessions/:session", "deleteSession", "Delete a session; its active bookings are cancelled and refunded (owner/admin)",
   "Sessions", no_content("Deleted"), errors=errs(csrf=True, org=True, role=MGR, notfound="session"))
op("POST", "/api/sessions/:session/publish", "publishSession", "Publish a session (owner/admin)", "Sessions",
   ok("Session"), errors=errs(("409", "`session_cancelled`"), csrf=True, org=True, role=MGR, notfound="session"))
op("POST", "/api/sessions/:session/unpublish", "unpublishSession", "Back to draft (owner/admin)", "Sessions",
   ok("Session"), errors=errs(("409", "`session_cancelled`, `session_has_bookings` (cancel it instead)"), csrf=True, org=True, role=MGR,
                              notfound="session"))
op("POST", "/api/sessions/:session/cancel", "cancelSession", "Cancel a published session (owner/admin)", "Sessions",
   ok("SessionCancelled"), body="SessionCancel", body_required=False,
   errors=errs(("409", "`not_published`"), body=True, csrf=True, org=True, role=MGR, notfound="session"),
   description="Bookings are cancelled, charged credits refunded and members notified. Cancelling twice answers the same session. "
               "The body is optional.")

# --- The audit log of single actions (issue 17)
ATTENDANCE_409 = ("`attendance_not_open` (before the check-in window opens), `attendance_closed` (more than "
                  "staffAttendanceHoursAfterEnd, default 24, after the class ended)")
S["AuditEntry"] = obj({
    "id": UUID,
    "action": {"type": "string", "description": "e.g. session.update, session.cancel, attendance.check_in, credits.adjust, "
                                                "member.role_change, invitation.create, or a batch's sessions.bulk_*."},
    "createdAt": DT,
    "actorMembershipId": nullable(UUID),
    "actorName": nullable({"type": "string"}),
    "entityType": nullable({"type": "string", "description": "session, booking, subscription, membership, invitation or batch."}),
    "entityId": nullable(UUID),
    "subjectMembershipId": nullable({**UUID, "description": "The member the action concerns."}),
    "subjectName": nullable({"type": "string"}),
    "batchId": nullable(UUID),
    "payload": {"description": "`before`/`after` of the changed fields and the action's details, or a batch's payload."},
}, required=["id", "action", "createdAt", "payload"])
S["AuditEntryList"] = obj({
    "items": array(ref("AuditEntry")),
    "nextCursor": nullable({"type": "string", "description": "Pass as `cursor` for the next page; absent on the last page."}),
}, required=["items"])
op("GET", "/api/orgs/:org/audit", "listAuditLog", "The studio's audit log, newest first (owner/admin)", "Audit",
   ok("AuditEntryList"),
   params=[query("sessionId", UUID, "One class: its own entries, its bookings' and the bulk batches that changed it."),
           query("membershipId", UUID, "One member: the entries about them."),
           query("action", {"type": "string", "maxLength": 100, "pattern": "^[a-z_.]+$"},
                 "An action (`session.cancel`) or, without a dot, a family (`attendance`)."),
           LIMIT, CURSOR],
   errors=errs(("400", "`invalid_query`, `invalid_cursor`"), org=True, role=MGR, notfound="session or member of the filter"))

# --- The weekly timetable and closures (issue 17)
WEEKDAYS = array(integer(1, 7), minItems=1, maxItems=7, description="ISO weekdays, 1 = Monday … 7 = Sunday.")
CLOCK = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "description": "Local wall-clock time HH:mm."}
S["Series"] = obj({
    "id": UUID, "organizationId": UUID, "classTypeId": UUID, "locationId": nullable(UUID), "coachMembershipId": nullable(UUID),
    "capacity": {"type": "integer"}, "durationMin": {"type": "integer"}, "weekdays": array({"type": "integer"}),
    "startTime": {"type": "string"}, "firstDate": LOCAL_DATE, "lastDate": nullable(LOCAL_DATE), "publish": {"type": "boolean"},
    "generatedThrough": nullable({**LOCAL_DATE, "description": "The last local date its classes are made up to."}),
    "splitFromSeriesId": nullable(UUID), "createdAt": DT, "updatedAt": DT,
}, required=["id", "organizationId", "classTypeId", "capacity", "durationMin", "weekdays", "startTime", "firstDate", "publish",
             "createdAt", "updatedAt"])
S["SeriesList"] = obj({"items": array(ref("Series"))}, required=["items"])
S["SeriesCreate"] = obj({
    "classTypeId": UUID, "locationId": nullable(UUID), "coachMembershipId": nullable(UUID),
    "capacity": nullable(integer(1, 1000)), "durationMin": nullable(integer(1, 1440)),
    "weekdays": WEEKDAYS, "startTime": CLOCK, "firstDate": LOCAL_DATE,
    "lastDate": nullable({**LOCAL_DATE, "description": "Inclusive; not before firstDate."}),
    "publish": nullable({"type": "boolean", "description": "Make the classes published (default: drafts)."}),
    "force": nullable({"type": "boolean", "description": "Make classes that double-book the coach or the room (audited)."}),
}, required=["classTypeId", "weekdays", "startTime", "firstDate"])
S["SeriesCreated"] = obj({"series": ref("Series"), "createdSessions": {"type": "integer"}}, required=["series", "createdSessions"])
S["SeriesUpdate"] = obj({
    "from": {**LOCAL_DATE, "description": "This and following classes from this local date (before today counts from today)."},
    "classTypeId": UUID, "locationId": nullable(UUID), "coachMembershipId": nullable(UUID),
    "capacity": integer(1, 1000), "durationMin": integer(1, 1440), "weekdays": WEEKDAYS, "startTime": CLOCK,
    "lastDate": nullable(LOCAL_DATE), "publish": {"type": "boolean"},
    "force": nullable({"type": "boolean", "description": "Allow a capacity below a class's bookings and double-booking (audited)."}),
}, required=["from"])
S["SeriesEdited"] = obj({
    "series": ref("Series"), "endedSeries": nullable(ref("Series")), "changedSessions": {"type": "integer"},
    "removedSessions": {"type": "integer"}, "createdSessions": {"type": "integer"}, "notifiedBookings": {"type": "integer"},
}, required=["series", "changedSessions", "removedSessions", "createdSessions", "notifiedBookings"])
S["SeriesEndPreviewRequest"] = obj({"from": LOCAL_DATE}, required=["from"])
S["SeriesEndRequest"] = obj({
    "from": LOCAL_DATE,
    "fingerprint": {"type": "string", "minLength": 1, "maxLength": 128, "description": "The fingerprint of the preview checked."},
    "confirm": {"type": "boolean", "const": True},
}, required=["from", "fingerprint", "confirm"])
S["Closure"] = obj({
    "id": UUID, "organizationId": UUID, "locationId": nullable(UUID), "from": LOCAL_DATE, "to": LOCAL_DATE,
    "reason": nullable({"type": "string"}), "createdAt": DT,
}, required=["id", "organizationId", "from", "to", "createdAt"])
S["ClosureList"] = obj({"items": array(ref("Closure"))}, required=["items"])
CLOSURE_FIELDS = {
    "locationId": nullable({**UUID, "description": "One location; absent or null: the whole studio."}),
    "from": {**LOCAL_DATE, "description": "Today or later."},
    "to": {**LOCAL_DATE, "description": "Inclusive; at most 366 days from from."},
}
S["ClosurePreviewRequest"] = obj({
    **CLOSURE_FIELDS, "reason": nullable(name_schema(500)), "fingerprint": nullable({"type": "string"}),
    "confirm": nullable({"type": "boolean"}),
}, required=["from", "to"], description="The fields of a closure; reason, fingerprint and confirm are read but not needed here.")
S["ClosureCreate"] = obj({
    **CLOSURE_FIELDS, "reason": nullable(name_schema(500, "Shown in the class-cancelled e-mails.")),
    "fingerprint": {"type": "string", "minLength": 1, "maxLength": 128, "description": "The fingerprint of the preview checked."},
    "confirm": {"type": "boolean", "const": True},
}, required=["from", "to", "fingerprint", "confirm"])
S["ClosureCreated"] = obj({"closure": ref("Closure"), "batch": ref("BulkBatchResult")}, required=["closure", "batch"])
S["ClosureRemoved"] = obj({"createdSessions": {"type": "integer", "description": "Classes the series made on the freed dates."}},
                          required=["createdSessions"])
PREVIEW_409 = {"description": "`preview_changed`: the classes changed since the preview; nothing was changed. The new preview is included.",
               "content": {"application/json": {"schema": ref("PreviewChanged")}}}
op("GET", "/api/orgs/:org/series", "listSeries", "The weekly timetable's series (staff)", "Timetable",
   ok("SeriesList"), errors=errs(org=True, role=STAFF))
op("POST", "/api/orgs/:org/series", "createSeries", "Create a weekly series and its classes up to the horizon (owner/admin)", "Timetable",
   ok("SeriesCreated", status="201", description="Created"), body="SeriesCreate",
   errors=errs(("400", "`invalid_coach`"), ("409", "`coach_busy`, `room_busy`"), body=True, csrf=True, org=True, role=MGR,
               notfound="class type, location, coach"))
op("GET", "/api/orgs/:org/series/:series", "getSeries", "One series (staff)", "Timetable",
   ok("Series"), errors=errs(org=True, role=STAFF, notfound="series"))
op("PATCH", "/api/orgs/:org/series/:series", "updateSeries", "Edit this and following classes (owner/admin)", "Timetable",
   ok("SeriesEdited"), body="SeriesUpdate",
   errors=errs(("400", "`invalid_coach`"),
               ("409", "`series_day_has_bookings`, `series_end_needs_preview`, `capacity_below_booked`, `coach_busy`, `room_busy`"),
               body=True, csrf=True, org=True, role=MGR, notfound="series, class type, location, coach"),
   description="From a date after the first the series splits; classes made from that date change in place and their booked "
               "members are told (`class_changed`).")
op("POST", "/api/orgs/:org/series/:series/end/preview", "previewSeriesEnd", "What ending the series from a date takes down (owner/admin)",
   "Timetable", ok("BulkPreview"), body="SeriesEndPreviewRequest",
   errors=errs(("400", "`batch_too_large`"), body=True, csrf=True, org=True, role=MGR, notfound="series"))
resp = ok("BulkBatchResult")
resp["409"] = PREVIEW_409
op("POST", "/api/orgs/:org/series/:series/end", "endSeries", "End the series from a date, deleting its classes from then (owner/admin)",
   "Timetable", resp, body="SeriesEndRequest",
   errors=errs(("400", "`batch_too_large`, `confirmation_required`, `fingerprint_required`"), body=True, csrf=True, org=True, role=MGR,
               notfound="series"),
   description="Bookings of the deleted classes are cancelled and refunded and their members told; one audit batch, undoable "
               "while nobody booked since.")
op("GET", "/api/orgs/:org/closures", "listClosures", "Closures not over yet (staff)", "Timetable",
   ok("ClosureList"), errors=errs(org=True, role=STAFF))
op("POST", "/api/orgs/:org/closures/preview", "previewClosure", "The classes a closure would take down (owner/admin)", "Timetable",
   ok("BulkPreview"), body="ClosurePreviewRequest",
   errors=errs(("400", "`batch_too_large`"), body=True, csrf=True, org=True, role=MGR, notfound="location"))
resp = ok("ClosureCreated", status="201", description="Created")
resp["409"] = PREVIEW_409
op("POST", "/api/orgs/:org/closures", "createClosure", "Close dates: cancel their classes, make none there (owner/admin)", "Timetable",
   resp, body="ClosureCreate",
   errors=errs(("400", "`batch_too_large`, `confirmation_required`, `fingerprint_required`"), body=True, csrf=True, org=True, role=MGR,
               notfound="location"))
op("DELETE", "/api/orgs/:org/closures/:closure", "deleteClosure", "Remove a closure; the series fill its dates (owner/admin)",
   "Timetable", ok("ClosureRemoved"), errors=errs(csrf=True, org=True, role=MGR, notfound="closure"))

# --- Bulk and audit
op("POST", "/api/orgs/:org/sessions/bulk/preview", "previewBulk", "Preview a bulk filter's matches (owner/admin)", "Bulk",
   ok("BulkPreview"), body="BulkPreviewRequest",
   errors=errs(("400", "`empty_filter`, `batch_too_large`"), body=True, csrf=True, org=True, role=MGR,
               notfound="program, class type or location of the filter"))
for action in BULK_ACTIONS:
    resp = ok("BulkBatchResult")
    resp["409"] = {"description": "`preview_changed`: the matches changed since the preview; nothing was changed. The new preview is included.",
                   "content": {"application/json": {"schema": ref("PreviewChanged")}}}
    op("POST", f"/api/orgs/:org/sessions/bulk/{action}", f"bulk{action.capitalize()}Sessions",
       f"Bulk {action} the previewed sessions (owner/admin)", "Bulk", resp, body="BulkExecuteRequest",
       errors=errs(("400", "`empty_filter`, `batch_too_large`, `confirmation_required`, `fingerprint_required`"), body=True, csrf=True,
                   org=True, role=MGR, notfound="program, class type or location of the filter"),
       description={"delete": "Deletes every match (bookings cancelled and refunded).",
                    "publish": "Publishes the drafts among the matches (others are skipped).",
                    "cancel": "Cancels the published matches (others are skipped), with an optional reason."}[action])
op("GET", "/api/orgs/:org/audit/batches", "listAuditBatches", "Bulk batches, newest first (owner/admin)", "Audit",
   ok("AuditBatchList"), params=[LIMIT, CURSOR],
   errors=errs(("400", "`invalid_query`, `invalid_cursor`"), org=True, role=MGR))
op("GET", "/api/orgs/:org/audit/batches/:batch", "getAuditBatch", "One batch (owner/admin)", "Audit",
   ok("AuditBatch"), errors=errs(org=True, role=MGR, notfound="batch"))
op("POST", "/api/orgs/:org/audit/batches/:batch/undo", "undoAuditBatch", "Undo a bulk delete or publish (owner/admin)", "Audit",
   ok("AuditBatch", description="The undo batch."),
   errors=errs(("409", "`undo_not_supported`, `already_undone`, `booked_since`, `changed_since`"), csrf=True, org=True, role=MGR,
               notfound="batch"))

# --- Workouts
op("GET", "/api/orgs/:org/workouts", "listWorkouts", "The org's workouts (staff)", "Workouts",
   ok("WorkoutList"), errors=errs(org=True, role=STAFF))
op("POST", "/api/orgs/:org/workouts", "createWorkout", "Create a workout (staff)", "Workouts",
   ok("Workout", "201", "Created"), body="WorkoutCreate", errors=errs(body=True, csrf=True, org=True, role=STAFF))
op("GET", "/api/orgs/:org/workouts/:id", "getWorkout", "One workout (staff)", "Workouts",
   ok("Workout"), errors=errs(org=True, role=STAFF, notfound="workout"))
op("PATCH", "/api/orgs/:org/workouts/:id", "updateWorkout", "Change a workout (staff)", "Workouts",
   ok("Workout"), body="WorkoutUpdate", errors=errs(body=True, csrf=True, org=True, role=STAFF, notfound="workout"))
op("DELETE", "/api/orgs/:org/workouts/:id", "deleteWorkout", "Delete a workout (soft; staff)", "Workouts",
   no_content("Deleted"), errors=errs(csrf=True, org=True, role=STAFF, notfound="workout"))
op("GET", "/api/orgs/:org/daily-programming", "listDailyProgramming", "Daily programming for a date range (staff)", "Workouts",
   ok("DailyProgrammingList"),
   params=[query("from", LOCAL_DATE, "Org-local date YYYY-MM-DD, inclusive (default today)."),
           query("to", LOCAL_DATE, "Org-local date YYYY-MM-DD, inclusive (default from + 6 days); at most 62 days, not before from.")],
   errors=errs(("400", "`invalid_date`, `invalid_range`, `range_too_long`"), org=True, role=STAFF))
op("PUT", "/api/orgs/:org/daily-programming/:date", "setDailyProgramming", "Replace one date's programming (staff)", "Workouts",
   ok("DailyProgramming"), body="DailyProgrammingUpdate",
   errors=errs(("400", "`invalid_date`"), body=True, csrf=True, org=True, role=STAFF, notfound="workout, program"))
op("PUT", "/api/sessions/:session/workouts", "setSessionWorkouts", "Replace a session's ordered workouts (staff)", "Workouts",
   ok("Session"), body="SessionWorkoutsUpdate",
   errors=errs(body=True, csrf=True, org=True, role=STAFF, notfound="session, workout"))
op("POST", "/api/sessions/:session/workouts/inline", "createSessionWorkout", "Create a workout and append it to the session (staff)",
   "Workouts", ok("WorkoutCreatedInline", "201", "Created"), body="WorkoutCreate",
   errors=errs(body=True, csrf=True, org=True, role=STAFF, notfound="session"))

# --- Bookings
BOOK_409 = ("`already_booked`, `session_cancelled`, `session_not_published`, `session_started`, `booking_window_closed`, "
            "`quota_day`, `quota_week`, `overlap`, `membership_suspended`")
book_resp = ok("Booking", "201", "Booked (confirmed or waitlisted)", headers=REPLAYED)
book_resp.update(ok("Booking", "200", "Replay of an earlier request with the same Idempotency-Key", headers=REPLAYED))
op("POST", "/api/sessions/:session/bookings", "createBooking", "Book a place (or a waitlist spot)", "Bookings",
   book_resp, body="BookingCreate", body_required=False, params=[IDEMPOTENCY],
   errors=errs(("400", "`invalid_idempotency_key`"), ("402", "`no_plan`, `no_credits`"), ("409", BOOK_409), ("422", None),
               body=True, csrf=True, org=True, role="`forbidden` (only staff book for others or beyond capacity)",
               notfound="session, member"),
   description="The body is optional. Staff may book for another member (`membershipId`) and beyond capacity (`overrideCapacity`).")
op("GET", "/api/bookings/:booking", "getBooking", "One booking (its member, or staff of its org)", "Bookings",
   ok("Booking"), errors=errs(org=True, notfound="booking"))
op("POST", "/api/bookings/:booking/cancel", "cancelBooking", "Cancel a booking", "Bookings",
   ok("Booking", description="Cancelled (or the replay of an earlier request with the same Idempotency-Key)", headers=REPLAYED),
   params=[IDEMPOTENCY],
   errors=errs(("400", "`invalid_idempotency_key`"), ("409", "`already_cancelled`, `not_cancellable`, `late_cancel_blocked`"),
               ("422", None), csrf=True, org=True, notfound="booking"))
op("GET", "/api/me/bookings", "listMyBookings", "The caller's bookings across organizations", "Bookings",
   ok("MyBookingList"),
   params=[query("status", {"type": "string", "enum": ["upcoming", "past", "cancelled", "all"]}, "Which bookings (default upcoming)."),
           query("from", INSTANT, "Sessions starting at or after this ISO-8601 instant (with offset)."),
           query("to", INSTANT, "Sessions starting before this ISO-8601 instant (with offset; after from)."),
           LIMIT, CURSOR],
   errors=errs(("400", "`invalid_query`, `invalid_range`, `invalid_cursor`")))

# --- Plans
op("GET", "/api/orgs/:org/plans", "listPlans", "Plans (members see the active ones; owner/admin all)", "Plans",
   ok("PlanList"), errors=errs(org=True))
op("POST", "/api/orgs/:org/plans", "createPlan", "Create a plan (owner/admin)", "Plans",
   ok("Plan", "201", "Created"), body="PlanCreate", errors=errs(body=True, csrf=True, org=True, role=MGR))
op("GET", "/api/orgs/:org/plans/:plan", "getPlan", "One plan (owner/admin)", "Plans",
   ok("Plan"), errors=errs(org=True, role=MGR, notfound="plan"))
op("PATCH", "/api/orgs/:org/plans/:plan", "updatePlan", "Change a plan (owner/admin)", "Plans",
   ok("Plan"), body="PlanUpdate", errors=errs(body=True, csrf=True, org=True, role=MGR, notfound="plan"))
op("DELETE", "/api/orgs/:org/plans/:plan", "retirePlan", "Retire a plan (no longer offered; owner/admin)", "Plans",
   no_content("Retired"), errors=errs(csrf=True, org=True, role=MGR, notfound="plan"))
op("GET", "/api/orgs/:org/members/:membership/subscriptions", "listSubscriptions",
   "A member's subscriptions (the member themself, or owner/admin)", "Plans",
   ok("SubscriptionList"), errors=errs(org=True, role="`forbidden` (another member's, not owner/admin)", notfound="member id"))
op("POST", "/api/orgs/:org/members/:membership/subscriptions", "createSubscription", "Give a member a plan (owner/admin)", "Plans",
   ok("Subscription", "201", "Created"), body="SubscriptionCreate",
   errors=errs(body=True, csrf=True, org=True, role=MGR, notfound="member, plan"))
op("PATCH", "/api/orgs/:org/subscriptions/:subscription", "setSubscriptionStatus", "Change a subscription's status (owner/admin)",
   "Plans", ok("Subscription"), body="SubscriptionStatusUpdate",
   errors=errs(body=True, csrf=True, org=True, role=MGR, notfound="subscription"))
op("POST", "/api/orgs/:org/subscriptions/:subscription/credits", "adjustCredits", "Add or remove credits (owner/admin)", "Plans",
   ok("Subscription"), body="CreditAdjustment",
   errors=errs(("409", "`unlimited_plan`, `insufficient_credits`"), body=True, csrf=True, org=True, role=MGR, notfound="subscription"))
op("GET", "/api/orgs/:org/subscriptions/:subscription/ledger", "getCreditLedger",
   "A subscription's credit ledger (its member, or owner/admin)", "Plans",
   ok("LedgerEntryList"), errors=errs(org=True, notfound="subscription"))

# --- Check-in
CHECKIN_409 = ("`session_cancelled`, `session_not_published`, `checkin_not_open`, `checkin_closed`, `class_full`, "
               "`membership_suspended`, `quota_day`, `quota_week`, `overlap`, `booking_window_closed`")
op("POST", "/api/sessions/:session/self-checkin", "selfCheckin", "Check oneself in by QR token, proof of scan or GPS", "Check-in",
   ok("CheckinResult"), body="SelfCheckin",
   errors=errs(("400", "`invalid_token`, `invalid_coordinates`, `accuracy_too_low`, `location_has_no_coordinates`"),
               ("402", "`no_plan`, `no_credits` (walk-in)"),
               ("409", "`token_expired`, `token_not_yet_valid`, `gps_not_allowed`, `too_far`, " + CHECKIN_409),
               ("429", "more than 20 self check-ins per member per minute"),
               body=True, csrf=True, org=True, notfound="session, member"),
   description="A repeat answers the attended booking with `alreadyCheckedIn: true`; without a booking the member is a walk-in.")
op("POST", "/api/sessions/:session/checkin", "staffCheckin", "Check a member in (staff)", "Check-in",
   ok("CheckinResult"), body="StaffCheckin",
   errors=errs(("402", "`no_plan`, `no_credits` (walk-in)"), ("409", CHECKIN_409 + ", " + ATTENDANCE_409), body=True, csrf=True,
               org=True, role=STAFF, notfound="session, booking, member"))
op("GET", "/api/sessions/:session/roster", "getRoster", "A session's roster (staff)", "Check-in",
   ok("RosterList"), errors=errs(org=True, role=STAFF, notfound="session"))
op("POST", "/api/bookings/:booking/undo-checkin", "undoCheckin", "Undo a check-in: attended → confirmed (staff)", "Check-in",
   ok("Booking"), errors=errs(("409", "`invalid_transition`, `session_cancelled`, " + ATTENDANCE_409), csrf=True, org=True, role=STAFF,
                              notfound="booking"))
op("POST", "/api/bookings/:booking/no-show", "markNoShow", "Mark a no-show (staff)", "Check-in",
   ok("Booking"), errors=errs(("409", "`invalid_transition`, `session_cancelled`, " + ATTENDANCE_409), csrf=True, org=True, role=STAFF,
                              notfound="booking"))

# --- Notifications
op("GET", "/api/me/notification-prefs", "getNotificationPreferences", "Class-notification opt-ins per channel", "Notifications",
   ok("NotificationPreferences"))
op("PUT", "/api/me/notification-prefs", "setNotificationPreferences", "Change class-notification opt-ins", "Notifications",
   ok("NotificationPreferences"), body="NotificationPreferencesUpdate", errors=errs(body=True, csrf=True))
op("GET", "/api/me/push-tokens", "listPushTokens", "The caller's push devices", "Notifications", ok("PushTokenList"))
op("POST", "/api/me/push-tokens", "registerPushToken", "Register an Expo push token", "Notifications",
   ok("PushTokenRegistration", "201", "Registered"), body="PushTokenCreate", errors=errs(body=True, csrf=True),
   description="Registering a known token again moves it to the caller.")
op("DELETE", "/api/me/push-tokens/:device", "deletePushToken", "Forget a push device", "Notifications",
   no_content("Removed"), errors=errs(csrf=True, notfound="device"))

# --- Language (docs/i18n.md)
op("GET", "/api/me/language", "getLanguage", "The caller's own language", "Language", ok("LanguageChoice"))
op("PUT", "/api/me/language", "setLanguage", "Choose or clear the caller's own language", "Language",
   ok("LanguageChoice"), body="LanguageChoiceUpdate",
   errors=errs(("400", "language must be \"en\", \"de\" or null"), body=True, csrf=True),
   description="The same setting as the `/me/language` page. null clears it: the studio's default, then the browser's "
               "language decide again.")

# --- Analytics
ANALYTICS_Q = [
    query("days", integer(1, 366), "Days back including today, 1…366 (default 30); anything else 400 `invalid_query`."),
    query("locationId", UUID, "Only this location's classes."),
    query("programId", UUID, "Only this program's classes."),
    query("classTypeId", UUID, "Only this class type's classes."),
    query("coachId", UUID, "Only this coach's (membership id) classes."),
]
FORMAT_Q = query("format", {"type": "string", "enum": ["json", "csv"]}, "json (default) or csv.")
op("GET", "/api/orgs/:org/analytics/attendance/summary", "getAttendanceSummary", "Attendance summary (owner/admin)", "Analytics",
   ok("AttendanceSummary"),
   params=ANALYTICS_Q + [query("format", {"type": "string", "enum": ["json", "csv"]}, "Validated (json or csv) but the summary is always JSON.")],
   errors=errs(("400", "`invalid_query`"), org=True, role=MGR, notfound="location, program, class type or coach of the filter"))
op("GET", "/api/orgs/:org/analytics/attendance/daily", "getAttendanceDaily", "Attendance per org-local day (owner/admin)", "Analytics",
   ok("AttendanceDaily", description="The daily series (JSON, or CSV with format=csv)",
      extra_content={"text/csv": {"schema": {"type": "string"}}}),
   params=ANALYTICS_Q + [FORMAT_Q],
   errors=errs(("400", "`invalid_query`"), org=True, role=MGR, notfound="location, program, class type or coach of the filter"))

# --- Displays
op("GET", "/api/orgs/:org/displays", "listDisplays", "Display screens (owner/admin)", "Displays",
   ok("DisplayList"), errors=errs(org=True, role=MGR))
op("POST", "/api/orgs/:org/displays", "createDisplay", "Create a display screen at a location (owner/admin)", "Displays",
   ok("DisplayWithURL", "201", "Created, with its signed URL"), body="DisplayCreate",
   errors=errs(body=True, csrf=True, org=True, role=MGR, notfound="location"))
op("GET", "/api/orgs/:org/displays/:display/url", "getDisplayURL", "A fresh signed URL for a display (owner/admin)", "Displays",
   ok("DisplayWithURL", description="The display; `url` is absent when it is revoked."),
   errors=errs(org=True, role=MGR, notfound="display"))
op("POST", "/api/orgs/:org/displays/:display/rotate", "rotateDisplay", "Rotate a display's key: earlier URLs stop working (owner/admin)",
   "Displays", ok("DisplayWithURL"), errors=errs(csrf=True, org=True, role=MGR, notfound="display"))
op("POST", "/api/orgs/:org/displays/:display/revoke", "revokeDisplay", "Revoke a display for good (owner/admin)", "Displays",
   ok("DisplayWithURL", description="The revoked display (no `url`)."), errors=errs(csrf=True, org=True, role=MGR, notfound="display"))

# --- Public schedule (no login; docs/public-schedule.md)
S["PublicClass"] = obj({
    "id": UUID, "name": {"type": "string"}, "program": {"type": "string"},
    "color": {"type": "string", "pattern": "^#[0-9a-f]{6}$"},
    "startsAt": {"type": "string", "format": "date-time", "description": "With the studio's offset."},
    "endsAt": {"type": "string", "format": "date-time"}, "durationMin": integer(1, 1440),
    "location": nullable({"type": "string"}), "coach": nullable({"type": "string", "description": "The coach's name (never an e-mail)."}),
    "capacity": integer(1, 1000), "spotsLeft": integer(0, 1000), "full": {"type": "boolean"},
    "started": {"type": "boolean"},
    "bookable": {"type": "boolean", "description": "Not started and inside the booking window."},
    "bookUrl": {"type": "string", "format": "uri", "description": "Sign-in, then the booking of this class."},
}, required=["id", "name", "program", "color", "startsAt", "endsAt", "durationMin", "capacity", "spotsLeft", "full",
             "started", "bookable", "bookUrl"],
    description="A published class of a schedule program, as strangers see it.")
S["PublicSchedule"] = obj({
    "studio": obj({"id": UUID, "name": {"type": "string"}, "timezone": {"type": "string"},
                   "scheduleUrl": {"type": "string", "format": "uri"}}, required=["id", "name", "timezone", "scheduleUrl"]),
    "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date", "description": "Exclusive."},
    "classes": array(ref("PublicClass")),
}, required=["studio", "from", "to", "classes"])
op("GET", "/api/public/orgs/:org/schedule", "getPublicSchedule", "A studio's public schedule (no login)", "Public",
   {**ok("PublicSchedule", description="The classes, with `ETag` and `Cache-Control: public, max-age=30`; any origin may read it "
                                        "(`Access-Control-Allow-Origin: *`)."),
    "304": {"description": "Not modified: `If-None-Match` names the current ETag."}},
   params=[query("from", LOCAL_DATE, "First local date, today up to 365 days ahead (default today)."),
           query("days", integer(1, 31), "Days from `from`, 1–31 (default 7).")],
   errors={"400": "`invalid_date`, `invalid_field` (from, days)",
           "404": "an unknown studio and one that does not publish its schedule alike",
           "429": "more than 120 public requests a minute from one address"},
   secured=False)

# ---------------------------------------------------------------- assemble

paths = {}
for method, path, spec in OPS:
    oa_path = re.sub(r":(\w+)", r"{\1}", path)
    assert method.lower() not in paths.get(oa_path, {}), (method, path)
    paths.setdefault(oa_path, {})[method.lower()] = spec

TAGS = ["Auth", "Organizations", "Members", "Catalog", "Sessions", "Timetable", "Bulk", "Audit", "Workouts", "Bookings", "Plans",
        "Check-in", "Notifications", "Language", "Analytics", "Displays", "Public"]

doc = {
    "openapi": "3.1.0",
    "info": {
        "title": "Frontdesk API",
        "version": "1.0.0",
        "description": "The JSON API of the Frontdesk studio server, every route under `/api`. JSON keys are camelCase, instants "
                       "ISO-8601 (`2026-11-20T17:00:00Z`). Optional response fields are left out when they have no value. Every "
                       "failure is `{\"error\":{\"code\",\"message\"}}`. Unknown and other organizations' ids answer 404 alike.",
    },
    "servers": [{"url": "/"}],
    "tags": [{"name": t} for t in TAGS],
    "security": [{"bearerAuth": []}, {"cookieAuth": []}],
    "paths": paths,
    "components": {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "opaque",
                           "description": "The opaque `token` from `POST /api/auth/login`. Bearer requests need no CSRF token."},
            "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "fd_session",
                           "description": "The `fd_session` cookie set by `POST /api/auth/login`. Cookie-authenticated requests that "
                                          "change state (anything but GET/HEAD/OPTIONS) must send header `X-CSRF-Token` equal to the "
                                          "`fd_csrf` cookie, else 403 `csrf_failed`."},
        },
        "schemas": dict(sorted(S.items())),
    },
}

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources", "FrontdeskServer", "OpenAPI", "openapi.json")
with open(OUT, "w") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
    f.write("\n")

# unused / dangling refs check
text = json.dumps(doc)
for name in S:
    if f'"#/components/schemas/{name}"' not in text:
        print("unused schema:", name)
for r in set(re.findall(r'#/components/schemas/(\w+)', text)):
    assert r in S, r
print(len(OPS), "operations")
