import Foundation
import Testing

import FrontdeskCore

@Suite("Validate.name")
struct ValidateNameTests {
    @Test(
        "trims surrounding whitespace and newlines",
        arguments: [
            ("Yoga", "Yoga"),
            ("  Yoga  ", "Yoga"),
            ("\n\tYoga\r\n", "Yoga"),
            ("\u{00A0}Yoga\u{2003}", "Yoga"),
            ("  Morning  Yoga ", "Morning  Yoga"),
        ])
    func trims(input: String, expected: String) throws {
        #expect(try Validate.name(input) == expected)
    }

    @Test("refuses empty and whitespace-only values", arguments: ["", " ", "   ", "\n", "\t \r\n", "\u{00A0}"])
    func refusesEmpty(input: String) {
        let error = expectInvalidField("name") { try Validate.name(input) }
        #expect(error?.message.contains("empty") == true)
    }

    @Test("names the caller's field in the error")
    func customField() {
        expectInvalidField("title") { try Validate.name("   ", field: "title") }
        expectInvalidField("class_type.name") { try Validate.name(String(repeating: "x", count: 201), field: "class_type.name") }
    }

    @Test("accepts exactly the default maximum of 200 characters and refuses 201")
    func defaultMaxLength() throws {
        let ok = String(repeating: "a", count: 200)
        #expect(try Validate.name(ok) == ok)
        let error = expectInvalidField("name") { try Validate.name(ok + "a") }
        #expect(error?.message.contains("200") == true)
    }

    @Test("checks the length after trimming")
    func lengthAfterTrimming() throws {
        let core = String(repeating: "b", count: 200)
        #expect(try Validate.name("   \(core)\n\n") == core)
    }

    @Test(
        "honours a custom maximum length",
        arguments: [
            ("abcde", true), ("abcdef", false), ("a", true),
        ])
    func customMaxLength(input: String, accepted: Bool) throws {
        if accepted {
            #expect(try Validate.name(input, maxLength: 5) == input)
        } else {
            let error = expectInvalidField("name") { try Validate.name(input, maxLength: 5) }
            #expect(error?.message.contains("5") == true)
        }
    }

    @Test("refuses U+0000, which PostgreSQL text columns cannot store")
    func refusesNUL() {
        expectInvalidField("name") { try Validate.name("Yo\u{0}ga") }
    }

    @Test("counts user-perceived characters, not bytes or scalars")
    func countsCharacters() throws {
        let decomposed = String(repeating: "e\u{0301}", count: 200)  // 400 scalars, 200 characters
        #expect(try Validate.name(decomposed) == decomposed)
        let emoji = String(repeating: "🧘‍♀️", count: 200)  // multi-scalar grapheme clusters
        #expect(try Validate.name(emoji) == emoji)
        expectInvalidField("name") { try Validate.name(emoji + "🧘‍♀️") }
    }
}

@Suite("Validate.timeZone")
struct ValidateTimeZoneTests {
    @Test(
        "accepts IANA identifiers and exactly UTC",
        arguments: [
            "Europe/Berlin", "America/New_York", "UTC", "Pacific/Auckland", "Asia/Kolkata",
            "America/Argentina/Buenos_Aires", "Australia/Lord_Howe", "Etc/UTC",
        ])
    func accepts(identifier: String) throws {
        #expect(try Validate.timeZone(identifier) == identifier)
    }

    @Test(
        "refuses abbreviations, offsets, unknown zones and junk",
        arguments: [
            "EST", "CET", "GMT", "PST", "Z", "utc", "+01:00", "UTC+1", "GMT+01:00", "",
            "Mars/Olympus", "Europe/Atlantis", "Europe/", "/", "Europe/Berlin ", " Europe/Berlin",
            "../../etc/passwd", "Europe/Berlin/../../x", "Europe/Berlin'; DROP TABLE organizations;--",
        ])
    func refuses(identifier: String) {
        expectInvalidField("timezone") { try Validate.timeZone(identifier) }
    }

    @Test("refuses identifiers longer than 64 characters and keeps the message bounded")
    func refusesLong() {
        let long = "Europe/" + String(repeating: "x", count: 1_000)
        let error = expectInvalidField("timezone") { try Validate.timeZone(long) }
        #expect((error?.message.count ?? .max) < 200)
    }

    @Test("names the caller's field and quotes the offending value")
    func customField() {
        let error = expectInvalidField("org.timezone") { try Validate.timeZone("CET", field: "org.timezone") }
        #expect(error?.message.contains("'CET'") == true)
    }

    @Test("every accepted identifier builds an OrgCalendar in that very zone")
    func acceptedZonesAreUsable() throws {
        for identifier in ["Europe/Berlin", "America/New_York", "Pacific/Auckland"] {
            let validated = try Validate.timeZone(identifier)
            #expect(OrgCalendar(timezone: validated).timeZone.identifier == identifier)
        }
    }
}

