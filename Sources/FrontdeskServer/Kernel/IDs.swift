import FrontdeskCore
import Hummingbird

/// Ids given in bodies and forms.
enum IDs {
    /// An id this system issued (lowercased), or a 404 for `what`.
    static func ref(_ value: String, _ what: String) throws -> String {
        guard NewID.isWellFormed(value) else { throw DomainError.notFound(what) }
        return value.lowercased()
    }
}
