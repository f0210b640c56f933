import Foundation
import FrontdeskCore
import SQLKit

/// One request's login look-up: its token's hash, the class or the studio its path names (nil: none)
/// and its clock.
public struct LoginLookup: Sendable {
    public let tokenHash: String
    public let sessionId: String?
    public let orgId: String?
    public let now: Date

    public init(tokenHash: String, sessionId: String?, orgId: String? = nil, now: Date) {
        self.tokenHash = tokenHash
        self.sessionId = sessionId
        self.orgId = orgId
        self.now = now
    }
}

/// What a look-up found: the live login and, when the path named a class, the class's studio and
/// the caller's standing in it (`access` nil: no such class, or the look-up named none). What it
/// found of a class or studio its path named is also filed in the database's `ReadCache`, under the
/// keys `OrganizationsStore` reads next (`OrganizationsStore.keep`).
public struct LoginFound: Sendable {
    public let login: LoginSession
    public let access: OrganizationsStore.SessionAccess?
}

/// The login look-ups that missed `LoginSessionCache`, read together on PostgreSQL: concurrent
/// look-ups queue in one lane (holding nothing while they wait) and each batch is one statement,
/// however many it holds — a lone look-up goes at once, the ones arriving while it is read go together next.
/// A check-in or class-release rush is made of members whose logins this instance has not seen yet:
/// one round trip per request was the server's largest single cost per check-in (docs/accounts.md,
/// "Login sessions in memory"). An answer is the one a look-up of its own would give at its own
/// `now` (`expires_at > now`, whole seconds); a database failure fails every look-up of the batch.
/// Nothing about a session changes on use (no sliding expiry, `last_used_at` stays the creation time),
/// so an answer stays true until the session is ended through `AccountsStore` or expires — what
/// `LoginSessionCache` relies on.
public final class LoginLookups: Sendable {
    /// The most look-ups one statement reads.
    public static let maxBatch = 256

    private let database: any FrontdeskDatabase
    private let lanes: Lanes<LoginLookup, LoginFound?>

    public init(database: any FrontdeskDatabase) {
        self.database = database
        lanes = Lanes(maxBatch: Self.maxBatch) { [database] _, lookups in
            do {
                return try await Self.read(lookups, database: database).map { .success($0) }
            } catch {
                return lookups.map { _ in .failure(error) }
            }
        }
    }

    /// The live login of `lookup`: on PostgreSQL read with the ones queued beside it; on SQLite at once
    /// (reads in process run side by side on the reader connections, which one lane would put in a
    /// row: 17 % fewer check-ins a second, measured).
    public func find(_ lookup: LoginLookup) async throws -> LoginFound? {
        guard database.backend == .postgres else { return try await Self.read([lookup], database: database)[0] }
        return try await lanes.submit(key: "logins", lookup)
    }

    /// Queues `lookups` together, in order (the tests' way to make a batch of a known shape).
    public func enqueue(_ lookups: [LoginLookup]) -> [LaneReply<LoginFound?>] {
        lanes.enqueue(key: "logins", lookups)
    }

    /// Batches and look-ups read so far.
    public var stats: LaneStats { lanes.stats }

