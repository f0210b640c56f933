import Foundation
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
    private(set) var buffer: ByteBuffer
    /// Whether the next member or element needs a comma before it.
    private var needsComma = false

    init(capacity: Int = 4096) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// An object: `body` writes its members with `field`, in the order of their keys' bytes.
    mutating func object(_ body: (inout JSONOutput) -> Void) {
        buffer.writeInteger(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        buffer.writeInteger(UInt8(ascii: "}"))
        needsComma = true
    }

    /// A member; left out when `value` is `nil` (as `encodeIfPresent` does).
    mutating func field<Value: JSONWritable>(_ key: StaticString, _ value: Value?) {
        guard let value else { return }
        if needsComma { buffer.writeInteger(UInt8(ascii: ",")) }
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeStaticString(key)
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeInteger(UInt8(ascii: ":"))
        value.write(to: &self)
        needsComma = true
    }

    mutating func array<Elements: Sequence>(_ elements: Elements) where Elements.Element: JSONWritable {
        buffer.writeInteger(UInt8(ascii: "["))
        var first = true
        for element in elements {
            if !first { buffer.writeInteger(UInt8(ascii: ",")) }
            first = false
            element.write(to: &self)
        }
        buffer.writeInteger(UInt8(ascii: "]"))
        needsComma = true
    }

    mutating func string(_ value: String) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            // Runs that need no escape are copied whole (a QR code's SVG is ~8 KB with a few dozen quotes).
            let raw = UnsafeRawBufferPointer(bytes)
            var run = 0
            for index in bytes.indices where Self.needsEscape(bytes[index]) {
                if run < index { buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[run..<index])) }
                writeEscaped(bytes[index])
                run = index + 1
            }
            if run < bytes.count { buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[run...])) }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "/")
    }

    private mutating func writeEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
            buffer.writeMultipleIntegers(UInt8(ascii: "\\"), byte)
        case 0x08: buffer.writeStaticString("\\b")
        case 0x09: buffer.writeStaticString("\\t")
        case 0x0A: buffer.writeStaticString("\\n")
        case 0x0C: buffer.writeStaticString("\\f")
        case 0x0D: buffer.writeStaticString("\\r")
        case ..<0x20:
            buffer.writeStaticString("\\u00")
            buffer.writeInteger(Self.hexDigit(byte >> 4))
            buffer.writeInteger(Self.hexDigit(byte & 0xF))
        default:
            buffer.writeInteger(byte)  // not reached: only bytes that need an escape come here
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    mutating func int(_ value: Int) {
        if value >= 0, value < 10 {
            buffer.writeInteger(UInt8(ascii: "0") + UInt8(value))
        } else {
            buffer.writeString(String(value))
        }
    }

    mutating func bool(_ value: Bool) {
        buffer.writeStaticString(value ? "true" : "false")
    }

    /// `2026-11-29T12:00:00Z`: the instant in UTC, its fraction of a second dropped (towards the past).
    mutating func date(_ value: Date) {
        let seconds = Int(value.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civil(daysSince1970: days)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 22) { raw in
            let text = raw.bindMemory(to: UInt8.self)
            for (index, byte) in "\"0000-00-00T00:00:00Z\"".utf8.enumerated() { text[index] = byte }
            func put(_ number: Int, at index: Int, digits: Int) {
                var number = number
                for offset in stride(from: digits - 1, through: 0, by: -1) {
                    text[index + offset] = UInt8(ascii: "0") + UInt8(number % 10)
                    number /= 10
                }
            }
            put(year, at: 1, digits: 4)
            put(month, at: 6, digits: 2)
            put(day, at: 9, digits: 2)
            put(secondOfDay / 3600, at: 12, digits: 2)
            put(secondOfDay / 60 % 60, at: 15, digits: 2)
            put(secondOfDay % 60, at: 18, digits: 2)
            return 22
        }
    }

    /// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civil(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
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
protocol JSONOutputResponse: ResponseGenerator, JSONWritable {}

extension JSONOutputResponse {
    func response(from request: Request, context: some RequestContext) throws -> Response {
        var json = JSONOutput()
        write(to: &json)
        var headers = HTTPFields()
        headers.reserveCapacity(4)
        headers.append(.init(name: .contentType, value: "application/json; charset=utf-8"))
        headers.append(.init(name: .contentLength, value: String(json.buffer.readableBytes)))
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: json.buffer))
    }
}
