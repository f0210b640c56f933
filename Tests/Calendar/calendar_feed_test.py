#!/usr/bin/env python3
"""Calendar feeds read by a real iCalendar parser (issue 19).

Against a real `frontdesk serve --demo` (Europe/Berlin) that sends its e-mail to a real SMTP server
(Tests/SMTPServer/smtp_server.py, aiosmtpd), with Python's `icalendar` reading every feed:

  1. the owner puts two classes at 09:00 Berlin wall-clock on either side of the change to summer
     time (Thursday 25 March and Thursday 1 April 2027); a member books both;
  2. the member makes a feed link on My bookings (the form with its CSRF token) and the feed parses:
     both events at 09:00 in Europe/Berlin, 08:00Z and 07:00Z; the feed's own VTIMEZONE (read by
     icalendar, not the host's zone database) gives the same instants; lines folded at 75 octets,
     CRLF only;
  3. the booking-confirmed e-mail carries a text/calendar attachment with the same UID and SEQUENCE;
  4. moving a class keeps its UID and raises SEQUENCE; cancelling a booking makes it
     STATUS:CANCELLED with a higher SEQUENCE; a new link kills the old URL (404).

Usage: calendar_feed_test.py [path-to-frontdesk-binary]   (default <repo>/.build/debug/frontdesk)
Exit status 0 when every check passed; the last line is "calendar: N passed, N failed".
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
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
from zoneinfo import ZoneInfo

import icalendar

REPO_ROOT = Path(__file__).resolve().parents[2]
BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.timezone.utc
OWNER = ("owner@demo.frontdesk.test", "demo-owner-pass")
MEMBER = ("maya@demo.frontdesk.test", "demo-member-pass")
CSRF = "calendar-test-csrf-0123456789"


class CheckFailed(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, limit_s: float, what: str):
    deadline = time.monotonic() + limit_s
    while True:
        value = condition()
        if value:
            return value
        check(time.monotonic() < deadline, f"{what} not within {limit_s:.0f} s")
        time.sleep(0.1)


class Mailbox:
    """The plain SMTP test server, writing each message as JSON into a directory."""

    def __init__(self, tmp: Path) -> None:
        self.dir = tmp / "mail"
        self.dir.mkdir(parents=True)
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, str(REPO_ROOT / "Tests/SMTPServer/smtp_server.py"), "--mode", "plain", "--port", str(self.port),
             "--outdir", str(self.dir)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        line = self.process.stdout.readline()
        check(line.startswith("READY"), f"the SMTP test server did not start: {line!r}")

    def messages(self) -> list[dict]:
        out = []
        for path in sorted(self.dir.glob("*.json")):
            try:
                out.append(json.loads(path.read_text()))
            except ValueError:
                pass
        return out

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)


class Server:
    """`frontdesk serve --demo` from a private copy of the binary, mail to the Mailbox."""

    def __init__(self, binary: Path, tmp: Path, smtp_port: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        copy = tmp / "frontdesk"
        shutil.copy2(binary, copy)
        env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_") and k != "DATABASE_URL"}
        env.update({
            "FRONTDESK_PUBLIC_DIR": str(REPO_ROOT / "public"), "FRONTDESK_EMAIL_TRANSPORT": "smtp",
            "FRONTDESK_SMTP_HOST": "127.0.0.1", "FRONTDESK_SMTP_PORT": str(smtp_port), "FRONTDESK_SMTP_SECURITY": "none",
            "FRONTDESK_EMAIL_FROM": "studio@demo.frontdesk.test",
        })
        self.stderr = tmp / "server.stderr"
        self.process = subprocess.Popen(
            [str(copy), "serve", "--demo", "--data-dir", str(tmp / "data"), "--host", "127.0.0.1", "--port", str(self.port),
             "--public-base-url", self.base, "--log-level", "warning"],
            cwd=tmp, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(self.stderr, "wb"),
            start_new_session=True)

        def ready():
            check(self.process.poll() is None, f"the server exited: {self.stderr.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=2) as response:
                    return response.status == 200
            except (urllib.error.URLError, OSError):
                return False
        wait_until(ready, 60, "GET /readyz 200")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None,
             form: dict | None = None, headers: dict | None = None) -> tuple[int, dict, str]:
        """(status, headers, body text) of one request; `form` posts as a page form with the cookies."""
        data = None
        request = urllib.request.Request(self.base + path, method=method)
        if body is not None:
            data = json.dumps(body).encode()
            request.add_header("content-type", "application/json")
        if form is not None:
            data = urllib.parse.urlencode({**form, "csrf": CSRF}).encode()
            request.add_header("content-type", "application/x-www-form-urlencoded")
            request.add_header("cookie", f"fd_session={token}; fd_csrf={CSRF}")
        elif token:
            request.add_header("authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, data=data, timeout=15) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode(errors="replace")

    def json(self, method: str, path: str, body: dict | None = None, token: str | None = None, expect: int = 200) -> dict:
        status, _, text = self.call(method, path, body=body, token=token)
        check(status == expect, f"{method} {path}: {status}, wanted {expect}: {text[:300]}")
        return json.loads(text) if text else {}

    def login(self, who: tuple[str, str]) -> str:
        return self.json("POST", "/api/auth/login", {"email": who[0], "password": who[1]})["token"]


def feed_link(server: Server, token: str) -> str:
    status, headers, text = server.call("POST", "/me/bookings/calendar-feed", token=token, form={"action": "new"})
    check(status == 200, f"POST /me/bookings/calendar-feed: {status} {text[:300]}")
    match = re.search(re.escape(server.base) + r"/calendar/[0-9a-f-]{36}/[A-Za-z0-9_-]{43}\.ics", text)
    check(match is not None, "My bookings shows no feed URL after making one")
    return match.group(0)[len(server.base):]


def fetch(server: Server, path: str) -> tuple[str, icalendar.Calendar]:
    status, headers, text = server.call("GET", path)
    check(status == 200, f"GET feed: {status} {text[:200]}")
    check(headers.get("Content-Type") == "text/calendar; charset=utf-8", f"Content-Type {headers.get('Content-Type')}")
    check_wire_format(text)
    return text, icalendar.Calendar.from_ical(text)


def check_wire_format(text: str) -> None:
    raw = text.encode()
    check(raw.endswith(b"\r\n"), "the calendar does not end with CRLF")
    check(b"\n" not in raw.replace(b"\r\n", b""), "a bare LF in the calendar")
    for line in raw.split(b"\r\n"):
        check(len(line) <= 75, f"a line of {len(line)} octets: {line[:80]!r}")


def events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def vtimezone_instant(calendar: icalendar.Calendar, wall: dt.datetime) -> dt.datetime:
    """`wall` (naive, Berlin wall-clock) as an instant by the feed's own VTIMEZONE."""
    zones = [zone for zone in calendar.walk("VTIMEZONE") if str(zone["TZID"]) == "Europe/Berlin"]
    check(len(zones) == 1, f"{len(zones)} VTIMEZONE components for Europe/Berlin")
    tz = zones[0].to_tz(lookup_tzid=False)
    localized = tz.localize(wall) if hasattr(tz, "localize") else wall.replace(tzinfo=tz)
    return localized.astimezone(UTC)


