/// One e-mail to one recipient, as the SMTP client sends it.
///
/// Addresses are plain addr-specs (`user@example.com`), never `Name <addr>`;
/// the display name of the sender goes into `fromName`.
public struct MailMessage: Sendable, Equatable {
    public var fromAddress: String
    public var fromName: String?
    public var to: String
    public var subject: String
    public var textBody: String
    public var htmlBody: String?
    /// Files sent after the body (multipart/mixed), such as a booking's `.ics`.
    public var attachments: [MailAttachment] = []

    public init(
        fromAddress: String,
        fromName: String? = nil,
        to: String,
        subject: String,
        textBody: String,
        htmlBody: String? = nil
    ) {
        self.fromAddress = fromAddress
        self.fromName = fromName
        self.to = to
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
    }

    /// Throws `SMTPError.invalidInput` unless both addresses pass `MailMessage.validateAddress`.
    public func validate() throws {
        try Self.validateAddress(fromAddress, role: "sender")
        try Self.validateAddress(to, role: "recipient")
    }

    /// Characters never allowed in an address: they would break the SMTP command
    /// (`<`, `>`, whitespace, CR/LF) or the header (`,`, `;`, quotes, comments).
    private static let forbidden: Set<Unicode.Scalar> = ["<", ">", ",", ";", "\"", "(", ")", "[", "]", "\\", ":"]

    /// Minimal, injection-proof check of an addr-spec: printable ASCII without
    /// whitespace or the characters above, exactly one `@` with a non-empty local
    /// part and a dotted-or-not domain, at most 254 bytes.
    /// Non-ASCII (SMTPUTF8) addresses are refused.
    public static func validateAddress(_ address: String, role: String = "address") throws {
        func fail(_ why: String) -> SMTPError { .invalidInput("invalid \(role) address: \(why)") }
        guard !address.isEmpty else { throw fail("empty") }
        guard address.utf8.count <= 254 else { throw fail("longer than 254 bytes") }
        for scalar in address.unicodeScalars {
            guard scalar.value > 0x20, scalar.value < 0x7F else {
                throw fail(scalar.value >= 0x7F ? "non-ASCII characters are not supported" : "contains whitespace or control characters")
            }
            guard !forbidden.contains(scalar) else { throw fail("contains \"\(scalar)\"") }
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw fail("must contain exactly one @") }
        let local = parts[0]
        let domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64 else { throw fail("bad local part") }
        guard !domain.isEmpty, !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else {
            throw fail("bad domain")
        }
    }
}

/// A file attached to an e-mail.
public struct MailAttachment: Sendable, Equatable {
    /// The MIME type with its parameters, e.g. `text/calendar; charset=UTF-8; method=PUBLISH`.
    public var contentType: String
    /// The file name (letters, digits, `-`, `_` and `.` are kept).
    public var filename: String
    public var data: [UInt8]

    public init(contentType: String, filename: String, data: [UInt8]) {
        self.contentType = contentType
        self.filename = filename
        self.data = data
    }
}
