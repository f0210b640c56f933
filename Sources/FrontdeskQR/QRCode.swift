import CQRencode

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An encoded QR code symbol: a square grid of dark and light modules, without quiet zone.
///
/// Create one with ``encode(_:level:)`` and draw it with ``svg(moduleSize:quietZone:foreground:background:title:)``,
/// ``terminalText(invert:quietZone:)`` or ``ansiText(quietZone:)``. The value owns a copy of the
/// modules, so it is freely shareable across tasks; nothing from libqrencode outlives `encode`.
public struct QRCode: Sendable, Hashable {
    /// The number of modules along one side (21 for version 1, up to 177 for version 40).
    public let size: Int
    /// The QR version (1...40) libqrencode chose: the smallest that fits the text.
    public let version: Int
    /// The error-correction level the symbol was encoded with.
    public let errorCorrection: QRErrorCorrection
    /// Row-major, `size * size` entries, `true` for a dark module.
    private let modules: [Bool]

    /// A symbol from libqrencode's modules (row-major, `size * size`), for the encoders in this module.
    init(size: Int, version: Int, errorCorrection: QRErrorCorrection, modules: [Bool]) {
        self.size = size
        self.version = version
        self.errorCorrection = errorCorrection
        self.modules = modules
    }

    /// Whether the module at column `x`, row `y` (both from the top-left corner, 0-based) is dark.
    /// Coordinates outside the symbol are light, as the quiet zone around it is.
    public func isDark(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        return modules[y * size + x]
    }

    /// Encodes `text` (as UTF-8, in 8-bit mode) in the smallest symbol that holds it.
    ///
    /// - Parameters:
    ///   - text: what the code should hold, typically a URL. Any characters are allowed,
    ///     including NUL.
    ///   - level: the error-correction level; `.medium` by default.
    /// - Throws: ``QRCodeError/emptyInput`` for an empty text, ``QRCodeError/inputTooLong(byteCount:maximum:)``
    ///   when it does not fit in a version-40 symbol, ``QRCodeError/encodingFailed(errno:)`` otherwise.
    public static func encode(_ text: String, level: QRErrorCorrection = .medium) throws(QRCodeError) -> QRCode {
        try encode(bytes: Array(text.utf8), level: level)
    }

    /// Encodes raw bytes in 8-bit mode in the smallest symbol that holds them.
    ///
    /// - Throws: the same errors as ``encode(_:level:)``.
    public static func encode(bytes: [UInt8], level: QRErrorCorrection = .medium) throws(QRCodeError) -> QRCode {
        guard !bytes.isEmpty else { throw .emptyInput }
        guard bytes.count <= level.maximumByteCount else {
            throw .inputTooLong(byteCount: bytes.count, maximum: level.maximumByteCount)
        }
        // QRcode_encodeData, not QRcode_encodeString8bit: the latter stops at the first NUL.
        errno = 0
        let raw = bytes.withUnsafeBufferPointer { buffer in
            QRcode_encodeData(Int32(buffer.count), buffer.baseAddress, 0, level.cLevel)
        }
        let failure = errno
        guard let raw else {
            if failure == ERANGE {
                throw .inputTooLong(byteCount: bytes.count, maximum: level.maximumByteCount)
            }
            throw .encodingFailed(errno: failure)
        }
        defer { QRcode_free(raw) }

        let width = Int(raw.pointee.width)
        guard width > 0, let data = raw.pointee.data else { throw .encodingFailed(errno: failure) }
        // Bit 0 of each byte is the module's colour (1 = dark); the other bits describe its role.
        let modules = (0..<(width * width)).map { data[$0] & 1 == 1 }
        return QRCode(
            size: width, version: Int(raw.pointee.version), errorCorrection: level, modules: modules)
    }
}
