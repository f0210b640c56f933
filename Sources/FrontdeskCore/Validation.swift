import Foundation

/// Input validation shared by every surface, so the API, the CLI and the demo seeder agree.
public enum Validate {
    /// A trimmed, non-empty string of at most `maxLength` characters.
    public static func name(_ value: String, field: String = "name", maxLength: Int = 200) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw DomainError.invalidField(field, "must not be empty.") }
        guard trimmed.count <= maxLength else {
            throw DomainError.invalidField(field, "must be at most \(maxLength) characters.")
        }
        guard !containsControlCharacters(trimmed) else {
            throw DomainError.invalidField(field, "must not contain control characters.")
        }
        return trimmed
    }

    /// Whether `text` holds C0/C1 control characters (NUL, ESC, DEL…), which no name or address needs
    /// and PostgreSQL refuses (NUL) in text columns.
    public static func containsControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// An IANA time zone identifier such as `Europe/Berlin`. Abbreviations and offsets are refused.
    public static func timeZone(_ identifier: String, field: String = "timezone") throws -> String {
        guard identifier.contains("/") || identifier == "UTC",
            TimeZone(identifier: identifier) != nil,
            identifier.count <= 64
        else {
            throw DomainError.invalidField(field, "'\(identifier.prefix(64))' is not an IANA time zone such as Europe/Berlin.")
        }
        return identifier
    }

    /// A colour written as `#RRGGBB`; returned lowercased.
    public static func color(_ value: String, field: String = "color") throws -> String {
        let hex = Set("0123456789abcdefABCDEF")
        guard value.count == 7, value.first == "#", value.dropFirst().allSatisfy({ hex.contains($0) }) else {
            throw DomainError.invalidField(field, "must be a colour written as #RRGGBB.")
        }
        return value.lowercased()
    }

    /// An integer inside `range`.
    public static func int(_ value: Int, in range: ClosedRange<Int>, field: String) throws -> Int {
        guard range.contains(value) else {
            throw DomainError.invalidField(field, "must be between \(range.lowerBound) and \(range.upperBound).")
        }
        return value
    }

    /// A latitude/longitude pair: both present or both absent, finite and in range.
    public static func coordinates(latitude: Double?, longitude: Double?) throws -> (Double, Double)? {
        switch (latitude, longitude) {
        case (nil, nil):
            return nil
        case let (lat?, lon?):
            guard lat.isFinite, (-90...90).contains(lat) else {
                throw DomainError.invalidField("latitude", "must be a number between -90 and 90.")
            }
            guard lon.isFinite, (-180...180).contains(lon) else {
                throw DomainError.invalidField("longitude", "must be a number between -180 and 180.")
            }
            return (lat, lon)
        default:
            throw DomainError.invalidField("latitude", "latitude and longitude must be given together.")
        }
    }

    /// A plausible e-mail address, returned trimmed. Uniqueness is case-insensitive (see `normalizedEmail`).
    public static func email(_ value: String) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard trimmed.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !trimmed.contains(where: { $0.isWhitespace }), !containsControlCharacters(trimmed)
        else { throw DomainError.invalidField("email", "is not a valid e-mail address.") }
        return trimmed
    }

    /// The form of an e-mail address used for uniqueness and login look-up.
    public static func normalizedEmail(_ value: String) -> String {
        value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// A password of reasonable length (bcrypt only reads 72 bytes).
    public static func password(_ value: String) throws -> String {
        guard value.count >= 8 else { throw DomainError.invalidField("password", "must be at least 8 characters.") }
        guard value.utf8.count <= 72 else { throw DomainError.invalidField("password", "must be at most 72 bytes.") }
        return value
    }
}
