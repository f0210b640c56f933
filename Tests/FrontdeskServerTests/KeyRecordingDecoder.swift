import Foundation

/// A `Decoder` that reads nothing: it hands every `init(from:)` placeholder values and records each key
/// asked for (`decode`, `decodeIfPresent`, `contains`, `decodeNil`), by the path of the object it
/// belongs to ("" for the body itself, "filter" for a nested object). `OpenAPIConsistencyTests` compares
/// these keys, the fields Swift actually reads, with the properties of the document's request bodies.
struct KeyRecordingDecoder: Decoder {
    final class Recorder: @unchecked Sendable {
        var keys: [String: Set<String>] = [:]
        func record(_ key: any CodingKey, at path: [any CodingKey]) {
            keys[KeyRecordingDecoder.name(path), default: []].insert(key.stringValue)
        }
    }

    let recorder: Recorder
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// The keys `T` reads from a JSON object, by path.
    static func keys<T: Decodable>(of type: T.Type) throws -> [String: Set<String>] {
        let recorder = Recorder()
        _ = try T(from: KeyRecordingDecoder(recorder: recorder))
        return recorder.keys
    }

    static func name(_ path: [any CodingKey]) -> String {
        path.filter { $0.intValue == nil }.map(\.stringValue).joined(separator: ".")
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(decoder: self))
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { Unkeyed(decoder: self) }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(decoder: self) }

    /// A placeholder of `T`: the first case of an enum, zero, empty, or an instance decoded from a
    /// nested recording decoder (which records the nested object's keys).
    func placeholder<T: Decodable>(_ type: T.Type, at path: [any CodingKey]) throws -> T {
        if let cases = T.self as? any CaseIterable.Type, let first = Self.firstCase(cases) as? T { return first }
        switch T.self {
        case is String.Type: return "" as! T
        case is Bool.Type: return false as! T
        case is Int.Type: return 0 as! T
        case is Double.Type: return 0.0 as! T
        case is Date.Type: return Date(timeIntervalSince1970: 0) as! T
        default: return try T(from: KeyRecordingDecoder(recorder: recorder, codingPath: path))
        }
    }

    private static func firstCase<C: CaseIterable>(_ type: C.Type) -> Any? { C.allCases.first }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: KeyRecordingDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }
        var allKeys: [Key] { [] }

        func contains(_ key: Key) -> Bool {
            decoder.recorder.record(key, at: codingPath)
            return true
        }
        func decodeNil(forKey key: Key) throws -> Bool {
            decoder.recorder.record(key, at: codingPath)
            return false
        }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            decoder.recorder.record(key, at: codingPath)
            return try decoder.placeholder(type, at: codingPath + [key])
        }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            decoder.recorder.record(key, at: codingPath)
            return try? decoder.placeholder(type, at: codingPath + [key])
        }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(Wrapped<Bool>.self, forKey: key).value }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(Wrapped<String>.self, forKey: key).value }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(Wrapped<Double>.self, forKey: key).value }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(Wrapped<Float>.self, forKey: key).value }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(Wrapped<Int>.self, forKey: key).value }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(Wrapped<Int8>.self, forKey: key).value }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(Wrapped<Int16>.self, forKey: key).value }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(Wrapped<Int32>.self, forKey: key).value }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(Wrapped<Int64>.self, forKey: key).value }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(Wrapped<UInt>.self, forKey: key).value }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(Wrapped<UInt8>.self, forKey: key).value }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(Wrapped<UInt16>.self, forKey: key).value }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(Wrapped<UInt32>.self, forKey: key).value }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(Wrapped<UInt64>.self, forKey: key).value }
        func nestedContainer<NestedKey: CodingKey>(
            keyedBy type: NestedKey.Type, forKey key: Key
        ) throws -> KeyedDecodingContainer<NestedKey> {
            decoder.recorder.record(key, at: codingPath)
            return KeyedDecodingContainer(
                Keyed<NestedKey>(decoder: KeyRecordingDecoder(recorder: decoder.recorder, codingPath: codingPath + [key])))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            decoder.recorder.record(key, at: codingPath)
            return Unkeyed(decoder: KeyRecordingDecoder(recorder: decoder.recorder, codingPath: codingPath + [key]))
        }
        func superDecoder() throws -> any Decoder { decoder }
        func superDecoder(forKey key: Key) throws -> any Decoder {
            decoder.recorder.record(key, at: codingPath)
            return KeyRecordingDecoder(recorder: decoder.recorder, codingPath: codingPath + [key])
        }
    }

    /// An empty array: element types are not followed.
    struct Unkeyed: UnkeyedDecodingContainer {
        let decoder: KeyRecordingDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }
        var count: Int? { 0 }
        var isAtEnd: Bool { true }
        var currentIndex: Int { 0 }
        func end() -> DecodingError {
            DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "A recorded array is empty."))
        }
        mutating func decodeNil() throws -> Bool { throw end() }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { throw end() }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            throw end()
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { throw end() }
        mutating func superDecoder() throws -> any Decoder { throw end() }
    }

    struct Single: SingleValueDecodingContainer {
        let decoder: KeyRecordingDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }
        func decodeNil() -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.placeholder(type, at: codingPath) }
        func decode(_ type: Bool.Type) throws -> Bool { false }
        func decode(_ type: String.Type) throws -> String { "" }
        func decode(_ type: Double.Type) throws -> Double { 0 }
        func decode(_ type: Float.Type) throws -> Float { 0 }
        func decode(_ type: Int.Type) throws -> Int { 0 }
        func decode(_ type: Int8.Type) throws -> Int8 { 0 }
        func decode(_ type: Int16.Type) throws -> Int16 { 0 }
        func decode(_ type: Int32.Type) throws -> Int32 { 0 }
        func decode(_ type: Int64.Type) throws -> Int64 { 0 }
        func decode(_ type: UInt.Type) throws -> UInt { 0 }
        func decode(_ type: UInt8.Type) throws -> UInt8 { 0 }
        func decode(_ type: UInt16.Type) throws -> UInt16 { 0 }
        func decode(_ type: UInt32.Type) throws -> UInt32 { 0 }
        func decode(_ type: UInt64.Type) throws -> UInt64 { 0 }
    }

    /// A primitive read through the generic path (so primitives get their placeholder too).
    struct Wrapped<Value: Decodable>: Decodable {
        let value: Value
        init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Value.self) }
    }
}
