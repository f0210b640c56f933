import Foundation
import FrontdeskCore
import Hummingbird

/// A back-office list of signed devices (`/admin/displays`, `/admin/kiosks`): what its page does
/// alike — `GET <path>?org=&show=&done=` shows it, and its posts (create with a location and a name,
/// rotate, revoke) answer a 303 to the list with `done=` (and `show=`), or the page again with the
/// refusal.
protocol AdminDeviceListPage: Sendable {
    var services: AppServices { get }
    static var path: String { get }
    func page(
        orgId: String?, show: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status,
        flash: PageFrame.Flash?, draftName: String, done: String?
    ) async throws -> Response
}

/// The form of a list's posts.
struct AdminDeviceForm: Decodable {
    let csrf: String?
    let org: String?
    let location: String?
    let name: String?
}

extension AdminDeviceListPage {
    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        return try await page(
            orgId: query.get("org"), show: query.get("show"), request: request, context: context, status: .ok, flash: nil,
            draftName: "", done: query.get("done"))
    }

    /// Checks the form's CSRF and the caller's role in its studio, runs `action` and answers the 303
    /// it returns; a refusal answers the page with the message (or the 404 page for an unknown id).
    func post(
        _ request: Request, _ context: AppRequestContext,
        _ action: (AdminDeviceForm, OrgScope) async throws -> (done: String, show: String?)
    ) async throws -> Response {
        let form = try await request.decodeForm(AdminDeviceForm.self, context: context)
        let orgId = form.org ?? ""
        return try await AdminShell.post(services, csrf: form.csrf, org: orgId, request: request, context: context) { scope in
            let (done, show) = try await action(form, scope)
            return AdminShell.done(Self.path, org: scope.orgId, done, extra: show.map { "&show=\($0)" } ?? "")
        } refused: { error in
            try await page(
                orgId: orgId, show: nil, request: request, context: context, status: error.httpStatus, flash: AdminShell.failure(error),
                draftName: form.name ?? "", done: nil)
        }
    }
}
