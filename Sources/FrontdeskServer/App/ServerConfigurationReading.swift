import Configuration
import Foundation

/// Values given as command-line flags, the source of highest precedence. The CLI sets what it parsed by property:
/// `flags.set(\.port, port)`.
public struct ConfigurationFlags: Sendable {
    var values: [AbsoluteConfigKey: ConfigValue] = [:]
    var given: [String: String] = [:]

    public init() {}

    /// Sets the key stored at `path` unless `value` is nil.
    public mutating func set<Value>(_ path: WritableKeyPath<ServerConfiguration, Value>, _ value: Value?) {
        guard let value else { return }
        let key = ServerConfiguration.key(path)
        var probe = ServerConfiguration()
        probe[keyPath: path] = value
        guard let content = key.content(probe) else { return }
        values[AbsoluteConfigKey(ConfigKey(key.name))] = ConfigValue(content, isSecret: key.isSecret)
        given[key.name] = "\(value)"
    }
}

/// One provider of values and how its messages name a key.
private struct Source {
    let provider: any ConfigProvider
    /// How a message names the key in this source, e.g. `FRONTDESK_PORT` or `config file f.json: port`.
    let label: @Sendable (ConfigurationKey) -> String
    /// The value as written, for the message.
    let raw: @Sendable (ConfigurationKey) -> String?
}

/// Collects what the reader could not use: a source that failed to give a key's value (not an integer, not a
/// boolean) or a value that is none of a choice's cases. The reader itself only reports these.
private final class ReadFailures: AccessReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var failures: [(key: String, providerIndex: Int)] = []

    func report(_ event: AccessEvent) {
        let index: Int?
        if let failed = event.providerResults.firstIndex(where: { if case .failure = $0.result { true } else { false } }) {
            index = failed
        } else if event.conversionError != nil {
            index = event.providerResults.firstIndex { (try? $0.result.get().value) != nil }
        } else {
            index = nil
        }
        guard let index else { return }
        lock.withLock { failures.append((event.metadata.key.description, index)) }
    }

    var first: (key: String, providerIndex: Int)? { lock.withLock { failures.first } }
}

extension ServerConfiguration {
    /// The configuration `serve` and the other commands run with: defaults < the JSON file < environment < flags,
    /// all read through one `ConfigReader`, then `validated()`.
    public static func resolve(
        file: String?, environment: [String: String] = ProcessInfo.processInfo.environment, flags: ConfigurationFlags = .init()
    ) async throws -> ServerConfiguration {
        var sources = [
            Source(
                provider: InMemoryProvider(name: "command line", values: flags.values),
                label: { key in key.flag ?? key.name }, raw: { key in flags.given[key.name] }),
            environmentSource(environment),
        ]
        if let file { sources.append(try await fileSource(file)) }
        // Each source alone first, so that a bad value is refused even where a source above it overrides the key.
        for source in sources { _ = try ServerConfiguration().applying([source]) }
        return try ServerConfiguration().applying(sources).validated()
    }

    /// Reads a JSON config file over `base`. Unknown keys are an error so typos do not pass silently; keys starting
    /// with `_` are comments.
    public static func load(
        file path: String, over base: ServerConfiguration = ServerConfiguration()
    ) async throws
        -> ServerConfiguration
    {
        try base.applying([try await fileSource(path)])
    }

    /// Applies `FRONTDESK_*` environment variables (each key's `environmentVariable`). Empty variables count as unset.
    public func applying(environment: [String: String]) throws -> ServerConfiguration {
        try applying([Self.environmentSource(environment)])
    }

    /// Every key that some source has, from the source of highest precedence; the rest stay as they are.
    private func applying(_ sources: [Source]) throws -> ServerConfiguration {
        let failures = ReadFailures()
        let reader = ConfigReader(providers: sources.map(\.provider), accessReporter: failures)
        var configuration = self
        for key in Self.keys { key.read(reader, &configuration) }
        if let failure = failures.first, let key = Self.keys.first(where: { $0.name == failure.key }) {
            let source = sources[failure.providerIndex]
            let got = source.raw(key).map { ", got '\($0)'" } ?? ""
            throw ConfigurationError("\(source.label(key)) must be \(key.kind.expectation)\(got)")
        }
        return configuration
    }

