import Foundation

/// Renders `MailMessage`s as RFC 5322 / MIME text ready for SMTP DATA.
public enum MIME {
    /// The full RFC 5322 message text with CRLF line endings.
    ///
    /// Headers: From (display name quoted or RFC 2047-encoded), To, Subject
    /// (RFC 2047 `B` encoded-words when not plain ASCII, folded when long), Date
    /// (RFC 5322, always `+0000`), Message-ID (`messageID`, or a generated one when
    /// it is empty), MIME-Version. Body: `text/plain` alone, or
    /// `multipart/alternative` with the text and the HTML part; each part UTF-8,
    /// quoted-printable, so no line exceeds 76 characters. Input text never reaches
    /// a header as a raw CR or LF. The output is deterministic for equal input.
    public static func render(_ message: MailMessage, date: Date, messageID: String) -> String {
        let id = normalizedMessageID(messageID, fromAddress: message.fromAddress)
        var out = ""
        out += fromHeader(message)
        out += "To: \(headerText(message.to))\r\n"
        out += subjectHeader(message.subject)
        out += "Date: \(rfc5322Date(date))\r\n"
        out += "Message-ID: \(id)\r\n"
        out += "MIME-Version: 1.0\r\n"
        let body = bodyPart(message, id: id)
        guard !message.attachments.isEmpty else { return out + body }
        // multipart/mixed: the text (or text and HTML) first, then each attachment, base64.
        let boundary = "=_frontdesk_mixed_" + String(fnv1a(id), radix: 16)
        out += "Content-Type: multipart/mixed; boundary=\"\(boundary)\"\r\n\r\n"
        out += "--\(boundary)\r\n" + body
        for attachment in message.attachments {
            let name = attachment.filename.filter { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
            out += "--\(boundary)\r\n"
            out += "Content-Type: \(headerText(attachment.contentType)); name=\"\(name)\"\r\n"
            out += "Content-Disposition: attachment; filename=\"\(name)\"\r\n"
            out += "Content-Transfer-Encoding: base64\r\n\r\n"
            out += base64Lines(attachment.data)
        }
        return out + "--\(boundary)--\r\n"
    }

    /// The message's text part, or its text and HTML as multipart/alternative, with their headers.
    static func bodyPart(_ message: MailMessage, id: String) -> String {
        var out = ""
        let text = quotedPrintable(message.textBody)
        guard let html = message.htmlBody else {
            out += "Content-Type: text/plain; charset=UTF-8\r\n"
            out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            return out + text
        }
        // "=_" can never occur in quoted-printable output, so the boundary is safe.
        let boundary = "=_frontdesk_" + String(fnv1a(id), radix: 16)
        out += "Content-Type: multipart/alternative; boundary=\"\(boundary)\"\r\n\r\n"
        for (subtype, body) in [("plain", text), ("html", quotedPrintable(html))] {
            out += "--\(boundary)\r\n"
            out += "Content-Type: text/\(subtype); charset=UTF-8\r\n"
            out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            out += body
        }
        return out + "--\(boundary)--\r\n"
    }

    /// Base64 in lines of 76 characters, each ended by CRLF.
    static func base64Lines(_ data: [UInt8]) -> String {
        let encoded = Data(data).base64EncodedString()
        var out = ""
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            out += encoded[index..<end] + "\r\n"
            index = end
        }
        return out
    }

    /// SMTP dot-stuffing (RFC 5321 4.5.2) of a rendered message for DATA: every
    /// line break becomes CRLF, lines starting with "." get another ".", and the
    /// text ends with the terminating `CRLF.CRLF`.
    public static func dotStuffed(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for line in lines(of: text) {
            if line.hasPrefix(".") { out += "." }
            out += line
            out += "\r\n"
        }
        return out + ".\r\n"
    }

    /// A fresh `<random@domain-of-from-address>` Message-ID.
    public static func generateMessageID(fromAddress: String) -> String {
        let random = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return "<\(random)@\(messageIDDomain(fromAddress))>"
    }

    // MARK: - Headers

    static func fromHeader(_ message: MailMessage) -> String {
        let address = headerText(message.fromAddress)
        let name = headerText(message.fromName ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return "From: \(address)\r\n" }
        if isPlainASCII(name), name.utf8.count <= 200, !name.contains("=?") {
            let quoted = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "From: \"\(quoted)\" <\(address)>\r\n"
        }
        return folded("From", encodedWords(name) + ["<\(address)>"])
    }

