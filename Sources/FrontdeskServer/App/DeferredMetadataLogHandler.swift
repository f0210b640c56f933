import Logging

/// swift-log's `StreamLogHandler` (stderr, its line format unchanged) with the metadata kept as given
/// and formatted only when a line is written. `StreamLogHandler` formats all of its metadata into a
/// string on every change, and every request changes it twice (Hummingbird's `hb.request.id`, our
/// `request_id`): 5 % of a member's week at `--log-level error`, where no line is written at all
/// (`perf record`, docs/benchmarks.md).
struct DeferredMetadataLogHandler: LogHandler {
    private var stream: StreamLogHandler
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    /// Lines go to stderr, or to `output` (tests).
    init(
        label: String, output: (any TextOutputStream & Sendable)? = nil,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider
    ) {
        stream =
            output.map { StreamLogHandler(label: label, stream: $0, metadataProvider: nil) }
            ?? StreamLogHandler.standardError(label: label, metadataProvider: nil)
        self.metadataProvider = metadataProvider
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The line as `StreamLogHandler` writes it with this metadata: ours, then the provider's, then
    /// the statement's, each winning over the one before.
    func log(event: LogEvent) {
        var event = event
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        event.metadata = merged
        stream.log(event: event)
    }
}
