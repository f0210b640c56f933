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

extension PortableSQL {
    /// `IN` a set of ids, written after the expression it tests (`WHERE m.id \(PortableSQL.isIn(sql, ids))`),
    /// for the statements of a batch, whose sets change size from one batch to the next. PostgreSQL: one
    /// array bind, so the statement's text is the same for every size and `PostgresPreparedSQL`
    /// prepares it once per connection instead of parsing and planning it at each execution (an `IN`
    /// list of one bind per id was a new text for every size: about 1 ms of planning per batch for the
    /// members' facts, `pg_stat_statements`, docs/benchmarks.md). The array is read through a sub-select
    /// so the planner never sees its length and every plan costs the same: after its first five
    /// PostgreSQL keeps the generic one (`LoginLookups.read` does the same). As a semi-join on `unnest`,
    /// not `= ANY(array)`: a parameter array is searched element by element for every row a scan
    /// tests, where the semi-join hashes it (or probes an index per id). SQLite: an `IN` list of binds
    /// (its planning is cheap, and it has no arrays). An empty set matches nothing on both.
    static func isIn(_ sql: any SQLDatabase, _ values: [String]) -> SQLQueryString {
        if isPostgres(sql) { return "IN (SELECT unnest((SELECT \(bind: values)::text[])))" }
        return "IN (\(SQLList(values.map { SQLBind($0) })))"
    }
}

extension PortableSQL {
    /// `IN` a few ids of an indexed column, for a statement that must find the rows through that
    /// index whatever the table's size. PostgreSQL: `= ANY(array)`, which an index scan takes as its
    /// condition, where `isIn`'s semi-join is costed for ten ids and on a table of a few thousand rows
    /// the planner preferred reading all of it (renumbering one class's waitlist read the whole
    /// `bookings` table twice: 6.7 ms, `EXPLAIN ANALYZE` on a mix's database). Like `isIn`, the array
    /// comes through a sub-select, so the planner never sees its length and keeps the generic plan
    /// after five executions (a visible array made every custom plan look cheaper than the generic
    /// one: planned at every call, `pg_stat_statements`). SQLite: `isIn`'s list of binds. An empty set
    /// matches nothing on both.
    static func isInByIndex(_ sql: any SQLDatabase, _ values: [String]) -> SQLQueryString {
        if isPostgres(sql) { return "= ANY((SELECT \(bind: values)::text[])::text[])" }
        return isIn(sql, values)
    }
}
