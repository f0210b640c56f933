/// Why a text could not be turned into a QR code. Encoding never traps: every bad input ends here.
public enum QRCodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text was empty; a QR code of nothing is useless and libqrencode rejects it.
    case emptyInput
    /// The text's UTF-8 form is longer than the largest symbol holds at the chosen level.
    case inputTooLong(byteCount: Int, maximum: Int)
    /// libqrencode returned no symbol for another reason; `errno` is what it reported
    /// (for example `ENOMEM`).
    case encodingFailed(errno: Int32)

    /// A short English explanation, suitable for logs.
    public var description: String {
        switch self {
        case .emptyInput:
            "cannot encode an empty text as a QR code"
        case .inputTooLong(let byteCount, let maximum):
            "text of \(byteCount) bytes is too long for a QR code (at most \(maximum) bytes at this error-correction level)"
        case .encodingFailed(let errno):
            "libqrencode failed to encode the text (errno \(errno))"
        }
    }
}
