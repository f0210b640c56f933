import FrontdeskCore
import FrontdeskStore

// The schedule's answers written with `JSONOutput` (a member's week is the most frequent request of
// a studio): the same bytes as their `Encodable` form, keys in byte order (`JSONOutputTests`).

extension SessionView: JSONWritable {
    /// What bookings and the viewer change are marked as holes (`ViewerHole`), which a
    /// `RenderedSchedule` writes afresh for each viewer; any other writer ignores them.
    func write(to json: inout JSONOutput) {
        json.object { json in
            json.field("bookedCount", Holed(.viewer(.bookedCount), bookedCount))
            json.hole(.viewer(.eligibility)) { $0.field("bookingEligibility", bookingEligibility) }
            json.field("cancelReason", cancelReason)
            json.field("capacity", capacity)
            json.field("classType", classType)
            json.field("coach", coach)
            json.field("durationMin", durationMin)
            json.field("endsAt", endsAt)
            json.field("id", id)
            json.field("localDate", localDate)
            json.field("location", location)
            json.hole(.viewer(.myBooking)) { $0.field("myBooking", myBooking) }
            json.field("organizationId", organizationId)
            json.field("program", program)
            json.field("spotsLeft", Holed(.viewer(.spotsLeft), spotsLeft))
            json.field("startsAt", startsAt)
            json.field("status", status)
            json.field("waitlistCount", Holed(.viewer(.waitlistCount), waitlistCount))
            json.field("workoutSource", workoutSource)
            json.field("workouts", workouts)
        }
    }
}

extension SessionView.ClassTypeRef: JSONWritable {
    func write(to json: inout JSONOutput) {
        json.object { json in
            json.field("color", color)
            json.field("id", id)
            json.field("name", name)
        }
    }
}

extension SessionView.ProgramRef: JSONWritable {
    func write(to json: inout JSONOutput) {
        json.object { json in
            json.field("deliveryMode", deliveryMode)
            json.field("id", id)
            json.field("name", name)
        }
    }
}

extension SessionView.LocationRef: JSONWritable {
    func write(to json: inout JSONOutput) {
        json.object { json in
            json.field("id", id)
            json.field("name", name)
        }
    }
}

extension SessionView.CoachRef: JSONWritable {
    func write(to json: inout JSONOutput) {
        json.object { json in
            json.field("membershipId", membershipId)
            json.field("name", name)
        }
    }
}

extension SessionView.WorkoutRef: JSONWritable {
    func write(to json: inout JSONOutput) {
        json.object { json in
            json.field("body", body)
            json.field("id", id)
            json.field("title", title)
        }
    }
}

extension ScheduledSession.ViewerBooking: JSONWritable {
    func write(to json: inout JSONOutput) {
        json.object { json in
            json.field("id", id)
            json.field("status", status)
            json.field("waitlistPosition", waitlistPosition)
        }
    }
}

extension BookingEligibility: JSONWritable {
    func write(to json: inout JSONOutput) {
        json.object { json in
            json.field("plans", plans)
            json.field("reasons", reasons)
            json.field("status", status)
        }
    }
}

extension PlanTerms: JSONWritable {
    func write(to json: inout JSONOutput) {
        json.object { json in
            json.field("allowOverlappingBookings", allowOverlappingBookings)
            json.field("classCredits", classCredits)
            json.field("id", id)
            json.field("maxBookingsPerDay", maxBookingsPerDay)
            json.field("maxBookingsPerWeek", maxBookingsPerWeek)
            json.field("name", name)
            json.field("priceCents", priceCents)
        }
    }
}

extension BookingEligibility.Status: JSONWritable {}
extension SessionStatus: JSONWritable {}
extension DeliveryMode: JSONWritable {}
extension WorkoutSource: JSONWritable {}

extension SessionRoutes.SessionList: JSONOutputResponse {
    /// A session's view is under a kilobyte, more with plans or workouts.
    var sizeHint: Int { 512 + items.count * 1024 }

    func write(to json: inout JSONOutput) {
        json.object { json in
            json.field("from", from)
            json.field("items", items)
            json.field("timezone", timezone)
            json.field("to", to)
        }
    }
}

extension SessionRoutes.TodayList: JSONOutputResponse {
    var sizeHint: Int { 512 + items.count * 1536 }

    func write(to json: inout JSONOutput) {
        json.object { json in
            json.field("date", date)
            json.field("items", items)
            json.field("timezone", timezone)
        }
    }
}
