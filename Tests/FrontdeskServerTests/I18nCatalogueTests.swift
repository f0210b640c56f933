import Foundation
import Testing

@testable import FrontdeskServer

/// The catalogues themselves (no database): every key in both languages, every key the templates and
/// the Swift code ask for exists, and the formats each language writes.
@Suite("Message catalogues")
struct I18nCatalogueTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/FrontdeskServer")

    @Test("both catalogues load and have the same keys, none empty, with the same placeholders")
    func complete() throws {
        let catalogue = Catalogue.bundled
        #expect(catalogue.problems() == [])
        #expect((catalogue.strings[.en]?.count ?? 0) > 100)
        #expect(catalogue.strings[.en]?.count == catalogue.strings[.de]?.count)
    }

    @Test("placeholders: each {name} with a value replaced, in one pass; others, values and stray braces left as written")
    func interpolation() {
        let interpolate = Messages.interpolate
        #expect(interpolate("Hi {name}, {name}!", ["name": "Zoë"]) == "Hi Zoë, Zoë!")
        #expect(interpolate("{a}{b}", ["a": "1", "b": "2"]) == "12")
        // A value is put in as it is: a placeholder inside it is not replaced in turn.
        #expect(interpolate("{a} and {b}", ["a": "{b}", "b": "x"]) == "{b} and x")
        // Unknown names, unclosed and doubled braces stay.
        #expect(interpolate("{unknown} {name", ["name": "x"]) == "{unknown} {name")
        #expect(interpolate("{{name}}", ["name": "x"]) == "{x}")
        #expect(interpolate("no placeholders", ["name": "x"]) == "no placeholders")
        #expect(interpolate("{name}", [:]) == "{name}")
        #expect(interpolate("Kurs „{class}“ um {time}", ["class": "Yin Yoga", "time": "18:00"]) == "Kurs „Yin Yoga“ um 18:00")
        #expect(interpolate("", ["a": "b"]) == "")
    }

    @Test("a key missing in one catalogue, an empty string or a changed placeholder is reported")
    func missingKeyFails() {
        let broken = Catalogue(
            strings: [
                .en: ["a.b": "Hi {name}", "a.c": "Book", "a.d": "x"],
                .de: ["a.b": "Hallo {nam}", "a.d": " ", "a.e": "nur Deutsch"],
            ], trees: [:])
        #expect(
            broken.problems() == [
                "en lacks a.e", "de lacks a.c", "de: a.b has placeholders [\"nam\"], English has [\"name\"]",
                "de: a.d is empty",
            ])
    }

    /// Every `{{t.…}}` of every template, and every `t["…"]`, `t("…"` and `t.plural("…"` of the Swift
    /// sources (a plural needs `.one` and `.other`), is a key of both catalogues.
    @Test("every key a template or the code names exists in both catalogues")
    func referencedKeysExist() throws {
        let catalogue = Catalogue.bundled
        var referenced: [(key: String, file: String)] = []
        let files = FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        let templateKey = try Regex(#"\{\{\{?[#^/]?t\.([A-Za-z0-9_.]+)"#)
        let codeKey = try Regex(#"\bt(\.plural)?[\[(]"([A-Za-z0-9_.]+)""#)
        var templatesSeen = 0
        for file in files where ["mustache", "swift"].contains(file.pathExtension) {
            let text = try String(contentsOf: file, encoding: .utf8)
            if file.pathExtension == "mustache" {
                templatesSeen += 1
                for match in text.matches(of: templateKey) {
                    referenced.append((String(match.output[1].substring ?? ""), file.lastPathComponent))
                }
            } else if file.pathExtension == "swift" {
                for match in text.matches(of: codeKey) {
                    let key = String(match.output[2].substring ?? "")
                    if match.output[1].substring != nil {
                        referenced += [("\(key).one", file.lastPathComponent), ("\(key).other", file.lastPathComponent)]
                    } else {
                        referenced.append((key, file.lastPathComponent))
                    }
                }
            }
        }
        #expect(templatesSeen > 40)
        #expect(referenced.count > 50)
        for language in Language.allCases {
            let strings = catalogue.strings[language] ?? [:]
            for (key, file) in referenced where strings[key] == nil {
                Issue.record("\(file) names \(key), which \(language.rawValue).json lacks")
            }
        }
        for section in AdminSection.allCases {
            #expect(catalogue.strings[.de]?["admin.nav.\(section.rawValue)"] != nil, "admin.nav.\(section.rawValue)")
        }
    }

    @Test("Accept-Language: by quality, primary subtag, ties in order, unknown and junk ignored")
    func acceptLanguage() {
        #expect(Language.preferred(acceptLanguage: "de-DE,de;q=0.9,en;q=0.8") == .de)
        #expect(Language.preferred(acceptLanguage: "en-US,en;q=0.9") == .en)
        #expect(Language.preferred(acceptLanguage: "fr-FR, de;q=0.5, en;q=0.7") == .en)
        #expect(Language.preferred(acceptLanguage: "de-AT") == .de)
        #expect(Language.preferred(acceptLanguage: "fr, es;q=0.9") == nil)
        #expect(Language.preferred(acceptLanguage: "de;q=0, en;q=0.1") == .en)
        #expect(Language.preferred(acceptLanguage: "de;q=abc") == nil)
        #expect(Language.preferred(acceptLanguage: "*") == nil)
        #expect(Language.preferred(acceptLanguage: "") == nil)
        #expect(Language.preferred(acceptLanguage: nil) == nil)
        // A huge header is read only up to its first entries and 1 KB.
        #expect(Language.preferred(acceptLanguage: String(repeating: "xx,", count: 5_000) + "de") == nil)
        #expect(Language.preferred(acceptLanguage: String(repeating: "xx,", count: 31) + "de") == .de)
        #expect(Language.preferred(acceptLanguage: String(repeating: "xx,", count: 32) + "de") == nil)
    }

    @Test("precedence: the member's choice, then the studio's default, then the browser, then English")
    func precedence() {
        #expect(Language.resolve(userChoice: .en, studioDefault: .de, acceptLanguage: .de) == .en)
        #expect(Language.resolve(userChoice: nil, studioDefault: .de, acceptLanguage: .en) == .de)
        #expect(Language.resolve(userChoice: nil, studioDefault: nil, acceptLanguage: .de) == .de)
        #expect(Language.resolve(userChoice: nil, studioDefault: nil, acceptLanguage: nil) == .en)
        #expect(Language(code: "DE") == .de)
        #expect(Language(code: "fr") == nil)
        #expect(Language(code: String(repeating: "d", count: 100)) == nil)
    }

    @Test("dates, times and numbers in German and English")
    func formats() {
        // Thursday 2026-11-19 18:05 in Berlin; "now" is the Wednesday before.
        let start = ISO8601DateFormatter().date(from: "2026-11-19T17:05:00Z")!
        let now = ISO8601DateFormatter().date(from: "2026-11-18T11:00:00Z")!
        let later = ISO8601DateFormatter().date(from: "2026-11-23T06:30:00Z")!
        let en = Messages.of(.en).localTime(timezone: "Europe/Berlin", now: now)
        let de = Messages.of(.de).localTime(timezone: "Europe/Berlin", now: now)
        #expect(en.time(start) == "18:05")
        #expect(de.time(start) == "18:05")
        #expect(en.longDate(start) == "Thursday 19 November")
        #expect(de.longDate(start) == "Donnerstag, 19. November")
        #expect(en.shortDay(start) == "Thu 19")
        #expect(de.shortDay(start) == "Do. 19.")
        #expect(en.dayAndTime(start) == "Tomorrow 18:05")
        #expect(de.dayAndTime(start) == "Morgen 18:05")
        #expect(en.dayAndTime(later) == "Mon 23 Nov 07:30")
        #expect(de.dayAndTime(later) == "Mo. 23. Nov. 07:30")
        #expect(Messages.of(.en).number(1234) == "1,234")
        #expect(Messages.of(.de).number(1234) == "1.234")
        #expect(Messages.of(.en).number(12.5) == "12.5")
        #expect(Messages.of(.de).number(12.5) == "12,5")
        #expect(Messages.of(.de).number(3.0) == "3")
        #expect(Messages.of(.en).percent(0.855) == "86%")
        #expect(Messages.of(.de).percent(0.855) == "86\u{00A0}%")
        #expect(Messages.of(.de).number(Double.nan) == "–")
        #expect(Messages.of(.de).plural("schedule.state.open", count: 1) == "Noch 1 Platz frei")
        #expect(Messages.of(.de).plural("schedule.state.open", count: 2) == "Noch 2 Plätze frei")
        #expect(Messages.of(.en).plural("schedule.state.open", count: 1) == "1 place left")
        #expect(Messages.of(.de)["no.such.key"] == "no.such.key")
    }
}