@Suite("Validate.color")
struct ValidateColorTests {
    @Test(
        "accepts #RRGGBB and returns it lowercased",
        arguments: [
            ("#3b5bdb", "#3b5bdb"), ("#3B5BDB", "#3b5bdb"), ("#AbCdEf", "#abcdef"),
            ("#000000", "#000000"), ("#FFFFFF", "#ffffff"), ("#0a1B2c", "#0a1b2c"),
        ])
    func accepts(input: String, expected: String) throws {
        #expect(try Validate.color(input) == expected)
    }

    @Test(
        "refuses anything that is not exactly #RRGGBB",
        arguments: [
            "#fff", "red", "#GGGGGG", "<svg>", "", "#", "3b5bdb", "#3b5bdbff", "#3b5bd", "##3b5bd",
            " #3b5bdb", "#3b5bdb ", "#3b 5bd", "#3b5bdé", "#３b5bdb", "rgb(0,0,0)", "#-12345",
            "#12345\u{0301}6", "\"><script>",
        ])
    func refuses(input: String) {
        expectInvalidField("color") { try Validate.color(input) }
    }

    @Test("names the caller's field")
    func customField() {
        expectInvalidField("primary_color") { try Validate.color("blue", field: "primary_color") }
    }
}

@Suite("Validate.int")
struct ValidateIntTests {
    @Test("accepts values inside the closed range, boundaries included", arguments: [0, 1, 12, 335, 336])
    func accepts(value: Int) throws {
        #expect(try Validate.int(value, in: 0...336, field: "cancellation_window_hours") == value)
    }

    @Test("refuses values outside the range", arguments: [-1, 337, Int.min, Int.max])
    func refuses(value: Int) {
        let error = expectInvalidField("cancellation_window_hours") {
            try Validate.int(value, in: 0...336, field: "cancellation_window_hours")
        }
        #expect(error?.message.contains("between 0 and 336") == true)
    }

    @Test("handles single-value and negative ranges")
    func oddRanges() throws {
        #expect(try Validate.int(7, in: 7...7, field: "x") == 7)
        expectInvalidField("x") { try Validate.int(8, in: 7...7, field: "x") }
        #expect(try Validate.int(-5, in: -10 ... -1, field: "offset") == -5)
        expectInvalidField("offset") { try Validate.int(0, in: -10 ... -1, field: "offset") }
    }

    @Test(
        "works with the published limits",
        arguments: [
            ("capacity", CatalogLimits.capacity), ("duration_min", CatalogLimits.durationMin),
            ("checkin_grace_seconds", OrganizationLimits.checkinGraceSeconds),
            ("gps_max_meters", OrganizationLimits.gpsMaxMeters),
        ])
    func publishedLimits(field: String, range: ClosedRange<Int>) throws {
        #expect(try Validate.int(range.lowerBound, in: range, field: field) == range.lowerBound)
        #expect(try Validate.int(range.upperBound, in: range, field: field) == range.upperBound)
        expectInvalidField(field) { try Validate.int(range.lowerBound - 1, in: range, field: field) }
        expectInvalidField(field) { try Validate.int(range.upperBound + 1, in: range, field: field) }
    }
}

@Suite("Validate.coordinates")
struct ValidateCoordinatesTests {
    @Test("both absent is fine and yields nil")
    func bothNil() throws {
        #expect(try Validate.coordinates(latitude: nil, longitude: nil) == nil)
    }

    @Test(
        "accepts in-range pairs, boundaries included",
        arguments: [
            (52.52, 13.405), (0.0, 0.0), (-0.0, -0.0), (-90.0, -180.0), (90.0, 180.0), (-90.0, 180.0),
            (90.0, -180.0), (-33.8688, 151.2093), (40.7128, -74.006),
        ])
    func accepts(latitude: Double, longitude: Double) throws {
        let pair = try #require(try Validate.coordinates(latitude: latitude, longitude: longitude))
        #expect(pair.0 == latitude)
        #expect(pair.1 == longitude)
    }

    @Test("refuses a pair with only one half")
    func oneMissing() {
        let onlyLatitude = expectInvalidField("latitude") { try Validate.coordinates(latitude: 52.5, longitude: nil) }
        #expect(onlyLatitude?.message.contains("together") == true)
        expectInvalidField("latitude") { try Validate.coordinates(latitude: nil, longitude: 13.4) }
    }

    @Test(
        "refuses a bad latitude",
        arguments: [
            Double.nan, .infinity, -.infinity, 90.000_001, -90.000_001, 91, -91, 180, .greatestFiniteMagnitude,
        ])
    func badLatitude(latitude: Double) {
        expectInvalidField("latitude") { try Validate.coordinates(latitude: latitude, longitude: 13.4) }
    }

    @Test(
        "refuses a bad longitude",
        arguments: [
            Double.nan, .infinity, -.infinity, 180.000_001, -180.000_001, 181, -181, 360, -.greatestFiniteMagnitude,
        ])
    func badLongitude(longitude: Double) {
        expectInvalidField("longitude") { try Validate.coordinates(latitude: 52.5, longitude: longitude) }
    }

