import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The back office's timetable (issue 17), `GET /admin/timetable?org=&week=YYYY-MM-DD&location=`: one
/// week, Monday to Sunday in the studio's zone, a column per day (stacked on a phone), each class a
/// block coloured by its class type with its time, coach, booked/capacity, waitlist, status in words
/// and a mark when a weekly series made it. From here: create a class or a series, open one class
/// (`AdminTimetableClassPages`), tick classes or fill a filter for a bulk change
/// (`AdminTimetableBulkPages`), and the closures (`AdminTimetableClosuresPage`).
///
/// Roles mirror the API: staff see it and create classes (coaches: drafts, and they edit drafts
/// only); owners and admins publish, cancel, run series, closures and bulk changes.
struct AdminTimetablePage {
    let services: AppServices
    var responder: PageResponder { PageResponder(services: services) }
    var timetable: TimetableStore { TimetableStore(database: services.database) }

    static let path = "/admin/timetable"

    func register(_ root: Routes) {
        let pages = root.signedIn(services, fallback: Self.path, reason: "Log in to see the studio's timetable.")
        pages.get("admin/timetable", use: show)
        pages.post("admin/timetable/classes", use: createClass)
        pages.get("admin/timetable/classes/:session", use: showClass)
        pages.post("admin/timetable/classes/:session", use: updateClass)
        pages.post("admin/timetable/classes/:session/publish", use: publishClass)
        pages.post("admin/timetable/classes/:session/unpublish", use: unpublishClass)
        pages.get("admin/timetable/classes/:session/cancel", use: showCancel)
        pages.post("admin/timetable/classes/:session/cancel", use: cancelClass)
        pages.post("admin/timetable/series", use: createSeries)
        pages.get("admin/timetable/series/:series", use: showSeries)
        pages.post("admin/timetable/series/:series", use: editSeries)
        pages.get("admin/timetable/series/:series/end", use: showSeriesEnd)
        pages.post("admin/timetable/series/:series/end", use: endSeries)
        pages.post("admin/timetable/bulk/preview", use: bulkPreview)
        pages.post("admin/timetable/bulk/confirm", use: bulkConfirm)
        pages.get("admin/timetable/closures", use: showClosures)
        pages.post("admin/timetable/closures/preview", use: closurePreview)
        pages.post("admin/timetable/closures", use: createClosure)
        pages.post("admin/timetable/closures/:closure/delete", use: deleteClosure)
    }

    // MARK: The week

    struct ClassBlock {
        let id: String
        let time: String
        let name: String
        let coach: String?
        let location: String?
        let booked: String
        let waitlist: String?
        let status: String
        let statusLabel: String
        let inSeries: Bool
        let seriesLabel: String
        let colorClass: String
        let href: String
        let selectLabel: String
    }

    struct DayColumn {
        let id: String
        let label: String
        let isToday: Bool
        let classes: [ClassBlock]
        let empty: Bool
    }

    struct View {
        let shell: AdminShellView
        let orgId: String
        let canManage: Bool
        let title: String
        let timezone: String
        let week: String
        let previous: String
        let next: String
        let thisWeek: String
        let filterLocation: String
        let locationFilter: [Choice]
        let allLocations: Bool
        let days: [DayColumn]
        let classCount: Int
        let colors: [TimetableChoices.ColorRule]
        let closuresLink: String
        let classForm: ClassDraft
        let seriesForm: SeriesDraftForm
        let filterForm: FilterForm
        let openClassForm: Bool
        let openSeriesForm: Bool
        let horizonWeeks: Int
    }

    /// The success messages of the redirects back to the week.
    static func flash(_ request: Request) -> PageFrame.Flash? {
        let query = request.uri.queryParameters
        func count(_ key: String) -> Int { query.get(key).flatMap { Int($0) }.map { max(0, $0) } ?? 0 }
        func classes(_ n: Int) -> String { n == 1 ? "1 class" : "\(n) classes" }
        func members(_ n: Int) -> String { n == 1 ? "1 booking" : "\(n) bookings" }
        let message: String
        switch query.get("done") {
        case "class-created": message = "Class created."
        case "class-published": message = "Class created and published."
        case "series-created": message = "Weekly series created: \(classes(count("made"))) made up to the horizon."
        case "series-edited":
            message =
                "Series changed from \(LocalPath.dateValue(query.get("from"))): \(classes(count("changed"))) changed, "
                + "\(classes(count("removed"))) removed, \(classes(count("created"))) created; "
                + "\(count("notified") == 1 ? "1 member" : "\(count("notified")) members") told."
        case "series-ended":
            message = "Series ended: \(classes(count("changed"))) removed, \(members(count("bookings"))) cancelled and refunded."
        case "bulk":
            let action = BulkAction(rawValue: query.get("action") ?? "")?.rawValue ?? "changed"
            let verb = ["publish": "published", "cancel": "cancelled", "delete": "deleted"][action] ?? action
            message =
                "\(classes(count("changed")).capitalizedFirst) \(verb), \(count("skipped")) skipped; "
                + "\(members(count("bookings"))) cancelled and refunded."
        default: return nil
        }
        return PageFrame.Flash(ok: true, message: message)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        return try await page(
            orgId: query.get("org"), week: query.get("week"), location: query.get("location"), request: request, context: context,
            flash: Self.flash(request))
    }

