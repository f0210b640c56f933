#!/usr/bin/env python3
"""Browser test of the check-in floor (issue 6, "Browser tests").

Headless Chromium (the system's, through Playwright) against a real `frontdesk serve --demo`:

  1. the wall display of the seeded studio is screenshotted at 1080p and the PNG is decoded
     with `zbarimg`;
  2. the decoded URL, opened on a phone-sized page and logged in as a member, checks the member
     in (the landing's form must submit itself);
  3. the display page, still open and never reloaded, shows the member within 2 s;
  4. the coach's tablet roster shows the member as checked in;
  5. screenshots of the display, the landing result and the coach roster at phone, tablet and
     1080p sizes are kept in $FRONTDESK_SCREENSHOT_DIR (default <repo>/.build/screenshots).

Usage: floor_test.py [path-to-frontdesk-binary]     (default <repo>/.build/debug/frontdesk)
Environment: FRONTDESK_SCREENSHOT_DIR, CHROMIUM (path to the browser), FRONTDESK_BROWSER_TIMEOUT
(overall seconds, default 150).

Exit status: 0 when every check passed (or when Chromium is missing: skipped with the reason
printed), 1 when any check failed, 2 on a usage error. The last line is "browser: N passed,
N failed".
"""

from __future__ import annotations

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
import urllib.request
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = Path(os.environ.get("FRONTDESK_SCREENSHOT_DIR") or REPO_ROOT / ".build" / "screenshots")
OVERALL_TIMEOUT_S = int(os.environ.get("FRONTDESK_BROWSER_TIMEOUT", "150"))

MEMBER_PASSWORD = "demo-member-pass"
MEMBERS = {  # email -> (full name as on the coach roster, short name as on the wall display)
    "maya@demo.frontdesk.test": ("Maya Lindqvist", "Maya L."),
    "jonas@demo.frontdesk.test": ("Jonas Becker", "Jonas B."),
    "aiko@demo.frontdesk.test": ("Aiko Tanaka", "Aiko T."),
}
COACH = ("coach@demo.frontdesk.test", "demo-coach-pass")

