import Foundation
import FrontdeskStore
import Logging
import ServiceLifecycle

/// Keeps this instance's `LoginSessionCache` true to sessions ended on other instances: on PostgreSQL
/// it listens on `AccountsStore.sessionsChannel` and drops what each notification names; the cache
/// serves only while that LISTEN is proven live (cleared on every (re)connect, off while it is down).
/// On SQLite there is one process, which hears its own ends directly, so there is nothing to do.
struct LoginSessionListener: Service {
    let cache: LoginSessionCache
    let database: any FrontdeskDatabase
    let logger: Logger

    func run() async throws {
        guard let postgres = database as? PostgresBackend else {
            try? await gracefulShutdown()
            return
        }
        let (cache, logger) = (cache, logger)
        await PostgresListener(database: postgres, channel: AccountsStore.sessionsChannel, logger: logger).run(
            connected: { cache.setServing(true) },
            disconnected: { cache.setServing(false) },
            received: { payload in
                guard let ended = try? JSONDecoder().decode(EndedLoginSessions.self, from: Data(payload.utf8)) else {
                    // Unreadable: something ended that cannot be named, so forget everything.
                    logger.warning("unreadable login-session notification; clearing the cache")
                    cache.setServing(true)
                    return
                }
                cache.drop(ended)
            })
    }
}