    @Test("a signalling NaN is refused too")
    func signallingNaN() {
        expectInvalidField("latitude") { try Validate.coordinates(latitude: .signalingNaN, longitude: 0) }
        expectInvalidField("longitude") { try Validate.coordinates(latitude: 0, longitude: .signalingNaN) }
    }
}

@Suite("Validate.email and normalizedEmail")
struct ValidateEmailTests {
    @Test(
        "accepts plausible addresses and returns them trimmed with case preserved",
        arguments: [
            ("ana@example.com", "ana@example.com"),
            ("  Ana.Smith+yoga@Example.co.uk \n", "Ana.Smith+yoga@Example.co.uk"),
            ("a@b.c", "a@b.c"),
            ("o'neil@studio.example", "o'neil@studio.example"),
            ("jürgen@müller.de", "jürgen@müller.de"),
        ])
    func accepts(input: String, expected: String) throws {
        #expect(try Validate.email(input) == expected)
    }

    @Test(
        "refuses implausible addresses",
        arguments: [
            "", "   ", "ana", "ana@", "@example.com", "ana@example", "ana@.example.com", "ana@example.com.",
            "ana@@example.com", "ana@exa@mple.com", "ana smith@example.com", "ana@exam ple.com",
            "ana\t@example.com", "ana@example.com\u{00A0}x", "ana@example .com",
        ])
    func refuses(input: String) {
        expectInvalidField("email") { try Validate.email(input) }
    }

    /// Control characters are passed as code points and spliced in, so test reports never print them raw.
    @Test(
        "refuses control characters, NUL included",
        arguments: [
            ("ana", 0x00, "@example.com"), ("ana@example.com", 0x00, ""), ("an", 0x1B, "a@example.com"),
            ("ana@exa", 0x7F, "mple.com"),
        ] as [(String, UInt8, String)])
    func refusesControlCharacters(prefix: String, control: UInt8, suffix: String) {
        let input = prefix + String(UnicodeScalar(control)) + suffix
        expectInvalidField("email") { try Validate.email(input) }
    }

    @Test("accepts at most 254 characters")
    func maxLength() throws {
        let domain = "@example.com"  // 12 characters
        let ok = String(repeating: "a", count: 254 - domain.count) + domain
        #expect(ok.count == 254)
        #expect(try Validate.email(ok) == ok)
        expectInvalidField("email") { try Validate.email("a" + ok) }
    }

    @Test(
        "normalizedEmail trims and lowercases",
        arguments: [
            ("Ana@Example.COM", "ana@example.com"),
            ("  ana@example.com\n", "ana@example.com"),
            ("\tANA.SMITH+Yoga@EXAMPLE.CO.UK ", "ana.smith+yoga@example.co.uk"),
            ("ÄNNE@Müller.DE", "änne@müller.de"),
            ("", ""),
        ])
    func normalized(input: String, expected: String) {
        #expect(Validate.normalizedEmail(input) == expected)
    }

    @Test("normalizedEmail is idempotent and maps case variants together")
    func normalizedIdempotent() throws {
        let variants = ["ana@example.com", "ANA@EXAMPLE.COM", " Ana@Example.Com "]
        let normalized = Set(variants.map(Validate.normalizedEmail))
        #expect(normalized == ["ana@example.com"])
        for value in normalized { #expect(Validate.normalizedEmail(value) == value) }
        // A validated address normalizes to something that still validates.
        let validated = try Validate.email("  Ana@Example.COM ")
        #expect(try Validate.email(Validate.normalizedEmail(validated)) == "ana@example.com")
    }
}

@Suite("Validate.password")
struct ValidatePasswordTests {
    @Test("refuses fewer than 8 characters", arguments: ["", "a", "1234567", "passwrd", "😀😀😀😀😀😀😀"])
    func tooShort(input: String) {
        let error = expectInvalidField("password") { try Validate.password(input) }
        #expect(error?.message.contains("8") == true)
    }

    @Test(
        "accepts 8 to 72 bytes and returns the value untouched",
        arguments: [
            "12345678", "correct horse battery staple", "  spaced  ", String(repeating: "x", count: 72),
            String(repeating: "é", count: 8), String(repeating: "é", count: 36), String(repeating: "😀", count: 18),
        ])
    func accepts(input: String) throws {
        #expect(try Validate.password(input) == input)
    }

    @Test(
        "refuses more than 72 UTF-8 bytes even when under 72 characters",
        arguments: [
            String(repeating: "x", count: 73), String(repeating: "é", count: 37), String(repeating: "😀", count: 19),
            String(repeating: "x", count: 10_000),
        ])
    func tooLong(input: String) {
        #expect(input.utf8.count > 72)
        let error = expectInvalidField("password") { try Validate.password(input) }
        #expect(error?.message.contains("72") == true)
    }
}
