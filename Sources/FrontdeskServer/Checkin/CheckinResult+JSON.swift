import FrontdeskCore
import FrontdeskStore

// A check-in's answer written with `JSONOutput` (the check-in rush answers thousands a minute): the
// same bytes as its `Encodable` form, keys in byte order (`JSONOutputTests`).

extension CheckinResult: JSONWritable {
    func write(to json: inout JSONOutput) {
        json.object { json in
            json.field("alreadyCheckedIn", alreadyCheckedIn)
            json.field("booking", booking)
            json.field("walkIn", walkIn)
        }
    }
}

extension Booking: JSONWritable {
    func write(to json: inout JSONOutput) {
        json.object { json in
            json.field("cancelledAt", cancelledAt)
            json.field("capacityOverride", capacityOverride)
            json.field("checkedInAt", checkedInAt)
            json.field("checkinMethod", checkinMethod)
            json.field("createdAt", createdAt)
            json.field("creditCharged", creditCharged)
            json.field("id", id)
            json.field("lateCancel", lateCancel)
            json.field("membershipId", membershipId)
            json.field("organizationId", organizationId)
            json.field("sessionId", sessionId)
            json.field("status", status)
            json.field("subscriptionId", subscriptionId)
            json.field("updatedAt", updatedAt)
            json.field("waitlistPosition", waitlistPosition)
        }
    }
}

extension BookingStatus: JSONWritable {}
