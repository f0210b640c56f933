import Foundation

/// A language Frontdesk speaks. Each has a complete catalogue in `I18n/Catalogues/<code>/<area>.json`.
enum Language: String, CaseIterable, Sendable {
    case en
    case de

    /// The language when nothing else decides (no choice, no studio default, no usable `Accept-Language`).
    static let fallback = Language.en

    /// The Foundation locale for dates and numbers (en-GB: 24-hour clock and day-month order, as before).
    var locale: Locale {
        switch self {
        case .en: Locale(identifier: "en_GB")
        case .de: Locale(identifier: "de_DE")
        }
    }

    /// A stored or submitted code (`"de"`, `"DE"`); anything else is nil.
    init?(code: String?) {
        guard let code, code.utf8.count <= 8, let language = Language(rawValue: code.lowercased()) else { return nil }
        self = language
    }

    /// The first language of an `Accept-Language` header that Frontdesk speaks, by quality (RFC 9110
    /// §12.5.4; ties keep the header's order). Only the primary subtag counts (`de-AT` is German).
    /// Long headers are read up to their first 32 entries and 1,024 bytes, so a huge header costs nothing.
    static func preferred(acceptLanguage header: String?) -> Language? {
        guard let header, !header.isEmpty else { return nil }
        var best: (language: Language, quality: Double)?
        for entry in header.utf8.prefix(1024).split(separator: UInt8(ascii: ",")).prefix(32) {
            let parts = String(decoding: entry, as: UTF8.self).split(separator: ";")
            guard let tag = parts.first?.trimmingCharacters(in: .whitespaces) else { continue }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            guard let language = Language(code: primary) else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix("q=") { quality = Double(pair.dropFirst(2)).map { min(max($0, 0), 1) } ?? 0 }
            }
            if quality > 0, quality > (best?.quality ?? 0) { best = (language, quality) }
        }
        return best?.language
    }

    /// The precedence (docs/i18n.md): the member's own choice, else the studio's default (when a
    /// studio is in view), else the browser's `Accept-Language`, else English.
    static func resolve(userChoice: Language?, studioDefault: Language?, acceptLanguage: Language?) -> Language {
        userChoice ?? studioDefault ?? acceptLanguage ?? fallback
    }
}
