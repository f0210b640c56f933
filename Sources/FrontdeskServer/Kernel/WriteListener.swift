import Foundation
import FrontdeskStore
import Logging
import ServiceLifecycle

/// Keeps this instance's `ReadCache` true to writes committed by other instances: on PostgreSQL it
/// listens on its `writesChannel` and forgets what every other instance's notification says it may
/// have changed; the
/// cache serves only while that LISTEN is proven live. On SQLite there is one server process, whose
/// own writes empty the cache directly, so there is nothing to do.
struct WriteListener: Service {
    let database: any FrontdeskDatabase
    let logger: Logger

    func run() async throws {
        guard let postgres = database as? PostgresBackend else {
            try? await gracefulShutdown()
            return
        }
        let cache = postgres.readCache
        await PostgresListener(database: postgres, channel: postgres.writesChannel, logger: logger).run(
            connected: { cache.setServing(true) },
            disconnected: { cache.setServing(false) },
            received: { payload in
                if let scope = cache.heard(payload) { cache.written(scope) }
            })
    }
}
