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
        let pages = root.signedIn(services, fallback: Self.path, reason: .timetable)
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
        /// "Times in Europe/Berlin" in the reader's language.
        let timesIn: String
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
        /// The series form's note on the horizon, in the reader's language.
        let seriesHint: String
    }

    /// The success messages of the redirects back to the week, in the reader's language.
    static func flash(_ request: Request, _ t: Messages) -> PageFrame.Flash? {
        let query = request.uri.queryParameters
        func count(_ key: String) -> Int { query.get(key).flatMap { Int($0) }.map { max(0, $0) } ?? 0 }
        func classes(_ key: String) -> String { t.plural("timetable.count.classes", count: count(key)) }
        func bookings(_ key: String) -> String { t.plural("timetable.count.bookings", count: count(key)) }
        let message: String
        switch query.get("done") {
        case "class-created": message = t["timetable.done.classCreated"]
        case "class-published": message = t["timetable.done.classPublished"]
        case "series-created": message = t("timetable.done.seriesCreated", ["classes": classes("made")])
        case "series-edited":
            message = t(
                "timetable.done.seriesEdited",
                [
                    "from": LocalTime.localDate(LocalPath.dateValue(query.get("from")), t.language), "changed": classes("changed"),
                    "removed": classes("removed"), "created": classes("created"),
                    "members": t.plural("timetable.count.members", count: count("notified")),
                ])
        case "series-ended":
            message = t("timetable.done.seriesEnded", ["classes": classes("changed"), "bookings": bookings("bookings")])
        case "bulk":
            let action = BulkAction(rawValue: query.get("action") ?? "")?.rawValue ?? "changed"
            message = t(
                "timetable.done.bulk.\(action)",
                ["classes": classes("changed"), "skipped": t.number(count("skipped")), "bookings": bookings("bookings")])
        default: return nil
        }
        return PageFrame.Flash(ok: true, message: message)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        return try await page(
            orgId: query.get("org"), week: query.get("week"), location: query.get("location"), request: request, context: context,
            done: true)
    }

    /// The week page; a refused form comes back in `classForm`/`seriesForm`, open, with the refusal;
    /// `done` shows the message of the redirect that led here (`?done=`).
    func page(
        orgId: String?, week: String?, location: String?, request: Request, context: AppRequestContext,
        status: HTTPResponse.Status = .ok, flash: PageFrame.Flash? = nil, done: Bool = false, classForm: ClassDraft? = nil,
        seriesForm: SeriesDraftForm? = nil
    ) async throws -> Response {
        guard
            let admin = try await AdminShell.resolve(services, context: context, orgId: orgId, section: .timetable, request: request)
        else {
            return try AdminShell.refusal(responder, section: .timetable, request: request, context: context)
        }
        let scope = admin.scope
        let t = admin.t
        let flash = flash ?? (done ? Self.flash(request, t) : nil)
        let now = services.now
        let calendar = OrgCalendar(timezone: scope.organization.timezone)
        let local = t.localTime(timezone: scope.organization.timezone, now: now)
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
                .map { block($0, orgId: scope.orgId, local: local, t) }
            days.append(
                DayColumn(
                    id: "day-\(calendar.localDateString(dayStart))", label: local.weekDay(dayStart),
                    isToday: dayStart <= now && now < dayEnd,
                    classes: blocks, empty: blocks.isEmpty))
        }
        let today = calendar.localDateString(now)
        let formDate = today >= weekDate && today < calendar.localDateString(end) ? today : weekDate
        let canManage = scope.role.isManager
        let view = View(
            shell: admin.shell, orgId: scope.orgId, canManage: canManage,
            title: "\(local.weekDay(start)) – \(local.weekDay(calendar.startOfDay(start, addingDays: 6), year: true))",
            timesIn: t("timetable.week.timesIn", ["zone": scope.organization.timezone]),
            week: weekDate,
            previous: "\(base)&week=\(calendar.localDateString(calendar.startOfDay(start, addingDays: -7)))",
            next: "\(base)&week=\(calendar.localDateString(end))", thisWeek: base, filterLocation: locationId ?? "",
            locationFilter: choices.locations.map { Choice(id: $0.id, name: $0.name, selected: $0.id == locationId) },
            allLocations: locationId == nil, days: days, classCount: classes.count, colors: choices.colors,
            closuresLink: "\(Self.path)/closures?org=\(scope.orgId)",
            classForm: (classForm ?? ClassDraft.blank(date: formDate, locationId: locationId)).resolved(choices, canPublish: canManage),
            seriesForm: (seriesForm ?? SeriesDraftForm.blank(date: formDate, locationId: locationId)).resolved(choices, local),
            filterForm: FilterForm.blank(from: weekDate, to: calendar.localDateString(calendar.startOfDay(start, addingDays: 6)))
                .resolved(choices, locationId: locationId, local, t),
            openClassForm: classForm != nil, openSeriesForm: seriesForm != nil,
            horizonWeeks: services.configuration.scheduleHorizonWeeks,
            seriesHint: t("timetable.week.seriesHint", ["weeks": t.number(services.configuration.scheduleHorizonWeeks)]))
        return try AdminShell.page(
            responder, "admin_timetable", title: t["admin.nav.timetable"], page: view, scope: scope, request: request, context: context,
            status: status, flash: flash, t: t)
    }

    func block(_ item: TimetableClass, orgId: String, local: LocalTime, _ t: Messages) -> ClassBlock {
        let s = item.scheduled
        let time = local.range(s.session.startsAt, s.session.endsAt)
        return ClassBlock(
            id: s.session.id, time: time, name: s.classTypeName, coach: s.coachName, location: s.locationName,
            booked: t("timetable.week.booked", ["booked": t.number(s.bookedCount), "capacity": t.number(s.session.capacity)]),
            waitlist: s.waitlistCount > 0 ? t.plural("timetable.week.waiting", count: s.waitlistCount) : nil,
            status: s.session.status.rawValue, statusLabel: TimetableChoices.statusLabel(s.session.status, t),
            inSeries: item.seriesId != nil,
            seriesLabel: item.seriesDetached ? t["timetable.week.weeklySeriesDetached"] : t["timetable.week.weeklySeries"],
            colorClass: TimetableChoices.colorClass(s.session.classTypeId),
            href: "\(Self.path)/classes/\(s.session.id)?org=\(orgId)",
            selectLabel: t("timetable.week.selectLabel", ["name": s.classTypeName, "when": local.dayAndTime(s.session.startsAt)]))
    }

    /// "Timetable" after a page's own title ("Closures · Timetable"), in the reader's language.
    static func title(_ page: String, _ t: Messages) -> String { t("timetable.titled", ["page": page]) }
}

