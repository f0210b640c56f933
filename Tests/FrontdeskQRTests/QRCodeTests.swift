import Testing

@testable import FrontdeskQR

/// A check-in URL shaped like the ones the display shows (SPEC §6).
let checkinURL =
    "https://studio.example/checkin?session=3f2a9c1e-7b4d-4e8a-9f10-2c3d4e5f6a7b&token=abc_-XYZ0123456789abcdefGHIJ"

@Suite("Encoding")
struct EncodingTests {
    @Test("a check-in URL encodes to a valid symbol size")
    func encodesCheckinURL() throws {
        let code = try QRCode.encode(checkinURL)
        #expect(code.errorCorrection == .medium)
        #expect((1...40).contains(code.version))
        #expect(code.size == 17 + 4 * code.version)
        // Finder pattern corners: the outer ring of the top-left 7×7 is dark, the ring inside light.
        #expect(code.isDark(x: 0, y: 0))
        #expect(code.isDark(x: 6, y: 6))
        #expect(!code.isDark(x: 1, y: 1))
        #expect(code.isDark(x: 2, y: 2))
        #expect(code.isDark(x: code.size - 1, y: 0))
        #expect(code.isDark(x: 0, y: code.size - 1))
        // Outside the symbol is quiet zone.
        #expect(!code.isDark(x: -1, y: 0))
        #expect(!code.isDark(x: 0, y: code.size))
    }

    @Test(
        "higher error correction needs a symbol at least as large",
        arguments: [
            (QRErrorCorrection.low, QRErrorCorrection.medium),
            (.medium, .quartile),
            (.quartile, .high),
        ])
    func levelsGrow(lower: QRErrorCorrection, higher: QRErrorCorrection) throws {
        let small = try QRCode.encode(checkinURL, level: lower)
        let large = try QRCode.encode(checkinURL, level: higher)
        #expect(small.size <= large.size)
        #expect(large.errorCorrection == higher)
    }

    @Test("encoding is deterministic")
    func deterministic() throws {
        #expect(try QRCode.encode(checkinURL) == QRCode.encode(checkinURL))
    }

    @Test("empty input throws emptyInput")
    func emptyInput() {
        #expect(throws: QRCodeError.emptyInput) { try QRCode.encode("") }
        #expect(throws: QRCodeError.emptyInput) { try QRCode.encode(bytes: []) }
    }

    @Test("a 10,000-character text throws inputTooLong instead of trapping")
    func tooLong() {
        let text = String(repeating: "x", count: 10_000)
        #expect(throws: QRCodeError.inputTooLong(byteCount: 10_000, maximum: 2331)) {
            try QRCode.encode(text)
        }
    }

    @Test("the byte limit is exact at every level", arguments: QRErrorCorrection.allCases)
    func exactLimit(level: QRErrorCorrection) throws {
        let maximum = level.maximumByteCount
        let fits = try QRCode.encode(bytes: [UInt8](repeating: 0x41, count: maximum), level: level)
        #expect(fits.version == 40)
        #expect(fits.size == 177)
        #expect(throws: QRCodeError.inputTooLong(byteCount: maximum + 1, maximum: maximum)) {
            try QRCode.encode(bytes: [UInt8](repeating: 0x41, count: maximum + 1), level: level)
        }
    }

    @Test("NUL bytes and non-ASCII text encode (8-bit mode, not C strings)")
    func unusualInput() throws {
        _ = try QRCode.encode("a\u{0}b")
        _ = try QRCode.encode("Café Zürich – Check-in ✓")
        // A multi-byte text is limited by its UTF-8 length, not its character count.
        let text = String(repeating: "é", count: 1500)  // 3,000 bytes
        #expect(throws: QRCodeError.inputTooLong(byteCount: 3000, maximum: 2331)) {
            try QRCode.encode(text)
        }
    }

    @Test("errors describe themselves")
    func errorDescriptions() {
        #expect(QRCodeError.emptyInput.description.contains("empty"))
        #expect(QRCodeError.inputTooLong(byteCount: 10, maximum: 5).description.contains("10 bytes"))
    }
}

