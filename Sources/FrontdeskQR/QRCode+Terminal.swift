extension QRCode {
    /// Renders the code with Unicode half blocks (`▀ ▄ █` and space), two module rows per line,
    /// so the modules come out roughly square and a phone can scan it off a terminal.
    ///
    /// Glyphs are drawn in the terminal's text colour. With `invert: false` the glyphs are the
    /// dark modules, which suits a light background (dark text). A dark-background terminal
    /// (light text) needs `invert: true`, where the glyphs are the light modules and the quiet
    /// zone; otherwise the code would appear in negative, which many scanners refuse.
    /// ``ansiText(quietZone:)`` sets both colours itself and works on any background.
    ///
    /// - Parameters:
    ///   - invert: draw the light modules instead of the dark ones.
    ///   - quietZone: light border in modules (4 by default, clamped to 0...16).
    /// - Returns: `(size + 2 * quietZone + 1) / 2` lines joined by `\n`, with no final newline.
    public func terminalText(invert: Bool = false, quietZone: Int = 4) -> String {
        let quiet = min(max(quietZone, 0), 16)
        let total = size + 2 * quiet
        var lines: [String] = []
        lines.reserveCapacity((total + 1) / 2)
        for row in stride(from: 0, to: total, by: 2) {
            var line = ""
            for column in 0..<total {
                // The half row past the bottom of an odd-height symbol is left blank (terminal background).
                let top = isDark(x: column - quiet, y: row - quiet) != invert
                let bottom = row + 1 < total ? isDark(x: column - quiet, y: row + 1 - quiet) != invert : false
                switch (top, bottom) {
                case (true, true): line += "█"
                case (true, false): line += "▀"
                case (false, true): line += "▄"
                case (false, false): line += " "
                }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Renders the code with half blocks whose top half uses an ANSI foreground colour and whose
    /// bottom half uses an ANSI background colour (bright white for light, black for dark), so it
    /// scans the same on dark and light terminals. Each line ends with a reset (`ESC[0m`) so no
    /// colour bleeds into what follows.
    ///
    /// - Parameter quietZone: light border in modules (4 by default, clamped to 0...16).
    /// - Returns: `(size + 2 * quietZone + 1) / 2` lines joined by `\n`, with no final newline.
    public func ansiText(quietZone: Int = 4) -> String {
        let quiet = min(max(quietZone, 0), 16)
        let total = size + 2 * quiet
        let esc = "\u{1B}["
        var lines: [String] = []
        lines.reserveCapacity((total + 1) / 2)
        for row in stride(from: 0, to: total, by: 2) {
            var line = ""
            var current: (top: Bool, bottom: Bool)? = nil
            for column in 0..<total {
                let top = isDark(x: column - quiet, y: row - quiet)
                let bottom = row + 1 < total ? isDark(x: column - quiet, y: row + 1 - quiet) : false
                if current?.top != top || current?.bottom != bottom {
                    // 30/40 black, 97/107 bright white: plain white (37/47) is grey on many themes.
                    line += "\(esc)\(top ? 30 : 97);\(bottom ? 40 : 107)m"
                    current = (top, bottom)
                }
                line += "▀"
            }
            line += "\(esc)0m"
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
