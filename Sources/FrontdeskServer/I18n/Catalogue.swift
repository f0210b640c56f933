import Foundation
import FrontdeskCore

/// Every language's strings, read once from the bundled `Catalogues/<code>/<area>.json` files. Each
/// file holds one area (`login.json` holds what `login.…` names) as a JSON object whose leaves are
/// strings, nested objects allowed; a key is the dotted path (`"layout.logOut"`). One file per area
/// keeps each page's words together and lets work on different pages touch different files.
/// Templates see the same tree under `t` (`{{t.layout.logOut}}`).
struct Catalogue: Sendable {
    /// Flat strings per language, for Swift code.
    let strings: [Language: [String: String]]
    /// The same strings as nested dictionaries, for Mustache's dotted names.
    let trees: [Language: TemplateStrings]

    /// The bundled catalogues, loaded on first use. A catalogue that is missing or does not parse
    /// leaves that language empty: every key then shows as itself, and `I18nCatalogueTests` fails.
    static let bundled: Catalogue = {
        do {
            return try load(folder: Bundle.module.url(forResource: "Catalogues", withExtension: nil))
        } catch {
            FileHandle.standardError.write(Data("frontdesk: message catalogues could not be loaded: \(error)\n".utf8))
            return Catalogue(strings: [:], trees: [:])
        }
    }()

