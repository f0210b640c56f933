import Foundation
import FrontdeskCore
import FrontdeskStore
import Logging

/// Opens the configured database once — migrating or checking it per policy, as `openDatabase` does
/// (the embedded SQLite database is migrated; PostgreSQL only with `migrate`, else pending
/// migrations refuse) — wraps it in the application's services, runs `body`, and shuts the database
/// down on every path, whether `body` returns or throws. What `frontdesk serve` and every one-shot
/// command run inside.
///
/// PostgreSQL's pool (`PostgresClient.run()`) is run by `PostgresBackend` itself, not by the
/// application's `ServiceGroup`: the database is migrated, the signing keys prepared and the demo
/// seeded before that group exists, the one-shot commands and the tests have no group, and `run()`
/// may be called only once. Shutting the backend down here, after `runService()` has returned, already
/// stops the pool after every service that uses it.
public func withServices<T>(
    configuration: ServerConfiguration, migrate: Bool? = nil,
    _ body: (AppServices) async throws -> T
) async throws -> T {
    let logger = ServerRunner.logger(configuration)
    let clock = SystemClock()
    let database = try await openDatabase(configuration: configuration, clock: clock, logger: logger, migrate: migrate)
    let services = AppServices(configuration: configuration, clock: clock, database: database, logger: logger)
    do {
        let result = try await body(services)
        await database.shutdown()
        return result
    } catch {
        await database.shutdown()
        throw error
    }
}

/// The configured database opened as it is, without the migration policy (for `frontdesk migrate`,
/// which is that policy's way out), shut down on every path.
public func withDatabase<T>(configuration: ServerConfiguration, _ body: (any FrontdeskDatabase) async throws -> T) async throws -> T {
    let database = try await DatabaseFactory.open(url: configuration.resolvedDatabaseURL, logger: ServerRunner.logger(configuration))
    do {
        let result = try await body(database)
        await database.shutdown()
        return result
    } catch {
        await database.shutdown()
        throw error
    }
}

/// The operator asked for something that cannot be done as given (an unknown id, an invalid name):
/// the command line reports it as a usage error, exit status 64.
public struct UsageError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension UsageError {
    /// `body`, with the domain's refusals (`DomainError`) reported as usage errors.
    static func fromDomain<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DomainError {
            throw UsageError(error.message)
        }
    }
}
