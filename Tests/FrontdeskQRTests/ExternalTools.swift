import Foundation

/// Finds and runs the command-line tools the round-trip tests need: an SVG rasteriser and zbarimg.
/// Nothing here is required to build or to run the other tests.
enum ExternalTools {
    /// The output of a finished process.
    struct Output {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    /// A way to turn an SVG file into a PNG file.
    enum Rasteriser: Sendable, CustomStringConvertible {
        /// `rsvg-convert`, Debian package librsvg2-bin. Preferred: fast and exact.
        case rsvgConvert(URL)
        /// ImageMagick's `magick` or `convert` (package imagemagick).
        case imageMagick(URL)
        /// Headless Chromium's `--screenshot` (package chromium). Slow, but often present on kiosks.
        case chromium(URL)

        var description: String {
            switch self {
            case .rsvgConvert(let url), .imageMagick(let url), .chromium(let url): url.path
            }
        }
    }

    /// `zbarimg` from the Debian package zbar-tools, if installed.
    static let zbarimg: URL? = executable(named: "zbarimg")

    /// The first rasteriser found; `FRONTDESK_QR_RASTERISER=rsvg-convert|imagemagick|chromium`
    /// forces one (for checking the fallbacks).
    static let rasteriser: Rasteriser? = {
        let forced = ProcessInfo.processInfo.environment["FRONTDESK_QR_RASTERISER"]
        let candidates: [(String, () -> Rasteriser?)] = [
            ("rsvg-convert", { executable(named: "rsvg-convert").map(Rasteriser.rsvgConvert) }),
            ("imagemagick", { realImageMagick().map(Rasteriser.imageMagick) }),
            (
                "chromium",
                {
                    (executable(named: "chromium") ?? executable(named: "chromium-browser")
                        ?? executable(named: "google-chrome")).map(Rasteriser.chromium)
                }
            ),
        ]
        for (name, find) in candidates where forced == nil || forced == name {
            if let found = find() { return found }
        }
        return nil
    }()

    /// Whether both tools are present, for `.enabled(if:)`.
    static var canRoundTrip: Bool { zbarimg != nil && rasteriser != nil }

    /// Why the round-trip tests are skipped, or `nil` if they can run.
    static var missingToolsMessage: String? {
        var missing: [String] = []
        if zbarimg == nil { missing.append("zbarimg not installed (apt package zbar-tools)") }
        if rasteriser == nil { missing.append("no SVG rasteriser installed (apt package librsvg2-bin)") }
        return missing.isEmpty ? nil : "SKIPPED: " + missing.joined(separator: "; ")
    }

    /// Rasterises `svg` to `png`, at the SVG's own width/height (`pixels` wide for Chromium's window).
    static func rasterise(svg: URL, to png: URL, pixels: Int) async throws {
        let output: Output
        switch rasteriser {
        case .rsvgConvert(let tool)?:
            output = try await run(tool, ["--background-color=white", "-o", png.path, svg.path])
        case .imageMagick(let tool)?:
            output = try await run(tool, [svg.path, "-background", "white", "-flatten", png.path])
        case .chromium(let tool)?:
            let profile = png.deletingLastPathComponent().appendingPathComponent("chromium-profile")
            output = try await run(
                tool,
                [
                    "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--user-data-dir=\(profile.path)", "--default-background-color=ffffffff",
                    "--window-size=\(pixels),\(pixels)", "--screenshot=\(png.path)", svg.absoluteString,
                ], timeout: 120)
        case nil:
            throw ToolError.missing("SVG rasteriser")
        }
        guard output.status == 0, FileManager.default.fileExists(atPath: png.path) else {
            throw ToolError.failed("rasteriser \(String(describing: rasteriser)) exited \(output.status): \(output.stderr)")
        }
    }

    /// Decodes the QR code in `image` with `zbarimg --raw -q` (several codes come out one per line).
    static func decodeQR(image: URL) async throws -> String {
        guard let zbarimg else { throw ToolError.missing("zbarimg") }
        // -Sbinary: the symbol's bytes as they are, without zbar guessing a character set.
        let output = try await run(zbarimg, ["--raw", "-q", "-Sbinary", image.path])
        guard output.status == 0 else {
            throw ToolError.failed("zbarimg found no code (exit \(output.status)): \(output.stderr)")
        }
        var text = String(decoding: output.stdout, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    enum ToolError: Error, CustomStringConvertible {
        case missing(String)
        case failed(String)
        var description: String {
            switch self {
            case .missing(let tool): "\(tool) is not installed"
            case .failed(let message): message
            }
        }
    }

    /// Runs `tool` with `arguments`, no standard input, and kills it after `timeout` seconds. The
    /// waiting (the pipes, the exit) happens on threads of its own: a test blocking Swift's
    /// cooperative pool (two threads on a two-core machine) stalls every other test of the run.
    static func run(_ tool: URL, _ arguments: [String], timeout: TimeInterval = 60) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try runBlocking(tool, arguments, timeout: timeout) }) }.start()
        }
    }

    private static func runBlocking(_ tool: URL, _ arguments: [String], timeout: TimeInterval) throws -> Output {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = DispatchWorkItem { [process] in if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: deadline)
        // Drain stderr on another thread so neither pipe can fill up and block the tool.
        let stderrBox = ErrBox()
        let drained = DispatchSemaphore(value: 0)
        Thread {
            stderrBox.data = err.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        deadline.cancel()
        return Output(
            status: process.terminationStatus, stdout: stdout,
            stderr: String(decoding: stderrBox.data, as: UTF8.self))
    }

    private final class ErrBox: @unchecked Sendable {
        // Written by one thread, read only after `drained.wait()`.
        var data = Data()
    }

    /// The executable `name` on PATH (or in the usual system directories), if any.
    static func executable(named name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin", "/bin"]
        for directory in directories where !directory.isEmpty {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// ImageMagick, but not a stand-in script that merely shares the name `convert`.
    private static func realImageMagick() -> URL? {
        for name in ["magick", "convert"] {
            guard let tool = executable(named: name),
                let output = try? runBlocking(tool, ["-version"], timeout: 10),
                output.status == 0,
                String(decoding: output.stdout, as: UTF8.self).hasPrefix("Version: ImageMagick")
            else { continue }
            return tool
        }
        return nil
    }
}