    static func load(folder: URL?) throws -> Catalogue {
        guard let folder else { throw ConfigurationError("the message catalogues are missing from the build") }
        var strings: [Language: [String: String]] = [:]
        var trees: [Language: TemplateStrings] = [:]
        for language in Language.allCases {
            let directory = folder.appendingPathComponent(language.rawValue, isDirectory: true)
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasSuffix(".json") }.sorted()
            var object: [String: Any] = [:]
            for file in files {
                let area = String(file.dropLast(".json".count))
                let data = try Data(contentsOf: directory.appendingPathComponent(file))
                guard let areaObject = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                    throw ConfigurationError("catalogue \(language.rawValue)/\(file) is not a JSON object")
                }
                object[area] = areaObject
            }
            var flat: [String: String] = [:]
            try flatten(object, prefix: "", into: &flat)
            strings[language] = flat
            trees[language] = TemplateStrings(root: object)
        }
        return Catalogue(strings: strings, trees: trees)
    }

    private static func flatten(_ object: [String: Any], prefix: String, into flat: inout [String: String]) throws {
        for (key, value) in object {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            if let text = value as? String {
                flat[path] = text
            } else if let nested = value as? [String: Any] {
                try flatten(nested, prefix: path, into: &flat)
            } else {
                throw ConfigurationError("catalogue entry \(path) is neither a string nor an object")
            }
        }
    }

    /// What is wrong with these catalogues, one line each (empty when nothing): a key one language
    /// has and another lacks, an empty string, or a `{placeholder}` set that differs from English's.
    func problems() -> [String] {
        var problems: [String] = []
        let english = strings[.en] ?? [:]
        let allKeys = Set(strings.values.flatMap(\.keys))
        for language in Language.allCases {
            let own = strings[language] ?? [:]
            for key in allKeys.subtracting(own.keys).sorted() { problems.append("\(language.rawValue) lacks \(key)") }
            for (key, value) in own.sorted(by: { $0.key < $1.key }) {
                if value.trimmingCharacters(in: .whitespaces).isEmpty { problems.append("\(language.rawValue): \(key) is empty") }
                if let reference = english[key], Self.placeholders(reference) != Self.placeholders(value) {
                    problems.append(
                        "\(language.rawValue): \(key) has placeholders \(Self.placeholders(value).sorted()), English has \(Self.placeholders(reference).sorted())"
                    )
                }
            }
        }
        return problems
    }

    /// The `{name}` placeholders of a string.
    static func placeholders(_ text: String) -> Set<String> {
        var names: Set<String> = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.insert(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// The messages of one language.
    func messages(_ language: Language) -> Messages {
        Messages(language: language, strings: strings[language] ?? [:], tree: trees[language] ?? TemplateStrings(root: [:]))
    }
}

/// A catalogue's nested dictionaries, handed to Mustache as they are (never changed after loading).
final class TemplateStrings: @unchecked Sendable {
    let root: [String: Any]
    init(root: [String: Any]) { self.root = root }
}

/// One language's strings and formats: what a page, e-mail or push is written with.
struct Messages: Sendable {
    let language: Language
    let strings: [String: String]
    let tree: TemplateStrings

    /// English, for places with no reader to ask (logs keep English).
    static var english: Messages { Catalogue.bundled.messages(.en) }

    static func of(_ language: Language) -> Messages { Catalogue.bundled.messages(language) }

    /// The string at `key`; a missing key shows as the key itself (and fails the catalogue tests).
    subscript(_ key: String) -> String { strings[key] ?? key }

    /// The string at `key` with each `{name}` replaced by `values[name]`; a `{name}` without a value
    /// stays as written. One pass over the string, and a value goes in as it is (a `{…}` inside a
    /// value is never replaced in turn): Foundation's `replacingOccurrences` once per value was 4 % of
    /// the server's time in a class-release rush, which renders an e-mail per booking.
    func callAsFunction(_ key: String, _ values: [String: String] = [:]) -> String {
        Self.interpolate(self[key], values)
    }

    static func interpolate(_ text: String, _ values: [String: String]) -> String {
        guard !values.isEmpty else { return text }
        let utf8 = text.utf8
        guard utf8.contains(UInt8(ascii: "{")) else { return text }
        var result = ""
        result.reserveCapacity(utf8.count + 32)
        var copied = utf8.startIndex
        var index = utf8.startIndex
        while let open = utf8[index...].firstIndex(of: UInt8(ascii: "{")) {
            let nameStart = utf8.index(after: open)
            guard let close = utf8[nameStart...].firstIndex(of: UInt8(ascii: "}")) else { break }
            if let value = values[String(Substring(utf8[nameStart..<close]))] {
                result += Substring(utf8[copied..<open])
                result += value
                copied = utf8.index(after: close)
                index = copied
            } else {
                index = nameStart
            }
        }
        result += Substring(utf8[copied...])
        return result
    }

    /// `key.one` for a count of one, else `key.other`, with `{count}` written as a number of this language.
    func plural(_ key: String, count: Int, _ values: [String: String] = [:]) -> String {
        var all = values
        all["count"] = number(count)
        return self(count == 1 ? "\(key).one" : "\(key).other", all)
    }

    /// "1,234" in English, "1.234" in German.
    func number(_ value: Int) -> String { value.formatted(.number.locale(language.locale)) }

    /// "12.5" / "12,5": at most `fractionDigits` decimals, none when the value is whole.
    func number(_ value: Double, fractionDigits: Int = 1) -> String {
        guard value.isFinite else { return "–" }
        return value.formatted(.number.locale(language.locale).precision(.fractionLength(0...fractionDigits)))
    }

    /// "12.0" / "12,0": exactly `fractionDigits` decimals (figures in a column line up).
    func fixed(_ value: Double, fractionDigits: Int = 1) -> String {
        guard value.isFinite else { return "–" }
        return value.formatted(.number.locale(language.locale).precision(.fractionLength(fractionDigits)))
    }

    /// "85%" / "85 %" (a fraction of 1 given as 0…1).
    func percent(_ fraction: Double, fractionDigits: Int = 0) -> String {
        guard fraction.isFinite else { return "–" }
        return fraction.formatted(.percent.locale(language.locale).precision(.fractionLength(0...fractionDigits)))
    }

    /// Times in `timezone` as this language writes them.
    func localTime(timezone: String, now: Date) -> LocalTime { LocalTime(timezone: timezone, now: now, language: language) }
}