    static func subjectHeader(_ subject: String) -> String {
        let clean = headerText(subject)
        let words = clean.split(separator: " ").map(String.init)
        // "Subject: " + the longest word must fit the 998-character line limit.
        if isPlainASCII(clean), !clean.contains("=?"), words.allSatisfy({ $0.utf8.count <= 900 }) {
            return folded("Subject", words)
        }
        return folded("Subject", encodedWords(clean))
    }

    /// `Name: w1 w2 ...` folded (CRLF SP) before a word that would pass 78 characters.
    static func folded(_ name: String, _ words: [String]) -> String {
        var out = "\(name):"
        var lineLength = out.utf8.count
        for word in words {
            if lineLength + 1 + word.utf8.count > 78, lineLength > name.utf8.count + 1 {
                out += "\r\n"
                lineLength = 0
            }
            out += " " + word
            lineLength += 1 + word.utf8.count
        }
        return out + "\r\n"
    }

    /// RFC 2047 `=?UTF-8?B?...?=` words of at most 64 characters each (39 bytes of
    /// UTF-8, split only between Unicode scalars, so each word decodes on its own).
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
            chunk.removeAll(keepingCapacity: true)
        }
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > 39 { flush() }
            chunk += bytes
        }
        flush()
        return words.isEmpty ? ["=?UTF-8?B??="] : words
    }

    /// Input for a header: every control or line-separator character becomes a space.
    static func headerText(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    let v = scalar.value
                    let isControl = v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
                    return isControl ? " " : scalar
                }))
    }

    static func isPlainASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// `messageID` wrapped in angle brackets (with anything unsafe removed), or a
    /// generated one when nothing is left.
    static func normalizedMessageID(_ messageID: String, fromAddress: String) -> String {
        let core = String(
            String.UnicodeScalarView(
                messageID.unicodeScalars.filter {
                    $0.value > 0x20 && $0.value < 0x7F && $0 != "<" && $0 != ">"
                }))
        return core.isEmpty ? generateMessageID(fromAddress: fromAddress) : "<\(core)>"
    }

    static func messageIDDomain(_ address: String) -> String {
        let domain = address.split(separator: "@").last.map(String.init) ?? ""
        let clean = domain.lowercased().unicodeScalars.filter {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-"
        }
        return clean.isEmpty || !address.contains("@") ? "localhost" : String(String.UnicodeScalarView(clean))
    }

    /// RFC 5322 date-time in UTC, e.g. `Tue, 01 Jul 2025 09:05:00 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        let utc = UTCDay(date)
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let second = utc.secondOfDay
        return "\(names[utc.weekday]), \(two(utc.day)) \(months[utc.month - 1]) \(utc.year) "
            + "\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60)) +0000"
    }

    // MARK: - Bodies

    /// UTF-8 quoted-printable (RFC 2045 6.7): CRLF line breaks, lines of at most
    /// 76 characters (soft breaks `=`), trailing whitespace encoded; always ends
    /// with CRLF (an empty text gives one empty line).
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + text.utf8.count / 8 + 8)
        for line in lines(of: text) {
            let bytes = Array(line.utf8)
            var lineLength = 0
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let literal =
                    (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == 0x20 || byte == 0x09) && !isLast)
                let token: [UInt8] = literal ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
                // Keep room for the soft-break "=" unless this token ends the line.
                let limit = isLast ? 76 : 75
                if lineLength + token.count > limit {
                    out += [UInt8(ascii: "="), 13, 10]
                    lineLength = 0
                }
                out += token
                lineLength += token.count
            }
            out += [13, 10]
        }
        return out.isEmpty ? "\r\n" : String(decoding: out, as: UTF8.self)
    }

    /// The lines of `text`, split at CRLF, CR or LF; a final line break does not
    /// start another (empty) line.
    static func lines(of text: String) -> [Substring] {
        var parts = text.split(omittingEmptySubsequences: false) { $0 == "\r\n" || $0 == "\n" || $0 == "\r" }
        if parts.last?.isEmpty == true { parts.removeLast() }
        return parts
    }

    /// FNV-1a, only to derive a stable multipart boundary from the Message-ID.
    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
