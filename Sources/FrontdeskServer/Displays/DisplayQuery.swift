/// The query of a display state poll (`?exp=&sig=&have=…`), read in one pass over its bytes: the
/// screen polls every few seconds, and Hummingbird's `queryParameters` (every pair split, decoded and
/// put in a dictionary) with its look-ups was a twentieth of each poll (`perf`); splitting the text's
/// `UTF8View` and decoding every `have` into a string of its own were still a sixteenth of a poll
/// that names the codes it holds.
///
/// It reads what `queryParameters` reads (`DisplayQueryTests`): names as they are, values
/// percent-decoded (left as they are when that fails), a pair without `=` as a name with an empty
/// value; `exp` and `sig` the first of their name, `have` every one, up to `maxHave`. The `have`
/// values are kept as sent and compared with a code's URL while decoding (`holds`).
struct DisplayQuery {
    var expires: Substring?
    var signature: Substring?
    /// The `have` values as sent (still percent-encoded), each with whether its escapes are all well
    /// formed (else it stands for itself, undecoded).
    private var held: [(value: Substring, decodes: Bool)] = []

    init(_ query: String?, maxHave: Int) {
        guard var query else { return }
        query.makeContiguousUTF8()
        // Byte offsets of each pair's name and value, found over the contiguous bytes.
        enum Field { case expires, signature, have }
        var found: [(field: Field, value: Range<Int>)] = []
        query.utf8.withContiguousStorageIfAvailable { bytes in
            var start = 0
            var haves = 0
            var (seenExp, seenSig) = (false, false)
            while start <= bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "&") { end += 1 }
                var equals = start
                while equals < end, bytes[equals] != UInt8(ascii: "=") { equals += 1 }
                let name = UnsafeBufferPointer(rebasing: bytes[start..<equals])
                let value = min(equals + 1, end)..<end
                if name.elementsEqual("exp".utf8) {
                    if !seenExp { found.append((.expires, value)) }
                    seenExp = true
                } else if name.elementsEqual("sig".utf8) {
                    if !seenSig { found.append((.signature, value)) }
                    seenSig = true
                } else if name.elementsEqual("have".utf8), haves < maxHave {
                    found.append((.have, value))
                    haves += 1
                }
                start = end + 1
            }
        }
        let utf8 = query.utf8
        for (field, range) in found {
            let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
            let value = query[lower..<utf8.index(lower, offsetBy: range.count)]
            switch field {
            case .expires: expires = Self.decoded(value)
            case .signature: signature = Self.decoded(value)
            case .have:
                var text = value
                held.append((value, text.withUTF8(Self.isWellFormed)))
            }
        }
    }

    /// The `have` values, decoded.
    var have: [String] { held.map { String(Self.decoded($0.value)) } }

    /// Whether a `have` value is `url`, decoded byte by byte without a string of its own. (Bytes, where
    /// `have.contains` compares canonically equivalent strings as equal: a `have` only leaves an SVG
    /// out of the answer, and a screen sends back the URLs it was sent.)
    func holds(_ url: String) -> Bool {
        var url = url
        return url.withUTF8 { url in
            held.contains { held in
                var value = held.value
                return value.withUTF8 { held.decodes ? Self.decodes($0, to: url) : $0.elementsEqual(url) }
            }
        }
    }

    /// Whether `bytes`, every `%` of which is followed by two hex digits, percent-decode to `expected`.
    /// The last bytes are compared first: the codes of one class share the start of their URLs, not
    /// their end (the MAC), so most of a poll's comparisons stop there.
    private static func decodes(_ bytes: UnsafeBufferPointer<UInt8>, to expected: UnsafeBufferPointer<UInt8>) -> Bool {
        // Every `%` starts an escape, so the last byte decoded is the escape ending the text, if one
        // does, else the text's last byte.
        if let last = expected.last, let sent = bytes.last {
            let escaped = bytes.count >= 3 && bytes[bytes.count - 3] == UInt8(ascii: "%")
            let decoded = escaped ? hex(bytes[bytes.count - 2]).flatMap { high in hex(sent).map { high << 4 | $0 } } : sent
            if decoded != last { return false }
        }
        var (index, at) = (0, 0)
        while index < bytes.count {
            var byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
                byte = high << 4 | low
                index += 3
            } else {
                index += 1
            }
            guard at < expected.count, expected[at] == byte else { return false }
            at += 1
        }
        return at == expected.count
    }

    /// Whether every `%` of `bytes` is followed by two hex digits.
    private static func isWellFormed(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, hex(bytes[index + 1]) != nil, hex(bytes[index + 2]) != nil else { return false }
                index += 3
            } else {
                index += 1
            }
        }
        return true
    }

    /// `value` percent-decoded as Hummingbird decodes it: `%XY` is the byte XY (bytes that are not
    /// UTF-8 become U+FFFD); the text as it is when a `%` is not followed by two hex digits.
    static func decoded(_ value: Substring) -> Substring {
        let utf8 = value.utf8
        guard utf8.contains(UInt8(ascii: "%")) else { return value }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                index = utf8.index(after: index)
                continue
            }
            let high = utf8.index(after: index)
            guard high < utf8.endIndex, let h = hex(utf8[high]) else { return value }
            let low = utf8.index(after: high)
            guard low < utf8.endIndex, let l = hex(utf8[low]) else { return value }
            bytes.append(h << 4 | l)
            index = utf8.index(after: low)
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
