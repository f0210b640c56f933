import Foundation
import FrontdeskCore
import FrontdeskServer
import Testing

/// Timeouts seen on a real listening socket: a client must send a complete request head soon after
/// connecting (or after its previous response), and idle connections are closed; a running event
/// stream is neither.
@Suite("Connection timeouts")
struct ConnectionTimeoutTests {
    @Test("a connection that sends half a request head is closed after requestHeadTimeoutSeconds")
    func partialHead() async throws {
        try await TestApp.live(configure: {
            // 4 s, not 1: room for a loaded machine (the PostgreSQL suite's 600 tests beside it) between
            // the test's connect and its first write, and for the first answer.
            $0.requestHeadTimeoutSeconds = 4
            $0.idleTimeoutSeconds = 60
        }) { app, port in
            let slow = try await RawConnection.connect(port: port)
            try await slow.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
            #expect(await slow.closes(within: .seconds(60)), "still open 60 s after a partial head")
            let closed = try #require(slow.closed)
            #expect(closed - slow.openedAt >= .milliseconds(3_900), "closed before the timeout")
            #expect(!slow.text.contains("200"))

            // A complete head is answered, and after the answer the clock starts again: a second head sent
            // with the first (one write, so no scheduling delay of the test's own can trip the 1 s limit
            // between them) but left unfinished closes the connection after its timeout.
            let good = try await RawConnection.connect(port: port)
            try await good.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET /healthz HTTP/1.1\r\nHost: local")
            #expect(await good.receives("HTTP/1.1 200"))
            #expect(await good.closes(within: .seconds(60)), "a stalled second request head keeps the connection")
            await slow.close()
            await good.close()
        }
    }

    @Test("an idle connection is closed after idleTimeoutSeconds, before and after a request")
    func idle() async throws {
        try await TestApp.live(configure: {
            // 4 s: room for a loaded machine to answer the keep-alive request before the idle limit.
            $0.idleTimeoutSeconds = 4
            $0.requestHeadTimeoutSeconds = 60
        }) { app, port in
            let silent = try await RawConnection.connect(port: port)
            #expect(await silent.closes(within: .seconds(60)), "a silent connection stays open")
            let keepAlive = try await RawConnection.connect(port: port)
            try await keepAlive.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(await keepAlive.receives("HTTP/1.1 200"))
            #expect(await keepAlive.closes(within: .seconds(60)), "an idle keep-alive connection stays open")
            await silent.close()
            await keepAlive.close()
        }
    }

    @Test("a display's event stream outlives both timeouts")
    func streamsSurvive() async throws {
        try await TestApp.live(configure: {
            $0.idleTimeoutSeconds = 1
            $0.requestHeadTimeoutSeconds = 1
        }) { app, port in
            let display = try await app.storedDisplay()
            let stream = try await RawConnection.connect(port: port)
            try await stream.send("GET \(display.path.replacingOccurrences(of: "?", with: "/events?")) HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(await stream.receives(": connected"), "\(stream.text)")
            #expect(stream.text.hasPrefix("HTTP/1.1 200"))
            // Three times both timeouts: the stream must still be open.
            #expect(!(await stream.closes(within: .seconds(3))), "the stream was cut")
            await stream.close()
        }
    }

    @Test("a stream whose client hangs up gives its slot back at once, not at the next keep-alive")
    func hangUpFreesSlot() async throws {
        try await TestApp.live { app, port in
            let display = try await app.storedDisplay()
            let stream = try await RawConnection.connect(port: port)
            try await stream.send("GET \(display.path.replacingOccurrences(of: "?", with: "/events?")) HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(await stream.receives(": connected"), "\(stream.text)")
            #expect(app.services.streamSlots.streams(displayId: display.id) == 1)
            await stream.close()
            // Keep-alives come every 15 s; the slot must be free well before the first.
            #expect(await TestApp.eventually(within: .seconds(12)) { app.services.streamSlots.streams(displayId: display.id) == 0 })
        }
    }

    @Test("timeouts are configurable through the file and the environment, and range-checked")
    func configuration() throws {
        let defaults = try ServerConfiguration().validated()
        #expect(defaults.idleTimeoutSeconds == 75)
        #expect(defaults.requestHeadTimeoutSeconds == 10)
        let env = try ServerConfiguration().applying(environment: [
            "FRONTDESK_IDLE_TIMEOUT_SECONDS": "30",
            "FRONTDESK_REQUEST_HEAD_TIMEOUT_SECONDS": "5",
        ]).validated()
        #expect(env.idleTimeoutSeconds == 30)
        #expect(env.requestHeadTimeoutSeconds == 5)
        for bad in [["FRONTDESK_IDLE_TIMEOUT_SECONDS": "0"], ["FRONTDESK_REQUEST_HEAD_TIMEOUT_SECONDS": "301"]] {
            #expect(throws: ConfigurationError.self) { try ServerConfiguration().applying(environment: bad).validated() }
        }
    }
}
