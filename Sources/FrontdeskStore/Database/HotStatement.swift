import SQLKit

/// A value bound to a `HotStatement` placeholder.
public enum HotValue: Sendable {
    case text(String)
    case integer(Int64)
}

/// A statement on a hot path (the login look-up of every request, the check-in rush). Its text is
/// fixed, with `$1`, `$2`… placeholders, so PostgreSQL prepares it once per connection as a named
/// statement from its first execution, parsed and planned once, without going through SQLKit at
/// all (SQLKit's statements are prepared too, but only once frequent: `PostgresPreparedSQL`). On
/// SQLite the same text runs through SQLKit with each placeholder bound. Write it in the SQL both
/// engines share; a placeholder may appear more than once.
public protocol HotStatement: Sendable {
    /// The statement's text.
    static var sql: String { get }
    /// The value of `$n` is `values[n - 1]`.
    var values: [HotValue] { get }
}

extension HotStatement {
    /// The statement as an SQLKit query: each `$n` replaced by a bind of `values[n - 1]`.
    var sqlQuery: SQLQueryString {
        var query = SQLQueryString("")
        let text = Array(Self.sql.utf8)
        var literalStart = 0
        var index = 0
        while index < text.count {
            guard text[index] == UInt8(ascii: "$") else {
                index += 1
                continue
            }
            var end = index + 1
            var number = 0
            while end < text.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[end]) {
                number = number * 10 + Int(text[end] - UInt8(ascii: "0"))
                end += 1
            }
            guard end > index + 1 else {
                index += 1
                continue
            }
            precondition(number >= 1 && number <= values.count, "\(Self.self): placeholder $\(number) has no value")
            query.appendLiteral(String(decoding: text[literalStart..<index], as: UTF8.self))
            switch values[number - 1] {
            case .text(let value): query.appendInterpolation(bind: value)
            case .integer(let value): query.appendInterpolation(bind: value)
            }
            literalStart = end
            index = end
        }
        query.appendLiteral(String(decoding: text[literalStart...], as: UTF8.self))
        return query
    }
}
