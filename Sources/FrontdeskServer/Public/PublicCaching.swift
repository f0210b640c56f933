import Foundation
import FrontdeskCore
import HTTPTypes
import Hummingbird

/// HTTP caching and the security headers of the public pages, which are the same for every visitor
/// (no cookie is read or set, no CSRF token, no nonce) so browsers and proxies may keep them.
///
/// The ETag is a digest of the body itself: any change of what is shown (a booking changing the places
/// left, a class edited, published, cancelled, a studio renamed) changes it, and nothing else does.
/// `max-age` keeps a busy website's repeat views off the server for a short while; after that a
/// conditional request is answered 304 without a body when nothing changed.
enum PublicCaching {
    /// Seconds a browser or proxy may reuse a schedule without asking.
    static let scheduleMaxAge = 30
    /// Seconds the embed script may be reused without asking (it changes only with the studio's name).
    static let scriptMaxAge = 300

    /// A strong ETag of `body`.
    static func etag(_ body: String) -> String { "\"" + Hashing.sha256Hex(body).prefix(32) + "\"" }

    /// Whether `If-None-Match` names `etag` (or `*`); weak validators compare by their opaque part.
    static func matches(_ request: Request, etag: String) -> Bool {
        let values = request.headers[values: .ifNoneMatch]
        guard !values.isEmpty, values.joined().utf8.count <= 8_192 else { return false }
        for value in values {
            for candidate in value.split(separator: ",") {
                var tag = candidate.trimmingCharacters(in: .whitespaces)
                if tag == "*" { return true }
                if tag.hasPrefix("W/") { tag.removeFirst(2) }
                if tag == etag { return true }
            }
        }
        return false
    }

    /// `body` with its ETag and caching headers, or 304 without a body when the client holds it already.
    /// `variant` is what else the answer depends on beyond its body (the widget's allowed origins), so a
    /// change of it is never answered 304.
    static func response(
        _ request: Request, body: String, contentType: String, maxAge: Int, headers extra: HTTPFields = [:], variant: String = ""
    ) -> Response {
        let tag = etag(variant.isEmpty ? body : variant + "\n" + body)
        var headers = extra
        headers[.eTag] = tag
        headers[.cacheControl] = "public, max-age=\(maxAge)"
        headers[.xContentTypeOptions] = "nosniff"
        if matches(request, etag: tag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The headers of a public HTML page: only this origin's scripts and styles plus the brand colour's
    /// one inline style (allowed by its hash, since a cached page cannot carry a fresh nonce); framed by
    /// nobody, or (the widget) only by `frameAncestors`.
    static func pageHeaders(brandStyle: String, frameAncestors: [String]?) -> HTTPFields {
        let styleHash = "'sha256-" + digestBase64(brandStyle) + "'"
        let ancestors = frameAncestors.flatMap { $0.isEmpty ? nil : $0.joined(separator: " ") } ?? "'none'"
        var headers: HTTPFields = [:]
        headers[.contentSecurityPolicy] =
            "default-src 'self'; script-src 'self'; style-src 'self' \(styleHash); img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors \(ancestors)"
        if ancestors == "'none'" { headers[.xFrameOptions] = "DENY" }
        headers[.init("Referrer-Policy")!] = "same-origin"
        return headers
    }

    /// SHA-256 of `text` in base64, as CSP hash sources spell it.
    static func digestBase64(_ text: String) -> String {
        let hex = Array(Hashing.sha256Hex(text).utf8)
        func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : c - 87 }
        let bytes = stride(from: 0, to: hex.count, by: 2).map { nibble(hex[$0]) << 4 | nibble(hex[$0 + 1]) }
        return Data(bytes).base64EncodedString()
    }
}
