import Mustache

/// A page's or e-mail's values as Mustache reads them, reflected once instead of on every lookup.
///
/// Mustache reads a Swift struct's property by building a `Mirror` of the whole struct and scanning
/// its children, on every `{{name}}` and for every object on the context stack it passes on the way
/// (a name inside `{{#page}}` is looked up in `page` before the frame). A page of a few hundred
/// names reflected its view structs thousands of times; rendering the notification e-mails took a
/// tenth of the server's time under the benchmark mix. A `MustacheView` reflects its object once, on
/// the first lookup, into a dictionary, and wraps what it holds the same way (structs and classes
/// lazily, arrays element by element), so each lookup after that is one dictionary read.
///
/// What a template sees does not change: the same names (stored properties, as `Mirror` lists
/// them), a `nil` optional is absent (the lookup goes on down the stack, as with `Mirror`), arrays
/// stay sequences, booleans, strings and numbers stay themselves, and a wrapped value prints as the
/// value it wraps.
final class MustacheView: MustacheParent, CustomStringConvertible {
    private let object: Any
    private lazy var children: [String: Any] = {
        var children: [String: Any] = [:]
        for child in Mirror(reflecting: object).children {
            guard let label = child.label, let value = Self.unwrapped(child.value) else { continue }
            children[label] = Self.wrap(value)
        }
        return children
    }()

    private init(_ object: Any) { self.object = object }

    func child(named name: String) -> Any? { children[name] }

    var description: String { String(describing: object) }

    /// `value` ready for Mustache: a struct or class (other than Mustache's own kinds) as a
    /// `MustacheView`, an array with each element wrapped, anything else as it is.
    static func wrap(_ value: Any) -> Any {
        switch value {
        case is String, is Bool, is Int, is Double, is Substring, is MustacheParent, is MustacheLambda,
            is MustacheTemplate, is MustacheCustomRenderable, is MustacheCustomRepresentation:
            return value
        case let array as [Any]:
            return array.map(wrap)
        default:
            switch Mirror(reflecting: value).displayStyle {
            case .struct?, .class?: return MustacheView(value)
            default: return value
            }
        }
    }

    /// The value an optional holds, `nil` for an empty one, anything else as it is.
    private static func unwrapped(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        guard let held = mirror.children.first?.value else { return nil }
        return unwrapped(held)
    }
}
