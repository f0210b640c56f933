/// View pieces several pages share.

/// One option of a picker (studio, location).
struct Choice {
    let id: String
    let name: String
    let selected: Bool
}

/// A headline and a sentence, for the `message` page (refusals and empty states).
struct PageMessage {
    let headline: String
    let text: String
}
