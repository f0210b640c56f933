import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import FrontdeskServer

/// Notification preferences, push devices and the Expo push transport (SPEC §7).
@Suite("Notification settings and push")
struct NotificationSettingsTests {
    @Test("preferences: on by default, per channel; an opted-out channel is neither queued nor sent")
    func preferences() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400))
            let member = try await app.quickMembers(studio.orgId, count: 1)[0]
            try await app.registerDevice(token: member.token)
            let initial = try await app.request(.get, "/api/me/notification-prefs", token: member.token)
            #expect(initial.status == 200 && initial["email"] as? Bool == true && initial["push"] as? Bool == true)
            let changed = try await app.request(.put, "/api/me/notification-prefs", token: member.token, body: ["email": false])
            #expect(changed.status == 200 && changed["email"] as? Bool == false && changed["push"] as? Bool == true)
            for json in ["{}", "{\"email\": \"no\"}", "{\"push\": 1}", "[]"] {
                #expect(try await app.request(.put, "/api/me/notification-prefs", token: member.token, json: json).status == 400, "\(json)")
            }
            #expect(try await app.request(.get, "/api/me/notification-prefs").status == 401)

            #expect(try await app.book(session, token: member.token).status == 201)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM notification_outbox WHERE channel = 'email'") == 0)
            #expect(try await app.count("SELECT COUNT(*) AS n FROM notification_outbox WHERE channel = 'push'") == 1)
            let mail = RecordingMail(), push = RecordingPush()
            #expect(try await app.worker(mail: mail, push: push).deliverDue() == 1)
            #expect(mail.sent.isEmpty && push.sent.count == 1)
        }
    }

    @Test("push devices: register (validated), list, move to a new owner, delete only one's own")
    func devices() async throws {
        try await TestApp.run { app in
            let studio = try await app.studio()
            let members = try await app.quickMembers(studio.orgId, count: 2)
            let created = try await app.request(
                .post, "/api/me/push-tokens", token: members[0].token,
                body: ["token": "ExponentPushToken[aaaa]", "platform": "android"])
            #expect(created.status == 201)
            let id = try #require(created.string("id"))
            for body: [String: any Sendable] in [
                ["token": "not-a-token"], ["token": "ExponentPushToken[x]", "platform": "nokia"],
                ["token": String(repeating: "x", count: 300)], ["platform": "ios"],
            ] {
                #expect(try await app.request(.post, "/api/me/push-tokens", token: members[0].token, body: body).status == 400)
            }
            let listed = try await app.request(.get, "/api/me/push-tokens", token: members[0].token)
            #expect((listed["items"] as? [[String: Any]])?.count == 1)
            #expect(try await app.request(.delete, "/api/me/push-tokens/\(id)", token: members[1].token).status == 404)
            // The same device signing in as someone else moves to them.
            let moved = try await app.request(
                .post, "/api/me/push-tokens", token: members[1].token, body: ["token": "ExponentPushToken[aaaa]"])
            #expect(moved.status == 201 && moved.string("id") == id)
            #expect(
                ((try await app.request(.get, "/api/me/push-tokens", token: members[0].token))["items"] as? [[String: Any]])?.isEmpty
                    == true)
            #expect(try await app.request(.delete, "/api/me/push-tokens/\(id)", token: members[1].token).status == 204)
            #expect(try await app.request(.delete, "/api/me/push-tokens/nope", token: members[1].token).status == 404)
        }
    }

    /// What the stand-in push service received, and how it answers: a token containing "gone" is
    /// `DeviceNotRegistered`, "busy" a per-message error; the token "ExponentPushToken[down]" makes the
    /// whole request answer 503.
    final class ExpoStub: Sendable {
        let received = Mutex<[String]>([])

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("/--/api/v2/push/send") { [self] request, _ -> Response in
                let body = try await request.body.collect(upTo: 1 << 20)
                let messages = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [[String: Any]] ?? []
                let tokens = messages.compactMap { $0["to"] as? String }
                received.withLock { $0 += tokens }
                if tokens.contains("ExponentPushToken[down]") { return Response(status: .serviceUnavailable) }
                let tickets: [[String: Any]] = tokens.map { token in
                    if token.contains("gone") {
                        return ["status": "error", "message": "not registered", "details": ["error": "DeviceNotRegistered"]]
                    }
                    if token.contains("busy") {
                        return ["status": "error", "message": "slow down", "details": ["error": "MessageRateExceeded"]]
                    }
                    return ["status": "ok", "id": UUID().uuidString]
                }
                let data = try JSONSerialization.data(withJSONObject: ["data": tickets])
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
            return router
        }
    }

    @Test("Expo push over HTTP: tickets per device, unregistered devices forgotten, errors retried")
    func expoTransport() async throws {
        let stub = ExpoStub()
        let server = Application(router: stub.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await server.test(.live) { client in
            let url = "http://127.0.0.1:\(try #require(client.port))/--/api/v2/push/send"
            try await TestApp.run(configure: {
                $0.pushTransport = .expo
                $0.expoPushURL = url
            }) { app in
                let studio = try await app.studio()
                let session = try await app.session(studio, startsAt: app.clock.now().addingTimeInterval(86_400))
                let members = try await app.quickMembers(studio.orgId, count: 3)
                try await app.registerDevice(token: members[0].token, device: "ExponentPushToken[phone]")
                try await app.registerDevice(token: members[0].token, device: "ExponentPushToken[gone-tablet]")
                try await app.registerDevice(token: members[1].token, device: "ExponentPushToken[busy]")
                try await app.registerDevice(token: members[2].token, device: "ExponentPushToken[down]")
                let worker = OutboxWorker(
                    services: app.services, mail: RecordingMail(),
                    push: NotificationTransports.push(app.services.configuration, logger: app.services.logger),
                    signal: OutboxSignal())
                for member in members { #expect(try await app.book(session, token: member.token).status == 201) }
                #expect(try await worker.deliverDue() == 6)

                #expect(
                    Set(stub.received.withLock { $0 }) == [
                        "ExponentPushToken[phone]", "ExponentPushToken[gone-tablet]",
                        "ExponentPushToken[busy]", "ExponentPushToken[down]",
                    ])
                #expect(try await app.count("SELECT COUNT(*) AS n FROM push_tokens WHERE token = 'ExponentPushToken[gone-tablet]'") == 0)
                #expect(try await app.count("SELECT COUNT(*) AS n FROM push_tokens") == 3)
                // Delivered to the phone: sent. Every device failing (busy, service down): retried later.
                #expect(try await app.outboxCount(status: "sent", template: "booking_confirmed") == 4, "three e-mails and one push")
                #expect(try await app.outboxCount(status: "failed", template: "booking_confirmed") == 2)
                let errors = try await app.services.database.read { sql in
                    try await sql.raw("SELECT last_error FROM notification_outbox WHERE status = 'failed' ORDER BY last_error").all()
                        .map { try $0.decode(column: "last_error", as: String.self) }
                }
                #expect(errors.contains { $0.contains("MessageRateExceeded") } && errors.contains { $0.contains("503") }, "\(errors)")
            }
        }
    }
}