    /// The week page; a refused form comes back in `classForm`/`seriesForm`, open, with the refusal.
    func page(
        orgId: String?, week: String?, location: String?, request: Request, context: AppRequestContext,
        status: HTTPResponse.Status = .ok, flash: PageFrame.Flash? = nil, classForm: ClassDraft? = nil,
        seriesForm: SeriesDraftForm? = nil
    ) async throws -> Response {
        guard let admin = try await AdminShell.resolve(services, context: context, orgId: orgId, section: .timetable) else {
            return try AdminShell.refusal(responder, section: .timetable, request: request, context: context)
        }
        let scope = admin.scope
        let now = services.now
        let calendar = OrgCalendar(timezone: scope.organization.timezone)
        let local = LocalTime(timezone: scope.organization.timezone, now: now)
        let start = calendar.startOfWeek(week.flatMap { calendar.startOfDay(localDate: $0) } ?? now)
        let end = calendar.startOfDay(start, addingDays: 7)
        let weekDate = calendar.localDateString(start)
        let choices = try await TimetableChoices.load(services, orgId: scope.orgId)
        let locationId = choices.locations.first { $0.id == location?.lowercased() }?.id
        let classes = try await timetable.classes(orgId: scope.orgId, from: start, to: end, locationId: locationId)
        let base = "\(Self.path)?org=\(scope.orgId)\(locationId.map { "&location=\($0)" } ?? "")"
        var days: [DayColumn] = []
        for offset in 0..<7 {
            let dayStart = calendar.startOfDay(start, addingDays: offset)
            let dayEnd = calendar.startOfDay(start, addingDays: offset + 1)
            let blocks = classes.filter { $0.session.startsAt >= dayStart && $0.session.startsAt < dayEnd }
                .map { block($0, orgId: scope.orgId, local: local) }
            days.append(
                DayColumn(
                    id: "day-\(calendar.localDateString(dayStart))", label: local.format(dayStart, "EEE d MMM"),
                    isToday: dayStart <= now && now < dayEnd,
                    classes: blocks, empty: blocks.isEmpty))
        }
        let today = calendar.localDateString(now)
        let formDate = today >= weekDate && today < calendar.localDateString(end) ? today : weekDate
        let canManage = scope.role.isManager
        let view = View(
            shell: admin.shell, orgId: scope.orgId, canManage: canManage,
            title: "\(local.format(start, "EEE d MMM")) – \(local.format(calendar.startOfDay(start, addingDays: 6), "EEE d MMM yyyy"))",
            timezone: scope.organization.timezone, week: weekDate,
            previous: "\(base)&week=\(calendar.localDateString(calendar.startOfDay(start, addingDays: -7)))",
            next: "\(base)&week=\(calendar.localDateString(end))", thisWeek: base, filterLocation: locationId ?? "",
            locationFilter: choices.locations.map { Choice(id: $0.id, name: $0.name, selected: $0.id == locationId) },
            allLocations: locationId == nil, days: days, classCount: classes.count, colors: choices.colors,
            closuresLink: "\(Self.path)/closures?org=\(scope.orgId)",
            classForm: (classForm ?? ClassDraft.blank(date: formDate, locationId: locationId)).resolved(choices, canPublish: canManage),
            seriesForm: (seriesForm ?? SeriesDraftForm.blank(date: formDate, locationId: locationId)).resolved(choices),
            filterForm: FilterForm.blank(from: weekDate, to: calendar.localDateString(calendar.startOfDay(start, addingDays: 6)))
                .resolved(choices, locationId: locationId),
            openClassForm: classForm != nil, openSeriesForm: seriesForm != nil,
            horizonWeeks: services.configuration.scheduleHorizonWeeks)
        return try AdminShell.page(
            responder, "admin_timetable", title: "Timetable", page: view, scope: scope, request: request, context: context,
            status: status, flash: flash)
    }

    func block(_ item: TimetableClass, orgId: String, local: LocalTime) -> ClassBlock {
        let s = item.scheduled
        let time = local.range(s.session.startsAt, s.session.endsAt)
        return ClassBlock(
            id: s.session.id, time: time, name: s.classTypeName, coach: s.coachName, location: s.locationName,
            booked: "\(s.bookedCount)/\(s.session.capacity) booked",
            waitlist: s.waitlistCount > 0 ? "\(s.waitlistCount) waiting" : nil, status: s.session.status.rawValue,
            statusLabel: TimetableChoices.statusLabel(s.session.status), inSeries: item.seriesId != nil,
            seriesLabel: item.seriesDetached ? "Weekly series (edited on its own)" : "Weekly series",
            colorClass: TimetableChoices.colorClass(s.session.classTypeId),
            href: "\(Self.path)/classes/\(s.session.id)?org=\(orgId)",
            selectLabel: "Select \(s.classTypeName), \(local.dayAndTime(s.session.startsAt))")
    }
}

extension LocalTime {
    /// `date` in the studio's zone with a `DateFormatter` pattern ("EEE d MMM" → "Mon 7 Dec").
    func format(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = timezone
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }
}

extension LocalPath {
    /// A `YYYY-MM-DD` query value for a message, or "" when it is anything else.
    static func dateValue(_ value: String?) -> String {
        guard let value, value.utf8.count == 10, value.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }) else { return "" }
        return value
    }
}

extension String {
    /// The string with its first letter upper-cased.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
