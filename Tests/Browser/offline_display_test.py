#!/usr/bin/env python3
"""Browser test of the wall display through an outage (issue 19), on a fake clock on both sides.

`frontdesk serve --demo` runs under libfaketime (its clock = real time + an offset the test writes to
a file), and Chromium's page runs on Playwright's clock (installed at the same instant, so both move
at real speed and the test jumps both together). The page reaches the server through a proxy the
test can cut, as a Wi-Fi outage would; the test itself, and the "phone", talk to the server directly.

  1. The display at 1080p: its QR code decodes (zbarimg) to the compact URL `…/c/<81 digits>`, also
     from the screenshot scaled to a quarter of its width and height; the code's version, modules and
     module size in pixels are printed (the figures of docs/displays.md).
  2. The proxy is cut. For three minutes, one window at a time, the screen keeps rotating from the
     codes it holds: each screenshot decodes to the code of that minute's window and class (checked
     from the token's digits and by the server's landing page accepting it), the code is not greyed
     out, and the small "Offline" mark shows (screenshots offline-display-*.png).
  3. In the third minute of the outage a member scans the code on the screen and is checked in (the
     server is up; only the screen is cut off); the first minute's code is refused by then.
  4. The proxy is restored: the mark goes, the screen shows the server's current code and the member
     who checked in during the outage.

Usage: offline_display_test.py [path-to-frontdesk-binary]   (default <repo>/.build/debug/frontdesk)
Needs chromium, zbarimg (zbar-tools) and libfaketime (apt faketime). Screenshots in
$FRONTDESK_SCREENSHOT_DIR (default <repo>/.build/screenshots), offline-display-*.png.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from floor_test import (  # noqa: E402  (the floor test's helpers, so all browser tests behave alike)
    FULL_HD,
    MEMBER_PASSWORD,
    PHONE,
    CheckFailed,
    Results,
    Server,
    check,
    check_in_on_landing,
    close,
    free_port,
    need_zbar,
    new_page,
    open_display,
    run_suite,
    screenshot,
    zbar_decode,
)

FAKETIME_LIBS = ("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
                 "/usr/lib/faketime/libfaketime.so.1")
MEMBER = ("maya@demo.frontdesk.test", "Maya L.")
OUTAGE_MINUTES = 3
TIMEOUT_S = int(os.environ.get("FRONTDESK_BROWSER_TIMEOUT", "300"))
# The long form the screen showed before issue 19, on this test's base URL: version 7 (45 modules).
LONG_FORM_VERSION, LONG_FORM_MODULES = 7, 45


def faketime_lib() -> str | None:
    return next((path for path in FAKETIME_LIBS if os.path.exists(path)), None)


def setup_problem() -> str | None:
    return need_zbar() or (None if faketime_lib() else "libfaketime is not installed (apt-get install faketime)")


# ---------------------------------------------------------------------------------------------
# The server's clock and the cuttable network


class FakeTime:
    """The server's clock offset from real time, in a file libfaketime re-reads on every call."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "faketime"
        self.offset = 0
        self.path.write_text("+0\n")

    def env(self) -> dict:
        return {"LD_PRELOAD": faketime_lib() or "", "FAKETIME_TIMESTAMP_FILE": str(self.path), "FAKETIME_NO_CACHE": "1",
                "FAKETIME_DONT_FAKE_MONOTONIC": "1", "FAKETIME_DONT_RESET": "1"}

    def jump(self, seconds: int) -> None:
        self.offset += seconds
        self.path.write_text(f"+{self.offset}\n")

    def now_ms(self) -> int:
        return int((time.time() + self.offset) * 1000)


class Proxy:
    """A TCP forwarder to the server that can be cut (every connection closed, new ones refused) and restored."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream = upstream_port
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.listener: socket.socket | None = None
        self.up = False

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        with self.lock:
            self.listener, self.up = listener, True
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                if not self.up:
                    client.close()
                    upstream.close()
                    continue
                self.sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        with self.lock:
            self.up = False
            listener, self.listener = self.listener, None
            sockets, self.sockets = self.sockets, set()
        if listener:
            listener.close()
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def restore(self) -> None:
        self.start()


# ---------------------------------------------------------------------------------------------
# The compact token


GROUPS = ((7, 17), (7, 17), (7, 17), (7, 17), (5, 13))


def parse_compact(url: str, base: str) -> tuple[str, int]:
    """(session id, window minute number mod 256) of a compact check-in URL, as the server packs them."""
    prefix = f"{base}/c/"
    check(url.startswith(prefix), f"the QR code holds {url!r}, not the compact {prefix}<81 digits>")
    digits = url[len(prefix):]
    check(len(digits) == 81 and digits.isdigit(), f"the compact token is {digits!r}, not 81 digits")
    raw = b""
    offset = 0
    for size, count in GROUPS:
        value = int(digits[offset:offset + count])
        offset += count
        check(value < 1 << (8 * size), f"a group of {digits} does not fit {size} bytes")
        raw += value.to_bytes(size, "big")
    return str(uuid.UUID(bytes=raw[:16])), raw[16]


def landing_status(server: Server, url: str) -> tuple[int, str]:
    """What the server's landing answers a signed-out phone for `url`: (status, data-code or "login")."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            text = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        text = error.read().decode(errors="replace")
        status = error.code
    if 'id="login-form"' in text:
        return status, "login"
    marker = 'data-code="'
    code = text[text.index(marker) + len(marker):].split('"')[0] if marker in text else "?"
    return status, code


