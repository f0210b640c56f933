import Foundation
import FrontdeskCore

/// Reading a form's text fields.
enum FormValue {
    /// The trimmed text, nil when empty.
    static func text(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// A whole number, nil when the field is empty; anything else is `invalid_field`.
    static func int(_ value: String?, field: String) throws -> Int? {
        guard let text = text(value) else { return nil }
        guard text.utf8.count <= 12, let number = Int(text) else { throw DomainError.invalidField(field, "must be a whole number.") }
        return number
    }

    /// A decimal number, nil when empty.
    static func double(_ value: String?, field: String) throws -> Double? {
        guard let text = text(value) else { return nil }
        guard text.utf8.count <= 32, let number = Double(text.replacingOccurrences(of: ",", with: ".")), number.isFinite else {
            throw DomainError.invalidField(field, "must be a number.")
        }
        return number
    }

    /// A checkbox: present (any value) means ticked.
    static func checked(_ value: String?) -> Bool { value != nil }

    /// A form id this system issued, or a 404 naming `what`.
    static func id(_ value: String?, _ what: String) throws -> String {
        try IDs.ref(value ?? "", what)
    }
}
