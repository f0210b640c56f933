#!/usr/bin/env python3
"""attack_test.py — red-team checks against a real `frontdesk serve --demo` (scripts/attack-test.sh).

Starts the built server on a free port with a temporary data directory, repeats each attack of the
security review and asserts that it is refused. Prints one `PASS`/`FAIL` line per check and ends with
exactly `attack-test: N passed, M failed`; exits 1 if any check failed (2 if the server could not be
started at all). Python 3.11 standard library only.

  1. account pre-hijacking: studio creation by members, invitations with a password, invitations that
     reveal an existing account
  2. CSRF bypass by path spelling (`//api/...`, `/api//...`) with cookie authentication
  3. a parallel login race against one account; X-Forwarded-For takes the rightmost hop only
  4. a 1 MB e-mail at login (refused before any database work); login CSRF (text/plain, foreign Origin)
  5. slow-loris request heads, idle keep-alive connections, event streams per display and their end on rotation
  6. the scan landing page: a proof of scan bound to the scanning browser; drafts and other studios' members
     see no class name
  7. /metrics behind its token
  8. publicBaseURL follows --port when not given (a second, short server start)
  9. staff check-in of a member marked no-show: one roster entry

Usage: attack_test.py <path-to-frontdesk-binary>
"""
from __future__ import annotations

import ctypes
import html
import http.client
import json
import os
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

OVERALL_DEADLINE_SECONDS = 90           # a watchdog; the script normally takes well under 30 s
HEAD_TIMEOUT = 2                        # FRONTDESK_REQUEST_HEAD_TIMEOUT_SECONDS
IDLE_TIMEOUT = 3                        # FRONTDESK_IDLE_TIMEOUT_SECONDS
METRICS_TOKEN = "s3cret-attack-test-metrics"   # metricsToken must be >= 16 characters (ServerConfiguration)
LOGIN_FAILURES_PER_ACCOUNT = 10         # the default loginFailuresPerAccount
MAX_STREAMS_PER_DISPLAY = 4             # the default maxStreamsPerDisplay

OWNER = ("owner@demo.frontdesk.test", "demo-owner-pass")
COACH = ("coach@demo.frontdesk.test", "demo-coach-pass")
MAYA = ("maya@demo.frontdesk.test", "demo-member-pass")
JONAS = ("jonas@demo.frontdesk.test", "demo-member-pass")
AIKO = ("aiko@demo.frontdesk.test", "demo-member-pass")
DEMO_NAMES = ["Olivia Owner", "Carlos Coach", "Maya Lindqvist", "Jonas Becker", "Aiko Tanaka"]
STRANGER = ("stranger@other-studio.test", "stranger-pass-123", "Sven Stranger")

PASSED: list[str] = []
FAILED: list[str] = []
SERVERS: list[subprocess.Popen] = []
WORK_DIRS: list[str] = []


def log(message: str) -> None:
    print(message, flush=True)


def check(name: str, ok: bool, detail: str = "") -> bool:
    line = f"{'PASS' if ok else 'FAIL'}: {name}"
    if detail:
        line += f" — {detail}"
    log(line)
    (PASSED if ok else FAILED).append(name)
    return ok


def short(data: bytes | str, limit: int = 300) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


# --- processes --------------------------------------------------------------------------------------

try:
    _PRCTL = ctypes.CDLL(None).prctl      # resolved here, so the child only makes one plain call