extension LocalTime {
    /// `date` in the studio's zone with a `DateFormatter` pattern, in this language ("EEE d MMM" →
    /// "Mon 7 Dec"; a handful per page, so not cached).
    func format(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = language.locale
        formatter.timeZone = timezone
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }

    /// A day of the week view: "Mon 16 Nov" / "Mo. 16. Nov.", with the year "Sun 22 Nov 2026" /
    /// "So. 22. Nov. 2026".
    func weekDay(_ date: Date, year: Bool = false) -> String {
        let pattern = language == .de ? "EEE d. MMM" : "EEE d MMM"
        return format(date, year ? "\(pattern) yyyy" : pattern)
    }

    /// A `YYYY-MM-DD` date of the studio's calendar as the reader writes it: as it is in English
    /// ("2026-11-30"), "30.11.2026" in German. Anything else is returned as it is.
    static func localDate(_ text: String, _ language: Language) -> String {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard language == .de, parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { return text }
        return "\(parts[2]).\(parts[1]).\(parts[0])"
    }

    /// `localDate` in this language.
    func localDate(_ text: String) -> String { Self.localDate(text, language) }

    /// Monday…Sunday (ISO 1…7) as this language names them: "Monday" / "Montag", short "Mon" / "Mo.".
    func weekdayName(_ isoWeekday: Int, short: Bool = false) -> String {
        let names = Self.weekdayNames[language]
        let list = (short ? names?.short : names?.full) ?? []
        let index = ((isoWeekday % 7) + 7) % 7
        return list.count == 7 ? list[index] : String(isoWeekday)
    }

    struct WeekdayNames: Sendable {
        /// Sunday first, as Foundation lists them.
        let full: [String]
        let short: [String]
    }

    /// Each language's weekday names from its locale, read once.
    static let weekdayNames: [Language: WeekdayNames] = Dictionary(
        uniqueKeysWithValues: Language.allCases.map { language in
            let formatter = DateFormatter()
            formatter.locale = language.locale
            return (language, WeekdayNames(full: formatter.weekdaySymbols, short: formatter.shortWeekdaySymbols))
        })
}

extension LocalPath {
    /// A `YYYY-MM-DD` query value for a message, or "" when it is anything else.
    static func dateValue(_ value: String?) -> String {
        guard let value, value.utf8.count == 10, value.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }) else { return "" }
        return value
    }
}
