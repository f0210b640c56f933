import Foundation
import Testing

@testable import FrontdeskQR

/// Real scans: the SVG is rasterised to PNG (rsvg-convert, else ImageMagick, else headless
/// Chromium) and decoded with zbarimg. Needs apt packages zbar-tools and librsvg2-bin; without
/// them the suite is skipped and says why.
@Suite(
    "Round trip through a rasteriser and zbarimg",
    .enabled(
        if: ExternalTools.canRoundTrip,
        // Printed by `swift test` as the skip reason.
        "SKIPPED: zbarimg (apt zbar-tools) or an SVG rasteriser (apt librsvg2-bin) not installed"),
    .serialized  // Chromium, the last-resort rasteriser, is heavy; one at a time on small machines.
)
struct RoundTripTests {
    @Test(
        "SVG → PNG → zbarimg gives back the text",
        arguments: [
            (checkinURL, QRErrorCorrection.medium),
            (checkinURL, .low),
            (checkinURL, .high),
            ("https://studio.example/checkin?session=1&token=" + String(repeating: "A_b-9", count: 40), .quartile),
        ])
    func svgRoundTrip(text: String, level: QRErrorCorrection) async throws {
        let code = try QRCode.encode(text, level: level)
        let svg = code.svg(moduleSize: 6, title: "Scan to check in")
        let decoded = try await scan(svg: svg, pixels: (code.size + 8) * 6)
        #expect(decoded == text)
    }

    @Test("custom colours with enough contrast still scan")
    func colouredRoundTrip() async throws {
        let code = try QRCode.encode(checkinURL)
        let svg = code.svg(moduleSize: 6, foreground: "#1a237e", background: "#fffde7")
        #expect(try await scan(svg: svg, pixels: (code.size + 8) * 6) == checkinURL)
    }

    /// Writes `svg` to a temporary file, rasterises it and returns what zbarimg reads.
    private func scan(svg: String, pixels: Int) async throws -> String {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let svgFile = directory.appendingPathComponent("code.svg")
        let pngFile = directory.appendingPathComponent("code.png")
        try svg.write(to: svgFile, atomically: true, encoding: .utf8)
        try await ExternalTools.rasterise(svg: svgFile, to: pngFile, pixels: pixels)
        return try await ExternalTools.decodeQR(image: pngFile)
    }
}

/// The module grid written straight to a PBM from `isDark(x:y:)`, so the encoder is checked by a
/// real decoder even where no SVG rasteriser is installed.
@Suite(
    "Module grid through zbarimg",
    .enabled(if: ExternalTools.zbarimg != nil, "SKIPPED: zbarimg not installed (apt zbar-tools)")
)
struct ModuleGridRoundTripTests {
    @Test("the module grid itself decodes, including non-ASCII UTF-8")
    func moduleGridRoundTrip() async throws {
        let text = "Café Zürich – Check-in ✓ https://studio.example/checkin"
        let code = try QRCode.encode(text)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let scale = 4
        let total = (code.size + 8) * scale
        var pbm = "P1\n\(total) \(total)\n"
        for y in 0..<total {
            pbm +=
                (0..<total).map { x in code.isDark(x: x / scale - 4, y: y / scale - 4) ? "1" : "0" }
                .joined(separator: " ") + "\n"
        }
        let file = directory.appendingPathComponent("code.pbm")
        try pbm.write(to: file, atomically: true, encoding: .ascii)
        #expect(try await ExternalTools.decodeQR(image: file) == text)
    }
}

/// A fresh directory under the system's temporary directory; the caller removes it.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("frontdesk-qr-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