def state(server: Server) -> dict:
    with urllib.request.urlopen(server.display_url.replace("?", "/state?"), timeout=10) as response:
        return json.loads(response.read().decode())


# ---------------------------------------------------------------------------------------------
# The scenario


def qr_figures(page, path: Path, base: str) -> str:
    """Version, modules and module size of the code on screen; zbarimg on the screenshot scaled to a quarter."""
    box = page.locator("#qr svg").first.bounding_box()
    view = page.locator("#qr svg").first.get_attribute("viewBox") or ""
    check(box is not None and view.count(" ") == 3, f"the QR SVG has no box or viewBox ({view!r})")
    total = float(view.split()[2])  # modules + 2 × 4 quiet zone
    modules = int(total) - 8
    version = (modules - 17) // 4
    module_px = box["width"] / total
    old_px = box["width"] / (LONG_FORM_MODULES + 8)
    # The screenshot at a quarter of its width and height (480 × 270), scaled by Chromium, then zbarimg.
    quarter = page.context.browser.new_page(viewport={"width": 480, "height": 270})
    try:
        data = base64.b64encode(path.read_bytes()).decode()
        quarter.set_content(f'<body style="margin:0"><img src="data:image/png;base64,{data}" style="width:480px;height:auto;display:block"></body>')
        quarter.wait_for_function("() => document.images[0] && document.images[0].complete")
        small = path.with_name("offline-display-quarter.png")
        quarter.screenshot(path=str(small), clip={"x": 0, "y": 0, "width": 480, "height": 270})
    finally:
        quarter.close()
    decoded = zbar_decode(small)
    check(len(decoded) == 1, f"zbarimg read {decoded} from the quarter-size screenshot {small.name}")
    parse_compact(decoded[0], base)
    return (f"version {version}, {modules}×{modules} modules, {module_px:.1f} px a module on the 1080p screen "
            f"(the long form: version {LONG_FORM_VERSION}, {LONG_FORM_MODULES} modules, {old_px:.1f} px); "
            f"read at 480×270 ({module_px / 4:.1f} px a module)")