    /// The process environment under each key's dotted name (swift-configuration's `EnvironmentVariablesProvider`
    /// behind a `KeyMappingProvider` that asks for the declared variable).
    private static func environmentSource(_ environment: [String: String]) -> Source {
        var variables: [String: String] = [:]
        var names: [String: String] = [:]
        for key in keys {
            let name = [key.environmentVariable, key.fallbackEnvironmentVariable].compactMap { $0 }
                .first { !(environment[$0] ?? "").isEmpty }
            guard let name, var value = environment[name] else { continue }
            if key.kind == .bool {
                // Accepted before swift-configuration, which knows true/false/yes/no/1/0.
                switch value.lowercased() {
                case "on": value = "true"
                case "off": value = "false"
                default: break
                }
            }
            variables[key.environmentVariable] = value
            names[key.name] = name
        }
        let used = names
        let secrets = Set(keys.filter(\.isSecret).map(\.environmentVariable))
        let lookup = Dictionary(uniqueKeysWithValues: keys.map { ($0.name, $0.environmentVariable) })
        let provider = KeyMappingProvider(
            upstream: EnvironmentVariablesProvider(environmentVariables: variables, secretsSpecifier: .specific(secrets))
        ) { key in
            AbsoluteConfigKey([lookup[key.components.joined(separator: ".")] ?? key.components.joined(separator: "_")])
        }
        return Source(
            provider: provider, label: { key in used[key.name] ?? key.environmentVariable },
            raw: { key in environment[used[key.name] ?? key.environmentVariable] })
    }

    /// The JSON file through swift-configuration's `FileProvider<JSONSnapshot>`, after checking that it names only
    /// declared keys (nested sections; a flat key of the format before sections is refused with its new name).
    private static func fileSource(_ path: String) async throws -> Source {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ConfigurationError("cannot read config file \(path): \(error.localizedDescription)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigurationError("config file \(path) is not a JSON object")
        }
        let values = try checkedFileKeys(object, path: path)
        let provider: FileProvider<JSONSnapshot>
        do {
            provider = try await FileProvider<JSONSnapshot>(filePath: .init(path))
        } catch {
            throw ConfigurationError("config file \(path): \(error)")
        }
        return Source(
            provider: provider, label: { key in "config file \(path): \(key.name)" },
            raw: { key in values[key.name].map { "\($0)" } })
    }

    /// The file's values by dotted name; throws on a key that is not declared.
    static func checkedFileKeys(_ object: [String: Any], path: String) throws -> [String: String] {
        let names = Set(keys.map(\.name))
        let sections = Set(keys.compactMap { $0.name.split(separator: ".").dropLast().first.map(String.init) })
        var values: [String: String] = [:]
        var unknown: [String] = []
        func walk(_ object: [String: Any], prefix: String) {
            for (name, value) in object.sorted(by: { $0.key < $1.key }) where !name.hasPrefix("_") {
                let dotted = prefix.isEmpty ? name : prefix + "." + name
                if let nested = value as? [String: Any], sections.contains(dotted) {
                    walk(nested, prefix: dotted)
                } else if names.contains(dotted) {
                    values[dotted] = value is NSNull ? nil : "\(value)"
                } else {
                    unknown.append(dotted)
                }
            }
        }
        walk(object, prefix: "")
        guard let first = unknown.first else { return values }
        let moved = unknown.compactMap { name in keys.first { $0.formerName == name }.map { (name, $0.name) } }
        if !moved.isEmpty {
            let list = moved.map { "'\($0.0)' is now '\($0.1)'" }.joined(separator: ", ")
            throw ConfigurationError(
                "config file \(path) uses the flat key names of an older version; nest them in sections (e.g. smtp.host is"
                    + " {\"smtp\": {\"host\": …}}, see kiosk-config/frontdesk.example.json): \(list)")
        }
        if sections.contains(first) {
            let members = keys.filter { $0.name.hasPrefix(first + ".") }.map { $0.name.dropFirst(first.count + 1) }
            throw ConfigurationError(
                "config file \(path): '\(first)' must be an object with the keys \(members.joined(separator: ", "))")
        }
        throw ConfigurationError("config file \(path): unknown key '\(first)'")
    }
}

extension ConfigurationKey.Kind {
    /// What a value of this kind must be, for messages.
    var expectation: String {
        switch self {
        case .string: "a string"
        case .int: "an integer"
        case .bool: "true or false"
        case .choice(let cases): "one of \(cases.joined(separator: ", "))"
        }
    }
}