    /// One answer per look-up, in order. PostgreSQL: one statement over the look-ups as arrays (its text
    /// fixed, so prepared once per connection). SQLite, in process, has no round trip to save: each
    /// look-up is its own prepared statement.
    ///
    /// Each array is read through a sub-select so the planner never sees how many look-ups a batch
    /// holds: seeing the arrays (a custom plan), it costed a small batch below the generic plan (which
    /// assumes ten rows) and so planned the statement afresh at every execution — a join of five
    /// tables, 0.65 ms each time, 13 % of PostgreSQL's CPU in the mix (`pg_stat_statements`: 1,485
    /// plans for 1,475 calls). Now every plan costs the same, and after its first five PostgreSQL
    /// keeps the generic one (the same nested loops over the token and user indexes).
    static func read(_ lookups: [LoginLookup], database: any FrontdeskDatabase) async throws -> [LoginFound?] {
        // Taken before the read, as `ReadCache.value` does: a write after it keeps nothing read here.
        let stamp = database.readCache.stamp(changedBy: .everything)
        guard database.backend == .postgres else {
            var found: [LoginFound?] = []
            for lookup in lookups {
                let rows = try await database.run(LoginAndSessionMembership(lookup), write: false)
                found.append(try rows.first.map { try Self.found($0, lookup, cache: database.readCache, stamp: stamp) })
            }
            return found
        }
        let hashes = lookups.map(\.tokenHash)
        let sessions = lookups.map { $0.sessionId ?? "" }
        let orgs = lookups.map { $0.orgId ?? "" }
        let ats = lookups.map { $0.now.epochSeconds }
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT q.q_index, \(unsafeRaw: Self.columns)
                FROM unnest((SELECT \(bind: hashes)::text[]), (SELECT \(bind: sessions)::text[]), (SELECT \(bind: orgs)::text[]),
                    (SELECT \(bind: ats)::bigint[])) WITH ORDINALITY AS q(q_hash, q_session, q_org, q_at, q_index)
                JOIN auth_sessions a ON a.token_hash = q.q_hash AND a.expires_at > q.q_at
                JOIN users u ON u.id = a.user_id
                LEFT JOIN class_sessions s ON s.id = q.q_session AND s.deleted_at IS NULL
                LEFT JOIN memberships m ON m.organization_id = COALESCE(s.organization_id, q.q_org) AND m.user_id = u.id
                LEFT JOIN organizations o ON o.id = m.organization_id
                """
            ).all()
        }
        var found = [LoginFound?](repeating: nil, count: lookups.count)
        for row in rows {
            let index = Int(try row.decode(column: "q_index", as: Int64.self)) - 1
            guard found.indices.contains(index) else { continue }
            found[index] = try Self.found(row, lookups[index], cache: database.readCache, stamp: stamp)
        }
        return found
    }

    /// The login's columns (`u_…`, `a_expires_at`) and the class's access (`SessionAccess.columns`).
    static let columns = """
        u.id AS u_id, u.email AS u_email, u.name AS u_name, u.created_at AS u_created_at, a.expires_at AS a_expires_at,
            \(OrganizationsStore.SessionAccess.columns)
        """

    /// The login of `row`, and what it says of the class or studio `lookup` named, filed in `cache`
    /// as read at `stamp`: a class's studio (or that there is no such class) and the caller's
    /// standing in the studio (or that they have none).
    static func found(_ row: any SQLRow, _ lookup: LoginLookup, cache: ReadCache, stamp: UInt64?) throws -> LoginFound {
        let user = try UserRows.user(row, prefix: "u_")
        let access = try OrganizationsStore.SessionAccess(row)
        if let sessionId = lookup.sessionId {
            OrganizationsStore.keep(classOrganization: access?.orgId, sessionId: sessionId, in: cache, stamp: stamp)
            if let access {
                OrganizationsStore.keep(standing: access.access, orgId: access.orgId, userId: user.id, in: cache, stamp: stamp)
            }
        } else if let orgId = lookup.orgId {
            // No class named: the membership columns are the studio's standing (`SessionAccess` read none).
            let standing =
                try row.optionalString("m_id") == nil
                ? nil : (membership: try MembershipRows.membership(row, prefix: "m_"), organization: try MembershipRows.organization(row))
            OrganizationsStore.keep(standing: standing, orgId: orgId, userId: user.id, in: cache, stamp: stamp)
        }
        return LoginFound(login: LoginSession(user: user, expiresAt: try row.date("a_expires_at")), access: access)
    }

    /// One look-up on SQLite, a prepared `HotStatement` (no class or studio: the empty id matches none).
    private struct LoginAndSessionMembership: HotStatement {
        static let sql = """
            SELECT \(LoginLookups.columns)
            FROM auth_sessions a JOIN users u ON u.id = a.user_id
            LEFT JOIN class_sessions s ON s.id = $3 AND s.deleted_at IS NULL
            LEFT JOIN memberships m ON m.organization_id = COALESCE(s.organization_id, $4) AND m.user_id = u.id
            LEFT JOIN organizations o ON o.id = m.organization_id
            WHERE a.token_hash = $1 AND a.expires_at > $2
            """
        let values: [HotValue]
        init(_ lookup: LoginLookup) {
            values = [
                .text(lookup.tokenHash), .integer(lookup.now.epochSeconds), .text(lookup.sessionId ?? ""), .text(lookup.orgId ?? ""),
            ]
        }
    }
}
