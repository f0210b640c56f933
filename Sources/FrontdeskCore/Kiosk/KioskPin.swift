import Foundation

/// The member's kiosk PIN and the kiosk's limits (docs/kiosk.md): four ASCII digits, none of the
/// PINs a stranger would try first.
public enum KioskPin {
    /// Consecutive wrong PINs that lock the member's PIN check-in (the K-th wrong one locks).
    public static let failuresBeforeLock = 5
    /// How long a lock lasts, and how long a wrong PIN counts towards one.
    public static let lockSeconds: Int64 = 15 * 60
    /// PIN check-in attempts per kiosk per minute (every attempt, right or wrong) before 429.
    public static let attemptsPerKioskPerMinute = 10
    /// Name look-ups per kiosk per minute before 429.
    public static let searchesPerKioskPerMinute = 60
    /// Letters a name search needs at least, and the longest search accepted.
    public static let minimumLetters = 2
    public static let maximumQueryLength = 40
    /// At most this many people are listed for one search.
    public static let maximumMatches = 8

    /// `pin` if it is four ASCII digits and not trivial (all one digit, or a straight run up or down
    /// such as 1234 or 9876); else 400 `invalid_field`.
    public static func validate(_ pin: String) throws -> String {
        let digits = Array(pin.utf8)
        guard digits.count == 4, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw DomainError.invalidField("pin", "must be exactly 4 digits.")
        }
        if isTrivial(digits.map { Int($0) - 48 }) {
            throw DomainError.invalidField("pin", "is too easy to guess (like 0000 or 1234); choose another.")
        }
        return pin
    }

    static func isTrivial(_ digits: [Int]) -> Bool {
        let steps = zip(digits.dropFirst(), digits).map { $0 - $1 }
        return steps.allSatisfy { $0 == 0 } || steps.allSatisfy { $0 == 1 } || steps.allSatisfy { $0 == -1 }
    }

    /// Whether `pin` has the shape of a PIN (four ASCII digits); anything else is refused before it is checked.
    public static func isWellFormed(_ pin: String) -> Bool {
        pin.utf8.count == 4 && pin.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }
}

/// Finding oneself at the door by the first letters of one's name.
public enum KioskNames {
    /// Lower-cased, without diacritics ("Zoë" → "zoe"), single-spaced.
    public static func folded(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The number of letters in `query`.
    public static func letterCount(_ query: String) -> Int { query.filter(\.isLetter).count }

    /// Whether `name` has a word from which the folded query reads on: "ma", "maya l" and "lind" all
    /// match "Maya Lindqvist".
    public static func matches(name: String, query: String) -> Bool {
        let name = folded(name), query = folded(query)
        guard !query.isEmpty else { return false }
        let words = name.split(separator: " ")
        for index in words.indices where words[index...].joined(separator: " ").hasPrefix(query) { return true }
        return false
    }

    /// What the kiosk shows for each name: first name and last initial ("Maya L."), with more letters
    /// of the last name only where two listed people would otherwise look the same ("Maya Li." and
    /// "Maya Lu."). Never more than the name holds; an e-mail is never shown.
    public static func labels(_ names: [String]) -> [String] {
        let parts = names.map { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
        var letters = Array(repeating: 1, count: names.count)
        func label(_ index: Int) -> String {
            let words = parts[index]
            guard let first = words.first else { return "" }
            guard words.count > 1, let last = words.last else { return first }
            let shown = String(last.prefix(letters[index]))
            return shown.count == last.count ? "\(first) \(last)" : "\(first) \(shown)."
        }
        for _ in 0..<40 {
            let current = names.indices.map(label)
            var grew = false
            for index in names.indices where current.enumerated().contains(where: { $0.offset != index && $0.element == current[index] }) {
                if let last = parts[index].last, parts[index].count > 1, letters[index] < last.count {
                    letters[index] += 1
                    grew = true
                }
            }
            if !grew { return current }
        }
        return names.indices.map(label)
    }
}
