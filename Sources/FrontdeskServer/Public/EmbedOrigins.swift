import FrontdeskCore

/// The website origins a studio lets frame its schedule widget, as typed in the back office: one per
/// line (commas and spaces also separate), each `https://host[:port]`. They end up verbatim in a
/// `Content-Security-Policy: frame-ancestors` header, so only plain origins pass: no paths, queries,
/// credentials or wildcards, ASCII host names (punycode for others). Plain `http://` only for this
/// machine (`localhost`, `127.0.0.1`, `[::1]`), for trying the widget out.
enum EmbedOrigins {
    /// At most this many origins per studio.
    static let maxCount = 10
    /// At most this many characters per origin.
    static let maxLength = 200
    /// At most this many characters in the whole field.
    static let maxFieldLength = 4_000

    static let loopbackHosts: Set<String> = ["localhost", "127.0.0.1", "[::1]"]

    /// The normalised, de-duplicated origins of `text`; a refusal names the first bad one.
    static func parse(_ text: String) throws -> [String] {
        guard text.utf8.count <= maxFieldLength else {
            throw DomainError.invalidField("embedOrigins", "is longer than \(maxFieldLength) characters.")
        }
        let separators: Set<Character> = [",", " ", "\t", "\n", "\r"]
        var origins: [String] = []
        for item in text.split(whereSeparator: { separators.contains($0) }) {
            let origin = try normalised(String(item))
            if !origins.contains(origin) { origins.append(origin) }
        }
        guard origins.count <= maxCount else {
            throw DomainError.invalidField("embedOrigins", "lists \(origins.count) websites; at most \(maxCount) are allowed.")
        }
        return origins
    }

    /// One origin in its canonical form (lower case, default port dropped, no trailing slash).
    static func normalised(_ raw: String) throws -> String {
        func refuse(_ why: String) -> DomainError {
            let shown = raw.count > 60 ? String(raw.prefix(60)) + "…" : raw
            return DomainError.invalidField("embedOrigins", "\"\(shown)\" \(why)")
        }
        guard raw.utf8.count <= maxLength else { throw refuse("is longer than \(maxLength) characters.") }
        guard raw.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7f }) else {
            throw refuse("must be plain ASCII (write international names in punycode, xn--…).")
        }
        var text = raw.lowercased()
        if text.hasSuffix("/") { text.removeLast() }
        let scheme: String
        if text.hasPrefix("https://") {
            scheme = "https"
        } else if text.hasPrefix("http://") {
            scheme = "http"
        } else {
            throw refuse("must start with https://, like https://www.example.com.")
        }
        let authority = text.dropFirst(scheme.count + 3)
        guard !authority.contains(where: { "/?#@*\\;,'\"".contains($0) }) else {
            throw refuse("must be a website's address only (no path, query, user name or wildcard).")
        }
        var host = Substring(authority)
        var port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            let digits = authority[authority.index(after: colon)...]
            guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy(\.isASCIIDigit), let number = Int(digits),
                (1...65_535).contains(number)
            else { throw refuse("has a bad port (1–65535).") }
            host = authority[..<colon]
            port = number
        }
        guard host == "[::1]" || Self.isHostName(host) else { throw refuse("does not have a valid host name.") }
        if scheme == "http", !loopbackHosts.contains(String(host)) {
            throw refuse("must use https:// (plain http:// only for localhost).")
        }
        let defaultPort = scheme == "https" ? 443 : 80
        return "\(scheme)://\(host)" + (port.map { $0 == defaultPort ? "" : ":\($0)" } ?? "")
    }

    /// Letters, digits and hyphens in dot-separated labels of 1–63 (an IPv4 address passes too).
    static func isHostName(_ host: Substring) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 253 else { return false }
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCIIDigit || ("a"..."z").contains($0) || $0 == "-" }
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
