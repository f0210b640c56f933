import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird
import Logging

/// The body of every failure: `{"error":{"code","message"}}`.
struct ErrorBody: Codable, Sendable {
    struct Detail: Codable, Sendable {
        let code: String
        let message: String
    }
    let error: Detail
}

/// Turns every error into the JSON error shape: `DomainError`s keep their status and code,
/// Hummingbird's own HTTP errors (unknown route, oversized body…) get a code, wrong methods answer
/// 405 with `Allow`, and anything unexpected is logged in full and answered 500 without detail.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let routes: RouteRegistry

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as DomainError {
            return Self.response(status: error.status, code: error.code, message: error.message)
        } catch let error as HTTPError {
            if error.status == .notFound {
                let allowed = routes.methods(matching: request.uri.path)
                if !allowed.isEmpty {
                    var response = Self.response(
                        .methodNotAllowed, message: "\(request.method) is not allowed here; use \(allowed.joined(separator: ", ")).")
                    response.headers[.allow] = allowed.joined(separator: ", ")
                    return response
                }
                return Self.response(.notFound, message: "No such route: \(request.method) \(request.uri.path).")
            }
            // The framework's own errors keep their status; their code is one of the refusals.
            let refusal: Refusal =
                switch error.status {
                case .badRequest: .badRequest
                case .contentTooLarge: .payloadTooLarge
                default: .httpError
                }
            return Self.response(status: Int(error.status.code), code: refusal.rawValue, message: error.body ?? error.status.reasonPhrase)
        } catch let error where DatabaseErrors.isContention(error) {
            // Retries were exhausted under heavy contention: the request changed nothing and may be repeated.
            context.logger.warning("database contention", metadata: ["error": .string(String(reflecting: error))])
            var response = Self.response(.busy, message: "The studio is very busy right now; please try again.")
            response.headers[.retryAfter] = "1"
            return response
        } catch let error where DatabaseErrors.isUnavailable(error) {
            context.logger.error("database unavailable", metadata: ["error": .string(String(reflecting: error))])
            var response = Self.response(
                .databaseUnavailable, message: "The database cannot be reached right now; please try again shortly.")
            response.headers[.retryAfter] = "5"
            return response
        } catch {
            context.logger.error(
                "unhandled error", metadata: ["error": .string(String(reflecting: error)), "path": .string(request.uri.path)])
            return Self.response(.internalError, message: "Something went wrong on our side; it has been logged.")
        }
    }

    /// A refusal with the status of its kind.
    static func response(_ refusal: Refusal, message: String) -> Response {
        let error = DomainError(refusal, message)
        return response(status: error.status, code: error.code, message: message)
    }

    static func response(status: Int, code: String, message: String) -> Response {
        let body = (try? JSONEncoder().encode(ErrorBody(error: .init(code: code, message: message)))) ?? Data()
        return Response(
            status: .init(code: status),
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}
