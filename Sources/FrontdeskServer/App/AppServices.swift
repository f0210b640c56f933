import Foundation
import FrontdeskCore
import FrontdeskStore
import Logging

/// What every route needs: configuration, clock, database and the stores over it.
/// Built once by `buildApplication` and shared (it is immutable and Sendable).
public struct AppServices: Sendable {
    public let configuration: ServerConfiguration
    public let clock: any FrontdeskClock
    public let database: any FrontdeskDatabase
    public let logger: Logger
    public let accounts: AccountsStore
    public let organizations: OrganizationsStore
    public let catalog: CatalogStore
    public let sessions: SessionsStore
    public let rateLimits: RateLimitStore
    /// Self check-in attempts per member, counted in this process (see `LocalRateLimiter`).
    let selfCheckinLimiter = LocalRateLimiter(windowSeconds: 60)
    /// Public schedule requests per client address, counted in this process (`PublicSchedule.admit`).
    let publicLimiter = LocalRateLimiter(windowSeconds: 60)
    /// Calendar feed fetches per feed and per client address, counted in this process.
    let calendarFeedLimiter = LocalRateLimiter(windowSeconds: 60)
    public let passwords: PasswordHasher
    /// The signing keys of tokens and display URLs, cached briefly.
    public let keyRing: KeyRingCache
    /// Display QR codes rendered once per session and window.
    public let qrCache = QRSVGCache()
    /// What display state polls read, per display (see `DisplayStateCache` for what it trusts).
    let displayStates = DisplayStateCache()
    /// Display links whose signature verified, so a screen's next poll skips the HMAC (`DisplaySignature.verify`).
    let verifiedDisplayLinks = VerifiedDisplayLinks()
    /// Live check-in events for screens and tablets (across instances on PostgreSQL).
    public let checkinEvents: CheckinEventBus
    /// Concurrent self check-ins share one guarded statement and one commit (see `CheckinBatcher`).
    public let checkinBatcher: CheckinBatcher
    /// Live login sessions in memory (see `LoginSessionCache`), kept true by `AccountsStore` and `LoginSessionListener`.
    public let loginSessions: LoginSessionCache
    /// The look-ups `loginSessions` missed, read together.
    public let loginLookups: LoginLookups
    /// Bookings and cancels of one class queue here and are written in batches (group commit).
    public let classLanes: ClassLanes
    /// Where the bookings this process made or read belong (a cancel's lane and rights, without a read).
    let bookingHomes = BookingHomes()
    /// Open server-sent-event streams per display and client address (the caps).
    public let streamSlots = StreamSlots()
    /// The server-rendered pages' templates.
    let pages: PageTemplates

    public init(configuration: ServerConfiguration, clock: any FrontdeskClock, database: any FrontdeskDatabase, logger: Logger) {
        self.configuration = configuration
        self.clock = clock
        self.database = database
        self.logger = logger
        let loginSessions = LoginSessionCache(database: database)
        self.loginSessions = loginSessions
        loginLookups = LoginLookups(database: database)
        accounts = AccountsStore(database: database, onSessionsEnded: { loginSessions.drop($0) })
        organizations = OrganizationsStore(database: database)
        catalog = CatalogStore(database: database)
        sessions = SessionsStore(database: database)
        rateLimits = RateLimitStore(database: database)
        passwords = PasswordHasher(cost: configuration.bcryptCost)
        keyRing = KeyRingCache(database: database, secretsKeyFile: configuration.resolvedSecretsKeyFile)
        checkinEvents = CheckinEventBus(database: database, logger: logger)
        checkinBatcher = CheckinBatcher(database: database)
        classLanes = ClassLanes(database: database, logger: logger)
        pages = PageTemplates.bundledOrEmpty(logger: logger)
    }

    /// The current instant from the injected clock.
    public var now: Date { clock.now() }
}
