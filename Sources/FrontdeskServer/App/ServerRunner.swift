import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird
import Logging

/// Starting and stopping the whole server: what `frontdesk serve` does after parsing flags.
public enum ServerRunner {
    /// A logger writing to stderr at the configured level.
    public static func logger(_ configuration: ServerConfiguration, label: String = "frontdesk") -> Logger {
        var logger = Logger(label: label) { DeferredMetadataLogHandler(label: $0) }
        logger.logLevel = configuration.parsedLogLevel
        return logger
    }

    /// Opens and migrates the database, optionally seeds the demo studio, then serves until SIGTERM/SIGINT.
    /// The database is shut down on every path, after the application and its services have stopped.
    public static func serve(configuration: ServerConfiguration, migrate: Bool?, demo: Bool) async throws {
        try await withServices(configuration: configuration, migrate: migrate) { services in
            // The secrets key file must open the stored signing keys (or is created on a fresh database):
            // refuse to serve otherwise, rather than mint keys that invalidate every display link.
            try await services.keyRing.prepare(now: services.now)
            if demo {
                let report = try await DemoSeeder(services: services).seed()
                // Written unbuffered: the logins must show now, not when the process exits (stdout may be a pipe).
                FileHandle.standardOutput.write(Data((demoBanner(report, configuration: configuration) + "\n").utf8))
            }
            let app = buildApplication(services: services)
            services.logger.notice(
                "frontdesk listening on http://\(configuration.host):\(configuration.port) (database: \(services.database.backend))")
            try await app.application().runService()
        }
    }

    /// What `--demo` prints: where to go and who to log in as.
    public static func demoBanner(_ report: DemoSeeder.Report, configuration: ServerConfiguration) -> String {
        var lines = [
            "",
            "Frontdesk demo studio \(report.created ? "created" : "already present") — organization \(report.organizationId)",
            "Open \(configuration.publicBaseURL)/healthz, or log in through the API:",
            "  curl -s -X POST \(configuration.publicBaseURL)/api/auth/login -H 'content-type: application/json' \\",
            "       -d '{\"email\":\"\(report.logins[0].email)\",\"password\":\"\(report.logins[0].password)\"}'",
            "Logins:",
        ]
        for login in report.logins {
            lines.append("  \(login.role.padding(toLength: 7, withPad: " ", startingAt: 0)) \(login.email)  /  \(login.password)")
        }
        if let url = report.displayURL {
            lines.append("Check-in display (Loft), signed URL: \(url)")
            lines.append("  its live state as JSON: \(url.replacingOccurrences(of: "?", with: "/state?"))")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
