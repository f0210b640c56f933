extension QRCode {
    /// The foreground colour used when a given one is not a valid `#RRGGBB`.
    public static let defaultForeground = "#000000"
    /// The background colour used when a given one is not a valid `#RRGGBB`.
    public static let defaultBackground = "#ffffff"

    /// Renders the code as a self-contained SVG document (no XML prolog, so it can be inlined
    /// in HTML as well as served as `image/svg+xml`).
    ///
    /// The `viewBox` is in module units, `shape-rendering="crispEdges"` keeps module edges sharp
    /// at any scale, the background is one `<rect>` and all dark modules are one `<path>` made of
    /// horizontal runs, so a version-10 code stays a few kilobytes.
    ///
    /// - Parameters:
    ///   - moduleSize: pixels per module for the `width`/`height` attributes. `nil` leaves them
    ///     out, so the image takes its size from CSS (`width: 100%`). Values below 1 become 1.
    ///   - quietZone: light border in modules; the standard asks for at least 4. Clamped to 0...64.
    ///   - foreground: colour of dark modules, `#RRGGBB` only; anything else falls back to
    ///     ``defaultForeground`` so no caller-supplied text can reach the markup.
    ///   - background: colour of light modules and the quiet zone, `#RRGGBB` only; anything else
    ///     falls back to ``defaultBackground``.
    ///   - title: an accessible name (`<title>` and `aria-label`), XML-escaped; `nil` for none.
    /// - Returns: the SVG markup.
    public func svg(
        moduleSize: Int? = 8,
        quietZone: Int = 4,
        foreground: String = QRCode.defaultForeground,
        background: String = QRCode.defaultBackground,
        title: String? = nil
    ) -> String {
        let quiet = min(max(quietZone, 0), 64)
        let total = size + 2 * quiet
        let fg = Self.validHexColour(foreground) ?? Self.defaultForeground
        let bg = Self.validHexColour(background) ?? Self.defaultBackground

        var svg = #"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 \#(total) \#(total)""#
        if let moduleSize {
            let pixels = total * max(moduleSize, 1)
            svg += #" width="\#(pixels)" height="\#(pixels)""#
        }
        svg += #" shape-rendering="crispEdges""#
        if let title {
            svg += #" role="img" aria-label="\#(Self.xmlEscaped(title))">"#
            svg += "<title>\(Self.xmlEscaped(title))</title>"
        } else {
            svg += ">"
        }
        svg += #"<rect width="\#(total)" height="\#(total)" fill="\#(bg)"/>"#
        svg += #"<path fill="\#(fg)" d="\#(pathData(offset: quiet))"/>"#
        svg += "</svg>"
        return svg
    }

    /// Path data with one closed rectangle per horizontal run of dark modules, written byte by
    /// byte into one buffer (the display's QR is redrawn every minute for every running class).
    private func pathData(offset: Int) -> String {
        var d = [UInt8]()
        d.reserveCapacity(size * size * 3)
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x: x, y: y) else {
                    x += 1
                    continue
                }
                let start = x
                while x < size, isDark(x: x, y: y) { x += 1 }
                let run = x - start
                d.append(UInt8(ascii: "M"))
                Self.appendDecimal(start + offset, to: &d)
                d.append(UInt8(ascii: " "))
                Self.appendDecimal(y + offset, to: &d)
                d.append(UInt8(ascii: "h"))
                Self.appendDecimal(run, to: &d)
                d.append(contentsOf: [UInt8(ascii: "v"), UInt8(ascii: "1"), UInt8(ascii: "h"), UInt8(ascii: "-")])
                Self.appendDecimal(run, to: &d)
                d.append(UInt8(ascii: "z"))
            }
        }
        return String(decoding: d, as: UTF8.self)
    }

    /// Appends the decimal digits of a non-negative `value`.
    static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        if value < 10 {
            buffer.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value))
            return
        }
        appendDecimal(value / 10, to: &buffer)
        buffer.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10))
    }

    /// `colour` lowercased if it is exactly `#` and six hex digits, else `nil`.
    static func validHexColour(_ colour: String) -> String? {
        let utf8 = Array(colour.utf8)
        guard utf8.count == 7, utf8[0] == UInt8(ascii: "#") else { return nil }
        let isHex = utf8.dropFirst().allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
        }
        return isHex ? colour.lowercased() : nil
    }

    /// Escapes the five XML special characters for use in text and attribute values.
    static func xmlEscaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // Control characters other than tab/newline are not allowed in XML 1.0 at all.
                if scalar.value < 0x20, scalar != "\t", scalar != "\n", scalar != "\r" {
                    continue
                }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
