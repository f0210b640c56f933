import Foundation
import FrontdeskCore
import HTTPTypes
import NIOCore
import Testing

/// A browser's view of the pages: the session cookie of a login token plus the CSRF cookie, and
/// form posts that carry the same CSRF value.
struct Browser: Sendable {
    let app: TestApp
    let token: String?
    let csrf = "test-csrf-token-0123456789"

    /// The browser's own nonce cookie (`fd_browser`), which proofs of scan and sign-in links are bound to.
    var nonce = "test-browser-nonce-0123456789abcdef"

    var cookieHeader: HTTPFields {
        var cookies = "fd_csrf=\(csrf); fd_browser=\(nonce)"
        if let token { cookies += "; fd_session=\(token)" }
        return [.cookie: cookies]
    }

    func get(_ path: String) async throws -> Reply {
        try await app.request(.get, path, headers: cookieHeader)
    }

    /// Posts `fields` as a form, adding the `csrf` field unless `csrf` is given explicitly.
    func post(_ path: String, _ fields: [String: String], csrf: String? = nil) async throws -> Reply {
        var all = fields
        all["csrf"] = csrf ?? self.csrf
        let body = all.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            .joined(separator: "&")
        var headers = cookieHeader
        headers[.contentType] = "application/x-www-form-urlencoded"
        let response = try await app.client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        return Reply(status: Int(response.status.code), headers: response.headers, text: String(buffer: response.body))
    }
}

extension Reply {
    /// The text of the element with `id` (up to its tag's first closing tag, tags stripped,
    /// whitespace collapsed, entities decoded), or nil if absent.
    func element(_ id: String) -> String? {
        guard let attribute = text.range(of: "id=\"\(id)\""),
            let tagStart = text[..<attribute.lowerBound].lastIndex(of: "<"),
            let open = text[attribute.upperBound...].firstIndex(of: ">")
        else { return nil }
        let tag = text[text.index(after: tagStart)...].prefix { $0.isLetter || $0.isNumber }
        let rest = text[text.index(after: open)...]
        let end = rest.range(of: "</\(tag)>")?.lowerBound ?? rest.endIndex
        let inner = String(rest[..<end]).replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
        return inner.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(
                of: "&amp;", with: "&")
    }

    /// `date` as the pages print times in Berlin ("09:36").
    static func berlin(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Europe/Berlin")
        formatter.locale = Locale(identifier: "en_GB")
        formatter.dateFormat = "HH:mm"
        return formatter.string(from: date)
    }

    func has(_ fragment: String) -> Bool { text.contains(fragment) }

    var location: String? { headers[.location] }
}

extension TestApp {
    /// A signed display URL path for the studio's location.
    func displayPath(_ studio: StudioFixture) async throws -> (path: String, id: String) {
        let created = try await request(
            .post, "/api/orgs/\(studio.orgId)/displays", token: studio.ownerToken,
            body: ["locationId": studio.locationId, "name": "Lobby TV"])
        try #require(created.status == 201, "\(created.text)")
        let url = try #require(created.string("url"))
        let id = try #require((created["display"] as? [String: Any])?["id"] as? String)
        return (String(url.dropFirst("https://studio.example".count)), id)
    }

    /// A check-in token for `session` now.
    func checkinToken(_ session: String) async throws -> String {
        CheckinToken.issue(sessionId: session, at: clock.now(), keys: try await services.keyRing.ring(now: clock.now()))
    }
}
