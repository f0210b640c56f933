import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The studio's class types, locations and coaches for the timetable's forms, and the class-type
/// colours its blocks use (set in a nonce'd style, so no inline style attributes under the CSP).
struct TimetableChoices {
    struct ColorRule {
        let className: String
        let color: String
    }

    let classTypes: [ClassType]
    let locations: [Location]
    let coaches: [CoachChoice]

    static func load(_ services: AppServices, orgId: String) async throws -> TimetableChoices {
        TimetableChoices(
            classTypes: try await services.catalog.classTypes(orgId: orgId),
            locations: try await services.catalog.locations(orgId: orgId),
            coaches: try await TimetableStore(database: services.database).coaches(orgId: orgId))
    }

    var colors: [ColorRule] {
        classTypes.map { ColorRule(className: Self.colorClass($0.id), color: PageResponder.brand($0.color)) }
    }

    static func colorClass(_ classTypeId: String) -> String { "ct-\(LocalPath.queryValue(classTypeId))" }

    /// "Draft", "Published", "Cancelled" in the reader's language (`timetable.status.<status>`).
    static func statusLabel(_ status: SessionStatus, _ t: Messages) -> String { t["timetable.status.\(status.rawValue)"] }

    func classTypeChoices(_ selected: String) -> [Choice] {
        classTypes.map { Choice(id: $0.id, name: $0.name, selected: $0.id == selected) }
    }

    func locationChoices(_ selected: String) -> [Choice] {
        locations.map { Choice(id: $0.id, name: $0.name, selected: $0.id == selected) }
    }

    func coachChoices(_ selected: String) -> [Choice] {
        coaches.map { Choice(id: $0.membershipId, name: $0.name, selected: $0.membershipId == selected) }
    }

    func locationName(_ id: String?) -> String? {
        guard let id else { return nil }
        return locations.first { $0.id == id }?.name
    }

    struct Weekday {
        let value: Int
        let label: String
        let checked: Bool
    }

    /// Monday to Sunday (ISO 1…7) with their names in the reader's language.
    static func weekdays(_ checked: Set<Int>, _ local: LocalTime) -> [Weekday] {
        (1...7).map { Weekday(value: $0, label: local.weekdayName($0), checked: checked.contains($0)) }
    }
}

/// Every field the timetable's forms post; each handler reads the ones it needs.
struct TimetableForm: Decodable {
    var csrf: String?
    var org: String?
    /// The week and location filter of the page the form was on (to come back to it).
    var week: String?
    var location: String?
    var classType: String?
    var classLocation: String?
    var coach: String?
    var date: String?
    var time: String?
    var duration: String?
    var capacity: String?
    var publish: String?
    var force: String?
    var weekdays: [String]?
    var firstDate: String?
    var lastDate: String?
    var from: String?
    var to: String?
    var status: [String]?
    var sessions: [String]?
    var reason: String?
    var fingerprint: String?
    var filter: String?
    var action: String?
}

/// Reading the timetable's form fields the way the API reads its bodies.
enum TimetableFields {
    /// An optional id of the studio ("" is none); a malformed one is an unknown one (404 `what`).
    static func optionalId(_ value: String?, _ what: String) throws -> String? {
        guard let text = FormValue.text(value) else { return nil }
        return try IDs.ref(text, what)
    }

    static func date(_ value: String?, field: String, calendar: OrgCalendar) throws -> String {
        guard let text = FormValue.text(value), calendar.startOfDay(localDate: text) != nil else {
            throw DomainError.invalidField(field, "use a date as YYYY-MM-DD.")
        }
        return text
    }

    /// `HH:mm` (a browser may add seconds).
    static func clock(_ value: String?, field: String) throws -> (hour: Int, minute: Int, text: String) {
        let text = String((FormValue.text(value) ?? "").prefix(5))
        let parts = text.split(separator: ":")
        guard text.count == 5, parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0...23).contains(hour),
            (0...59).contains(minute)
        else { throw DomainError.invalidField(field, "use a time as HH:mm.") }
        return (hour, minute, text)
    }

    /// The instant of a local date and wall-clock time in the studio's zone (a time a DST jump skips
    /// moves forward, as the series do), checked as the API checks `startsAt`.
    static func start(date: String?, time: String?, calendar: OrgCalendar) throws -> Date {
        let day = calendar.startOfDay(localDate: try Self.date(date, field: "date", calendar: calendar))!
        let clock = try clock(time, field: "time")
        return try ScheduleRules.validateStart(calendar.instant(onDayOf: day, hour: clock.hour, minute: clock.minute))
    }

    static func capacity(_ value: String?) throws -> Int? {
        try FormValue.int(value, field: "capacity").map { try Validate.int($0, in: CatalogLimits.capacity, field: "capacity") }
    }

    static func duration(_ value: String?) throws -> Int? {
        try FormValue.int(value, field: "durationMin").map { try Validate.int($0, in: CatalogLimits.durationMin, field: "durationMin") }
    }

    static func weekdays(_ values: [String]?) throws -> [Int] {
        let days = (values ?? []).compactMap { Int($0) }
        guard !days.isEmpty, days.count == values?.count else { throw DomainError.invalidField("weekdays", "tick at least one weekday.") }
        return days
    }

    /// Refusals the page answers with a "save anyway" box: the API's `force`.
    static func offersForce(_ error: DomainError) -> Bool {
        [.coachBusy, .roomBusy, .capacityBelowBooked].contains(error.refusal)
    }
}

