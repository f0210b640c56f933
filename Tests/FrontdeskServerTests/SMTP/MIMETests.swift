import Foundation
import Testing

@testable import FrontdeskServer

/// Small decoders so the tests check round trips, not just substrings.
enum Decode {
    /// Header section (unfolded) and body of a rendered message.
    static func split(_ message: String) -> (headers: [String: String], body: String) {
        let parts = message.components(separatedBy: "\r\n\r\n")
        let unfolded = parts[0].replacingOccurrences(of: "\r\n ", with: " ")
        var headers: [String: String] = [:]
        for line in unfolded.components(separatedBy: "\r\n") where !line.isEmpty {
            let pieces = line.split(separator: ":", maxSplits: 1)
            headers[String(pieces[0])] = pieces.count > 1 ? String(pieces[1].dropFirst()) : ""
        }
        return (headers, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// Decodes a header value made of `=?UTF-8?B?...?=` words.
    static func encodedWords(_ value: String) -> String? {
        var bytes = Data()
        for word in value.split(separator: " ") {
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?="),
                let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))
            else { return nil }
            bytes += data
        }
        return String(data: bytes, encoding: .utf8)
    }

    static func quotedPrintable(_ text: String) -> String {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "=") {
                if bytes[i + 1] == 13 {
                    i += 3
                    continue
                }  // soft break "=\r\n"
                out.append(UInt8(String(decoding: bytes[i + 1...i + 2], as: UTF8.self), radix: 16)!)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

@Suite struct MIMETests {
    let date = Date(timeIntervalSince1970: 1_751_360_700)
    let message = MailMessage(
        fromAddress: "studio@frontdesk.example", fromName: "Zoë's Studio", to: "member@example.com",
        subject: "Grüße — Yoga", textBody: "Hallo Zoë,\nsee you on the mat.\n", htmlBody: nil)

    @Test func headersArePresentAndOrdered() {
        let text = MIME.render(message, date: date, messageID: "abc123@frontdesk.example")
        let (headers, _) = Decode.split(text)
        #expect(text.hasPrefix("From: "))
        #expect(headers["To"] == "member@example.com")
        #expect(headers["Date"] == "Tue, 01 Jul 2025 09:05:00 +0000")
        #expect(headers["Message-ID"] == "<abc123@frontdesk.example>")
        #expect(headers["MIME-Version"] == "1.0")
        #expect(headers["Content-Type"] == "text/plain; charset=UTF-8")
        #expect(headers["Content-Transfer-Encoding"] == "quoted-printable")
        let from = headers["From"] ?? ""
        #expect(from.hasSuffix(" <studio@frontdesk.example>"))
        #expect(Decode.encodedWords(String(from.dropLast(" <studio@frontdesk.example>".count))) == "Zoë's Studio")
    }

    @Test func nonASCIISubjectIsAnEncodedWord() {
        let (headers, _) = Decode.split(MIME.render(message, date: date, messageID: "x@y"))
        #expect(headers["Subject"] == "=?UTF-8?B?R3LDvMOfZSDigJQgWW9nYQ==?=")
        #expect(Decode.encodedWords(headers["Subject"]!) == "Grüße — Yoga")
    }

    @Test func longSubjectsAreFolded() {
        var m = message
        m.subject = String(repeating: "Yoga für alle — ", count: 12)
        var text = MIME.render(m, date: date, messageID: "x@y")
        let subjectLines = text.components(separatedBy: "\r\n").drop(while: { !$0.hasPrefix("Subject:") })
            .prefix(while: { $0.hasPrefix("Subject:") || $0.hasPrefix(" ") })
        #expect(subjectLines.count > 3)
        #expect(subjectLines.allSatisfy { $0.utf8.count <= 78 })
        #expect(Decode.encodedWords(Decode.split(text).headers["Subject"]!) == MIME.headerText(m.subject))

        m.subject = String(repeating: "Morning flow ", count: 20) + "end"
        text = MIME.render(m, date: date, messageID: "x@y")
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
        #expect(Decode.split(text).headers["Subject"] == m.subject)
    }

    @Test func plainNamesAreQuotedAndHeadersResistInjection() {
        var m = message
        m.fromName = "Front \"Desk\""
        m.subject = "Hi\r\nBcc: victim@example.com"
        var text = MIME.render(m, date: date, messageID: "x@y")
        #expect(Decode.split(text).headers["From"] == #""Front \"Desk\"" <studio@frontdesk.example>"#)
        #expect(!text.contains("\r\nBcc:"))
        #expect(Decode.split(text).headers["Subject"] == "Hi Bcc: victim@example.com")

        m.fromName = "Evil\nBcc: victim@example.com"
        m.subject = "Grüße\rBcc: x@y"
        text = MIME.render(m, date: date, messageID: "x@y\r\nBcc: z@y")
        #expect(!text.contains("\nBcc:"))
        #expect(!text.contains("\rBcc:"))
    }

    @Test func crlfEverywhere() {
        var m = message
        m.textBody = "a\nb\r\nc\rd"
        m.htmlBody = "<p>a</p>\n<p>b</p>"
        let text = MIME.render(m, date: date, messageID: "x@y")
        let bytes = Array(text.utf8)
        for (i, byte) in bytes.enumerated() where byte == 10 { #expect(i > 0 && bytes[i - 1] == 13) }
        for (i, byte) in bytes.enumerated() where byte == 13 { #expect(i + 1 < bytes.count && bytes[i + 1] == 10) }
        #expect(text.hasSuffix("\r\n"))
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
    }

    @Test func multipartAlternative() throws {
        var m = message
        m.htmlBody = "<p>Hallo Zoë</p>"
        let text = MIME.render(m, date: date, messageID: "abc@frontdesk.example")
        let contentType = try #require(Decode.split(text).headers["Content-Type"])
        #expect(contentType.hasPrefix("multipart/alternative; boundary=\"=_"))
        let boundary = String(contentType.split(separator: "\"")[1])
        let parts = text.components(separatedBy: "\r\n--\(boundary)")
        #expect(parts.count == 4)  // headers, text, html, "--" closing
        #expect(parts[1].contains("Content-Type: text/plain; charset=UTF-8\r\n"))
        #expect(parts[2].contains("Content-Type: text/html; charset=UTF-8\r\n"))
        #expect(parts[3] == "--\r\n")
        #expect(Decode.quotedPrintable(Decode.split(parts[1]).body) == "Hallo Zoë,\r\nsee you on the mat.")
        #expect(Decode.quotedPrintable(Decode.split(parts[2]).body) == "<p>Hallo Zoë</p>")
        // Same input, same output (boundary derives from the Message-ID).
        #expect(text == MIME.render(m, date: date, messageID: "abc@frontdesk.example"))
    }

    @Test func quotedPrintable() {
        #expect(MIME.quotedPrintable("Zoë") == "Zo=C3=AB\r\n")
        #expect(MIME.quotedPrintable("a = b \nend\t") == "a =3D b=20\r\nend=09\r\n")
        #expect(MIME.quotedPrintable("") == "\r\n")
        let long = String(repeating: "Namasté and welcome to class. ", count: 40)
        let encoded = MIME.quotedPrintable(long)
        let lines = encoded.components(separatedBy: "\r\n").dropLast()
        #expect(lines.count > 10)
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(lines.dropLast().allSatisfy { $0.hasSuffix("=") })
        #expect(Decode.quotedPrintable(encoded) == long + "\r\n")
    }

    @Test func dates() {
        #expect(MIME.rfc5322Date(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(MIME.rfc5322Date(Date(timeIntervalSince1970: -31_536_001)) == "Tue, 31 Dec 1968 23:59:59 +0000")
        #expect(MIME.rfc5322Date(Date(timeIntervalSince1970: 951_868_799.9)) == "Tue, 29 Feb 2000 23:59:59 +0000")
    }

    @Test func generatedMessageID() {
        let text = MIME.render(message, date: date, messageID: "")
        let id = Decode.split(text).headers["Message-ID"] ?? ""
        #expect(id.wholeMatch(of: /<[0-9a-f]{32}@frontdesk\.example>/) != nil)
        #expect(MIME.generateMessageID(fromAddress: "a@b.c") != MIME.generateMessageID(fromAddress: "a@b.c"))
    }

    @Test func dotStuffing() {
        let stuffed = MIME.dotStuffed("first\r\n.hidden\r\n.\r\n..two\nlast")
        #expect(stuffed == "first\r\n..hidden\r\n..\r\n...two\r\nlast\r\n.\r\n")
        #expect(MIME.dotStuffed("a\r\n") == "a\r\n.\r\n")
        #expect(MIME.dotStuffed("") == ".\r\n")
        #expect(MIME.dotStuffed(".") == "..\r\n.\r\n")
    }
}
