import FrontdeskCore
import FrontdeskStore
import Synchronization

/// Where bookings belong — studio, class and member, which never change once a booking exists — for
/// the bookings this process made or read, so that a cancel finds its lane and checks who may cancel
/// without reading the booking first (under the mix that read was one statement per cancel). The
/// cancel itself reads the booking under its class's lock and decides on what it finds there (a
/// booking gone since answers 404 as before).
final class BookingHomes: Sendable {
    struct Home: Sendable, Equatable {
        let bookingId: String
        let organizationId: String
        let sessionId: String
        let membershipId: String

        init(_ booking: Booking) {
            bookingId = booking.id
            organizationId = booking.organizationId
            sessionId = booking.sessionId
            membershipId = booking.membershipId
        }
    }

    /// Bookings held at most (about 200 bytes each); when full it starts afresh.
    static let capacity = 50_000

    private let homes = Mutex<[String: Home]>([:])

    /// Remembers where `booking` belongs.
    func note(_ booking: Booking) {
        homes.withLock { homes in
            if homes.count >= Self.capacity, homes[booking.id] == nil { homes.removeAll(keepingCapacity: true) }
            homes[booking.id] = Home(booking)
        }
    }

    /// Where the booking belongs, if this process has seen it.
    func home(of bookingId: String) -> Home? {
        homes.withLock { $0[bookingId] }
    }

    /// Bookings held now.
    var count: Int { homes.withLock { $0.count } }
}
