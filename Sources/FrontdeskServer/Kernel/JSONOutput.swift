import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON written straight into the answer's bytes, for the hottest answers (a member's week, the wall
/// display's poll): Foundation's `JSONEncoder` spent 40 % of the server's time on the week alone
/// (`perf record`, docs/benchmarks.md), building a tree of boxed values, sorting every object's keys
/// and formatting each date through a calendar.
///
/// The output is byte for byte what `ResponseJSON.encoder` writes for the same value, which
/// `JSONOutputTests` checks for every type written this way: keys in the order of their UTF-8 bytes
/// (a writer lists them in that order), absent optionals left out, instants as ISO-8601 in UTC with
/// whole seconds (rounded down), and strings escaped as Foundation does (`"`, `\`, `/` and the
/// control characters; everything else as UTF-8).
struct JSONOutput {
    /// Bytes, not a `ByteBuffer`: appending one byte to an array is a store, to a buffer a call with
    /// its checks (`ByteBuffer.setInteger` was a tenth of the week's time).
    private(set) var bytes: [UInt8]
    /// Whether the next member or element needs a comma before it.
    private var needsComma = false
    /// The places written through `hole`, in the order written (`AnswerTemplate`).
    private(set) var holes: [(hole: JSONHole, range: Range<Int>)] = []

    init(capacity: Int = 4096) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// An object: `body` writes its members with `field`, in the order of their keys' bytes.
    mutating func object(_ body: (inout JSONOutput) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// A member; left out when `value` is `nil` (as `encodeIfPresent` does).
    mutating func field<Value: JSONWritable>(_ key: StaticString, _ value: Value?) {
        guard let value else { return }
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        value.write(to: &self)
        needsComma = true
    }

    mutating func array<Elements: Sequence>(_ elements: Elements) where Elements.Element: JSONWritable {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for element in elements {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            element.write(to: &self)
        }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// An array of `count` elements, element `index` written by `element(&json, index)`.
    mutating func items(count: Int, _ element: (inout JSONOutput, Int) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for index in 0..<count {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            element(&self, index)
        }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { text in
            // Runs that need no escape are copied whole (a QR code's SVG is ~8 KB with a few dozen quotes).
            var run = 0
            for index in text.indices where Self.needsEscape(text[index]) {
                if run < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[run..<index])) }
                writeEscaped(text[index])
                run = index + 1
            }
            if run < text.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[run...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "/")
    }

    /// One byte that needs an escape.
    private mutating func writeEscaped(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case ..<0x20:
            bytes.append(contentsOf: [
                UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), Self.hexDigit(byte >> 4), Self.hexDigit(byte & 0xF),
            ])
        default:
            bytes.append(byte)  // `"`, `\` and `/`
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// What `write` writes, marked as a place an `AnswerTemplate` writes afresh for each answer (holes
    /// do not nest).
    mutating func hole(_ hole: JSONHole, _ write: (inout JSONOutput) -> Void) {
        let start = bytes.count
        write(&self)
        holes.append((hole, start..<bytes.count))
    }

    /// Bytes already in JSON form (`JSONString`).
    mutating func raw(_ json: [UInt8]) {
        bytes.append(contentsOf: json)
    }

    /// Part of bytes already in JSON form (`RenderedSchedule`).
    mutating func raw(_ json: ArraySlice<UInt8>) {
        bytes.append(contentsOf: json)
    }

    /// Text already in JSON form (punctuation and keys of a pre-written part, `RenderedCode`).
    mutating func text(_ json: StaticString) {
        json.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func int(_ value: Int) {
        if value >= 0, value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
        } else {
            bytes.append(contentsOf: String(value).utf8)
        }
    }

    mutating func bool(_ value: Bool) {
        let word: StaticString = value ? "true" : "false"
        word.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// `2026-11-29T12:00:00Z`: the instant in UTC, its fraction of a second dropped (towards the past).
    mutating func date(_ value: Date) {
        let utc = UTCDay(value)
        let start = bytes.count
        bytes.append(contentsOf: "\"0000-00-00T00:00:00Z\"".utf8)
        func put(_ number: Int, at index: Int, digits: Int) {
            var number = number
            for offset in stride(from: digits - 1, through: 0, by: -1) {
                bytes[start + index + offset] = UInt8(ascii: "0") + UInt8(number % 10)
                number /= 10
            }
        }
        put(utc.year, at: 1, digits: 4)
        put(utc.month, at: 6, digits: 2)
        put(utc.day, at: 9, digits: 2)
        put(utc.secondOfDay / 3600, at: 12, digits: 2)
        put(utc.secondOfDay / 60 % 60, at: 15, digits: 2)
        put(utc.secondOfDay % 60, at: 18, digits: 2)
    }
}

/// A string answered often (a QR code's SVG, ~8 KB, in every screen's first poll): its quoted,
/// escaped JSON made once, beside it. Encodes as the plain string.
struct JSONString: Encodable, Sendable, JSONWritable {
    let text: String
    let json: [UInt8]

    init(_ text: String) {
        self.text = text
        var output = JSONOutput(capacity: text.utf8.count + 64)
        output.string(text)
        json = output.bytes
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    func write(to json: inout JSONOutput) { json.raw(self.json) }
}

/// A value `JSONOutput` can write.
protocol JSONWritable {
    func write(to json: inout JSONOutput)
}

extension String: JSONWritable {
    func write(to json: inout JSONOutput) { json.string(self) }
}

extension Int: JSONWritable {
    func write(to json: inout JSONOutput) { json.int(self) }
}

extension Bool: JSONWritable {
    func write(to json: inout JSONOutput) { json.bool(self) }
}

extension Date: JSONWritable {
    func write(to json: inout JSONOutput) { json.date(self) }
}

extension Array: JSONWritable where Element: JSONWritable {
    func write(to json: inout JSONOutput) { json.array(self) }
}

/// Enums with string raw values are written as their raw value (as `Codable` does).
extension JSONWritable where Self: RawRepresentable, RawValue == String {
    func write(to json: inout JSONOutput) { json.string(rawValue) }
}

/// An answer written with `JSONOutput` instead of `JSONEncoder`: the same headers as Hummingbird's
/// JSON answers (`application/json; charset=utf-8` and the length).
protocol JSONOutputResponse: ResponseGenerator, JSONWritable {
    /// About how many bytes the answer takes, so its bytes are reserved once.
    var sizeHint: Int { get }
}

extension JSONOutputResponse {
    var sizeHint: Int { 4096 }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var json = JSONOutput(capacity: sizeHint)
        write(to: &json)
        return .json(ByteBuffer(bytes: json.bytes))
    }
}

extension Response {
    /// A 200 with `body`, JSON, and the headers Hummingbird's JSON answers have (its type and length),
    /// then `extra`.
    static func json(_ body: ByteBuffer, extra: [HTTPField] = []) -> Response {
        var headers = HTTPFields()
        headers.reserveCapacity(2 + extra.count)
        headers.append(.init(name: .contentType, value: "application/json; charset=utf-8"))
        headers.append(.init(name: .contentLength, value: String(body.readableBytes)))
        for field in extra { headers.append(field) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}

/// A value of another module's public type answered with `JSONOutput` (a public type cannot take
/// this module's `ResponseGenerator` witness itself).
struct JSONAnswer<Value: JSONWritable>: JSONOutputResponse {
    let value: Value

    init(_ value: Value) { self.value = value }

    func write(to json: inout JSONOutput) { value.write(to: &json) }
}
