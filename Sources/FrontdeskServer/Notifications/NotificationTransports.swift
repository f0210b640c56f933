import AsyncHTTPClient
import Foundation
import Logging

/// The transports the configuration names (`emailTransport`, `pushTransport`).
enum NotificationTransports {
    static func mail(_ configuration: ServerConfiguration, logger: Logger) -> any MailTransport {
        guard configuration.emailTransport == .smtp else { return LogMailTransport(logger: logger) }
        let security = configuration.smtpSecurity
        let hostName = URL(string: configuration.publicBaseURL)?.host ?? "localhost"
        return SMTPMailTransport(
            client: SMTPClient(
                configuration: SMTPConfiguration(
                    host: configuration.smtpHost, port: configuration.smtpPort, security: security,
                    username: configuration.smtpUsername, password: configuration.smtpPassword, heloName: hostName,
                    trustedCAFile: configuration.smtpCAFile, timeoutSeconds: 30)))
    }

    static func push(_ configuration: ServerConfiguration, logger: Logger) -> any PushTransport {
        guard configuration.pushTransport == .expo else { return LogPushTransport(logger: logger) }
        return ExpoPushTransport(url: configuration.expoPushURL, accessToken: configuration.expoAccessToken, client: .shared)
    }
}

extension OutboxWorker {
    /// A worker with the configured transports.
    convenience init(services: AppServices) {
        self.init(
            services: services, mail: NotificationTransports.mail(services.configuration, logger: services.logger),
            push: NotificationTransports.push(services.configuration, logger: services.logger))
    }
}
