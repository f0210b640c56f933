import FrontdeskCore
import Hummingbird

extension AppRequestContext {
    /// A path parameter that must be an id this system issued; anything else is a 404 for `what`.
    func id(_ name: String, _ what: String) throws -> String {
        guard let value = parameters.get(name), NewID.isWellFormed(value) else { throw DomainError.notFound(what) }
        return value.lowercased()
    }
}

/// Ids given in bodies and forms.
enum IDs {
    /// An id this system issued (lowercased), or a 404 for `what`.
    static func ref(_ value: String, _ what: String) throws -> String {
        guard NewID.isWellFormed(value) else { throw DomainError.notFound(what) }
        return value.lowercased()
    }
}
