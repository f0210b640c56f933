import Hummingbird
import HummingbirdCore
import Testing

@testable import FrontdeskServer

/// The display poll reads its query in one pass (`DisplayQuery`); it must read what Hummingbird's
/// `queryParameters` reads, whatever a screen or an attacker sends.
@Suite("The display poll's query")
struct DisplayQueryTests {
    static let queries: [String?] = [
        nil, "", "exp=1800000000&sig=k1.abc", "sig=k1.abc&exp=1800000000", "exp=1&exp=2&sig=a&sig=b",
        "exp=&sig=", "exp&sig", "=&&&exp=5", "exp=1%32&sig=k1.a%2Eb", "exp=1&sig=%zz", "exp=1&sig=%4", "sig=%",
        "have=https%3A%2F%2Fexample.com%2Fc%2Fabc&have=plain&have=", "have=%E2%82%AC&have=%FF%FE", "have=a=b&have==",
        "EXP=1&Sig=x&HAVE=y", "exp=1+2&sig=a+b", "have=" + String(repeating: "x", count: 3000),
        (0..<12).map { "have=u\($0)" }.joined(separator: "&") + "&exp=9&sig=s",
    ]

    @Test("exp, sig and up to maxHave have values: as Hummingbird's queryParameters reads them")
    func sameAsHummingbird() {
        for query in Self.queries {
            let parsed = DisplayQuery(query, maxHave: DisplayRoutes.maxHave)
            let reference = URI(query.map { "/display/x/state?" + $0 } ?? "/display/x/state").queryParameters
            #expect(parsed.expires == reference["exp"], "\(query ?? "nil")")
            #expect(parsed.signature == reference["sig"], "\(query ?? "nil")")
            let have: [String] = reference.getAll("have")
            #expect(parsed.have == Array(have.prefix(DisplayRoutes.maxHave)), "\(query ?? "nil")")
        }
    }

    @Test("holds: a have value decodes to the URL, byte for byte, as the decoded values compare")
    func holds() {
        let urls = [
            "https://example.com/c/abc", "plain", "", "a=b", "=", "€", "x", "u3", "u11", "%zz", "%4", "https://example.com/c/ab",
            "https://example.com/c/abcd", "1+2", "abcd", "x%",
        ]
        let queries =
            Self.queries + [
                "have=%zz", "have=%4", "have=https%3A%2F%2Fexample.com%2Fc%2Fab%zz", "have=https%3A%2F%2Fexample.com%2Fc%2Fabc%",
                "have=%70lain&have=x", "have=1+2", "have=https://example.com/c/abc",
                // Ending in an escape (the last byte decoded is compared first), in either case.
                "have=abc%64", "have=%E2%82%AC", "have=%e2%82%ac", "have=u%311&have=u%33", "have=x%25",
                "have=https%3A%2F%2Fexample.com%2Fc%2Fab%63", "have=https%3A%2F%2Fexample.com%2Fc%2Fab%64",
            ]
        for query in queries {
            let parsed = DisplayQuery(query, maxHave: DisplayRoutes.maxHave)
            for url in urls {
                #expect(parsed.holds(url) == parsed.have.contains(url), "\(query ?? "nil") holds \(url)")
            }
        }
        #expect(DisplayQuery("have=%70lain", maxHave: 1).holds("plain"))
        #expect(!DisplayQuery("have=%70lain", maxHave: 0).holds("plain"))
        #expect(DisplayQuery("have=%zz", maxHave: 1).holds("%zz"))
    }
}