except (OSError, AttributeError):
    _PRCTL = None


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when this script dies, however it dies (Linux PR_SET_PDEATHSIG)."""
    if _PRCTL is not None:
        _PRCTL(1, int(signal.SIGTERM))


def stop_servers() -> None:
    for proc in SERVERS:
        if proc.poll() is None:
            proc.terminate()
    for proc in SERVERS:
        try:
            proc.wait(timeout=8)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    SERVERS.clear()


def cleanup() -> None:
    stop_servers()
    for path in WORK_DIRS:
        shutil.rmtree(path, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `frontdesk serve --demo` process; its stdout (the demo banner) is collected by a thread."""

    def __init__(self, binary: str, name: str, public_base_url: bool = True, extra_env: dict | None = None):
        self.dir = tempfile.mkdtemp(prefix=f"frontdesk-attack-{name}.")
        WORK_DIRS.append(self.dir)
        self.data_dir = os.path.join(self.dir, "data")
        self.port = free_port()
        while self.port == 8080:
            self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.binary = binary
        args = [binary, "serve", "--demo", "--data-dir", self.data_dir, "--port", str(self.port)]
        if public_base_url:
            args += ["--public-base-url", self.base]
        self.env = dict(os.environ)
        for key in list(self.env):
            if key.startswith("FRONTDESK_") or key == "DATABASE_URL":
                del self.env[key]
        self.env.update({"FRONTDESK_BCRYPT_COST": "4", "FRONTDESK_LOG_LEVEL": "warning"})
        self.env.update(extra_env or {})
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self.stdout_lines: list[str] = []
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr,
                                     env=self.env, preexec_fn=_die_with_parent)
        SERVERS.append(self.proc)
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self.stdout_lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    @property
    def banner(self) -> str:
        return "\n".join(self.stdout_lines)

    def stderr_tail(self) -> str:
        try:
            with open(self.stderr_path, "rb") as f:
                return short(f.read()[-2000:], 1500)
        except OSError:
            return ""

    def wait_ready(self, timeout: float = 40) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            if "its live state as JSON" in self.banner:
                try:
                    if request(self, "GET", "/healthz", timeout=2).status == 200:
                        return True
                except OSError:
                    pass
            time.sleep(0.1)
        return False

    def cli(self, *args: str, env: dict | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
        full_env = dict(self.env)
        full_env.update(env or {})
        return subprocess.run([self.binary, *args, "--data-dir", self.data_dir, "--log-level", "warning"],
                              stdin=subprocess.DEVNULL, capture_output=True, env=full_env, timeout=timeout)


# --- HTTP -------------------------------------------------------------------------------------------

class Answer:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def code(self) -> str | None:
        data = self.json
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            return data["error"].get("code")
        return None

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def cookies(self) -> dict[str, str]:
        """Cookies this answer sets (name -> value; an empty value for a cleared one)."""
        jar = {}
        for value in self.header_values("Set-Cookie"):
            first = value.split(";", 1)[0]
            if "=" in first:
                k, v = first.split("=", 1)
                jar[k.strip()] = v.strip()
        return jar

    def sets_session_cookie(self) -> bool:
        return bool(self.cookies().get("fd_session"))

    def brief(self) -> str:
        return f"{self.status} {short(self.body, 240)}"


def request(server: Server, method: str, path: str, body: bytes | str | dict | None = None,
            headers: dict | None = None, token: str | None = None, cookies: dict | None = None,
            content_type: str | None = None, timeout: float = 15) -> Answer:
    """One request on a fresh connection; `path` is sent exactly as given (e.g. `//api/...`)."""
    hdrs = {"Connection": "close"}
    data: bytes | None
    if isinstance(body, dict) or isinstance(body, list):
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    elif isinstance(body, str):
        data = body.encode()
    else:
        data = body
    if content_type is not None:
        hdrs["Content-Type"] = content_type
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    if cookies:
        hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    hdrs.update(headers or {})
    if data is None and method in ("POST", "PUT", "PATCH"):
        hdrs.setdefault("Content-Length", "0")
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        payload = resp.read()
        return Answer(resp.status, resp.getheaders(), payload)
    finally:
        conn.close()


def login(server: Server, who: tuple, forwarded_for: str | None = None) -> Answer:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else None
    return request(server, "POST", "/api/auth/login", {"email": who[0], "password": who[1]}, headers=headers)


class Session:
    """A signed-in user: the Bearer token, and the cookies the login set (a browser's jar)."""

    def __init__(self, server: Server, who: tuple):
        answer = login(server, who)
        if answer.status != 200 or not isinstance(answer.json, dict):
            raise RuntimeError(f"login as {who[0]} failed: {answer.brief()}")
        data = answer.json
        self.token = data["token"]
        self.csrf = data["csrfToken"]
        self.user = data["user"]
        self.cookies = {k: v for k, v in answer.cookies().items() if v}


def parse_instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- the checks ------------------------------------------------------------------------------------

class Context:
    pass


def setup(binary: str) -> Context:
    ctx = Context()
    server = Server(binary, "main", extra_env={
        "FRONTDESK_TRUST_FORWARDED_FOR": "true",
        "FRONTDESK_REQUEST_HEAD_TIMEOUT_SECONDS": str(HEAD_TIMEOUT),
        "FRONTDESK_IDLE_TIMEOUT_SECONDS": str(IDLE_TIMEOUT),
        "FRONTDESK_METRICS_TOKEN": METRICS_TOKEN,
    })
    ctx.server = server
    if not server.wait_ready():
        log(f"attack-test: the server did not start (exit {server.proc.poll()}); stderr: {server.stderr_tail()}")
        log(f"attack-test: stdout: {short(server.banner, 1000)}")
        raise SystemExit(2)
    banner = server.banner
    org = re.search(r"organization ([0-9a-fA-F-]{20,})", banner)
    display = re.search(r"signed URL: (\S+)", banner)
    state = re.search(r"its live state as JSON: (\S+)", banner)
    if not (org and display and state):
        log(f"attack-test: unexpected demo banner: {short(banner, 1500)}")
        raise SystemExit(2)
    ctx.org = org.group(1).lower()
    ctx.display_url = display.group(1)
    ctx.state_url = state.group(1)
    parsed = urllib.parse.urlsplit(ctx.display_url)
    ctx.display_id = parsed.path.rstrip("/").split("/")[-1]
    ctx.display_query = parsed.query
    log(f"attack-test: server on {server.base} (data {server.data_dir}), org {ctx.org}, display {ctx.display_id}")

    # A user of another studio, made with the CLI against the same data directory while the server runs.
    ctx.stranger = None
    made = server.cli("user", "add", "--email", STRANGER[0], "--name", STRANGER[2],
                      env={"FRONTDESK_NEW_PASSWORD": STRANGER[1]})
    if made.returncode == 0:
        made = server.cli("org", "create", "--name", "Other Studio", "--timezone", "Europe/Berlin", "--owner", STRANGER[0])
    if made.returncode == 0:
        try:
            ctx.stranger = Session(server, STRANGER[:2])
        except RuntimeError as error:
            log(f"attack-test: note: {error}")
    else:
        log(f"attack-test: note: could not create a second studio with the CLI: {short(made.stdout + made.stderr)}")

    ctx.owner = Session(server, OWNER)
    ctx.maya = Session(server, MAYA)
    ctx.jonas = Session(server, JONAS)
    ctx.aiko = Session(server, AIKO)
    members = request(server, "GET", f"/api/orgs/{ctx.org}/members", token=ctx.owner.token)
    if members.status != 200:
        raise RuntimeError(f"members list: {members.brief()}")
    ctx.members = {m["email"]: m for m in members.json["members"]}
    return ctx


def screen_state(ctx: Context) -> dict:
    path = urllib.parse.urlsplit(ctx.state_url)
    answer = request(ctx.server, "GET", f"{path.path}?{path.query}")
    if answer.status != 200 or not isinstance(answer.json, dict):
        raise RuntimeError(f"display state: {answer.brief()}")
    return answer.json


def check_1_prehijacking(ctx: Context) -> None:
    s = ctx.server
    a = request(s, "POST", "/api/orgs", {"name": "Evil", "timezone": "UTC"}, token=ctx.maya.token)
    check("1 a member cannot create a studio (403 org_creation_disabled)", a.status == 403 and a.code == "org_creation_disabled",
          a.brief())

    members = f"/api/orgs/{ctx.org}/members"
    a = request(s, "POST", members, {"email": "victim@example.com", "name": "V", "password": "attacker-pass-123"},
                token=ctx.owner.token)
    check("1 adding a person with a password is refused (400 password_not_allowed)",
          a.status == 400 and a.code == "password_not_allowed", a.brief())

    a = request(s, "POST", members, {"email": "victim@example.com", "name": "V"}, token=ctx.owner.token)
    existing = DEMO_NAMES + ([STRANGER[2]] if ctx.stranger else [])
    leaked = [n for n in existing if n in a.text]
    ok = a.status == 201 and isinstance(a.json, dict) and isinstance(a.json.get("invitation"), dict) \
        and "userId" not in a.text and not leaked
    check("1 adding a new address answers 201 {invitation} without userId or account names", ok,
          a.brief() + (f" (leaks {leaked})" if leaked else ""))

    statuses = [login(s, ("victim@example.com", pw)).status for pw in ("attacker-pass-123", "any-password-123")]
    check("1 nobody can log in as the invited address before accepting (401)", all(x == 401 for x in statuses),
          f"login statuses {statuses}")

    jonas = ctx.members.get(JONAS[0], {})
    a = request(s, "POST", members, {"email": JONAS[0], "name": "Whoever"}, token=ctx.owner.token)
    leaked = [x for x in (jonas.get("name", "Jonas Becker"), jonas.get("userId")) if x and x in a.text]
    check("1 adding an existing member's address reveals neither name nor user id", not leaked,
          a.brief() + (f" (leaks {leaked})" if leaked else ""))

    if ctx.stranger:
        a = request(s, "POST", members, {"email": STRANGER[0]}, token=ctx.owner.token)
        leaked = [x for x in (STRANGER[2], ctx.stranger.user.get("id")) if x and x in a.text]
        check("1 inviting another studio's user reveals neither name nor user id", not leaked,
              a.brief() + (f" (leaks {leaked})" if leaked else ""))


def pick_future_class(ctx: Context, exclude: set[str]) -> dict | None:
    a = request(ctx.server, "GET", f"/api/orgs/{ctx.org}/sessions", token=ctx.maya.token)
    if a.status != 200:
        raise RuntimeError(f"sessions list: {a.brief()}")
    now = datetime.now(timezone.utc)
    for item in a.json.get("items", []):
        if item.get("status") == "published" and item.get("spotsLeft", 0) > 0 and item["id"] not in exclude \
                and parse_instant(item["startsAt"]) > now + timedelta(hours=2) and not item.get("myBooking"):
            return item
    return None


def csrf_refused(a: Answer) -> bool:
    return (a.status == 403 and a.code == "csrf_failed") or a.status in (404, 415)


def check_2_csrf(ctx: Context, soon_session: str) -> None:
    s = ctx.server
    target = pick_future_class(ctx, {soon_session})
    if target is None:
        check("2 a published future class with free places to book", False, "none found")
        return
    booked = request(s, "POST", f"/api/sessions/{target['id']}/bookings", token=ctx.maya.token)
    if not check("2 setup: the member books a future class (201)", booked.status == 201, booked.brief()):
        return
    booking = booked.json["id"]
    jar = dict(ctx.maya.cookies)       # fd_session + fd_csrf, as a browser would send them; no X-CSRF-Token
    if not jar.get("fd_session"):
        check("2 setup: login sets the fd_session cookie", False, f"cookies {list(jar)}")
        return

    a = request(s, "POST", f"/api/bookings/{booking}/cancel", cookies=jar)
    check("2 cookie cancel without X-CSRF-Token is refused (403 csrf_failed)", a.status == 403 and a.code == "csrf_failed", a.brief())
    for path in (f"//api/bookings/{booking}/cancel", f"/api//bookings/{booking}/cancel"):
        a = request(s, "POST", path, cookies=jar)
        check(f"2 POST {path.replace(booking, '<id>')} by cookie without CSRF token is refused", csrf_refused(a), a.brief())
    a = request(s, "GET", f"/api/bookings/{booking}", token=ctx.maya.token)
    status = (a.json or {}).get("status") if a.status == 200 else None
    check("2 the booking is still active afterwards", status in ("confirmed", "waitlisted"), a.brief())

    owner_jar = dict(ctx.owner.cookies)
    a = request(s, "POST", f"//api/orgs/{ctx.org}/members", body=json.dumps({"email": "csrf-victim@example.com"}),
                content_type="text/plain", cookies=owner_jar)
    check("2 POST //api/orgs/<org>/members (text/plain) by cookie without CSRF token is refused", csrf_refused(a), a.brief())
    a = request(s, "POST", f"//api/orgs/{ctx.org}/members", body={"email": "csrf-victim-json@example.com"}, cookies=owner_jar)
    check("2 POST //api/orgs/<org>/members (JSON) by cookie without CSRF token is refused",
          (a.status == 403 and a.code == "csrf_failed") or a.status == 404, a.brief())
    a = request(s, "GET", f"/api/orgs/{ctx.org}/invitations", token=ctx.owner.token)
    check("2 no invitation was created by the refused requests", a.status == 200 and "csrf-victim" not in a.text,
          f"{a.status}, csrf-victim {'present' if 'csrf-victim' in a.text else 'absent'}")


def check_3_login_race(ctx: Context) -> None:
    s = ctx.server
    attacker = "203.0.113.7"
    count = 30
    barrier = threading.Barrier(count)
    results: list[int | str] = [0] * count

    def attempt(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = login(s, (OWNER[0], f"wrong-password-{i}"), forwarded_for=attacker).status
        except Exception as error:          # reported, counted as neither 401 nor 429
            results[i] = f"error {error!r}"

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    n401 = sum(1 for r in results if r == 401)
    n429 = sum(1 for r in results if r == 429)
    other = [r for r in results if r not in (401, 429)]
    check(f"3 {count} parallel wrong-password logins: at most {LOGIN_FAILURES_PER_ACCOUNT} × 401, the rest 429",
          n401 <= LOGIN_FAILURES_PER_ACCOUNT and n429 >= count - LOGIN_FAILURES_PER_ACCOUNT and not other,
          f"401 × {n401}, 429 × {n429}, other {other}")

    spoof = f"{secrets.randbelow(223) + 1}.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    a = login(s, (OWNER[0], "wrong-password-again"), forwarded_for=f"{spoof}, {attacker}")
    check("3 the limited attacker varying the leftmost X-Forwarded-For hop is still 429", a.status == 429,
          f"X-Forwarded-For: {spoof}, {attacker} → {a.brief()}")
    a = login(s, OWNER, forwarded_for=f"{spoof}, {attacker}")
    check("3 … even with the right password (the pair stays limited)", a.status == 429, a.brief())

    a = login(s, OWNER, forwarded_for="198.51.100.9")
    check("3 the owner from another address still logs in (200)", a.status == 200, a.brief())
    a = login(s, OWNER, forwarded_for="1.2.3.4, 198.51.100.9")
    check("3 the owner with a leftmost hop added (rightmost 198.51.100.9) still logs in (200)", a.status == 200, a.brief())


def database_bytes(server: Server) -> int:
    total = 0
    for suffix in ("", "-wal"):
        try:
            total += os.path.getsize(os.path.join(server.data_dir, "frontdesk.sqlite" + suffix))
        except OSError:
            pass
    return total


def check_4_login_body(ctx: Context) -> None:
    s = ctx.server
    huge = "a" * (1_000_000 - 20) + "@example.com"
    before = database_bytes(s)
    statuses = []
    started = time.monotonic()
    for _ in range(5):
        a = login(s, (huge, "whatever-password"))
        statuses.append(f"{a.status} {a.code}")
    elapsed = time.monotonic() - started
    time.sleep(0.3)
    grown = database_bytes(s) - before
    check("4 a login with a 1 MB e-mail answers 400", all(x.startswith("400 ") for x in statuses), f"{statuses} in {elapsed:.1f}s")
    check("4 … and the database does not grow (≤ 100 KB over 5 attempts)", grown <= 100_000, f"grew by {grown} bytes")

    body = json.dumps({"email": OWNER[0], "password": OWNER[1]})
    a = request(s, "POST", "/api/auth/login", body=body, content_type="text/plain")
    check("4 login CSRF: a text/plain login answers 415 and sets no session cookie",
          a.status == 415 and not a.sets_session_cookie(), a.brief() + f" cookies {list(a.cookies())}")
    a = request(s, "POST", "/api/auth/login", body=body, content_type="application/json", headers={"Origin": "https://evil.example"})
    check("4 login CSRF: a login from Origin https://evil.example answers 403 cross_site_login, no session cookie",
          a.status == 403 and a.code == "cross_site_login" and not a.sets_session_cookie(),
          a.brief() + f" cookies {list(a.cookies())}")


def qr_token(url: str) -> str:
    """The token of the display's QR URL: the compact `/c/<81 digits>` (which `CheckinToken.verify`
    accepts as `token` too) or the long form's `token=` parameter."""
    compact = re.search(r"/c/([0-9]{81})$", url)
    if compact:
        return compact.group(1)
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["token"][0]


def check_6_landing(ctx: Context) -> dict | None:
    """Returns the state of the class whose check-in is open (for check 9)."""
    s = ctx.server
    state = screen_state(ctx)
    if not (state.get("session") and state.get("qr")):
        check("6 setup: the display shows a class with an open check-in and a QR code", False, short(json.dumps(state)))
        return None
    session = state["session"]["id"]
    class_name = state["session"]["className"]
    token = qr_token(state["qr"]["url"])

    a = request(s, "GET", f"/checkin?session={session}&token={urllib.parse.quote(token)}")
    browser = a.cookies().get("fd_browser")
    nxt = re.search(r'name="next"\s+value="([^"]*)"', a.text)
    proof = None
    if nxt:
        proof_q = urllib.parse.parse_qs(urllib.parse.urlsplit(html.unescape(nxt.group(1))).query).get("proof")
        proof = proof_q[0] if proof_q else None
    check("6 unauthenticated scan landing answers the login form and sets fd_browser",
          a.status == 200 and 'id="login-form"' in a.text and bool(browser) and bool(proof),
          f"{a.status}, fd_browser {'set' if browser else 'missing'}, proof {'found' if proof else 'missing'}")
    if proof:
        a = request(s, "POST", f"/api/sessions/{session}/self-checkin", {"proof": proof}, token=ctx.jonas.token)
        check("6 another member using the proof from the login form (no fd_browser) is refused (400 invalid_token)",
              a.status == 400 and a.code == "invalid_token", a.brief())
        if browser:
            a = request(s, "POST", f"/api/sessions/{session}/self-checkin", {"proof": proof}, token=ctx.aiko.token,
                        cookies={"fd_browser": browser})
            check("6 control: the proof checks in from the scanning browser (its fd_browser cookie)", a.status == 200, a.brief())

    # A draft class: its landing page is a 404 that does not name it.
    types = request(s, "GET", f"/api/orgs/{ctx.org}/class-types", token=ctx.owner.token)
    items = (types.json or {}).get("items") or []
    if types.status != 200 or not items:
        check("6 setup: class types", False, types.brief())
    else:
        secret_name = f"Secret Draft {secrets.token_hex(4)}"
        made = request(s, "POST", f"/api/orgs/{ctx.org}/class-types", {"programId": items[0]["programId"], "name": secret_name},
                       token=ctx.owner.token)
        if made.status == 201:
            class_type, draft_name = made.json["id"], secret_name
        else:
            class_type, draft_name = items[0]["id"], items[0]["name"]
        starts = (datetime.now(timezone.utc) + timedelta(days=3)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        draft = request(s, "POST", f"/api/orgs/{ctx.org}/sessions", {"classTypeId": class_type, "startsAt": starts}, token=ctx.owner.token)
        if check("6 setup: the owner creates a draft class", draft.status == 201 and (draft.json or {}).get("status") == "draft",
                 draft.brief()):
            did = draft.json["id"]
            a = request(s, "GET", f"/checkin?session={did}&token={urllib.parse.quote(token)}")
            check("6 the landing page of a draft class is a 404 without its name", a.status == 404 and draft_name not in a.text,
                  f"{a.status}, name {'present' if draft_name in a.text else 'absent'}")
            a = request(s, "GET", f"/checkin?session={did}&token={urllib.parse.quote(token)}", cookies=ctx.maya.cookies)
            check("6 … also for a signed-in member of the studio", a.status == 404 and draft_name not in a.text,
                  f"{a.status}, name {'present' if draft_name in a.text else 'absent'}")

    # A signed-in member of another studio scans a valid code: no class name.
    if ctx.stranger is None:
        log("SKIP: 6 a member of another studio sees no class name (no second studio)")
    else:
        fresh = screen_state(ctx)
        fresh_token = qr_token(fresh["qr"]["url"]) if fresh.get("qr") else token
        a = request(s, "GET", f"/checkin?session={session}&token={urllib.parse.quote(fresh_token)}", cookies=ctx.stranger.cookies)
        check("6 a signed-in member of another studio does not see the class name on the landing page",
              class_name not in a.text and a.status < 500, f"{a.status}, '{class_name}' {'present' if class_name in a.text else 'absent'}")
    return state


def check_9_noshow(ctx: Context, session: str) -> None:
    s = ctx.server
    member = ctx.members.get(MAYA[0])
    if not member:
        check("9 setup: the member's membership id", False, "not in the members list")
        return
    mid = member["membershipId"]
    a = request(s, "POST", f"/api/sessions/{session}/bookings", {"membershipId": mid}, token=ctx.owner.token)
    if not check("9 setup: the owner books the member into the open class", a.status in (200, 201), a.brief()):
        return
    booking = a.json["id"]
    a = request(s, "POST", f"/api/bookings/{booking}/no-show", token=ctx.owner.token)
    if not check("9 setup: the booking is marked no-show", a.status == 200 and (a.json or {}).get("status") == "no_show", a.brief()):
        return
    a = request(s, "POST", f"/api/sessions/{session}/checkin", {"membershipId": mid}, token=ctx.owner.token)
    check("9 staff check-in of the no-show answers 200", a.status == 200, a.brief())
    a = request(s, "GET", f"/api/sessions/{session}/roster", token=ctx.owner.token)
    entries = [e for e in (a.json or {}).get("items", []) if e.get("booking", {}).get("membershipId") == mid]
    statuses = [e["booking"]["status"] for e in entries]
    check("9 the roster lists the member exactly once, attended", a.status == 200 and len(entries) == 1 and statuses == ["attended"],
          f"{a.status}, entries {statuses}")


def check_7_metrics(ctx: Context) -> None:
    s = ctx.server
    a = request(s, "GET", "/metrics")
    check("7 /metrics without the token answers 401", a.status == 401, a.brief())
    a = request(s, "GET", "/metrics", headers={"Authorization": "Bearer wrong-token-0123456789"})
    check("7 /metrics with a wrong token answers 401", a.status == 401, a.brief())
    a = request(s, "GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    check("7 /metrics with the token answers 200", a.status == 200, f"{a.status} ({len(a.body)} bytes)")


def check_5_connections(ctx: Context) -> None:
    s = ctx.server
    partial, idle = [], []
    for _ in range(20):
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        partial.append([sock, time.monotonic(), None])
    for _ in range(10):
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        # Read the whole response (Content-Length), leaving the connection open and idle.
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(4096)
            if not chunk:
                break
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        m = re.search(rb"content-length:\s*(\d+)", head, re.I)
        need = int(m.group(1)) if m else 0
        while len(rest) < need:
            chunk = sock.recv(4096)
            if not chunk:
                break
            rest += chunk
        idle.append([sock, time.monotonic(), None, head.split(b"\r\n", 1)[0]])
    entries = partial + idle
    deadline = time.monotonic() + max(HEAD_TIMEOUT, IDLE_TIMEOUT) + 5 + 1
    while time.monotonic() < deadline and any(e[2] is None for e in entries):
        open_socks = [e[0] for e in entries if e[2] is None]
        ready, _, _ = select.select(open_socks, [], [], 0.2)
        for sock in ready:
            entry = next(e for e in entries if e[0] is sock)
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                entry[2] = time.monotonic() - entry[1]
    for e in entries:
        e[0].close()
    p_times = [e[2] for e in partial]
    i_times = [e[2] for e in idle]
    p_ok = all(t is not None and t <= HEAD_TIMEOUT + 5 for t in p_times)
    i_ok = all(t is not None and t <= IDLE_TIMEOUT + 5 for t in i_times)

    def describe(times):
        closed = [t for t in times if t is not None]
        if not closed:
            return f"0/{len(times)} closed"
        return f"{len(closed)}/{len(times)} closed, after {min(closed):.1f}–{max(closed):.1f}s"
    check(f"5 20 connections with a partial request head are closed within {HEAD_TIMEOUT}+5 s", p_ok, describe(p_times))
    check(f"5 10 idle keep-alive connections are closed within {IDLE_TIMEOUT}+5 s", i_ok,
          describe(i_times) + f"; first answers {sorted(set(e[3].decode('latin-1') for e in idle))}")


class Stream(threading.Thread):
    """A display's event stream read until it ends."""

    def __init__(self, server: Server, path: str):
        super().__init__(daemon=True)
        self.server, self.path = server, path
        self.status = None
        self.opened = threading.Event()
        self.text = ""
        self.ended_at = None
        self.clean = False
        self.error = None
        self.answer = None

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=40)
        try:
            conn.request("GET", self.path, headers={"Accept": "text/event-stream"})
            resp = conn.getresponse()
            self.status = resp.status
            if resp.status != 200:
                self.answer = Answer(resp.status, resp.getheaders(), resp.read())
                self.opened.set()
                return
            while True:
                chunk = resp.read1(65536)
                if not chunk:
                    self.clean = True
                    break
                self.text += chunk.decode("utf-8", "replace")
                if "connected" in self.text:
                    self.opened.set()
        except Exception as error:
            self.error = repr(error)
        finally:
            self.ended_at = time.monotonic()
            self.opened.set()
            conn.close()


def check_5_streams(ctx: Context) -> None:
    s = ctx.server
    path = f"/display/{ctx.display_id}/events?{ctx.display_query}"
    streams = []
    for _ in range(MAX_STREAMS_PER_DISPLAY):
        st = Stream(s, path)
        st.start()
        st.opened.wait(10)
        streams.append(st)
    statuses = [st.status for st in streams]
    if not check(f"5 {MAX_STREAMS_PER_DISPLAY} event streams of one display open (200)", statuses == [200] * MAX_STREAMS_PER_DISPLAY,
                 f"statuses {statuses}"):
        return
    extra = Stream(s, path)             # a thread too: if it is (wrongly) let in, it is an endless stream
    extra.start()
    extra.opened.wait(10)
    a = extra.answer
    check(f"5 stream {MAX_STREAMS_PER_DISPLAY + 1} of the display answers 429 too_many_streams",
          a is not None and a.status == 429 and a.code == "too_many_streams",
          a.brief() if a is not None else f"{extra.status} (a stream was opened)")
    alive = [st.ended_at is None for st in streams]
    rotated_at = time.monotonic()
    a = request(s, "POST", f"/api/orgs/{ctx.org}/displays/{ctx.display_id}/rotate", token=ctx.owner.token)
    if not check("5 setup: the owner rotates the display (200)", a.status == 200, a.brief()):
        return
    new_url = (a.json or {}).get("url")
    if new_url:
        parsed = urllib.parse.urlsplit(new_url)
        ctx.display_query = parsed.query
        ctx.state_url = f"{ctx.server.base}{parsed.path}/state?{parsed.query}"
    for st in streams:
        st.join(timeout=max(0.1, rotated_at + 20 - time.monotonic()))
    ended = [st.ended_at is not None and st.ended_at - rotated_at <= 20 for st in streams]
    details = [f"{st.ended_at - rotated_at:.1f}s{' refresh' if 'event: refresh' in st.text else ''}{'' if st.clean else ' ' + str(st.error)}"
               if st.ended_at else "still open" for st in streams]
    check("5 the open streams (open until the rotation) end within 20 s of rotating the display", all(alive) and all(ended),
          f"open at rotation {alive}; ended {details}")


def check_8_public_base_url(binary: str) -> None:
    server = Server(binary, "baseurl", public_base_url=False)
    try:
        if not server.wait_ready():
            check("8 a server without --public-base-url starts", False, f"exit {server.proc.poll()}: {server.stderr_tail()}")
            return
        banner = server.banner
        display = re.search(r"signed URL: (\S+)", banner)
        want = f"127.0.0.1:{server.port}"
        check(f"8 without --public-base-url the banner names :{server.port}, not :8080", want in banner and ":8080" not in banner,
              short("; ".join(line for line in banner.splitlines() if "http" in line), 400))
        url = display.group(1) if display else ""
        check(f"8 … and so does the display URL", f"{want}/display/" in url, url)
        if url:
            path = urllib.parse.urlsplit(url)
            a = request(server, "GET", f"{path.path}?{path.query}")
            check("8 … which opens the display (200)", a.status == 200, f"{a.status}")
    finally:
        server.proc.terminate()
        try:
            server.proc.wait(timeout=8)
        except subprocess.TimeoutExpired:
            server.proc.kill()


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    binary = os.path.abspath(sys.argv[1])
    if not os.access(binary, os.X_OK):
        log(f"attack-test: {binary} is not an executable; build it first (swift build --build-tests)")
        return 2

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def watchdog():
        time.sleep(OVERALL_DEADLINE_SECONDS)
        log(f"FAIL: attack-test did not finish within {OVERALL_DEADLINE_SECONDS}s; stopping")
        log(f"attack-test: {len(PASSED)} passed, {len(FAILED) + 1} failed")
        try:
            cleanup()
        finally:
            os._exit(1)
    threading.Thread(target=watchdog, daemon=True).start()

    started = time.monotonic()
    try:
        ctx = setup(binary)
        state = screen_state(ctx)
        soon = state["session"]["id"] if state.get("session") else ""
        steps = [
            ("1", lambda: check_1_prehijacking(ctx)),
            ("2", lambda: check_2_csrf(ctx, soon)),
            ("4", lambda: check_4_login_body(ctx)),
            ("6+9", lambda: (lambda st: st and check_9_noshow(ctx, st["session"]["id"]))(check_6_landing(ctx))),
            ("7", lambda: check_7_metrics(ctx)),
            ("5", lambda: check_5_connections(ctx)),
            ("5 streams", lambda: check_5_streams(ctx)),
            ("3", lambda: check_3_login_race(ctx)),
        ]
        for label, step in steps:
            try:
                step()
            except Exception as error:      # a step that blew up is one failed check; the others still run
                check(f"{label} ran to the end", False, repr(error))
        if ctx.server.proc.poll() is not None:
            check("the server kept running through the attacks", False, f"exit {ctx.server.proc.poll()}: {ctx.server.stderr_tail()}")
        stop_servers()
        try:
            check_8_public_base_url(binary)
        except Exception as error:
            check("8 ran to the end", False, repr(error))
    except SystemExit as exit_:
        cleanup()
        if exit_.code == 2:
            log(f"attack-test: {len(PASSED)} passed, {len(FAILED) + 1} failed")
            return 2
        raise
    finally:
        cleanup()
    log(f"attack-test: took {time.monotonic() - started:.0f}s")
    log(f"attack-test: {len(PASSED)} passed, {len(FAILED)} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
