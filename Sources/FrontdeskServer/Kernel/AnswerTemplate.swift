import Foundation
import FrontdeskStore
import NIOCore

/// A place in written JSON that changes from one answer to the next (`AnswerTemplate`).
enum JSONHole: Sendable, Equatable {
    /// The answer's instant (`"2026-11-30T00:10:53Z"`).
    case now
    /// The whole seconds from the answer's instant until this Unix second, not below zero.
    case secondsUntil(Int64)
    /// Bytes left out when the asker says it already holds `key` (a QR code's SVG member, sent once).
    case unlessHeld(key: String)
    /// What a session of the schedule shows that bookings change (`RenderedSchedule`).
    case viewer(ViewerHole)
}

/// The members of a session's JSON that differ between viewers and bookings (`RenderedSchedule`):
/// a count's digits, or where an optional member goes (empty when written without it).
enum ViewerHole: Sendable, Equatable {
    case bookedCount, eligibility, myBooking, spotsLeft, waitlistCount
}

/// A JSON answer written once and answered many times: its bytes as written, with the places that
/// differ between answers (`JSONHole`, marked by the writer with `JSONOutput.hole`) written afresh
/// for each. The wall display's poll answers the same codes and classes all through a window; only
/// its instants and which SVGs the screen already holds change, so a poll copies the bytes between
/// the holes instead of writing the whole state again (`DisplayRoutes.cachedAnswer`).
///
/// An answer is byte for byte what the writer writes for the same value at that instant with the
/// held members left out (`DisplayAheadTests`).
struct AnswerTemplate: Sendable {
    private let bytes: [UInt8]
    private let holes: [(hole: JSONHole, range: Range<Int>)]

    init(_ value: some JSONWritable, capacity: Int) {
        var json = JSONOutput(capacity: capacity)
        value.write(to: &json)
        bytes = json.bytes
        holes = json.holes
        // Each hole is recorded as it ends, so holes that do not nest come in order.
        assert(zip(holes, holes.dropFirst()).allSatisfy { $0.range.upperBound <= $1.range.lowerBound }, "holes nest")
    }

    /// The answer at `now`, without the members `holds` says the asker already has.
    func answer(now: Date, holds: (String) -> Bool) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(bytes.count + 24 * holes.count)
        let nowSeconds = now.epochSeconds
        bytes.withUnsafeBytes { written in
            var at = 0
            for (hole, range) in holes {
                out.writeBytes(UnsafeRawBufferPointer(rebasing: written[at..<range.lowerBound]))
                switch hole {
                case .now:
                    var instant = JSONOutput(capacity: 24)
                    instant.date(now)
                    out.writeBytes(instant.bytes)
                case .secondsUntil(let end):
                    out.writeString(String(max(0, end - nowSeconds)))
                case .unlessHeld(let key):
                    if !holds(key) { out.writeBytes(UnsafeRawBufferPointer(rebasing: written[range])) }
                case .viewer:
                    out.writeBytes(UnsafeRawBufferPointer(rebasing: written[range]))
                }
                at = range.upperBound
            }
            out.writeBytes(UnsafeRawBufferPointer(rebasing: written[at...]))
        }
        return out
    }
}

/// A value written as a hole of its template (`JSONOutput.hole`).
struct Holed<Value: JSONWritable>: JSONWritable {
    let hole: JSONHole
    let value: Value

    init(_ hole: JSONHole, _ value: Value) {
        self.hole = hole
        self.value = value
    }

    func write(to json: inout JSONOutput) { json.hole(hole) { value.write(to: &$0) } }
}
