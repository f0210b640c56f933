import FrontdeskCore

/// A position in a listing ordered by an instant and an id (my bookings, audit batches): the last
/// row's instant (epoch seconds) and id, handed to the client as an opaque base64url string.
public struct KeysetCursor: Sendable, Equatable {
    public var at: Int64
    public var id: String

    public init(at: Int64, id: String) {
        self.at = at
        self.id = id
    }

    public var encoded: String { Base64URL.encode(Array("\(at)|\(id)".utf8)) }

    /// Decodes a cursor from a query string; `nil` for anything this system did not issue.
    public init?(encoded: String) {
        guard encoded.count <= 200, let bytes = Base64URL.decode(encoded),
            let text = String(bytes: bytes, encoding: .utf8)
        else { return nil }
        let parts = text.split(separator: "|")
        guard parts.count == 2, let at = Int64(parts[0]), NewID.isWellFormed(String(parts[1])) else { return nil }
        self.init(at: at, id: String(parts[1]))
    }
}
