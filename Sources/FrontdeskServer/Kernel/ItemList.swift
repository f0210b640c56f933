import Hummingbird

/// A list answer: `{"items": [...]}`.
struct ItemList<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    let items: [Item]
}
