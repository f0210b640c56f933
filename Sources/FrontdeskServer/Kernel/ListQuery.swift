import FrontdeskCore
import FrontdeskStore
import Hummingbird

/// The paging parameters every keyset-paged listing shares: `limit` and `cursor`.
enum ListQuery {
    /// `limit`, 1…`maximum`, or `fallback` when absent.
    static func limit(_ query: Parameters, fallback: Int = 20, maximum: Int = 100) throws -> Int {
        try query.get("limit").map { value in
            guard let number = Int(value), (1...maximum).contains(number) else {
                throw DomainError(.invalidQuery, "limit must be an integer from 1 to \(maximum).")
            }
            return number
        } ?? fallback
    }

    /// `cursor` as issued by an earlier page, or nil when absent.
    static func cursor(_ query: Parameters) throws -> KeysetCursor? {
        try query.get("cursor").map { value in
            guard let cursor = KeysetCursor(encoded: value) else {
                throw DomainError(.invalidCursor, "cursor is not one this server issued.")
            }
            return cursor
        }
    }
}
