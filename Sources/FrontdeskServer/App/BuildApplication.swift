import Foundation
import FrontdeskCore
import FrontdeskStore
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// The whole HTTP application, shared by `frontdesk serve` and the tests.
public struct FrontdeskApp {
    public let services: AppServices
    public let routes: RouteRegistry
    let router: Router<AppRequestContext>

    /// The Hummingbird application listening per the configuration.
    public func application() -> some ApplicationProtocol {
        let config = services.configuration
        let loginSessions = LoginSessionListener(cache: services.loginSessions, database: services.database, logger: services.logger)
        let writes = WriteListener(database: services.database, logger: services.logger)
        var background: [any Service] = [services.checkinEvents, loginSessions, writes]
        if config.runJobs {
            background += [OutboxWorker(services: services), BackgroundJobs(services: services)] as [any Service]
        }
        // Idle connections close after `idleTimeoutSeconds`; a connection that has not sent a complete
        // request head within `requestHeadTimeoutSeconds` (of opening, or of its previous response) too.
        // Neither cuts a response in progress, such as an event stream.
        let headTimeout = TimeAmount.seconds(Int64(config.requestHeadTimeoutSeconds))
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestHeadTimeoutHandler(timeout: headTimeout)],
            idleTimeout: .seconds(Int64(config.idleTimeoutSeconds)))
        return Application(
            router: router,
            server: .http1(configuration: http1),
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "frontdesk"),
            services: background,
            logger: services.logger
        )
    }

    /// The router alone, for in-process tests.
    public var responder: Router<AppRequestContext> { router }
}

/// Builds routes and middleware over an open, migrated database.
public func buildApplication(services: AppServices) -> FrontdeskApp {
    FrontdeskMetrics.bootstrapOnce()
    let registry = RouteRegistry()
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ErrorMiddleware(routes: registry))
    router.add(middleware: AuthMiddleware(services: services))

    let root = Routes(group: router.group(""), prefix: "", registry: registry)
    OpsRoutes(services: services).register(root)
    OpenAPIDocument.register(root)

    let api = root.group("api")
    // Typed contexts: the signed-in user, the org's and the session's scope are resolved once, before any handler.
    let user = api.typed(UserContext.self)
    AuthRoutes(services: services).register(api, user: user)
    let org = api.group("orgs/:org").add(middleware: OrgScopeMiddleware(services: services)).typed(OrgContext.self)
    let session = api.group("sessions/:session").add(middleware: SessionScopeMiddleware(services: services)).typed(SessionContext.self)
    OrganizationRoutes(services: services).register(api, org: org)
    MemberRoutes(services: services).register(org)
    AccountRoutes(services: services).register(api: api, org: org)
    CatalogRoutes(services: services).register(org)
    SessionRoutes(services: services).register(org: org, session: session)
    SeriesRoutes(services: services).register(org: org)
    ClosureRoutes(services: services).register(org: org)
    BulkRoutes(services: services).register(org: org)
    AuditRoutes(services: services).register(org: org)
    WorkoutRoutes(services: services).register(org: org, session: session)
    BookingRoutes(services: services).register(api: api, session: session)
    PlanRoutes(services: services).register(org: org)
    CheckinRoutes(services: services).register(api: api, session: session)
    NotificationRoutes(services: services).register(user: user)
    LanguageRoutes(services: services).register(user: user)
    AnalyticsRoutes(services: services).register(org: org)
    DisplayRoutes(services: services).register(root: root, org: org)
    PublicScheduleRoutes(services: services).register(api)
    KioskRoutes(services: services).register(root)

    LoginPage(services: services).register(root)
    AccountPages(services: services).register(root)
    DisplayPage(services: services).register(root)
    CheckinLandingPage(services: services).register(root)
    CoachPage(services: services).register(root)
    MemberPages(services: services).register(root)
    CalendarFeedPages(services: services).register(root)
    CalendarFeedRoutes(services: services).register(root)
    BatchesPage(services: services).register(root)
    DashboardPage(services: services).register(root)
    AdminPages(services: services).register(root)
    PublicPages(services: services).register(root)
    PublicBookPage(services: services).register(root)
    PublicSettingsForm(services: services).register(root)
    UniversalLinks(services: services).register(root)
    LanguagePages(services: services).register(root)

    router.add(middleware: FileMiddleware(services.configuration.publicDirectory, searchForIndexHtml: true))
    return FrontdeskApp(services: services, routes: registry, router: router)
}

/// Opens the configured database and brings its schema up to date (or checks it is), per policy:
/// the embedded SQLite database is migrated automatically; PostgreSQL only when asked.
public func openDatabase(
    configuration: ServerConfiguration, clock: any FrontdeskClock, logger: Logger, migrate: Bool? = nil
) async throws -> any FrontdeskDatabase {
    let database: any FrontdeskDatabase
    if configuration.usesPostgres {
        database = try await PostgresBackend(
            url: configuration.resolvedDatabaseURL, logger: logger, maximumConnections: configuration.databasePoolSize,
            readConnections: configuration.databaseReadPoolSize, monitorHealth: true)
    } else {
        database = try await SQLiteBackend(path: configuration.resolvedDatabaseURL, logger: logger)
    }
    do {
        let shouldMigrate = migrate ?? configuration.migrateOnStart ?? !configuration.usesPostgres
        let migrator = Migrator(database: database)
        if shouldMigrate {
            let applied = try await migrator.migrate(now: clock.now())
            if !applied.isEmpty { logger.notice("applied migrations \(applied)") }
        } else {
            let status = try await migrator.status()
            if !status.pending.isEmpty {
                throw ConfigurationError(
                    "the database has pending migrations \(status.pending); run `frontdesk migrate` or start with --migrate")
            }
        }
    } catch {
        await database.shutdown()
        throw error
    }
    return database
}
