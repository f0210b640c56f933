/// Two languages (issue 19): the language a person chose for themselves and a studio's default for
/// people who have not chosen. Both are nullable codes (`en`, `de`); NULL means "not chosen", and
/// the server ignores a code it does not speak, so adding a language needs no migration.
enum Schema0009 {
    static let statements: [String] = [
        "ALTER TABLE users ADD COLUMN language TEXT",
        "ALTER TABLE organizations ADD COLUMN default_language TEXT",
    ]
}
