import Foundation
import FrontdeskCore
import Hummingbird
import NIOCore

extension Request {
    /// Decodes the JSON body as `T`, turning every failure into a 400 that names the problem:
    /// an empty or malformed body, a missing field, a wrong type. Too large a body answers 413.
    func decodeJSON<T: Decodable>(_ type: T.Type, context: some FrontdeskContext) async throws -> T {
        // JSON only: a form or text/plain body is what a foreign page can send without a preflight.
        guard Self.isJSON(mediaType: headers[.contentType] ?? "") else {
            throw DomainError(
                .unsupportedMediaType, "Send the body as JSON with Content-Type: application/json."
            )
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: context.maxUploadSize)
        } catch {
            throw DomainError(.payloadTooLarge, "The request body is larger than \(context.maxUploadSize) bytes.")
        }
        guard buffer.readableBytes > 0 else {
            throw DomainError(.invalidJSON, "The request body must be a JSON object.")
        }
        // No text field anywhere needs NUL, and PostgreSQL cannot store it: refuse it up front.
        if Self.mentionsNUL(buffer.readableBytesView) {
            throw DomainError(.invalidText, "Text in the request must not contain NUL characters.")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISO8601.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "must be an ISO-8601 instant with offset, e.g. 2026-11-20T18:00:00+01:00.")
            }
            return date
        }
        do {
            return try decoder.decode(T.self, from: Data(buffer: buffer))
        } catch let error as DomainError {
            throw error
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            _ = context
            throw DomainError(.invalidJSON, "The request body is not valid JSON.")
        } catch let DecodingError.keyNotFound(key, context) {
            throw DomainError(.missingField, "\(Self.path(context.codingPath + [key])) is required.")
        } catch let DecodingError.typeMismatch(expected, context) {
            throw DomainError(.invalidType, "\(Self.path(context.codingPath)) must be \(Self.describe(expected)).")
        } catch let DecodingError.valueNotFound(expected, context) {
            throw DomainError(.invalidType, "\(Self.path(context.codingPath)) must be \(Self.describe(expected)), not null.")
        } catch let DecodingError.dataCorrupted(context) {
            throw DomainError(.invalidField, "\(Self.path(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw DomainError(.invalidJSON, "The request body could not be read as JSON.")
        }
    }

    /// Like `decodeJSON`, for endpoints whose body is optional: no body at all yields `fallback`.
    func decodeJSONIfPresent<T: Decodable>(_ type: T.Type, context: some FrontdeskContext, fallback: T) async throws -> T {
        let hasBody = headers[.contentLength].map { $0 != "0" } ?? (headers[.transferEncoding] != nil)
        return hasBody ? try await decodeJSON(type, context: context) : fallback
    }

    /// Whether a Content-Type names JSON: `application/json` or `application/…+json`, any case, with or
    /// without parameters (`; charset=utf-8`). Read byte by byte: Foundation's trimming and lowercasing
    /// were 2 % of the server's time in a check-in rush.
    static func isJSON(mediaType: String) -> Bool {
        var type = Array(mediaType.utf8.prefix { $0 != UInt8(ascii: ";") })
        while let last = type.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { type.removeLast() }
        let start = type.firstIndex { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") } ?? type.endIndex
        let lowered = type[start...].map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }
        let application = Array("application/".utf8)
        guard lowered.starts(with: application) else { return false }
        return lowered.elementsEqual("application/json".utf8)
            || (lowered.count >= application.count + 5 && lowered.suffix(5).elementsEqual("+json".utf8))
    }

    /// Whether a body holds a NUL byte or spells one as an escape (`\u0000`, the `u` in either case).
    static func mentionsNUL(_ bytes: ByteBufferView) -> Bool {
        let escape: [UInt8] = Array("0000".utf8)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 0 { return true }
            if byte == UInt8(ascii: "\\"), bytes.index(index, offsetBy: 6, limitedBy: bytes.endIndex) != nil,
                bytes[index + 1] | 0x20 == UInt8(ascii: "u"), bytes[(index + 2)..<(index + 6)].elementsEqual(escape)
            {
                return true
            }
            index += 1
        }
        return false
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        let path = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        return path.isEmpty ? "The body" : path
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "an array"
        default: type is Decodable.Type ? "an object" : "of another type"
        }
    }
}

/// A field of a PATCH body: left out, explicitly null, or set.
enum PatchField<Value: Decodable & Sendable>: Sendable {
    case absent, null, value(Value)

    /// The new value given the current one.
    func applied(to current: Value?) -> Value? {
        switch self {
        case .absent: current
        case .null: nil
        case .value(let value): value
        }
    }

    /// The value if one was given (null and absent alike yield `nil`).
    var given: Value? {
        if case .value(let value) = self { return value }
        return nil
    }

    var isNull: Bool { if case .null = self { true } else { false } }
}

extension KeyedDecodingContainer {
    /// Decodes a PATCH field, telling absent from null.
    func patch<Value: Decodable & Sendable>(_ type: Value.Type, forKey key: Key) throws -> PatchField<Value> {
        guard contains(key) else { return .absent }
        if try decodeNil(forKey: key) { return .null }
        return .value(try decode(Value.self, forKey: key))
    }
}

/// A response with a status other than 200.
struct Created<Body: ResponseEncodable>: ResponseGenerator {
    let body: Body
    var status: HTTPResponse.Status = .created

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try body.response(from: request, context: context)
        response.status = status
        return response
    }
}

/// ISO-8601 instants with an offset, with or without fractional seconds (as JavaScript sends them).
enum ISO8601 {
    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
