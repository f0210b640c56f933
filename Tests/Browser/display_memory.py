#!/usr/bin/env python3
"""Memory of the wall display over an hour of QR rotation (headless Chromium, fake page clock).

Against a real `frontdesk serve --demo`:

  1. the real server's traffic is measured: one state poll with its SVG and one with `have=`
     (wire bytes: headers + body), and the frames of the real event stream (its opening, one
     `event: checkin` frame per check-in or undo, the 15 s keep-alive comment);
  2. the signed display page is opened in Chromium with Playwright's fake clock installed first,
     then paused; page time is advanced in 1 s steps (every timer fires) for MINUTES (default 60)
     simulated minutes, which takes well under a minute of real time;
  3. the state endpoint is answered by a stub that follows the fake clock: a new QR code each
     minute (new token, new URL, an SVG that differs from the last one, windowStart, expiresAt,
     validUntil = expiresAt + the org's grace, as the real server computes them), the SVG left out
     when `have=` matches, and the checked-in names changing every 4 minutes (a rolling set of 5:
     one name leaves, one new name arrives, so a legitimate page never grows);
  4. the event stream is the real server's, left open (as on a wall), and every 5 simulated
     minutes the coach checks a member in or undoes it through the API, so real `checkin` events
     reach the page and make it refetch;
  5. after warm-up (simulated minute 2) and every 10 simulated minutes, garbage is collected over
     CDP and the JS heap, DOM nodes, event listeners and documents are read.

Each step also checks that the QR code on screen is never shown past its validity without
#qr.is-stale, and that the code is replaced at each rotation.

Test instrumentation: an init script wraps window.fetch to count the page's unfinished state
fetches (so each step waits for the stub's answer to be applied before the clock moves on), and
subclasses EventSource to count the `checkin` events the page receives (one listener per stream).
Neither keeps anything per call. CDP's Network domain is deliberately not enabled: DevTools would
keep a record of every request in the page's renderer and grow the heap itself.

Usage: display_memory.py [path-to-frontdesk-binary]   (default <repo>/.build/debug/frontdesk)
Environment: CHROMIUM (path to the browser), FRONTDESK_MEMORY_MINUTES (default 60),
FRONTDESK_BROWSER_TIMEOUT (overall seconds, default 600).

Exit status 0 when the heap, the DOM and the page stay clean; 1 when the JS heap after the last
step exceeds the post-warm-up heap by more than 20 % and by more than 200 KB, when DOM nodes grow
by more than 10 %, on any console error, page error, reload or expired code on screen, or when
the run itself fails; 2 on a usage error. Chromium missing: prints why and exits 0 (skipped).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
MINUTES = int(os.environ.get("FRONTDESK_MEMORY_MINUTES", "60"))
OVERALL_TIMEOUT_S = int(os.environ.get("FRONTDESK_BROWSER_TIMEOUT", "600"))

WARMUP_MINUTE = 2
STEP_MS = 1000
HEAP_GROWTH_LIMIT = 0.20          # fail only when both limits are exceeded
HEAP_GROWTH_LIMIT_BYTES = 200 * 1024
NODE_GROWTH_LIMIT = 0.10
EVENT_EVERY_MINUTES = 5           # a real check-in or undo (→ an SSE `checkin` event) this often
NAMES_EVERY_MINUTES = 4           # the stub's checked-in names change this often
NAME_POOL = ["Maya L.", "Jonas B.", "Aiko T.", "Lena K.", "Omar S.", "Priya N.", "Tomás R.", "Chloé D.",
             "Ana P.", "Sven H.", "Yuki M.", "Inès F.", "Kofi A.", "Mira V."]
NAMES_SHOWN = 5

COACH = ("coach@demo.frontdesk.test", "demo-coach-pass")
MEMBER = ("maya@demo.frontdesk.test", "demo-member-pass")

STATE_PATH = re.compile(r"/display/[^/?]+/state(?:\?|$)")

# Counts the page's unfinished fetches: +1 on fetch(), −1 once the response's JSON has been read
# (before display.js's own continuation runs) or the fetch failed, or a non-OK answer arrived.
FETCH_COUNTER = """
(() => {
    const realFetch = window.fetch;
    let pending = 0;
    Object.defineProperty(window, '__fdPendingFetches', { get: () => pending });
    window.fetch = function (...args) {
        pending += 1;
        let open = true;
        const done = () => { if (open) { open = false; pending -= 1; } };
        return realFetch.apply(this, args).then((response) => {
            if (!response.ok) { done(); return response; }
            const json = response.json.bind(response);
            response.json = () => json().finally(done);
            return response;
        }, (error) => { done(); throw error; });
    };
    // Counts `checkin` events delivered to the page's event streams (one listener of ours per
    // EventSource, gone with it).
    const RealEventSource = window.EventSource;
    let events = 0;
    Object.defineProperty(window, '__fdStreamEvents', { get: () => events });
    if (typeof RealEventSource === 'function') {
        window.EventSource = class extends RealEventSource {
            constructor(...args) {
                super(...args);
                this.addEventListener('checkin', () => { events += 1; });
            }
        };
    }
})();
"""

PROBE = """() => {
    const qr = document.getElementById('qr');
    return {
        pending: window.__fdPendingFetches || 0,
        now: Date.now(),
        stale: !!qr && qr.classList.contains('is-stale'),
        url: qr ? (qr.dataset.url || '') : '',
        validUntil: qr ? Number(qr.dataset.validUntil) : NaN,
        svgs: qr ? qr.querySelectorAll(':scope > svg').length : 0,
        names: document.querySelectorAll('#names li').length,
        countdown: (document.getElementById('countdown-seconds') || {}).textContent || '',
        offline: !(document.getElementById('offline') || { hidden: true }).hidden,
    };
}"""


class Failed(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)


# ---------------------------------------------------------------------------------------------
# The server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`frontdesk serve --demo` in a temp data dir, serving the repository's public/."""

    def __init__(self, binary: Path) -> None:
        self.binary = binary
        self.tmp = Path(tempfile.mkdtemp(prefix="frontdesk-memory-"))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.stdout_lines: list[str] = []
        self.stderr_path = self.tmp / "server.stderr"
        self.display_url = ""

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_") and k != "DATABASE_URL"}
        env["FRONTDESK_PUBLIC_DIR"] = str(REPO_ROOT / "public")
        args = [str(self.binary), "serve", "--demo", "--data-dir", str(self.tmp / "data"), "--host", "127.0.0.1",
                "--port", str(self.port), "--public-base-url", self.base, "--log-level", "warning"]
        self.process = subprocess.Popen(args, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=open(self.stderr_path, "wb"), text=True, start_new_session=True)
        threading.Thread(target=self._read_stdout, daemon=True).start()
        deadline = time.monotonic() + 60
        while True:
            check(self.process.poll() is None, f"server exited with status {self.process.returncode}\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            check(time.monotonic() < deadline, f"GET /readyz was not 200 within 60 s\n{self.log_tail()}")
            time.sleep(0.1)
        pattern = re.compile(r"Check-in display \(Loft\), signed URL: (\S+)")
        deadline = time.monotonic() + 10
        while not self.display_url:
            for line in list(self.stdout_lines):
                if match := pattern.search(line):
                    self.display_url = match.group(1)
            if not self.display_url:
                check(time.monotonic() < deadline, "the demo's signed display URL was not printed:\n" + "".join(self.stdout_lines))
                time.sleep(0.05)

    def _read_stdout(self) -> None:
        assert self.process and self.process.stdout
        for line in self.process.stdout:
            self.stdout_lines.append(line)

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.stderr_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "server stderr (tail):\n" + "\n".join("  " + line for line in text[-lines:])

    @property
    def state_url(self) -> str:
        return self.display_url.replace("?", "/state?", 1)

    @property
    def events_url(self) -> str:
        return self.display_url.replace("?", "/events?", 1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Real traffic: state polls, the event stream, the API


def get_wire(url: str) -> tuple[int, int, bytes]:
    """GET → (header bytes, body bytes, body) as they cross the wire (HTTP/1.1)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", parts.path + ("?" + parts.query if parts.query else ""), headers={"Accept": "application/json"})
        response = conn.getresponse()
        body = response.read()
        check(response.status == 200, f"GET {parts.path}: HTTP {response.status}")
        status_line = f"HTTP/1.1 {response.status} {response.reason}\r\n"
        header_bytes = len(status_line.encode()) + sum(len(f"{k}: {v}\r\n".encode()) for k, v in response.getheaders()) + 2
        return header_bytes, len(body), body
    finally:
        conn.close()


def api(base: str, method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        raise Failed(f"{method} {path}: HTTP {error.code} {error.read()[:300]!r}") from error


class StreamListener:
    """A raw HTTP/1.1 reader of the real event stream: records each chunk as (monotonic s, payload
    bytes, wire bytes), so frame sizes are the server's own, chunk framing included."""

    def __init__(self, url: str) -> None:
        self.url = urllib.parse.urlsplit(url)
        self.frames: list[tuple[float, bytes, int]] = []
        self.header_bytes = 0
        self.error = ""
        self.sock: socket.socket | None = None
        self.lock = threading.Condition()
        self.closing = False

    def start(self) -> None:
        self.sock = socket.create_connection((self.url.hostname, self.url.port), timeout=None)
        target = self.url.path + "?" + self.url.query
        self.sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {self.url.netloc}\r\nAccept: text/event-stream\r\n\r\n".encode())
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        buffer = b""
        try:
            assert self.sock
            while b"\r\n\r\n" not in buffer:
                data = self.sock.recv(65536)
                if not data:
                    raise ConnectionError("closed before the headers")
                buffer += data
            head, buffer = buffer.split(b"\r\n\r\n", 1)
            self.header_bytes = len(head) + 4
            check(head.startswith(b"HTTP/1.1 200") and b"chunked" in head.lower(), f"event stream answered {head[:200]!r}")
            while True:
                while b"\r\n" not in buffer:
                    data = self.sock.recv(65536)
                    if not data:
                        return
                    buffer += data
                size_line, rest = buffer.split(b"\r\n", 1)
                size = int(size_line.split(b";")[0], 16)
                while len(rest) < size + 2:
                    data = self.sock.recv(65536)
                    if not data:
                        return
                    rest += data
                payload, buffer = rest[:size], rest[size + 2:]
                if size == 0:
                    return
                with self.lock:
                    self.frames.append((time.monotonic(), payload, len(size_line) + 2 + size + 2))
                    self.lock.notify_all()
        except Exception as error:  # noqa: BLE001 — reported at the end
            if not self.closing:
                self.error = f"{type(error).__name__}: {error}"

    def wait_for(self, count: int, timeout: float) -> bool:
        with self.lock:
            return self.lock.wait_for(lambda: len(self.frames) >= count, timeout)

    def close(self) -> None:
        self.closing = True
        if self.sock:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()


class Floor:
    """The coach checks the demo member in and out again through the API: each is one real
    `event: checkin` frame on every open event stream of the studio."""

    def __init__(self, base: str, session_id: str) -> None:
        self.base = base
        self.session_id = session_id
        self.coach = api(base, "POST", "/api/auth/login", {"email": COACH[0], "password": COACH[1]})["token"]
        member = api(base, "POST", "/api/auth/login", {"email": MEMBER[0], "password": MEMBER[1]})["token"]
        self.membership = api(base, "GET", "/api/me", token=member)["memberships"][0]["membershipId"]
        self.booking: str | None = None
        self.count = 0

    def toggle(self) -> str:
        if self.booking is None:
            result = api(self.base, "POST", f"/api/sessions/{self.session_id}/checkin", {"membershipId": self.membership}, self.coach)
            check(not result.get("alreadyCheckedIn"), "the member was already checked in (no event would be sent)")
            self.booking = result["booking"]["id"]
            kind = "checked_in"
        else:
            api(self.base, "POST", f"/api/bookings/{self.booking}/undo-checkin", {}, self.coach)
            self.booking = None
            kind = "undone"
        self.count += 1
        return kind


# ---------------------------------------------------------------------------------------------
# The stub state, following the fake clock


def iso(ms: int, millis: bool = False) -> str:
    moment = dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class StubState:
    """The real server's state JSON with the QR code, the clock and the names moved to fake time."""

    def __init__(self, real: dict, base: str) -> None:
        check(real.get("session") and real.get("qr") and real["qr"].get("svg"),
              "the real display state has no current class with a QR code (is the demo class in its check-in window?)")
        self.real = real
        self.base = base
        self.session_id = real["session"]["id"]
        qr = real["qr"]
        self.grace_ms = parse_iso(qr["validUntil"]) - parse_iso(qr["expiresAt"])
        self.window_ms = parse_iso(qr["expiresAt"]) - parse_iso(qr["windowStart"])
        check(self.window_ms == 60000, f"the real QR window is {self.window_ms} ms, expected 60000")
        svg = qr["svg"]
        match = re.search(r'(<path\b[^>]*\bd=")([^"]+)(")', svg)
        check(match is not None, "the real QR SVG has no <path d=…>")
        self.svg_head, self.svg_tail = svg[:match.start(2)], svg[match.end(2):]
        self.runs = re.findall(r"M\d+ \d+h\d+v1h-\d+z", match.group(2))
        check(len(self.runs) > 50, "the real QR path is not made of M x y h w v1 h-w z runs")
        self.size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
        self.valid_until: dict[str, int] = {}   # every URL served → its validUntil (ms)
        self.window_of: dict[str, int] = {}
        self.sim_start_ms = 0
        self.served_full = 0
        self.served_have = 0
        self.svg_bytes: set[int] = set()

    def code(self, window_start: int) -> tuple[str, str]:
        """A URL with a fresh token and an SVG different from every other window's."""
        digest = hashlib.sha256(f"{self.session_id}|{window_start}".encode()).digest()
        token = f"k1.{window_start // 1000}." + base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")
        url = f"{self.base}/checkin?session={self.session_id}&token={token}"
        # A different path each window: the runs in another order and a dozen single modules
        # added inside the code's data area (quiet zone and finder patterns left alone).
        shift = int.from_bytes(digest[:4], "big") % len(self.runs)
        runs = self.runs[shift:] + self.runs[:shift]
        extra = [f"M{13 + digest[k] % (self.size - 26)} {13 + digest[k + 1] % (self.size - 26)}h1v1h-1z" for k in range(0, 24, 2)]
        return url, self.svg_head + "".join(runs + extra) + self.svg_tail

    def names(self, now_ms: int) -> list[str]:
        minute = max(0, (now_ms - self.sim_start_ms) // 60000)
        k = minute // NAMES_EVERY_MINUTES
        return [NAME_POOL[(k + i) % len(NAME_POOL)] for i in range(NAMES_SHOWN)]

    def at(self, now_ms: int, have: str | None) -> dict:
        window_start = now_ms - now_ms % self.window_ms
        expires = window_start + self.window_ms
        url, svg = self.code(window_start)
        state = json.loads(json.dumps(self.real))
        names = self.names(now_ms)
        state.update(now=iso(now_ms, millis=True), checkedIn=names, checkedInCount=len(names))
        state["qr"] = {
            "url": url,
            "windowStart": iso(window_start),
            "expiresAt": iso(expires),
            "validUntil": iso(expires + self.grace_ms),
            "secondsUntilRotation": (expires - now_ms + 999) // 1000,
        }
        if have == url:
            self.served_have += 1
        else:
            state["qr"]["svg"] = svg
            self.served_full += 1
            self.svg_bytes.add(len(svg.encode()))
        self.valid_until[url] = expires + self.grace_ms
        self.window_of[url] = window_start
        return state


def parse_iso(text: str) -> int:
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


# ---------------------------------------------------------------------------------------------
# The measurement


def find_chromium() -> str | None:
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    return None


def daily_reload_hit(start_ms: int, minutes: int, timezone: str) -> bool:
    """Would display.js's daily reload (04:00–04:10 studio time, after an hour up) fall in the run?"""
    try:
        from zoneinfo import ZoneInfo
        zone = ZoneInfo(timezone)
    except Exception:  # noqa: BLE001 — no tz data: assume the worst
        return True
    for minute in range(minutes + 6):
        local = dt.datetime.fromtimestamp(start_ms / 1000 + minute * 60, tz=zone)
        if local.hour == 4 and local.minute < 11:
            return True
    return False


def measure(cdp) -> dict:
    cdp.send("HeapProfiler.collectGarbage")
    cdp.send("HeapProfiler.collectGarbage")
    usage = cdp.send("Runtime.getHeapUsage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {
        "heap": int(usage["usedSize"]),
        "heap_total": int(usage["totalSize"]),
        "blink": int(usage.get("embedderHeapUsedSize", 0)),  # Blink's (Oilpan) heap: DOM, CSS, buffers
        "js_heap_used": int(metrics.get("JSHeapUsedSize", 0)),
        "nodes": int(metrics.get("Nodes", 0)),
        "listeners": int(metrics.get("JSEventListeners", 0)),
        "documents": int(metrics.get("Documents", 0)),
    }


def run(binary: Path, chromium: str) -> int:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    notes: list[str] = []
    server = Server(binary)
    listener: StreamListener | None = None
    try:
        server.start()
        print(f"server: {server.base} (pid {server.process.pid}), display {re.sub(r'sig=[^&]+', 'sig=…', server.display_url)}", flush=True)

        # 1. Real traffic.
        for _ in range(3):  # the two polls must fall in one 60 s window
            full_head, full_body, raw = get_wire(server.state_url)
            real = json.loads(raw)
            check(real.get("qr") and real["qr"].get("url"), "the real display state has no QR code "
                  "(is the demo class in its check-in window?)")
            have_head, have_body, raw_have = get_wire(server.state_url + "&have=" + urllib.parse.quote(real["qr"]["url"], safe=""))
            if "svg" not in (json.loads(raw_have).get("qr") or {}):
                break
        else:
            raise Failed("GET /state?have=<the code just served> still carried the SVG (three tries)")
        stub = StubState(real, server.base)
        listener = StreamListener(server.events_url)
        listener.start()
        check(listener.wait_for(1, 10), f"the event stream sent nothing within 10 s {listener.error}")
        floor = Floor(server.base, stub.session_id)

        with sync_playwright() as playwright:
            args = ["--no-sandbox"] if os.geteuid() == 0 else []
            browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=args + ["--disable-dev-shm-usage"])
            try:
                rows, summary = simulate(browser, server, stub, floor, listener, problems, notes)
            finally:
                browser.close()

        # 2. Report.
        base_row = rows[0]
        print()
        print(f"display memory over {MINUTES} simulated minutes ({summary['steps']} steps of {STEP_MS} ms, "
              f"{summary['real_s']:.1f} s real time), Chromium {summary['browser']}")
        print(f"  {'minute':>6}  {'JS heap used KB':>15}  {'Δ KB':>7}  {'Blink heap KB':>13}  {'DOM nodes':>9}  {'listeners':>9}  {'documents':>9}")
        for row in rows:
            delta = (row["heap"] - base_row["heap"]) / 1024
            print(f"  {row['minute']:>6}  {row['heap'] / 1024:>15.1f}  {delta:>+7.1f}  {row['blink'] / 1024:>13.1f}  {row['nodes']:>9}  "
                  f"{row['listeners']:>9}  {row['documents']:>9}")
        print()
        print("bytes on the wire (real server, HTTP/1.1, headers + body):")
        print(f"  state poll, full (with SVG):  {full_head + full_body:>6} B  ({full_head} headers + {full_body} body)")
        print(f"  state poll, have= matching:   {have_head + have_body:>6} B  ({have_head} headers + {have_body} body)")
        frames = list(listener.frames)
        opening = frames[0] if frames else None
        events = [f for f in frames if f[1].startswith(b"event: checkin")]
        beats = [f for f in frames if f[1].startswith(b": keep-alive")]
        if opening:
            print(f"  event stream opening:         {listener.header_bytes + opening[2]:>6} B  ({listener.header_bytes} headers + "
                  f"{opening[2]} chunk, payload {len(opening[1])} B)")
        if events:
            sizes = sorted({(len(p), w) for _, p, w in events})
            print("  SSE `checkin` event frame:    " + ", ".join(f"{p} B payload / {w} B with chunk framing" for p, w in sizes)
                  + f"  ({len(events)} received)")
        else:
            problems.append("no `event: checkin` frame was received on the real event stream")
        if beats:
            print(f"  SSE keep-alive frame:         {len(beats[0][1]):>6} B payload / {beats[0][2]} B with chunk framing "
                  f"(every 15 s real time: {240 * beats[0][2]} B/hour; {len(beats)} received)")
        else:
            notes.append("no keep-alive frame arrived during the run (it comes every 15 s of real time)")
        per_hour = (stub.served_full * (full_head + full_body) + stub.served_have * (have_head + have_body)) * 60 / MINUTES
        print(f"  page's polls in the run: {stub.served_full} full + {stub.served_have} with have= "
              f"→ about {per_hour / 1024:.0f} KB/hour of state polls at the sizes above (stub SVGs {min(stub.svg_bytes)}–{max(stub.svg_bytes)} B)")
        print()
        print(f"QR: {summary['codes']} codes shown, each replaced at most {summary['max_lag_ms'] / 1000:.1f} s after its rotation; "
              f"{summary['stale_steps']} step(s) with #qr.is-stale; {summary['expired_shown']} step(s) with an expired code shown as valid")
        print(f"live events: {floor.count} real check-in/undo events sent, {summary['page_sse']} received by the page; "
              f"event-stream connections opened by the page: {summary['sse_connections']}")

        # 3. Verdict.
        last = rows[-1]
        growth = last["heap"] - base_row["heap"]
        if growth > HEAP_GROWTH_LIMIT * base_row["heap"] and growth > HEAP_GROWTH_LIMIT_BYTES:
            problems.append(f"JS heap grew {growth / 1024:.0f} KB ({100 * growth / base_row['heap']:.0f} %) from minute "
                            f"{base_row['minute']} to {last['minute']} (limit: 20 % and 200 KB)")
        if last["nodes"] > base_row["nodes"] * (1 + NODE_GROWTH_LIMIT):
            problems.append(f"DOM nodes grew {base_row['nodes']} → {last['nodes']} (limit 10 %)")
        for note in notes:
            print(f"note: {note}")
        for warning in summary["warnings"]:
            print(f"warning: {warning}")
    except Failed as error:
        problems.append(str(error))
    except Exception as error:  # noqa: BLE001
        problems.append(f"{type(error).__name__}: {error}")
        traceback.print_exc()
    finally:
        if listener:
            listener.close()
        if problems and server.process is not None:
            print(server.log_tail(), flush=True)
        server.stop()
    if problems:
        print("\nFAILED:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print("\nPASSED: heap and DOM steady, no console or page errors, no expired code shown")
    return 0


def simulate(browser, server: Server, stub: StubState, floor: Floor, listener: StreamListener,
             problems: list[str], notes: list[str]):
    started_real = time.monotonic()
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-GB", timezone_id="Europe/Berlin")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    warnings: list[str] = []
    closing = {"now": False}
    navigations = {"count": 0}
    sse = {"connections": 0, "messages": 0}

    def on_console(message) -> None:
        url = (message.location or {}).get("url") or ""
        if message.type == "error":
            if "404" in message.text and url.endswith("/favicon.ico"):
                return  # the browser's own favicon request; not the display's
            errors.append(f"console.error: {message.text} [{url.replace(server.base, '')}]")
        elif message.type == "warning":
            warnings.append(f"console.warn: {message.text}")

    def on_request(request) -> None:
        if request.url.split("?")[0].endswith("/events"):
            sse["connections"] += 1

    def on_request_failed(request) -> None:
        if not closing["now"]:
            errors.append(f"request failed: {request.method} {request.url.replace(server.base, '').split('?')[0]} ({request.failure})")

    def on_frame_navigated(frame) -> None:
        if frame == page.main_frame:
            navigations["count"] += 1

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught exception: {error}"))
    page.on("request", on_request)
    page.on("requestfailed", on_request_failed)
    page.on("framenavigated", on_frame_navigated)
    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url.replace(server.base, '').split('?')[0]}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)

    # The clock the stub answers with: the end of the step being run (answers to fetches made
    # during a step arrive at its end, like a server one step away), or, before the clock is
    # paused, the fake clock running at real speed.
    clock = {"paused": False, "now": 0, "installed_fake": 0, "installed_real": 0.0}

    def fake_now() -> int:
        if clock["paused"]:
            return clock["now"]
        return clock["installed_fake"] + int((time.time() - clock["installed_real"]) * 1000)

    def answer(route) -> None:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(route.request.url).query)
        state = stub.at(fake_now(), (query.get("have") or [None])[0])
        route.fulfill(status=200, body=json.dumps(state, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                      headers={"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"})

    page.route(STATE_PATH, answer)
    page.add_init_script(FETCH_COUNTER)
    try:
        return steps(page, context, browser, server, stub, floor, listener, problems, notes, clock, sse, navigations, closing,
                     warnings, started_real)
    finally:
        problems.extend(errors)


def steps(page, context, browser, server: Server, stub: StubState, floor: Floor, listener: StreamListener,
          problems: list[str], notes: list[str], clock: dict, sse: dict, navigations: dict, closing: dict,
          warnings: list[str], started_real: float):
    """Opens the display on the fake clock and runs the simulated minutes; returns (rows, summary)."""
    start_ms = int(time.time() * 1000)
    if daily_reload_hit(start_ms, MINUTES, stub.real.get("timezone") or "UTC"):
        start_ms -= 3 * 3600 * 1000
        notes.append("the page clock starts 3 h before real time, so the run misses display.js's daily 04:00 reload")
    clock.update(installed_fake=start_ms, installed_real=time.time())
    page.clock.install(time=start_ms / 1000)

    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")

    response = page.goto(server.display_url, wait_until="load")
    check(response is not None and response.status == 200, f"display page: HTTP {response.status if response else '—'}")
    page.locator("#qr svg").first.wait_for(state="attached")
    check(page.locator("#current").is_visible(), "the display shows no current class")
    # Events stream open (real server), first fetch answered.
    deadline = time.monotonic() + 10
    while sse["connections"] == 0 or page.evaluate("() => window.__fdPendingFetches || 0"):
        check(time.monotonic() < deadline, "the page did not open its event stream and finish its first fetch within 10 s")
        page.wait_for_timeout(20)

    # Pause on a whole second: steps then end on whole seconds, and so do rotations.
    now = page.evaluate("() => Date.now()")
    paused_at = (now // 1000 + 2) * 1000  # ≥ 1 s ahead: pause_at cannot go back in time
    page.clock.pause_at(paused_at / 1000)
    clock.update(paused=True, now=paused_at)
    stub.sim_start_ms = paused_at
    navigations_before = navigations["count"]

    def settle() -> dict:
        deadline = time.monotonic() + 10
        while True:
            probe = page.evaluate(PROBE)
            if probe["pending"] == 0:
                return probe
            check(time.monotonic() < deadline, f"a state fetch did not finish within 10 s (pending {probe['pending']})")
            page.wait_for_timeout(1)

    rows: list[dict] = []
    marks = [WARMUP_MINUTE] + list(range(10, MINUTES + 1, 10))
    if MINUTES not in marks:
        marks.append(MINUTES)
    total_steps = MINUTES * 60000 // STEP_MS
    codes_seen: dict[str, int] = {}
    max_lag = 0
    stale_steps = 0
    expired_shown = 0
    probe = settle()
    for step in range(1, total_steps + 1):
        # A real check-in or undo now and then: its event reaches the page over the real stream.
        if step % (EVENT_EVERY_MINUTES * 60000 // STEP_MS) == 60000 // STEP_MS:
            frames_before = len(listener.frames)
            messages_before = sse["messages"]
            floor.toggle()
            check(listener.wait_for(frames_before + 1, 5), "the real event stream carried no frame for a check-in within 5 s")
            deadline = time.monotonic() + 5
            while page.evaluate("() => window.__fdStreamEvents") <= messages_before and time.monotonic() < deadline:
                page.wait_for_timeout(5)
            sse["messages"] = page.evaluate("() => window.__fdStreamEvents")
            if sse["messages"] <= messages_before:
                problems.append(f"the page's event stream did not deliver the check-in event of step {step} within 5 s")
        clock["now"] = paused_at + step * STEP_MS
        page.clock.run_for(STEP_MS)
        probe = settle()
        check(probe["now"] == clock["now"], f"page clock at {probe['now']}, expected {clock['now']}")

        # Never an expired code shown as valid; every code replaced at its rotation.
        url = probe["url"]
        if url and url not in codes_seen:
            codes_seen[url] = probe["now"]
            if stub.window_of.get(url, -1) >= paused_at:  # (the codes on screen at the start are older)
                max_lag = max(max_lag, probe["now"] - stub.window_of[url])
        if probe["stale"]:
            stale_steps += 1
        else:
            valid_until = stub.valid_until.get(url, probe["validUntil"])
            if not (probe["now"] < valid_until) or probe["svgs"] != 1:
                expired_shown += 1
                if expired_shown <= 3:
                    problems.append(f"step {step}: code {url[-40:]} shown as valid at {iso(probe['now'], True)} "
                                    f"(valid until {iso(int(valid_until), True)}, {probe['svgs']} <svg> in #qr)")
        if probe["svgs"] != 1:
            problems.append(f"step {step}: {probe['svgs']} <svg> elements in #qr")
            break

        minute, rest = divmod(step * STEP_MS, 60000)
        if rest == 0 and minute in marks:
            row = measure(cdp)
            row["minute"] = minute
            rows.append(row)
            print(f"  minute {minute:>2}: heap {row['heap'] / 1024:.1f} KB, Blink {row['blink'] / 1024:.1f} KB, nodes {row['nodes']}, listeners {row['listeners']}, "
                  f"documents {row['documents']}, names {probe['names']}, requests {stub.served_full}+{stub.served_have}", flush=True)
    check(navigations["count"] == navigations_before, "the display page reloaded or navigated during the run")
    expected_codes = MINUTES - 1
    if len(codes_seen) < expected_codes:
        problems.append(f"only {len(codes_seen)} codes were shown in {MINUTES} simulated minutes (expected ≥ {expected_codes})")
    if max_lag > 2000:
        problems.append(f"a new code reached the screen {max_lag / 1000:.1f} s after its rotation")
    if probe["offline"]:
        problems.append("the display shows “Offline — reconnecting” at the end")
    closing["now"] = True
    cdp.detach()
    context.close()
    summary = {
        "steps": total_steps, "real_s": time.monotonic() - started_real, "browser": browser.version,
        "codes": len(codes_seen), "max_lag_ms": max_lag, "stale_steps": stale_steps, "expired_shown": expired_shown,
        "page_sse": sse["messages"], "sse_connections": sse["connections"], "warnings": warnings,
    }
    return rows, summary


def main(argv: list[str]) -> int:
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__)
        return 2
    binary = (Path(argv[1]) if len(argv) == 2 else REPO_ROOT / ".build" / "debug" / "frontdesk").resolve()
    chromium = find_chromium()
    if chromium is None:
        print("display memory SKIPPED: chromium is not installed (apt-get install chromium)")
        return 0
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        print(f"display_memory.py: no frontdesk binary at {binary} (build it with `swift build`)", file=sys.stderr)
        return 1
    if MINUTES < 10:
        print("display_memory.py: FRONTDESK_MEMORY_MINUTES must be at least 10", file=sys.stderr)
        return 2

    def on_timeout(signum, frame):
        raise TimeoutError(f"the measurement took longer than {OVERALL_TIMEOUT_S} s")

    signal.signal(signal.SIGALRM, on_timeout)
    signal.alarm(OVERALL_TIMEOUT_S)
    try:
        return run(binary, chromium)
    finally:
        signal.alarm(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
