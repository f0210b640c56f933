import CQRencode

/// The error-correction level of a QR code: how much of the symbol may be damaged or hidden and
/// still decode. Higher levels recover more but hold less data in a symbol of the same size.
public enum QRErrorCorrection: String, Sendable, CaseIterable, Codable {
    /// Level L: about 7 % of the codewords can be restored. Densest; the most data.
    case low
    /// Level M: about 15 % can be restored. The usual choice for screens, and the default.
    case medium
    /// Level Q: about 25 % can be restored.
    case quartile
    /// Level H: about 30 % can be restored. Use it when part of the code may be covered (a logo).
    case high

    /// The most bytes that one symbol (version 40, 8-bit mode) can hold at this level.
    public var maximumByteCount: Int {
        // ISO/IEC 18004 table 7, byte mode, version 40. Checking this up front gives a clear
        // `inputTooLong` instead of relying on the library's errno.
        switch self {
        case .low: 2953
        case .medium: 2331
        case .quartile: 1663
        case .high: 1273
        }
    }

    /// libqrencode's constant for this level.
    var cLevel: QRecLevel {
        switch self {
        case .low: QR_ECLEVEL_L
        case .medium: QR_ECLEVEL_M
        case .quartile: QR_ECLEVEL_Q
        case .high: QR_ECLEVEL_H
        }
    }
}