@Suite("SVG")
struct SVGTests {
    @Test("SVG of a check-in URL is one crisp path over one background rect")
    func shape() throws {
        let code = try QRCode.encode(checkinURL)
        let svg = code.svg()
        let total = code.size + 8
        #expect(svg.hasPrefix("<svg "))
        #expect(svg.hasSuffix("</svg>"))
        #expect(svg.contains(#"xmlns="http://www.w3.org/2000/svg""#))
        #expect(svg.contains(#"viewBox="0 0 \#(total) \#(total)""#))
        #expect(svg.contains(#"width="\#(total * 8)" height="\#(total * 8)""#))
        #expect(svg.contains(#"shape-rendering="crispEdges""#))
        #expect(occurrences(of: "<path", in: svg) == 1)
        #expect(occurrences(of: "<rect", in: svg) == 1)
        #expect(svg.contains(##"fill="#ffffff""##))
        #expect(svg.contains(##"fill="#000000""##))
        // Balanced tags: every element opened is closed or self-closed.
        #expect(occurrences(of: "<", in: svg) == 4)
        #expect(occurrences(of: "/>", in: svg) == 2)
        // Run-length paths are far smaller than one rect per module would be.
        #expect(svg.utf8.count < code.size * code.size * 4)
    }

    @Test("the path covers exactly the dark modules, offset by the quiet zone")
    func pathMatchesModules() throws {
        let code = try QRCode.encode(checkinURL, level: .high)
        for quiet in [0, 4, 7] {
            let grid = try paintedGrid(svg: code.svg(quietZone: quiet), total: code.size + 2 * quiet)
            for y in 0..<(code.size + 2 * quiet) {
                for x in 0..<(code.size + 2 * quiet) {
                    #expect(grid[y][x] == code.isDark(x: x - quiet, y: y - quiet), "module (\(x), \(y)), quiet \(quiet)")
                }
            }
        }
    }

    @Test("moduleSize nil leaves out width and height so CSS can scale the image")
    func noIntrinsicSize() throws {
        let svg = try QRCode.encode(checkinURL).svg(moduleSize: nil)
        let openingTag = try #require(svg.split(separator: ">").first)
        #expect(openingTag.contains("viewBox="))
        #expect(!openingTag.contains("width="))
        #expect(!openingTag.contains("height="))
    }

    @Test(
        "colours must be #RRGGBB; anything else falls back and cannot inject markup",
        arguments: [
            ("#12AB9f", "#12ab9f"),
            ("red", "#000000"),
            ("#fff", "#000000"),
            (#""/><script>alert(1)</script>"#, "#000000"),
            ("#12345g", "#000000"),
            ("#1234567", "#000000"),
            ("", "#000000"),
        ])
    func colours(given: String, expected: String) throws {
        let svg = try QRCode.encode("x").svg(foreground: given, background: given)
        #expect(svg.contains(#"<path fill="\#(expected)""#))
        let expectedBackground = expected == "#000000" ? "#ffffff" : expected
        #expect(svg.contains(#"<rect width="29" height="29" fill="\#(expectedBackground)"/>"#))
        #expect(!svg.contains("<script"))
    }

    @Test("a title is escaped")
    func title() throws {
        let svg = try QRCode.encode("x").svg(title: #"Scan <me> & "check" in"#)
        #expect(svg.contains("<title>Scan &lt;me&gt; &amp; &quot;check&quot; in</title>"))
        #expect(svg.contains(#"aria-label="Scan &lt;me&gt; &amp; &quot;check&quot; in""#))
        #expect(occurrences(of: "<", in: svg) == 6)
    }

    @Test("odd parameters are clamped, never trapping")
    func clamping() throws {
        let code = try QRCode.encode("x")
        #expect(code.svg(moduleSize: -3, quietZone: -1).contains(#"viewBox="0 0 21 21" width="21" height="21""#))
        #expect(code.svg(quietZone: 10_000).contains(#"viewBox="0 0 149 149""#))
    }
}

@Suite("Terminal")
struct TerminalTests {
    @Test("half-block text has (size + 8 + 1) / 2 lines of size + 8 columns")
    func lineCount() throws {
        let code = try QRCode.encode(checkinURL)
        let total = code.size + 8
        for invert in [false, true] {
            let lines = code.terminalText(invert: invert).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == (total + 1) / 2)
            #expect(lines.allSatisfy { $0.count == total })
            #expect(lines.allSatisfy { line in line.allSatisfy { " ▀▄█".contains($0) } })
        }
        #expect(!code.terminalText().hasSuffix("\n"))
        #expect(code.terminalText(quietZone: 2).split(separator: "\n").count == (code.size + 4 + 1) / 2)
    }

    @Test("half-block text reproduces every module, plain and inverted")
    func terminalMatchesModules() throws {
        let code = try QRCode.encode(checkinURL)
        for invert in [false, true] {
            let grid = halfBlockGrid(code.terminalText(invert: invert))
            for y in 0..<(code.size + 8) {
                for x in 0..<(code.size + 8) {
                    #expect(grid[y][x] == (code.isDark(x: x - 4, y: y - 4) != invert), "module (\(x), \(y))")
                }
            }
            // The odd half row below the last quiet-zone row is left blank.
            #expect(grid[code.size + 8].allSatisfy { !$0 })
        }
    }

    @Test("ANSI text sets both colours, reproduces every module and resets each line")
    func ansiMatchesModules() throws {
        let code = try QRCode.encode(checkinURL)
        let text = code.ansiText()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == (code.size + 9) / 2)
        #expect(lines.allSatisfy { $0.hasSuffix("\u{1B}[0m") })
        let grid = ansiGrid(text)
        for y in 0..<(code.size + 8) {
            for x in 0..<(code.size + 8) {
                #expect(grid[y][x] == code.isDark(x: x - 4, y: y - 4), "module (\(x), \(y))")
            }
        }
    }
}

