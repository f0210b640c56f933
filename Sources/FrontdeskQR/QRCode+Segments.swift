import CQRencode

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension QRCode {
    /// Encodes `text` in the smallest symbol that holds it, letting libqrencode split it into numeric,
    /// alphanumeric and 8-bit segments (case kept): a run of digits costs 3.3 bits a digit instead of
    /// 8. The compact check-in URL (`…/c/<81 digits>`) is made for this. Readers return the same text.
    ///
    /// - Throws: ``QRCodeError/emptyInput`` for an empty text or one holding NUL (the segmenting
    ///   encoder reads a C string), ``QRCodeError/inputTooLong(byteCount:maximum:)`` when it does not fit,
    ///   ``QRCodeError/encodingFailed(errno:)`` otherwise.
    public static func encodeSegmented(_ text: String, level: QRErrorCorrection = .medium) throws(QRCodeError) -> QRCode {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, !bytes.contains(0) else { throw .emptyInput }
        guard bytes.count <= level.maximumByteCount else {
            throw .inputTooLong(byteCount: bytes.count, maximum: level.maximumByteCount)
        }
        errno = 0
        let raw = text.withCString { QRcode_encodeString($0, 0, level.cLevel, QR_MODE_8, 1) }
        let failure = errno
        guard let raw else {
            if failure == ERANGE { throw .inputTooLong(byteCount: bytes.count, maximum: level.maximumByteCount) }
            throw .encodingFailed(errno: failure)
        }
        defer { QRcode_free(raw) }
        let width = Int(raw.pointee.width)
        guard width > 0, let data = raw.pointee.data else { throw .encodingFailed(errno: failure) }
        let modules = (0..<(width * width)).map { data[$0] & 1 == 1 }
        return QRCode(size: width, version: Int(raw.pointee.version), errorCorrection: level, modules: modules)
    }
}