class Results:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def run(self, name: str, fn, *args):
        try:
            value = fn(*args)
            self.passed += 1
            print(f"PASS {name}", flush=True)
            return value
        except Exception as error:  # noqa: BLE001 — every failure is reported, the run goes on or stops below
            self.failed += 1
            print(f"FAIL {name}: {error}", flush=True)
            if not isinstance(error, CheckFailed):
                traceback.print_exc()
            raise


def main() -> int:
    binary = Path(sys.argv[1] if len(sys.argv) > 1 else REPO_ROOT / ".build/debug/frontdesk").resolve()
    if not binary.exists():
        print(f"calendar_feed_test.py: no binary at {binary}", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="frontdesk-calendar-"))
    results = Results()
    mailbox = server = None
    try:
        mailbox = Mailbox(tmp)
        server = Server(binary, tmp, mailbox.port)
        state: dict = {}

        def set_up():
            owner = server.login(OWNER)
            me = server.json("GET", "/api/me", token=owner)
            org = next(m["organizationId"] for m in me["memberships"] if m["role"] == "owner")
            types = server.json("GET", f"/api/orgs/{org}/class-types", token=owner)
            type_id = (types.get("items") or types.get("classTypes") or types)[0]["id"]
            sessions = []
            for start in ("2027-03-25T08:00:00Z", "2027-04-01T07:00:00Z"):
                created = server.json("POST", f"/api/orgs/{org}/sessions", {"classTypeId": type_id, "startsAt": start}, owner,
                                      expect=201)
                server.json("POST", f"/api/sessions/{created['id']}/publish", token=owner)
                sessions.append(created["id"])
            member = server.login(MEMBER)
            bookings = [server.json("POST", f"/api/sessions/{s}/bookings", token=member, expect=201)["id"] for s in sessions]
            state.update(owner=owner, member=member, sessions=sessions, bookings=bookings)
            return f"org {org[:8]}, classes {[s[:8] for s in sessions]}"

        def across_dst():
            path = feed_link(server, state["member"])
            state["path"] = path
            text, calendar = fetch(server, path)
            found = events(calendar)
            expected = {"2027-03-25T08:00:00+00:00", "2027-04-01T07:00:00+00:00"}
            for booking, instant in zip(state["bookings"], sorted(expected)):
                event = found.get(f"booking-{booking}@frontdesk")
                check(event is not None, f"booking {booking} not in the feed: {list(found)}")
                start = event["DTSTART"].dt
                check(start.tzinfo is not None, "DTSTART has no zone")
                check(event["DTSTART"].params.get("TZID") == "Europe/Berlin", f"TZID {event['DTSTART'].params}")
                check(start.astimezone(BERLIN).strftime("%H:%M") == "09:00", f"{start} is not 09:00 in Berlin")
                check(start.astimezone(UTC).isoformat() == instant, f"{start} is not {instant}")
                own = vtimezone_instant(calendar, start.replace(tzinfo=None))
                check(own.isoformat() == instant, f"the feed's VTIMEZONE puts 09:00 on {start.date()} at {own}, not {instant}")
                check(str(event["STATUS"]) == "CONFIRMED" and int(event["SEQUENCE"]) == 0, f"{event['STATUS']} {event['SEQUENCE']}")
            return "09:00 CET (08:00Z) and 09:00 CEST (07:00Z), by zoneinfo and by the feed's VTIMEZONE"

        def mail_attachment():
            def confirmed():
                for message in mailbox.messages():
                    parsed = email.message_from_string(message["raw"], policy=email.policy.default)
                    if MEMBER[0] in str(parsed["To"]) and str(parsed["Subject"]).startswith("Booked:") and "25 March" in str(parsed["Subject"]):
                        return parsed
                return None
            parsed = wait_until(confirmed, 30, "the booking-confirmed e-mail")
            check(parsed.get_content_type() == "multipart/mixed", f"the e-mail is {parsed.get_content_type()}")
            parts = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
            check(len(parts) == 1, f"{len(parts)} text/calendar parts")
            check(parts[0].get_filename() == "class.ics", f"filename {parts[0].get_filename()}")
            check(parts[0].get_param("method") == "PUBLISH", "no method=PUBLISH on the part")
            ics = parts[0].get_payload(decode=True).decode()
            check_wire_format(ics)
            attached = icalendar.Calendar.from_ical(ics)
            check(str(attached["METHOD"]) == "PUBLISH", "METHOD is not PUBLISH")
            (event,) = attached.walk("VEVENT")
            uid = f"booking-{state['bookings'][0]}@frontdesk"
            check(str(event["UID"]) == uid, f"UID {event['UID']} is not the feed's {uid}")
            in_feed = events(fetch(server, state["path"])[1])[uid]
            check(int(event["SEQUENCE"]) == int(in_feed["SEQUENCE"]), "SEQUENCE differs from the feed's")
            check(event["DTSTART"].dt.astimezone(UTC).isoformat() == "2027-03-25T08:00:00+00:00", f"DTSTART {event['DTSTART'].dt}")
            return f"multipart/mixed with class.ics, UID {uid[:20]}…"

        def update_and_cancel():
            first, second = state["sessions"]
            uid1, uid2 = (f"booking-{b}@frontdesk" for b in state["bookings"])
            server.json("PATCH", f"/api/sessions/{first}", {"startsAt": "2027-03-25T09:00:00Z"}, state["owner"])
            moved = events(fetch(server, state["path"])[1])[uid1]
            check(int(moved["SEQUENCE"]) == 1, f"SEQUENCE after the move is {moved['SEQUENCE']}")
            check(moved["DTSTART"].dt.astimezone(BERLIN).strftime("%H:%M") == "10:00", f"moved DTSTART {moved['DTSTART'].dt}")
            server.json("POST", f"/api/bookings/{state['bookings'][1]}/cancel", token=state["member"])
            cancelled = events(fetch(server, state["path"])[1])[uid2]
            check(str(cancelled["STATUS"]) == "CANCELLED", f"STATUS {cancelled['STATUS']}")
            check(int(cancelled["SEQUENCE"]) == 1, f"SEQUENCE after the cancel is {cancelled['SEQUENCE']}")
            again = events(fetch(server, state["path"])[1])
            check(int(again[uid1]["SEQUENCE"]) == 1 and int(again[uid2]["SEQUENCE"]) == 1, "SEQUENCE moved without a change")
            return "same UIDs; SEQUENCE 0 → 1 on a move and on a cancel; CANCELLED"

        def revoke():
            old = state["path"]
            new = feed_link(server, state["member"])
            check(new != old, "the new link is the old one")
            check(server.call("GET", old)[0] == 404, "the old link still answers")
            check(server.call("GET", new)[0] == 200, "the new link does not answer")
            _, headers, _ = server.call("GET", new)
            status, _, _ = server.call("GET", new, headers={"If-None-Match": headers["ETag"]})
            check(status == 304, f"If-None-Match with the ETag: {status}")
            return "old URL 404, new URL 200, 304 on its ETag"

        for name, fn in [("set up: two classes across DST, booked", set_up),
                         ("feed parses, 09:00 Berlin both sides of DST", across_dst),
                         ("booking e-mail carries the same event", mail_attachment),
                         ("updates keep the UID, raise SEQUENCE; cancel is CANCELLED", update_and_cancel),
                         ("a new link revokes the old", revoke)]:
            try:
                detail = results.run(name, fn)
                if detail:
                    print(f"     {detail}", flush=True)
            except Exception:  # noqa: BLE001
                if name.startswith("set up") or name.startswith("feed parses"):
                    break
    finally:
        if server:
            server.stop()
        if mailbox:
            mailbox.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"calendar: {results.passed} passed, {results.failed} failed", flush=True)
    return 0 if results.failed == 0 and results.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
