import Foundation
@testable import FrontdeskServer
import Logging
import Synchronization
import Testing

/// The server's log handler formats metadata only when it writes a line; the lines must be exactly
/// `StreamLogHandler`'s (after the timestamp).
@Suite("Log lines: metadata formatted only when written, lines as swift-log's stream handler writes them")
struct DeferredMetadataLogHandlerTests {
    final class Lines: TextOutputStream, Sendable {
        let lines = Mutex<[String]>([])
        func write(_ string: String) { lines.withLock { $0.append(string) } }
        /// Each line without its timestamp (the text before the first level word).
        var withoutTimestamps: [String] {
            lines.withLock { $0 }.map { line in
                let words = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
                let start = words.compactMap { line.range(of: " \($0) ")?.lowerBound }.min() ?? line.startIndex
                return String(line[start...])
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "it broke" }
    }

    static func exercise(_ logger: inout Logger) {
        logger.info("no metadata")
        logger[metadataKey: "request_id"] = "r-1"
        logger[metadataKey: "hb.request.id"] = .stringConvertible(42)
        logger.debug("below the level: not written")
        logger.error("with metadata", metadata: ["request_id": "overridden", "extra": ["a", "b"]])
        logger.warning("with an error", error: Failure())
        logger[metadataKey: "request_id"] = nil
        logger.notice("one key left")
    }

    @Test("the same lines as StreamLogHandler for the same statements, at the same level")
    func sameLines() {
        let deferred = Lines()
        let stream = Lines()
        var ours = Logger(label: "frontdesk") { DeferredMetadataLogHandler(label: $0, output: deferred, metadataProvider: nil) }
        var theirs = Logger(label: "frontdesk") { StreamLogHandler(label: $0, stream: stream, metadataProvider: nil) }
        ours.logLevel = .info
        theirs.logLevel = .info
        Self.exercise(&ours)
        Self.exercise(&theirs)
        #expect(deferred.withoutTimestamps.count == 4)
        #expect(deferred.withoutTimestamps == stream.withoutTimestamps)
        #expect(ours[metadataKey: "hb.request.id"] == .stringConvertible(42))
    }

    @Test("a metadata provider's values are written too, the statement's winning over them")
    func provider() {
        let deferred = Lines()
        var logger = Logger(label: "frontdesk") {
            DeferredMetadataLogHandler(label: $0, output: deferred, metadataProvider: .init { ["trace": "t-1", "extra": "p"] })
        }
        logger[metadataKey: "request_id"] = "r-2"
        logger.error("line", metadata: ["extra": "statement"])
        #expect(deferred.withoutTimestamps == [" error frontdesk: extra=statement request_id=r-2 trace=t-1 [FrontdeskServerTests] line\n"])
    }
}
