import NIOCore
import PostgresNIO

/// A one-dimensional PostgreSQL array bind whose elements may be NULL (PostgresNIO encodes arrays of
/// values only), in the binary array format `array_recv` reads: for the column of a nullable value
/// when a batch's rows go in as one array per column (`INSERT … SELECT … FROM unnest(…)`).
struct PostgresNullableArray<Element: PostgresArrayEncodable & Encodable & Sendable>: PostgresThrowingDynamicTypeEncodable,
    Encodable, Sendable
{
    let elements: [Element?]

    init(_ elements: [Element?]) {
        self.elements = elements
    }

    var psqlType: PostgresDataType { Element.psqlArrayType }
    var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) throws {
        // Dimensions (none for an empty array), whether any element is NULL, the element type.
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(elements.contains { $0 == nil } ? 1 : 0, as: Int32.self)
        buffer.writeInteger(Element.psqlType.rawValue)
        guard !elements.isEmpty else { return }
        // The one dimension's length and lower bound.
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)
        for element in elements {
            guard let element else {
                buffer.writeInteger(-1, as: Int32.self)
                continue
            }
            let lengthAt = buffer.writerIndex
            buffer.writeInteger(0, as: Int32.self)
            try element.encode(into: &buffer, context: context)
            buffer.setInteger(Int32(buffer.writerIndex - lengthAt - 4), at: lengthAt)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(elements)
    }
}
