import Foundation
import FrontdeskCore
import HTTPTypes
import Testing

extension TestApp {
    /// Publishes the studio's schedule through the settings form, with `origins` allowed to frame the widget.
    func publishSchedule(_ studio: StudioFixture, origins: String = "") async throws {
        let owner = Browser(app: self, token: studio.ownerToken)
        let saved = try await owner.post("/admin/settings/public", ["org": studio.orgId, "enabled": "on", "embedOrigins": origins])
        try #require(saved.status == 303, "publishing failed: \(saved.status) \(saved.text.prefix(300))")
    }

    /// An anonymous GET with extra headers.
    func anonymous(_ path: String, headers: HTTPFields = [:]) async throws -> Reply {
        try await request(.get, path, headers: headers)
    }
}

extension Reply {
    /// The classes of a public schedule JSON answer.
    var publicClasses: [[String: Any]] { json["classes"] as? [[String: Any]] ?? [] }
    var etag: String? { headers[.eTag] }
    var csp: String { headers[.contentSecurityPolicy] ?? "" }
}
