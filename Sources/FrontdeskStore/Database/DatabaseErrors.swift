import PostgresNIO
import SQLiteNIO

/// Recognises database errors that have a meaning for callers, on both engines.
public enum DatabaseErrors {
    /// The SQLSTATE of a PostgreSQL server error.
    public static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// A unique constraint or unique index was violated (23505 / SQLITE_CONSTRAINT_UNIQUE).
    public static func isUniqueViolation(_ error: any Error) -> Bool {
        if sqlState(error) == "23505" { return true }
        if let error = error as? SQLiteError {
            return error.reason == .constraintUniqueFailed || error.reason == .constraintPrimaryKeyFailed
                || (error.reason == .constraint && error.message.contains("UNIQUE"))
        }
        return false
    }

    /// A foreign key or check constraint was violated.
    public static func isConstraintViolation(_ error: any Error) -> Bool {
        if let state = sqlState(error) { return state.hasPrefix("23") }
        if let error = error as? SQLiteError { return "\(error.reason)".hasPrefix("constraint") }
        return false
    }

    /// A serialization failure, deadlock or busy database that outlived the transaction runner's retries.
    public static func isContention(_ error: any Error) -> Bool {
        if let state = sqlState(error) { return state == "40001" || state == "40P01" }
        return isBusy(error)
    }

    /// The database cannot be reached: connection refused or closed, pool shut down, file unusable.
    public static func isUnavailable(_ error: any Error) -> Bool {
        if error is DatabaseConfigurationError { return true }
        // PostgresNIO's pool errors (shut down, connection creation failed) live in its underscored
        // `_ConnectionPoolModule`, which is not a supported import: recognise them by type name.
        if String(reflecting: type(of: error)).contains("ConnectionPoolError") { return true }
        if let error = error as? PSQLError {
            let unreachable: [PSQLError.Code] = [
                .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed,
                .uncleanShutdown, .sslUnsupported, .failedToAddSSLHandler,
            ]
            return unreachable.contains(error.code)
        }
        if let error = error as? SQLiteError {
            switch error.reason {
            case .cantOpen, .ioError, .readOnly, .full, .corrupt, .notADatabase: return true
            default: return false
            }
        }
        if let error = error as? SQLiteStatementError {
            // SQLITE_CANTOPEN, _IOERR, _READONLY, _FULL, _CORRUPT, _NOTADB
            return [14, 10, 8, 13, 11, 26].contains(error.primary)
        }
        return false
    }

    /// The database is busy or locked by another writer (SQLite).
    static func isBusy(_ error: any Error) -> Bool {
        // SQLITE_BUSY, SQLITE_LOCKED and their extended codes
        if let error = error as? SQLiteStatementError { return error.primary == 5 || error.primary == 6 }
        guard let error = error as? SQLiteError else { return false }
        switch error.reason {
        case .busy, .locked, .busyTimeout, .busyInRecovery, .busyInSnapshot, .lockedBySharedCache: return true
        default: return false
        }
    }
}
