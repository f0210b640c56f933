import SQLKit

/// The few expressions PostgreSQL and SQLite spell differently, for statements that build rows in
/// the database (`INSERT … SELECT`) instead of binding them one by one from Swift.
enum PortableSQL {
    static func isPostgres(_ sql: any SQLDatabase) -> Bool { sql.dialect.name == "postgresql" }

    /// A fresh lower-case UUID (version 4) as text, evaluated per row, the shape `NewID.make()` has.
    static func newID(_ sql: any SQLDatabase) -> SQLQueryString {
        if isPostgres(sql) { return "gen_random_uuid()::text" }
        return """
            lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
                || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))
            """
    }

    /// A JSON object's text built from key/value expressions.
    static func jsonObject(_ sql: any SQLDatabase, _ pairs: [(key: String, value: SQLQueryString)]) -> SQLQueryString {
        let arguments = pairs.map { "\(literal: $0.key), \($0.value)" as SQLQueryString }.joined(separator: ", ")
        return isPostgres(sql) ? "json_build_object(\(arguments))::text" : "json_object(\(arguments))"
    }
}