PHONE = dict(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
TABLET = dict(viewport={"width": 1024, "height": 768}, has_touch=True)
FULL_HD = dict(viewport={"width": 1920, "height": 1080})

LIVE_LATENCY_LIMIT_MS = 2000
# The QR window is 60 s (+10 s grace); never start a check-in from a code about to rotate.
MIN_QR_REMAINING_MS = 8000


class CheckFailed(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


# ---------------------------------------------------------------------------------------------
# Results


class Results:
    def __init__(self) -> None:
        self.passed: list[str] = []
        self.failed: list[tuple[str, str]] = []

    def ok(self, name: str, detail: str = "") -> None:
        self.passed.append(name)
        print(f"PASS  {name}" + (f" — {detail}" if detail else ""), flush=True)

    def fail(self, name: str, reason: str) -> None:
        self.failed.append((name, reason))
        print(f"FAIL  {name} — {reason}", flush=True)

    def run(self, name: str, fn, *args, critical: bool = False, **kwargs):
        """Runs one check; returns its value, or None after recording a failure. A failed critical
        check raises so that the checks depending on it are not run."""
        try:
            value = fn(*args, **kwargs)
        except CheckFailed as error:
            self.fail(name, str(error))
            if critical:
                raise
            return None
        except Exception as error:  # a Playwright timeout, a crash in the test itself…
            text = f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
            self.fail(name, text)
            if os.environ.get("FRONTDESK_BROWSER_DEBUG"):
                traceback.print_exc()
            if critical:
                raise CheckFailed(text) from error
            return None
        detail = value if isinstance(value, str) else ""
        self.ok(name, detail)
        return value


# ---------------------------------------------------------------------------------------------
# The server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`frontdesk serve --demo` from a private copy of the binary, in a temp data dir."""

    def __init__(self, binary: Path, extra_env: dict | None = None, wrapper: list[str] | None = None) -> None:
        self.source_binary = binary
        self.extra_env = dict(extra_env or {})  # FRONTDESK_* settings of this run (the caller's own are dropped)
        self.wrapper = list(wrapper or [])  # a command the server runs under (e.g. `timeout N` for libfaketime)
        self.tmp = Path(tempfile.mkdtemp(prefix="frontdesk-browser-"))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.stdout_lines: list[str] = []
        self.stderr_path = self.tmp / "server.stderr"
        self.display_url: str | None = None

    def start(self) -> str:
        # A private copy: the build in the repo may be replaced while we run.
        binary = self.tmp / "frontdesk"
        shutil.copy2(self.source_binary, binary)
        env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_") and k != "DATABASE_URL"}
        env["FRONTDESK_PUBLIC_DIR"] = str(REPO_ROOT / "public")
        env.update(self.extra_env)
        args = self.wrapper + [str(binary), "serve", "--demo", "--data-dir", str(self.tmp / "data"), "--host", "127.0.0.1",
                "--port", str(self.port), "--public-base-url", self.base, "--log-level", "warning"]
        started = time.monotonic()
        self.process = subprocess.Popen(args, cwd=self.tmp, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=open(self.stderr_path, "wb"), text=True, start_new_session=True)
        threading.Thread(target=self._read_stdout, daemon=True).start()
        deadline = started + 60
        while True:
            if self.process.poll() is not None:
                raise CheckFailed(f"server exited with status {self.process.returncode} before it was ready\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            check(time.monotonic() < deadline, f"GET /readyz was not 200 within 60 s\n{self.log_tail()}")
            time.sleep(0.1)
        # The demo lines are printed before the server listens; allow the reader thread a moment.
        url_pattern = re.compile(r"Check-in display \(Loft\), signed URL: (\S+)")
        deadline = time.monotonic() + 10
        while self.display_url is None:
            for line in list(self.stdout_lines):
                if match := url_pattern.search(line):
                    self.display_url = match.group(1)
            if self.display_url is None:
                check(time.monotonic() < deadline, "the demo's signed display URL was not printed:\n" + "".join(self.stdout_lines))
                time.sleep(0.05)
        check(self.display_url.startswith(self.base + "/display/"), f"display URL {self.display_url} is not on {self.base}")
        return f"ready on port {self.port} in {time.monotonic() - started:.1f} s"

    def _read_stdout(self) -> None:
        assert self.process and self.process.stdout
        for line in self.process.stdout:
            self.stdout_lines.append(line)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.stderr_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "server stderr (tail):\n" + "\n".join("  " + line for line in text[-lines:])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                print("warning: the server did not stop within 15 s of SIGTERM; killing it", flush=True)
                self.process.kill()
                self.process.wait(timeout=5)
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Pages


class PageLog:
    """Console errors, page errors, failed requests and error responses of one page."""

    def __init__(self, page, name: str, base: str) -> None:
        self.name = name
        self.base = base
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self.stream_responses: list[tuple[int, str]] = []
        self.closing = False
        self.page = page
        self.navigations = 0
        self.last_navigation = float("-inf")
        self.streams: dict = {}  # request -> (self.navigations, monotonic time) when it started
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught exception: {error}"))
        page.on("request", self._request)
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, message) -> None:
        where = self._short((message.location or {}).get("url") or "")
        if message.type == "error":
            if "404" in message.text and where == "/favicon.ico":
                # The browser asks for /favicon.ico by itself; noted, not failed.
                note = "/favicon.ico is 404 (no favicon in public/, no <link rel=icon>)"
                if note not in self.notes:
                    self.notes.append(note)
                return
            if message.text.startswith("Failed to load resource") and "403" in message.text and where.split("?")[0] == "/login":
                return  # a refused login: reported by the login check
            self.errors.append(f"console.error: {message.text}" + (f" [{where}]" if where else ""))
        elif message.type == "warning":
            self.warnings.append(f"console.warn: {message.text}" + (f" [{where}]" if where else ""))

    def _request(self, request) -> None:
        # A new document being requested ends what the old one still had in flight (ERR_ABORTED): its
        # event streams, and a fragment fetch (the tablet's roster) that an event had just started.
        # A fetch can start in the same moment as the navigation that ends it and be reported just
        # after it: a request started up to half a second before the last navigation counts as the
        # old page's too.
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            self.navigations += 1
            self.last_navigation = time.monotonic()
        else:
            self.streams[request] = (self.navigations, time.monotonic())

    def _request_failed(self, request) -> None:
        if self.closing:
            return  # the event stream (and any poll) is aborted when the page closes
        started = self.streams.get(request)
        if started is not None and "ERR_ABORTED" in (request.failure or ""):
            count, at = started
            if self.navigations > count or at <= self.last_navigation + 0.5:
                return  # a stream or fetch of the previous page, ended by navigating to another page
        self.errors.append(f"request failed: {request.method} {self._short(request.url)} ({request.failure})")

    @property
    def streams_ok(self) -> bool:
        return any(status == 200 and kind.startswith("text/event-stream") for status, kind in self.stream_responses)

    def _response(self, response) -> None:
        if response.url.split("?")[0].endswith("/events"):
            self.stream_responses.append((response.status, response.headers.get("content-type", "")))
        if response.status >= 400 and not (response.request.method == "POST" and response.url.split("?")[0].endswith("/login")):
            # (a refused login is reported by the login check)
            self.errors.append(f"HTTP {response.status}: {response.request.method} {self._short(response.url)}")

    def _short(self, url: str) -> str:
        url = url.replace(self.base, "")
        return re.sub(r"([?&](sig|token|proof)=)[^&]+", r"\1…", url)

    def assert_clean(self) -> str:
        check(not self.errors, f"{self.name}: " + "; ".join(self.errors))
        extra = self.warnings + [f"note: {n}" for n in self.notes]
        return f"{self.name}: no console errors, page errors or failed requests" + (f" ({'; '.join(extra)})" if extra else "")


def api(server: Server, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    """One JSON API call to the server: (HTTP status, the JSON answer, or {"raw": …} when it is not JSON)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server.base + path, data=data, method=method)
    if data is not None:
        request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
            return response.status, (json.loads(text) if text else {})
    except urllib.error.HTTPError as error:
        text = error.read().decode(errors="replace")
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, {"raw": text[:300]}


def new_page(browser, base: str, name: str, logs: list, **context_args):
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Berlin", **context_args)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log = PageLog(page, name, base)
    logs.append(log)
    return context, page, log


def close(context, log) -> None:
    log.closing = True
    context.close()


def screenshot(page, name: str) -> Path:
    path = OUT_DIR / name
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    return path


def zbar_decode(path: Path) -> list[str]:
    result = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, timeout=30)
    # 0: found; 4: nothing found.
    check(result.returncode in (0, 4), f"zbarimg failed on {path.name} (exit {result.returncode}): {result.stderr.strip()}")
    return [line for line in result.stdout.splitlines() if line.strip()]


def open_display(page, url: str) -> None:
    response = page.goto(url, wait_until="load")
    check(response is not None and response.status == 200, f"display page: HTTP {response.status if response else '—'}")
    check(page.locator("#display-error").count() == 0, "the display shows its error page: " + page.locator("body").inner_text()[:200])
    page.locator("#qr svg").first.wait_for(state="visible")
    # display.js must be running: it sets the countdown bar's --progress on its first tick.
    try:
        page.wait_for_function(
            "() => { const bar = document.getElementById('countdown-bar');"
            " return !!bar && bar.style.getPropertyValue('--progress') !== ''; }", timeout=5000)
    except Exception as error:
        asset = page.request.get(page.url.split("/display/")[0] + "/assets/display.js")
        raise CheckFailed("public/assets/display.js did not run on the display page (no countdown progress after 5 s): "
                          f"GET /assets/display.js answers {asset.status}"
                          + (" (missing)" if asset.status == 404 else " (loaded, so the script is broken: see the console)")) from error
    for selector in ("#class-name", "#checked-in-count", "#names", "#qr"):
        check(page.locator(selector).count() == 1, f"display page has no {selector}")
    check(page.locator("#current").is_visible(), "the display shows no current class (#current hidden): is the demo class in its check-in window?")
    check(page.locator("#idle").is_hidden(), "#idle is visible next to the current class")
    check(page.locator("#offline").is_hidden(), "the display shows “Offline — reconnecting”")
    check(page.locator("#qr").evaluate("el => !el.classList.contains('is-stale')"), "the QR code is marked stale (#qr.is-stale)")


def wait_for_fresh_qr(page) -> int:
    """Milliseconds the shown code has left; waits for the next code if it is about to rotate."""
    remaining = page.evaluate("() => Number(document.getElementById('qr').dataset.expiresAt) - Date.now()")
    if remaining < MIN_QR_REMAINING_MS:
        old = page.locator("#qr").get_attribute("data-expires-at")
        page.wait_for_function(
            "old => { const qr = document.getElementById('qr'); return qr.dataset.expiresAt !== old"
            " && qr.querySelector('svg') && !qr.classList.contains('is-stale'); }", arg=old, timeout=MIN_QR_REMAINING_MS + 15_000)
        remaining = page.evaluate("() => Number(document.getElementById('qr').dataset.expiresAt) - Date.now()")
    return remaining


def screenshot_and_decode(page, name: str, base: str) -> tuple[Path, str]:
    wait_for_fresh_qr(page)
    path = screenshot(page, name)
    decoded = zbar_decode(path)
    check(len(decoded) == 1, f"zbarimg decoded {len(decoded)} symbols from {path.name} (expected exactly 1): {decoded}")
    url = decoded[0]
    check(re.fullmatch(re.escape(base) + r"/c/[0-9]{81}", url) is not None,
          f"the QR code in {path.name} decodes to {url!r}, not the compact {base}/c/<81 digits>")
    return path, url


def session_of(url: str) -> str:
    """The class of a check-in URL: the compact `/c/<81 digits>` (its first 16 bytes, in groups of
    7 bytes per 17 digits) or the long `/checkin?session=…&token=…`."""
    if compact := re.search(r"/c/([0-9]{81})$", url):
        digits = compact.group(1)
        raw = b"".join(int(digits[i * 17:(i + 1) * 17]).to_bytes(7, "big") for i in range(3))
        return str(uuid.UUID(bytes=raw[:16]))
    match = re.search(r"[?&]session=([0-9a-fA-F-]{36})", url)
    check(match is not None, f"no session id in {url}")
    return match.group(1).lower()


# Logins refused on the first attempt (and accepted on the retry): reported as one failed check.
FIRST_LOGIN_REFUSALS: list[str] = []


def log_in(page, email: str, password: str, who: str) -> None:
    """Submits the login form shown on the page. A first attempt refused with the form's own
    error is recorded in FIRST_LOGIN_REFUSALS and tried once more, so that one login bug does not
    hide everything after it; a second refusal fails."""
    for attempt in (1, 2):
        form = page.locator("#login-form")
        form.wait_for(state="visible")
        page.fill("#email", email)
        page.fill("#password", password)
        with page.expect_response(lambda r: r.request.method == "POST" and r.url.split("?")[0].endswith("/login")) as posted:
            with page.expect_navigation(wait_until="commit"):
                form.locator("button[type=submit]").click()
        status = posted.value.status
        if status in (302, 303):
            return
        page.wait_for_load_state("load")
        error = page.locator("#login-error").inner_text().strip() if page.locator("#login-error").count() else f"HTTP {status}"
        check(attempt == 1, f"{who}: login refused twice (HTTP {status}): {error}")
        FIRST_LOGIN_REFUSALS.append(f"{who}: POST /login answered {status} “{error}”")


def display_names(page) -> list[str]:
    return page.locator("#names li").all_inner_texts()


def display_count(page) -> int:
    return int(page.locator("#checked-in-count").inner_text().strip())


def watch_display_for(page, short_name: str, count: int) -> None:
    """Records (in the page) the epoch ms at which `short_name` and the count both show."""
    page.evaluate(
        """([name, count]) => {
            window.__fdSeen = null;
            window.__fdWatching = true;  // gone if the page reloads
            const seen = () => {
                const names = Array.from(document.querySelectorAll('#names li')).map(li => li.textContent.trim());
                const shown = Number(document.getElementById('checked-in-count').textContent.trim());
                if (window.__fdSeen === null && names.includes(name) && shown === count) window.__fdSeen = Date.now();
            };
            if (window.__fdObserver) window.__fdObserver.disconnect();
            window.__fdObserver = new MutationObserver(seen);
            window.__fdObserver.observe(document.getElementById('screen'), { subtree: true, childList: true, characterData: true });
            seen();
        }""", [short_name, count])


def check_in_on_landing(page, url: str, email: str, auto_submit_ms: int = 3000) -> dict:
    """Opens a scanned URL signed out, logs in, and returns what happened. The landing's form must
    submit itself; if it has not after `auto_submit_ms`, it is submitted by hand and reported."""
    posted: dict = {}

    def on_response(response) -> None:
        if response.request.method == "POST" and response.url.split("?")[0].endswith("/checkin"):
            timing = response.request.timing
            posted["at_ms"] = timing["startTime"] + max(timing.get("responseEnd", -1), timing.get("responseStart", 0), 0)
            posted["status"] = response.status

    page.on("response", on_response)
    response = page.goto(url, wait_until="load")
    check(response is not None and response.status == 200, f"landing: HTTP {response.status if response else '—'} for the scanned URL")
    check(page.locator("#login-form").count() == 1,
          "the scanned URL opened signed out does not show the login form: " + page.locator("main").first.inner_text()[:200])
    log_in(page, email, MEMBER_PASSWORD, who=email.split("@")[0] + " (fresh phone/browser, from the scanned URL)")
    final = page.locator("main#result:not(.result--pending)")
    auto_submitted = True
    try:
        final.wait_for(state="attached", timeout=auto_submit_ms)
    except Exception:
        pending = page.locator("form#checkin-form[data-auto='1']")
        check(pending.count() == 1, "after logging in there is neither a result nor the check-in form: "
              + page.locator("body").inner_text()[:300])
        auto_submitted = False
        with page.expect_navigation(wait_until="commit"):
            pending.locator("button[type=submit]").click()
        final.wait_for(state="attached")
    page.wait_for_load_state("load")
    result = page.locator("main#result")
    return {
        "auto_submitted": auto_submitted,
        "classes": result.get_attribute("class") or "",
        "code": result.get_attribute("data-code") or "",
        "headline": page.locator("main#result h1").inner_text().strip(),
        "message": " ".join(page.locator("main#result p").all_inner_texts()),
        "posted_at_ms": posted.get("at_ms"),
        "post_status": posted.get("status"),
        "url": page.url,
    }


def assert_checked_in(outcome: dict, who: str) -> str:
    check("result--ok" in outcome["classes"].split() and outcome["code"] == "checked_in",
          f"{who}: the landing shows {outcome['code']!r} / {outcome['headline']!r} ({outcome['message']}), not a fresh check-in")
    check(outcome["headline"] == "You're checked in", f"{who}: headline is {outcome['headline']!r}, expected “You're checked in”")
    check(outcome["auto_submitted"], f"{who}: checked in, but public/assets/checkin.js did not auto-submit "
          "form#checkin-form[data-auto=1] within 3 s (the test clicked “Check me in” itself)")
    return f"{who}: {outcome['headline']} — {outcome['message']}"


def coach_log_in(page, base: str) -> None:
    page.goto(base + "/coach")
    log_in(page, *COACH, who="coach (fresh browser, /coach)")
    page.locator("main.coach-page").wait_for(state="attached")


def coach_open_session(page, session_id: str) -> str:
    """Selects the display's location and class through the tablet's own controls; returns the URL."""
    tile = page.locator(f"a.session-tile[data-session-id='{session_id}']")
    if tile.count() == 0:
        # The tablet starts at the first location by name; the display is at the Loft.
        options = page.locator("#location option").all_inner_texts()
        loft = next((o for o in options if o.strip().startswith("Loft")), None)
        check(loft is not None, f"no Loft location to pick on the tablet (options: {options})")
        page.select_option("#location", label=loft)
        with page.expect_navigation():
            page.locator("form.coach-pick button[type=submit]").click()
    check(tile.count() == 1, f"the tablet lists no class tile for the display's session {session_id} "
          "(is the demo class today in the studio's time zone?)")
    if page.locator(f"section#roster[data-session-id='{session_id}']").count() == 0:
        with page.expect_navigation():
            tile.click()
    page.locator(f"section#roster[data-session-id='{session_id}']").wait_for(state="visible")
    return page.url


def assert_roster_shows(page, full_name: str, attended: int) -> str:
    row = page.locator("#roster li.roster-row[data-status='attended']", has=page.locator(".roster-name", has_text=full_name))
    row.first.wait_for(state="visible", timeout=5000)
    counts = " ".join(page.locator("#roster-counts").inner_text().split())
    check(counts.startswith(f"{attended} checked in"), f"#roster-counts reads {counts!r}, expected “{attended} checked in …”")
    return f"{full_name} is “{row.first.locator('.status-badge').inner_text().strip()}”; counts: {counts}"


def assert_visible(page, *selectors: str) -> None:
    for selector in selectors:
        check(page.locator(selector).first.is_visible(), f"{selector} is not visible")


DISPLAY_PARTS = ("#org-name", "#clock", "#class-name", "#class-meta", "#count", "#names", "#qr", "#countdown", ".scan-hint")


def assert_display_layout(page, what: str) -> str:
    """The wall screen never scrolls: what it shows must be inside the viewport, not on top of
    each other, with the top bar (studio, clock) above the class, and the countdown bar drawn."""
    boxes = page.evaluate(
        """(selectors) => {
            const out = {};
            for (const s of selectors) {
                const el = document.querySelector(s);
                if (!el || el.closest('[hidden]')) continue;
                const r = el.getBoundingClientRect();
                if (r.width > 0 && r.height > 0) out[s] = [r.left, r.top, r.right, r.bottom];
            }
            const bar = document.getElementById('countdown-bar');
            const b = bar ? bar.getBoundingClientRect() : null;
            return { boxes: out, vw: document.documentElement.clientWidth, vh: window.innerHeight,
                     bar: b ? [b.width, b.height] : null };
        }""", list(DISPLAY_PARTS) + ["#names li"])
    problems = []
    vw, vh, rects = boxes["vw"], boxes["vh"], boxes["boxes"]
    for selector, (left, top, right, bottom) in rects.items():
        if left < -1 or right > vw + 1 or top < -1 or bottom > vh + 1:
            problems.append(f"{selector} is cut off by the {vw}×{vh} viewport (box {left:.0f},{top:.0f}–{right:.0f},{bottom:.0f})")
    parts = [s for s in DISPLAY_PARTS if s in rects and s != "#names"] + (["#names li"] if "#names li" in rects else [])
    for i, a in enumerate(parts):
        for b in parts[i + 1:]:
            (al, at, ar, ab), (bl, bt, br, bb) = rects[a], rects[b]
            if min(ar, br) - max(al, bl) > 2 and min(ab, bb) - max(at, bt) > 2:
                problems.append(f"{a} and {b} overlap")
    for top_part in ("#org-name", "#clock"):
        if top_part in rects and "#class-name" in rects and "#qr" in rects:
            above = rects[top_part][3] <= min(rects["#class-name"][1], rects["#qr"][1]) + 1
            if not above:
                problems.append(f"{top_part} is not in a top bar above the class and the QR code (it sits beside them, "
                                f"box {', '.join(f'{v:.0f}' for v in rects[top_part])})")
    bar = boxes["bar"]
    if not bar or bar[0] < 20 or bar[1] < 1:
        problems.append(f"the QR countdown bar #countdown-bar is not drawn (size {bar[0]:.0f}×{bar[1]:.0f} px)" if bar
                        else "no #countdown-bar")
    check(not problems, f"{what}: " + "; ".join(problems))
    return f"{what}: {len(rects)} parts inside the viewport, none overlapping"


def assert_no_horizontal_overflow(page, what: str) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    check(overflow <= 1, f"{what}: the page scrolls sideways ({overflow}px wider than the viewport)")


# ---------------------------------------------------------------------------------------------
# The test


def run(binary: Path, chromium: str, results: Results) -> None:
    from playwright.sync_api import sync_playwright

    server = Server(binary)
    logs: list[PageLog] = []
    try:
        results.run("server: frontdesk serve --demo answers GET /readyz", server.start, critical=True)
        base = server.base
        with sync_playwright() as playwright:
            args = ["--no-sandbox"] if os.geteuid() == 0 else []
            browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=args + ["--disable-dev-shm-usage"])
            print(f"      browser: {chromium} {browser.version}", flush=True)
            try:
                scenario(browser, server, base, logs, results)
            finally:
                for log in logs:
                    log.closing = True
                browser.close()
    except CheckFailed:
        # Recorded; the checks that depend on it were not run. Show what the pages said.
        for log in logs:
            for line in log.errors + log.warnings:
                print(f"      {log.name}: {line}", flush=True)
    finally:
        if results.failed and server.process is not None:
            print(server.log_tail(), flush=True)
        server.stop()


def scenario(browser, server: Server, base: str, logs: list, results: Results) -> None:
    member_email = "maya@demo.frontdesk.test"
    full_name, short_name = MEMBERS[member_email]
    shots: dict = {}

    # 1–2. The wall display at 1080p, its QR code decoded from a screenshot.
    display_ctx, display, display_log = new_page(browser, base, "display 1080p", logs, **FULL_HD)

    def display_1080p() -> str:
        open_display(display, server.display_url)
        path, url = screenshot_and_decode(display, "display-1080p.png", base)
        shots["display"] = path
        shots["qr_url"] = url
        return f"{path} → {re.sub(r'token=[^&]+|/c/[0-9]{81}', lambda m: 'token=…' if m.group(0).startswith('token') else '/c/…', url)}"

    results.run("display 1080p: QR screenshot decodes with zbarimg to the check-in URL", display_1080p, critical=True)
    qr_url = shots["qr_url"]
    session_id = session_of(qr_url)

    def display_session_matches() -> str:
        state = display.evaluate("async () => (await fetch(document.body.dataset.stateUrl, {cache: 'no-store'})).json()")
        check(state.get("session") and state["session"].get("id", "").lower() == session_id,
              f"the decoded session {session_id} is not the display's current class {state.get('session')}")
        class_name = display.locator("#class-name").inner_text().strip()
        check(class_name == state["session"]["className"], f"#class-name {class_name!r} ≠ {state['session']['className']!r}")
        return f"{class_name} ({display.locator('#class-time').inner_text()}), session {session_id}"

    results.run("display 1080p: the decoded code is for the class on the screen", display_session_matches)
    results.run("display 1080p: layout (inside the screen, no overlaps, top bar, countdown bar)",
                assert_display_layout, display, "display 1080p")

    def display_live_and_empty() -> str:
        deadline = time.monotonic() + 5
        while not display_log.streams_ok and time.monotonic() < deadline:
            display.wait_for_timeout(50)
        check(display_log.streams_ok, "the display did not open its event stream (no 200 text/event-stream for "
              f"/display/…/events within 5 s; seen: {display_log.stream_responses})")
        names = display_names(display)
        check(short_name not in names, f"{short_name} is on the display before checking in: {names}")
        return f"event stream open; {display_count(display)} checked in before"

    results.run("display 1080p: live event stream open, member not yet shown", display_live_and_empty, critical=True)
    count_before = display_count(display)
    watch_display_for(display, short_name, count_before + 1)

    # 3. The phone opens the decoded URL signed out, logs in, and is checked in.
    phone_ctx, phone, phone_log = new_page(browser, base, "landing phone", logs, **PHONE)
    outcome = results.run("landing phone: scanned URL → login → checked in",
                          lambda: check_in_on_landing(phone, qr_url, member_email), critical=True)
    screenshot(phone, "landing-phone.png")
    results.run("landing phone: result is “You're checked in”, submitted by checkin.js", assert_checked_in, outcome, short_name)
    results.run("landing phone: layout fits the phone", assert_no_horizontal_overflow, phone, "landing phone")
    print(f"      screenshot: {OUT_DIR / 'landing-phone.png'}", flush=True)

    # 4. The display, never reloaded, shows the member within 2 s.
    def display_live_update() -> str:
        display.wait_for_function("() => typeof window.__fdSeen === 'number'", timeout=15_000, polling=50)
        seen_at = display.evaluate("() => window.__fdSeen")
        posted_at = outcome.get("posted_at_ms")
        check(posted_at is not None, "could not time the check-in POST")
        latency = seen_at - posted_at
        print(f"      live update latency (POST /checkin answered → name on the display): {latency:.0f} ms", flush=True)
        check(latency <= LIVE_LATENCY_LIMIT_MS, f"the display showed {short_name} after {latency:.0f} ms (limit {LIVE_LATENCY_LIMIT_MS} ms)")
        check(display.evaluate("() => window.__fdWatching === true"), "the display page was reloaded")
        check(display.locator("#offline").is_hidden(), "the display shows “Offline — reconnecting”")
        now_count = display_count(display)
        check(now_count == count_before + 1, f"#checked-in-count went {count_before} → {now_count}")
        return f"{short_name} shown after {latency:.0f} ms; #checked-in-count {count_before} → {now_count}; #names {display_names(display)}"

    results.run("display 1080p: shows the member live (≤ 2 s, no reload)", display_live_update)
    screenshot(display, "display-1080p-after.png")
    print(f"      screenshot: {OUT_DIR / 'display-1080p-after.png'}", flush=True)
    close(phone_ctx, phone_log)

    # 5. The coach's tablet.
    tablet_ctx, tablet, tablet_log = new_page(browser, base, "coach tablet", logs, **TABLET)
    roster_url: dict = {}

    def coach_tablet() -> str:
        coach_log_in(tablet, base)
        roster_url["url"] = coach_open_session(tablet, session_id)
        detail = assert_roster_shows(tablet, full_name, 1)
        assert_visible(tablet, "#roster-title", "#roster-counts", "#walkin-q")
        return detail

    results.run("coach tablet: roster shows the member checked in", coach_tablet)
    screenshot(tablet, "coach-tablet.png")
    results.run("coach tablet: layout fits the tablet", assert_no_horizontal_overflow, tablet, "coach tablet")
    close(tablet_ctx, tablet_log)

    # 6. The rest of the size matrix, with two more members checking in from decoded screens.
    expected_attended = 1
    for size_name, size, landing_size_name, landing_size, email in (
        ("tablet", TABLET, "tablet", TABLET, "jonas@demo.frontdesk.test"),
        ("phone", PHONE, "1080p", FULL_HD, "aiko@demo.frontdesk.test"),
    ):
        ctx, page, log = new_page(browser, base, f"display {size_name}", logs, **size)
        decoded: dict = {}

        def display_size(page=page, size_name=size_name) -> str:
            open_display(page, server.display_url)
            assert_visible(page, "#class-name", "#qr svg", "#checked-in-count", "#countdown")
            check(short_name in display_names(page), f"{short_name} is not on the freshly opened display: {display_names(page)}")
            try:
                path, url = screenshot_and_decode(page, f"display-{size_name}.png", base)
            except CheckFailed:
                # Recorded as a failure; the landing screenshot still gets the screen's current
                # code (from its state JSON) so the rest of the matrix runs.
                state = page.evaluate("async () => (await fetch(document.body.dataset.stateUrl, {cache: 'no-store'})).json()")
                decoded["url"] = (state.get("qr") or {}).get("url")
                raise
            decoded["url"] = url
            return f"{path}; QR decodes; names {display_names(page)}"

        results.run(f"display {size_name}: renders, QR decodes", display_size)
        results.run(f"display {size_name}: layout (inside the screen, no overlaps, top bar, countdown bar)",
                    assert_display_layout, page, f"display {size_name}")
        close(ctx, log)
        if not decoded.get("url"):
            continue

        other_full, other_short = MEMBERS[email]
        watch_display_for(display, other_short, display_count(display) + 1)
        lctx, lpage, llog = new_page(browser, base, f"landing {landing_size_name}", logs, **landing_size)

        def landing_size_check(lpage=lpage, email=email, url=decoded["url"], landing_size_name=landing_size_name) -> str:
            result = check_in_on_landing(lpage, url, email)
            screenshot(lpage, f"landing-{landing_size_name}.png")
            detail = assert_checked_in(result, other_short)
            assert_visible(lpage, "main#result h1", "#class-details")
            assert_no_horizontal_overflow(lpage, f"landing {landing_size_name}")
            return detail

        if results.run(f"landing {landing_size_name}: {other_short} checks in from the {size_name} display's QR", landing_size_check) is not None:
            expected_attended += 1

            def display_follows(other_short=other_short) -> str:
                display.wait_for_function("() => typeof window.__fdSeen === 'number'", timeout=5000, polling=50)
                return f"#names {display_names(display)}"

            results.run(f"display 1080p: shows {other_short} live as well", display_follows)
        close(lctx, llog)

    for size_name, size in (("phone", PHONE), ("1080p", FULL_HD)):
        ctx, page, log = new_page(browser, base, f"coach {size_name}", logs, **size)

        def coach_size(page=page, size_name=size_name) -> str:
            coach_log_in(page, base)
            check("url" in roster_url, "the tablet step found no roster URL")
            page.goto(roster_url["url"])
            detail = assert_roster_shows(page, full_name, expected_attended)
            assert_visible(page, "#roster-title", "#roster-counts", ".session-tile.is-selected")
            screenshot(page, f"coach-{size_name}.png")
            assert_no_horizontal_overflow(page, f"coach {size_name}")
            return detail

        results.run(f"coach {size_name}: roster renders", coach_size)
        close(ctx, log)

    def first_logins() -> str:
        check(not FIRST_LOGIN_REFUSALS, f"{len(FIRST_LOGIN_REFUSALS)} first login attempt(s) from a fresh browser were refused "
              "(each went through on the retry): " + "; ".join(FIRST_LOGIN_REFUSALS))
        return "every login went through on the first attempt"

    results.run("login: the first attempt from a fresh browser is accepted", first_logins)

    # 7. No console errors or failed requests on any page (the display above all).
    display.wait_for_timeout(0)  # let pending events be delivered
    for log in logs:
        results.run(f"clean page: {log.name}", log.assert_clean)
    close(display_ctx, display_log)


def find_chromium() -> str | None:
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    return None


def need_zbar() -> str | None:
    """An `extra_setup` for run_suite: the tests that decode QR codes need zbarimg."""
    if shutil.which("zbarimg") is None:
        return "zbarimg is not installed (apt-get install zbar-tools, or scripts/install-deps.sh)"
    return None


def run_flows(binary: Path, chromium: str, results: Results, flows) -> None:
    """The frame of the tests after the floor's: `frontdesk serve --demo` with FRONTDESK_RUN_JOBS=false
    (queued e-mails stay in the outbox, where the tests read them), one headless Chromium, each of
    `flows` (browser, server, logs, results) in turn (a failed critical check ends that flow, not the
    next), then a clean-console check of every page the flows opened."""
    from playwright.sync_api import sync_playwright

    server = Server(binary, extra_env={"FRONTDESK_RUN_JOBS": "false"})
    logs: list = []
    try:
        results.run("server: frontdesk serve --demo (FRONTDESK_RUN_JOBS=false) answers GET /readyz", server.start, critical=True)
        with sync_playwright() as playwright:
            args = ["--no-sandbox"] if os.geteuid() == 0 else []
            browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=args + ["--disable-dev-shm-usage"])
            print(f"      browser: {chromium} {browser.version}", flush=True)
            try:
                for flow in flows:
                    try:
                        flow(browser, server, logs, results)
                    except CheckFailed:
                        pass  # recorded; the flow's later steps depend on it, the next flow does not
                for log in logs:
                    results.run(f"clean page: {log.name}", log.assert_clean)
            finally:
                for log in logs:
                    log.closing = True
                browser.close()
    except CheckFailed:
        for log in logs:
            for line in log.errors + log.warnings:
                print(f"      {log.name}: {line}", flush=True)
    finally:
        if results.failed and server.process is not None:
            print(server.log_tail(), flush=True)
        server.stop()


def run_suite(argv: list[str], run, shots: str | tuple[str, ...], label: str, timeout_s: int, extra_setup=None) -> int:
    """The frame all browser tests share: arguments, Chromium, the binary, a clean screenshot set
    (`shots`, a glob or several: each test replaces only its own), an overall time limit, the
    screenshot list and the closing `browser: N passed, M failed` line (with `label`)."""
    globs = (shots,) if isinstance(shots, str) else shots
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(sys.modules["__main__"].__doc__)
        return 2
    binary = Path(argv[1]) if len(argv) == 2 else REPO_ROOT / ".build" / "debug" / "frontdesk"
    binary = binary.resolve()
    chromium = find_chromium()
    if chromium is None:
        print("browser tests SKIPPED: chromium is not installed (apt-get install chromium)")
        return 0
    results = Results()
    problem = extra_setup() if extra_setup else None
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        results.fail("setup", f"no frontdesk binary at {binary} (build it with `swift build`)")
    elif problem:
        results.fail("setup", problem)
    else:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        for old in {path for pattern in globs for path in OUT_DIR.glob(pattern)}:
            old.unlink()

        def on_timeout(signum, frame):
            raise TimeoutError(f"the browser test took longer than {timeout_s} s")

        signal.signal(signal.SIGALRM, on_timeout)
        signal.alarm(timeout_s)
        started = time.monotonic()
        try:
            run(binary, chromium, results)
        except TimeoutError as error:
            results.fail("time limit", str(error))
        finally:
            signal.alarm(0)
        print(f"      took {time.monotonic() - started:.1f} s", flush=True)
        found = sorted({path for pattern in globs for path in OUT_DIR.glob(pattern)})
        print(f"screenshots ({len(found)}) in {OUT_DIR}:")
        for shot in found:
            print(f"  {shot}")
    if results.failed:
        print("\nfailures:")
        for name, reason in results.failed:
            print(f"  - {name}: {reason}")
    print(f"browser: {len(results.passed)} passed, {len(results.failed)} failed{label}")
    return 1 if results.failed else 0


def main(argv: list[str]) -> int:
    return run_suite(argv, run, "*.png", "", OVERALL_TIMEOUT_S, extra_setup=need_zbar)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
