import Foundation
import Testing

@testable import FrontdeskQR

/// The compact check-in URL in a segmented (numeric-mode) code, against the long URL in 8-bit mode
/// (issue 19: the figures in docs/displays.md).
@Suite("Segmented encoding of the compact check-in URL")
struct SegmentedQRTests {
    /// The long form as the demo's display showed it (117 characters on a 21-character base URL).
    static let long =
        "http://127.0.0.1:8080/checkin?session=3f2a9c1e-7b4d-4e8a-9f10-2c3d4e5f6a7b&token=k1.1772445600.q83vEjRWeJq83vEjRWeJqw"
    /// The compact form of the same class and window shape (81 digits).
    static let compact =
        "http://127.0.0.1:8080/c/" + "012345678901234567890123456789012345678901234567890123456789012345678901234567890"

    @Test("the compact URL drops from version 7 (45 modules) to version 4 (33 modules) at level M")
    func versions() throws {
        #expect(Self.long.count == 117)
        let before = try QRCode.encode(Self.long)
        let after = try QRCode.encodeSegmented(Self.compact)
        #expect((before.version, before.size) == (7, 45))
        #expect((after.version, after.size) == (4, 33))
        // In 8-bit mode the compact URL alone would need version 6: the numeric segment is what buys 4.
        #expect(try QRCode.encode(Self.compact).version == 6)
        // A longer production host costs one version, still two below the long form there.
        let host = "https://frontdesk.studio-example.com"
        #expect(try QRCode.encodeSegmented(host + "/c/" + String(Self.compact.suffix(81))).version == 5)
        #expect(try QRCode.encode(host + String(Self.long.dropFirst(21))).version == 8)
    }

    @Test("refuses empty text and NUL; anything else encodes as 8-bit would")
    func refusals() throws {
        #expect(throws: QRCodeError.emptyInput) { try QRCode.encodeSegmented("") }
        #expect(throws: QRCodeError.emptyInput) { try QRCode.encodeSegmented("a\u{0}b") }
        #expect(try QRCode.encodeSegmented("Grüße 123").version == 1)
    }

    @Test(
        "SVG → PNG → zbarimg reads the compact URL back",
        .enabled(if: ExternalTools.canRoundTrip, "SKIPPED: zbarimg or an SVG rasteriser not installed"))
    func roundTrip() async throws {
        let code = try QRCode.encodeSegmented(Self.compact)
        let svg = code.svg(moduleSize: 6, title: "Scan to check in")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("segmented-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let svgFile = directory.appendingPathComponent("code.svg")
        let pngFile = directory.appendingPathComponent("code.png")
        try svg.write(to: svgFile, atomically: true, encoding: .utf8)
        try await ExternalTools.rasterise(svg: svgFile, to: pngFile, pixels: (code.size + 8) * 6)
        #expect(try await ExternalTools.decodeQR(image: pngFile) == Self.compact)
    }
}
