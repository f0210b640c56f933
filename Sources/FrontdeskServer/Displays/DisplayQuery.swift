/// The query of a display state poll (`?exp=&sig=&have=…`), read in one pass over its bytes: the
/// screen polls every few seconds, and Hummingbird's `queryParameters` (every pair split, decoded and
/// put in a dictionary) with its look-ups was a twentieth of each poll (`perf`).
///
/// It reads what `queryParameters` reads (`DisplayQueryTests`): names as they are, values
/// percent-decoded (left as they are when that fails), a pair without `=` as a name with an empty
/// value; `exp` and `sig` the first of their name, `have` every one, up to `maxHave`.
struct DisplayQuery {
    var expires: Substring?
    var signature: Substring?
    var have: [String] = []

    init(_ query: String?, maxHave: Int) {
        guard let query else { return }
        for pair in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let name = pair[..<(equals ?? pair.endIndex)]
            let value = equals.map { pair[pair.index(after: $0)...] } ?? pair[pair.endIndex...]
            if name.elementsEqual("exp".utf8) {
                if expires == nil { expires = Self.decoded(value) }
            } else if name.elementsEqual("sig".utf8) {
                if signature == nil { signature = Self.decoded(value) }
            } else if name.elementsEqual("have".utf8), have.count < maxHave {
                have.append(String(Self.decoded(value)))
            }
        }
    }

    /// `value` percent-decoded as Hummingbird decodes it: `%XY` is the byte XY (bytes that are not
    /// UTF-8 become U+FFFD); the text as it is when a `%` is not followed by two hex digits.
    static func decoded(_ value: Substring.UTF8View) -> Substring {
        let text = Substring(value)
        guard value.contains(UInt8(ascii: "%")) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.count)
        var index = value.startIndex
        while index < value.endIndex {
            let byte = value[index]
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                index = value.index(after: index)
                continue
            }
            let high = value.index(after: index)
            guard high < value.endIndex, let h = hex(value[high]) else { return text }
            let low = value.index(after: high)
            guard low < value.endIndex, let l = hex(value[low]) else { return text }
            bytes.append(h << 4 | l)
            index = value.index(after: low)
        }
        return String(decoding: bytes, as: UTF8.self)[...]
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