// MARK: - Helpers

func occurrences(of needle: String, in haystack: String) -> Int {
    haystack.components(separatedBy: needle).count - 1
}

/// Paints the SVG's path (our own `Mx yhNv1h-Nz` runs) onto a grid of `total`×`total` modules.
func paintedGrid(svg: String, total: Int) throws -> [[Bool]] {
    let start = try #require(svg.range(of: #" d=""#))
    let d = svg[start.upperBound...].prefix { $0 != "\"" }
    var grid = Array(repeating: Array(repeating: false, count: total), count: total)
    for segment in d.split(separator: "z") {
        // "M12 3h4v1h-4"
        let parts = segment.dropFirst().split(whereSeparator: { "hv ".contains($0) })
        #expect(parts.count == 5, "segment \(segment)")
        let x = try #require(Int(parts[0]))
        let y = try #require(Int(parts[1]))
        let run = try #require(Int(parts[2]))
        #expect(parts[3] == "1" && parts[4] == "-\(run)")
        for column in x..<(x + run) {
            #expect(!grid[y][column], "module painted twice")
            grid[y][column] = true
        }
    }
    return grid
}

/// Turns half-block text back into module rows (`true` where a glyph paints).
func halfBlockGrid(_ text: String) -> [[Bool]] {
    var rows: [[Bool]] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        rows.append(line.map { $0 == "▀" || $0 == "█" })
        rows.append(line.map { $0 == "▄" || $0 == "█" })
    }
    return rows
}

/// Turns ANSI half-block text back into module rows (`true` for black).
func ansiGrid(_ text: String) -> [[Bool]] {
    var rows: [[Bool]] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        var top: [Bool] = []
        var bottom: [Bool] = []
        var foregroundDark = false
        var backgroundDark = false
        var rest = Substring(line)
        while let first = rest.first {
            if first == "\u{1B}" {
                let end = rest.firstIndex(of: "m")!
                let codes = rest[rest.index(rest.startIndex, offsetBy: 2)..<end].split(separator: ";")
                for code in codes {
                    switch code {
                    case "30": foregroundDark = true
                    case "97": foregroundDark = false
                    case "40": backgroundDark = true
                    case "107": backgroundDark = false
                    default: break
                    }
                }
                rest = rest[rest.index(after: end)...]
            } else {
                #expect(first == "▀")
                top.append(foregroundDark)
                bottom.append(backgroundDark)
                rest = rest.dropFirst()
            }
        }
        rows.append(top)
        rows.append(bottom)
    }
    return rows
}