def scenario(browser, server: Server, proxy: Proxy, clock: FakeTime, results: Results) -> None:
    logs: list = []
    context, page, log = new_page(browser, proxy.base, "display", logs, **FULL_HD)
    page.clock.install(time=clock.now_ms() / 1000)
    display_url = server.display_url.replace(server.base, proxy.base)
    first_state: dict = {}

    def opened() -> str:
        with page.expect_response(lambda r: "/state" in r.url and r.status == 200, timeout=15_000) as answer:
            open_display(page, display_url)
        first_state.update(answer.value.json())
        ahead = first_state.get("ahead") or []
        check(len(ahead) == 5, f"the state holds {len(ahead)} codes ahead, expected 5")
        return f"5 codes held ahead, windows {[a['windowStart'][11:16] for a in ahead]}"

    results.run("offline display: opened through the proxy, codes held ahead", opened, critical=True)
    session_id = first_state["session"]["id"]

    def online_code() -> str:
        path = screenshot(page, "offline-display-online.png")
        decoded = zbar_decode(path)
        check(len(decoded) == 1, f"zbarimg read {decoded} from {path.name}")
        parse_compact(decoded[0], server.base)
        return qr_figures(page, path, server.base)

    results.run("offline display: compact code at 1080p, and at a quarter of the resolution", online_code)

    # The outage: the screen's network is cut; the test moves both clocks to the middle of each next window.
    proxy.cut()
    page.clock.run_for(7_000)  # the failed polls and the dropped event stream show the mark
    clock.jump(7)

    def marked() -> str:
        page.locator("#offline").wait_for(state="visible", timeout=5_000)
        return "“" + page.locator("#offline").inner_text().strip() + "”"

    results.run("offline display: the offline mark shows once the server is unreachable", marked)
    shown: list[tuple[int, str]] = []

    def minute(step: int) -> str:
        now = clock.now_ms() // 1000
        target = (now // 60 + 1) * 60 + 20  # 20 s into the next window
        for _ in range((target - now) // 5):
            page.clock.run_for(5_000)
            clock.jump(5)
        rest = target - clock.now_ms() // 1000
        if rest > 0:
            page.clock.run_for(rest * 1000)
            clock.jump(rest)
        page.wait_for_timeout(300)  # real time for the page to paint
        window = (clock.now_ms() // 1000 // 60) * 60
        expires = int(page.locator("#qr").get_attribute("data-expires-at") or 0)
        check(expires == (window + 60) * 1000, f"minute {step}: the screen's code expires at {expires}, not at its window's end {(window + 60) * 1000}")
        check(not page.locator("#qr").evaluate("el => el.classList.contains('is-stale')"), f"minute {step}: the code is greyed out")
        check(page.locator("#offline").is_visible(), f"minute {step}: the offline mark is gone while the network is cut")
        path = screenshot(page, f"offline-display-minute-{step}.png")
        decoded = zbar_decode(path)
        check(len(decoded) == 1, f"minute {step}: zbarimg read {decoded} from {path.name}")
        url = decoded[0]
        code_session, minute_byte = parse_compact(url, server.base)
        check(code_session == session_id, f"minute {step}: the code is for class {code_session}, the screen shows {session_id}")
        check(minute_byte == (window // 60) % 256, f"minute {step}: the code is for minute {minute_byte} mod 256, not {(window // 60) % 256}")
        check(all(url != earlier for _, earlier in shown), f"minute {step}: the same code as an earlier minute")
        status, code = landing_status(server, url)
        check((status, code) == (200, "login"), f"minute {step}: the server refuses the code shown in its own window: {status} {code}")
        shown.append((window, url))
        return f"{time.strftime('%H:%M', time.gmtime(window))} window: the right code, accepted by the server in its window"

    for step in range(1, OUTAGE_MINUTES + 1):
        results.run(f"offline display: minute {step} of the outage", minute, step, critical=True)

    phone_context, phone, phone_log = new_page(browser, server.base, "phone", logs, **PHONE)
    phone.clock.install(time=clock.now_ms() / 1000)

    def scanned() -> str:
        outcome = check_in_on_landing(phone, shown[-1][1], MEMBER[0])
        check(outcome["code"] in ("checked_in", "already_checked_in"), f"the code shown in minute 3 did not check in: {outcome}")
        status, code = landing_status(server, shown[0][1])
        check((status, code) == (409, "token_expired"), f"the first minute's code is still accepted two minutes later: {status} {code}")
        return f"{outcome['headline']}; the first outage minute's code is now {status} {code}"

    results.run("offline display: a code shown during the outage checks a member in within its window", scanned)
    close(phone_context, phone_log)

    def back() -> str:
        proxy.restore()
        deadline = time.monotonic() + 20
        while page.locator("#offline").is_visible():
            check(time.monotonic() < deadline, "the offline mark is still shown 20 s after the server came back")
            page.clock.run_for(1_000)
            clock.jump(1)
            page.wait_for_timeout(200)
        current = state(server)
        page.wait_for_function("url => document.getElementById('qr').dataset.url === url", arg=current["qr"]["url"], timeout=10_000)
        names = page.locator("#names li").all_inner_texts()
        check(MEMBER[1] in names, f"the screen shows {names}, without {MEMBER[1]} who checked in during the outage")
        path = screenshot(page, "offline-display-back.png")
        decoded = zbar_decode(path)
        check(decoded == [current["qr"]["url"]], f"after the outage the screen shows {decoded}, the server {current['qr']['url']}")
        return f"mark gone, the server's current code, names {names}"

    results.run("offline display: catches up when the server answers again", back)
    close(context, log)
    for page_log in logs:
        page_log.errors = [e for e in page_log.errors if "net::ERR_" not in e]  # the outage itself
        results.run(f"clean page: {page_log.name}", page_log.assert_clean)


def run(binary: Path, chromium: str, results: Results) -> None:
    from playwright.sync_api import sync_playwright

    # Under `timeout`: started straight from Python with libfaketime preloaded, the server saw none of its
    # arguments (it listened on the default port); started by another program, it does.
    server = Server(binary, wrapper=["timeout", "--signal=TERM", str(TIMEOUT_S + 60)])
    clock = FakeTime(server.tmp)
    server.extra_env.update(clock.env())
    proxy = Proxy(server.port)
    try:
        results.run("server: frontdesk serve --demo under libfaketime answers GET /readyz", server.start, critical=True)
        proxy.start()
        with sync_playwright() as playwright:
            args = ["--no-sandbox"] if os.geteuid() == 0 else []
            browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=args + ["--disable-dev-shm-usage"])
            try:
                scenario(browser, server, proxy, clock, results)
            except CheckFailed:
                pass
            finally:
                browser.close()
    except CheckFailed:
        pass
    finally:
        proxy.cut()
        if results.failed and server.process is not None:
            print(server.log_tail(), flush=True)
        server.stop()


def main(argv: list[str]) -> int:
    return run_suite(argv, run, "offline-display-*.png", " (offline display)", TIMEOUT_S, extra_setup=setup_problem)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