/// The values of a class form (new class, or one class's edit), as typed, with its choices.
struct ClassDraft {
    var classTypeId = ""
    var locationId = ""
    var coachId = ""
    var date = ""
    var time = "18:00"
    var duration = ""
    var capacity = ""
    var publish = false
    var offerForce = false
    var classTypes: [Choice] = []
    var locations: [Choice] = []
    var coaches: [Choice] = []
    var canPublish = false

    static func blank(date: String, locationId: String?) -> ClassDraft {
        ClassDraft(locationId: locationId ?? "", date: date)
    }

    init(
        classTypeId: String = "", locationId: String = "", coachId: String = "", date: String = "", time: String = "18:00",
        duration: String = "", capacity: String = "", publish: Bool = false
    ) {
        self.classTypeId = classTypeId
        self.locationId = locationId
        self.coachId = coachId
        self.date = date
        self.time = time
        self.duration = duration
        self.capacity = capacity
        self.publish = publish
    }

    init(_ form: TimetableForm, offerForce: Bool) {
        self.init(
            classTypeId: form.classType ?? "", locationId: form.classLocation ?? "", coachId: form.coach ?? "", date: form.date ?? "",
            time: form.time ?? "", duration: form.duration ?? "", capacity: form.capacity ?? "", publish: form.publish != nil)
        self.offerForce = offerForce
    }

    func resolved(_ choices: TimetableChoices, canPublish: Bool) -> ClassDraft {
        var draft = self
        draft.classTypes = choices.classTypeChoices(classTypeId)
        draft.locations = choices.locationChoices(locationId)
        draft.coaches = choices.coachChoices(coachId)
        draft.canPublish = canPublish
        return draft
    }
}

/// The values of a series form (new series, or "this and following"), as typed, with its choices.
struct SeriesDraftForm {
    var classTypeId = ""
    var locationId = ""
    var coachId = ""
    var weekdays: Set<Int> = []
    var time = "18:00"
    var firstDate = ""
    var lastDate = ""
    var duration = ""
    var capacity = ""
    var publish = true
    var offerForce = false
    var classTypes: [Choice] = []
    var locations: [Choice] = []
    var coaches: [Choice] = []
    var days: [TimetableChoices.Weekday] = []

    static func blank(date: String, locationId: String?) -> SeriesDraftForm {
        var form = SeriesDraftForm()
        form.firstDate = date
        form.locationId = locationId ?? ""
        return form
    }

    init() {}

    init(_ form: TimetableForm, offerForce: Bool) {
        classTypeId = form.classType ?? ""
        locationId = form.classLocation ?? ""
        coachId = form.coach ?? ""
        weekdays = Set((form.weekdays ?? []).compactMap { Int($0) })
        time = form.time ?? ""
        firstDate = form.firstDate ?? form.from ?? ""
        lastDate = form.lastDate ?? ""
        duration = form.duration ?? ""
        capacity = form.capacity ?? ""
        publish = form.publish != nil
        self.offerForce = offerForce
    }

    init(_ series: ClassSeries, from: String) {
        classTypeId = series.classTypeId
        locationId = series.locationId ?? ""
        coachId = series.coachMembershipId ?? ""
        weekdays = Set(series.weekdays)
        time = series.startTime
        firstDate = from
        lastDate = series.lastDate ?? ""
        duration = String(series.durationMin)
        capacity = String(series.capacity)
        publish = series.publish
    }

    func resolved(_ choices: TimetableChoices, _ local: LocalTime) -> SeriesDraftForm {
        var form = self
        form.classTypes = choices.classTypeChoices(classTypeId)
        form.locations = choices.locationChoices(locationId)
        form.coaches = choices.coachChoices(coachId)
        form.days = TimetableChoices.weekdays(weekdays, local)
        return form
    }
}

/// The bulk filter form below the week.
struct FilterForm {
    struct StatusChoice {
        let value: String
        let label: String
    }

    var from = ""
    var to = ""
    var classTypes: [Choice] = []
    var locations: [Choice] = []
    var days: [TimetableChoices.Weekday] = []
    var statuses: [StatusChoice] = []

    static func blank(from: String, to: String) -> FilterForm {
        var form = FilterForm()
        form.from = from
        form.to = to
        return form
    }

    func resolved(_ choices: TimetableChoices, locationId: String?, _ local: LocalTime, _ t: Messages) -> FilterForm {
        var form = self
        form.classTypes = choices.classTypeChoices("")
        form.locations = choices.locationChoices(locationId ?? "")
        form.days = TimetableChoices.weekdays([], local)
        form.statuses = SessionStatus.allCases.map { StatusChoice(value: $0.rawValue, label: TimetableChoices.statusLabel($0, t)) }
        return form
    }
}
