import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird

extension NotificationPreferences: ResponseEncodable {}
extension PushTokenRegistration: ResponseEncodable {}

/// The signed-in user's notification settings (SPEC §7): class-notification opt-outs per channel
/// (`GET|PUT /api/me/notification-prefs`) and push devices (`GET|POST /api/me/push-tokens`,
/// `DELETE /api/me/push-tokens/:id`). An opted-out channel is neither queued nor sent.
struct NotificationRoutes {
    let services: AppServices
    var store: NotificationsStore { NotificationsStore(database: services.database) }

    func register(user api: ContextRoutes<UserContext>) {
        api.get("me/notification-prefs", use: preferences)
        api.put("me/notification-prefs", use: setPreferences)
        api.get("me/push-tokens", use: devices)
        api.post("me/push-tokens", use: register)
        api.delete("me/push-tokens/:device", use: unregister)
    }

    @Sendable func preferences(_ request: Request, context: UserContext) async throws -> NotificationPreferences {
        try await store.preferences(userId: context.user.id)
    }

    struct PreferencesBody: Decodable {
        let email: Bool?
        let push: Bool?
    }

    /// Either channel may be left out (unchanged).
    @Sendable func setPreferences(_ request: Request, context: UserContext) async throws -> NotificationPreferences {
        let user = context.user
        let body = try await request.decodeJSON(PreferencesBody.self, context: context)
        guard body.email != nil || body.push != nil else {
            throw DomainError(.missingField, "Send \"email\" and/or \"push\" as true or false.")
        }
        var preferences = try await store.preferences(userId: user.id)
        preferences.email = body.email ?? preferences.email
        preferences.push = body.push ?? preferences.push
        try await store.setPreferences(userId: user.id, preferences, now: services.now)
        return preferences
    }

    struct DeviceList: ResponseEncodable {
        let items: [PushTokenRegistration]
    }

    @Sendable func devices(_ request: Request, context: UserContext) async throws -> DeviceList {
        DeviceList(items: try await store.devices(userId: context.user.id))
    }

    struct RegisterBody: Decodable {
        let token: String
        let platform: String?
    }

    /// An Expo push token (`ExponentPushToken[…]`); registering a known token again moves it to this user.
    @Sendable func register(_ request: Request, context: UserContext) async throws -> Created<PushTokenRegistration> {
        let user = context.user
        let body = try await request.decodeJSON(RegisterBody.self, context: context)
        guard Self.isPushToken(body.token) else {
            throw DomainError.invalidField("token", "is not a push token (ExponentPushToken[…], 1–200 characters).")
        }
        if let platform = body.platform, !["ios", "android", "web"].contains(platform) {
            throw DomainError.invalidField("platform", "must be ios, android or web.")
        }
        let registration = try await store.registerPushToken(userId: user.id, token: body.token, platform: body.platform, now: services.now)
        return Created(body: registration)
    }

    @Sendable func unregister(_ request: Request, context: UserContext) async throws -> HTTPResponse.Status {
        let user = context.user
        let id = try context.id("device", "Device")
        guard try await store.deletePushToken(userId: user.id, id: id) else { throw DomainError.notFound("Device") }
        return .noContent
    }

    static func isPushToken(_ token: String) -> Bool {
        guard (1...200).contains(token.utf8.count), !Validate.containsControlCharacters(token), !token.contains(" ") else { return false }
        return (token.hasPrefix("ExponentPushToken[") || token.hasPrefix("ExpoPushToken[")) && token.hasSuffix("]")
    }
}
