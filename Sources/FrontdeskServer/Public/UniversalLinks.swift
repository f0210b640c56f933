import Foundation
import FrontdeskCore
import Hummingbird

/// `GET /.well-known/apple-app-site-association` and `GET /.well-known/assetlinks.json`, from the
/// `universalLinks.*` configuration: they let a studio's iOS and Android apps open the check-in scan
/// links (`/checkin…` and the compact `/c/…`) instead of the browser. Each answers 404 while its app is
/// not configured. The values are checked when the server starts (`validate`).
struct UniversalLinks {
    let services: AppServices

    /// The paths the apps open: the scan landing (`/checkin?session=…&token=…`) and the compact form.
    static let paths = ["/checkin*", "/c/*"]

    func register(_ root: Routes) {
        root.get(".well-known/apple-app-site-association", use: apple)
        root.get(".well-known/assetlinks.json", use: android)
    }

    /// The comma-separated items of a setting, trimmed, without empty ones.
    static func items(_ value: String?) -> [String] {
        (value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Refuses malformed app ids, package names and fingerprints, and a package without fingerprints.
    static func validate(_ configuration: ServerConfiguration) throws {
        for id in items(configuration.appleAppIds) {
            let parts = id.split(separator: ".", maxSplits: 1)
            let team = parts.first ?? ""
            guard parts.count == 2, team.count == 10, team.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }),
                isDottedName(parts[1])
            else {
                throw ConfigurationError("universalLinks.appleAppIds: '\(id)' is not TEAMID.bundle.id (a 10-character team id)")
            }
        }
        let package = configuration.androidPackage?.trimmingCharacters(in: .whitespaces) ?? ""
        let prints = items(configuration.androidCertFingerprints)
        if !package.isEmpty {
            guard isDottedName(Substring(package)), package.contains(".") else {
                throw ConfigurationError("universalLinks.androidPackage: '\(package)' is not a package name like com.example.app")
            }
            guard !prints.isEmpty else {
                throw ConfigurationError("universalLinks.androidCertFingerprints must be set with universalLinks.androidPackage")
            }
        }
        for print in prints {
            let bytes = print.split(separator: ":", omittingEmptySubsequences: false)
            guard bytes.count == 32, bytes.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isHexDigit) }) else {
                throw ConfigurationError("universalLinks.androidCertFingerprints: '\(print)' is not 32 hex bytes like AB:CD:…")
            }
        }
    }

    /// Letters, digits, `_` and `-` in dot-separated parts, each starting with a letter (or `_`), at most 255 characters.
    static func isDottedName(_ name: Substring) -> Bool {
        guard !name.isEmpty, name.count <= 255 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            guard let first = part.first, first.isASCII, first.isLetter || first == "_" else { return false }
            return part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        }
    }

    @Sendable func apple(_ request: Request, context: AppRequestContext) async throws -> Response {
        let ids = Self.items(services.configuration.appleAppIds)
        guard !ids.isEmpty else { throw DomainError.notFound("App site association") }
        // iOS 13 and later read `appIDs` and `components`; older versions one `appID` with `paths` per app.
        let modern: [String: Any] = [
            "appIDs": ids, "components": Self.paths.map { ["/": $0, "comment": "check-in scan links"] },
        ]
        let legacy: [[String: Any]] = ids.map { ["appID": $0, "paths": Self.paths] }
        return try json(["applinks": ["apps": [String](), "details": [modern] + legacy]])
    }

    @Sendable func android(_ request: Request, context: AppRequestContext) async throws -> Response {
        let package = services.configuration.androidPackage?.trimmingCharacters(in: .whitespaces) ?? ""
        let prints = Self.items(services.configuration.androidCertFingerprints).map { $0.uppercased() }
        guard !package.isEmpty, !prints.isEmpty else { throw DomainError.notFound("Asset links") }
        let statement: [String: Any] = [
            "relation": ["delegate_permission/common.handle_all_urls"],
            "target": ["namespace": "android_app", "package_name": package, "sha256_cert_fingerprints": prints],
        ]
        return try json([statement])
    }

    /// JSON served as is (no redirect, `application/json`), cacheable for an hour.
    func json(_ object: Any) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        var response = Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        response.headers[.cacheControl] = "public, max-age=3600"
        response.headers[.xContentTypeOptions] = "nosniff"
        return response
    }
}
