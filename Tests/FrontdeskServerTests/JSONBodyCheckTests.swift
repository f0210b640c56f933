import Hummingbird
import NIOCore
import Testing

@testable import FrontdeskServer

/// The request body's checks before decoding, read byte by byte: which Content-Types are JSON, and
/// which bodies carry a NUL (a byte or its `\u0000` escape), each at its edge.
@Suite("JSON body checks")
struct JSONBodyCheckTests {
    @Test(
        "JSON is application/json or application/…+json, in any case, with parameters and spaces around",
        arguments: [
            ("application/json", true), ("Application/JSON; charset=utf-8", true), (" application/json ", true),
            ("\tapplication/json;", true), ("application/problem+json", true), ("application/+json", true),
            ("APPLICATION/VND.API+JSON;v=1", true), ("application/jsonx", false), ("application/json+", false),
            ("application/+jso", false), ("application/", false), ("text/json", false), ("text/plain", false),
            ("application/x-www-form-urlencoded", false), ("multipart/form-data; boundary=x", false), ("", false),
            (";application/json", false), ("application /json", false),
        ])
    func mediaTypes(type: String, json: Bool) {
        #expect(Request.isJSON(mediaType: type) == json, "\(type)")
    }

    @Test(
        "a NUL byte or a \\u0000 escape anywhere is refused; near misses are not",
        arguments: [
            (#"{"a":"\u0000"}"#, true), (#"{"a":"\U0000"}"#, true), ("{\"a\":\"x\0\"}", true), (#"\u0000"#, true),
            (#"{"a":"\u00001"}"#, true), (#"{"a":"\\u0000"}"#, true), (#"{"a":"\u0001"}"#, false),
            (#"{"a":"\u000"}"#, false), (#"\u000"#, false), (#"{"a":"u0000"}"#, false), (#"{"a":"\x0000"}"#, false),
            ("", false), (#"{"a":"é"}"#, false),
        ])
    func nul(body: String, refused: Bool) {
        #expect(Request.mentionsNUL(ByteBuffer(string: body).readableBytesView) == refused, "\(body)")
    }
}
