#!/usr/bin/env python3
"""Browser test of the account flows (SPEC §12) at phone width.

Headless Chromium (the system's, through Playwright) against a real `frontdesk serve --demo`, with
the same server, page and screenshot helpers as floor_test.py. The server runs with
FRONTDESK_RUN_JOBS=false so the outbox worker never sends (and clears) the mails: the links are
read from `notification_outbox.payload` in the data dir's SQLite database, as a person would read
them from their inbox.

  1. invite → set password → sign in → book: the demo owner invites newbie@example.com through
     the API; /invite/<token> sets a name and password and signs in; Log out; /login with the new
     password; a class is booked on /schedule and shows on /me/bookings;
  2. scan → sign-in link → checked in: the display's current QR landing URL, opened signed out,
     offers a sign-in link; the link works only in the browser that asked for it (another browser
     is refused before and after) and lands the member checked in;
  3. forgot password: /login → Forgot password? → the password_reset link → a new password →
     logged in with it (and the old one is refused).

Screenshots (390×844, one per step, accounts-*.png) go to $FRONTDESK_SCREENSHOT_DIR (default
<repo>/.build/screenshots), next to the floor test's; only accounts-*.png are replaced.

Usage: accounts_test.py [path-to-frontdesk-binary]     (default <repo>/.build/debug/frontdesk)
Environment: FRONTDESK_SCREENSHOT_DIR, CHROMIUM (path to the browser), FRONTDESK_ACCOUNTS_TIMEOUT
(overall seconds, default 90).

Exit status: 0 when every check passed (or when Chromium is missing: skipped with the reason
printed), 1 when any check failed, 2 on a usage error. The last line is
"browser: N passed, N failed (account flows)".
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from floor_test import (  # noqa: E402  (the floor test's helpers, so both tests behave alike)
    MEMBER_PASSWORD,
    OUT_DIR,
    PHONE,
    REPO_ROOT,
    Results,
    Server,
    api,
    assert_checked_in,
    assert_no_horizontal_overflow,
    check,
    close,
    find_chromium,
    log_in,
    new_page,
    run_flows,
    run_suite,
    screenshot,
)

OVERALL_TIMEOUT_S = int(os.environ.get("FRONTDESK_ACCOUNTS_TIMEOUT", "90"))

OWNER = ("owner@demo.frontdesk.test", "demo-owner-pass")
NEWBIE_EMAIL = "newbie@example.com"
NEWBIE_NAME = "Nina Newbie"
NEWBIE_PASSWORD = "nina-first-pass-1"
NEWBIE_RESET_PASSWORD = "nina-second-pass-2"
LINK_MEMBER = "maya@demo.frontdesk.test"
# The landing turns the scanned code into a proof of scan kept for 10 minutes, so the code only has
# to be good when the landing opens; as in floor_test.py, never start from a code about to rotate.
MIN_QR_REMAINING_S = 8


# ---------------------------------------------------------------------------------------------
# The server's API and its outbox


def outbox_link(server: Server, template: str, email: str, after_id: int = 0, wait_s: float = 5) -> tuple[str, int]:
    """The `link` of the newest `template` mail to `email` queued after outbox rowid `after_id`,
    as a URL on the server's local base; waits (bounded) for it to be queued."""
    db = server.tmp / "data" / "frontdesk.sqlite"
    deadline = time.monotonic() + wait_s
    while True:
        row = None
        if db.exists():
            connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
            try:
                row = connection.execute(
                    "SELECT rowid, payload, status FROM notification_outbox WHERE template = ? AND lower(recipient_email) = ?"
                    " AND rowid > ? ORDER BY rowid DESC LIMIT 1", (template, email.lower(), after_id)).fetchone()
            finally:
                connection.close()
        if row is not None:
            break
        check(time.monotonic() < deadline, f"no {template!r} mail to {email} in notification_outbox within {wait_s:.0f} s")
        time.sleep(0.1)
    rowid, payload, status = row
    link = (json.loads(payload or "{}") or {}).get("link")
    check(bool(link), f"the {template!r} mail to {email} (status {status}) has no link in its payload: {payload}")
    # The link is under the server's publicBaseURL; open it on the local server.
    local = re.sub(r"^https?://[^/]+", server.base, link)
    return local, rowid


def outbox_last_id(server: Server) -> int:
    connection = sqlite3.connect(f"file:{server.tmp / 'data' / 'frontdesk.sqlite'}?mode=ro", uri=True, timeout=5)
    try:
        return connection.execute("SELECT COALESCE(MAX(rowid), 0) FROM notification_outbox").fetchone()[0]
    finally:
        connection.close()


def current_qr_url(server: Server) -> str:
    """The check-in URL the display's QR code shows now (from its /state JSON), at least
    MIN_QR_REMAINING_S before it rotates."""
    path, _, query = server.display_url.partition("?")
    state_url = f"{path}/state?{query}"
    deadline = time.monotonic() + 75
    while True:
        with urllib.request.urlopen(state_url, timeout=10) as response:
            state = json.loads(response.read().decode())
        qr = state.get("qr") or {}
        check(bool(qr.get("url")), f"the display's state has no QR URL (is the demo class in its check-in window?): "
              f"session {state.get('session')}, next {state.get('next')}")
        if qr.get("secondsUntilRotation", 0) >= MIN_QR_REMAINING_S:
            break
        check(time.monotonic() < deadline, "the display's QR code did not rotate within 75 s")
        time.sleep(min(qr.get("secondsUntilRotation", 1) + 0.5, 5))
    url = qr["url"]
    check(re.fullmatch(re.escape(server.base) + r"/c/[0-9]{81}", url) is not None,
          f"the display's QR URL is {url!r}, not the compact {server.base}/c/<81 digits>")
    return url


# ---------------------------------------------------------------------------------------------
# Pages


def shot(page, step: str) -> str:
    path = screenshot(page, f"accounts-{step}.png")
    print(f"      screenshot: {path}", flush=True)
    return str(path)


def main_text(page) -> str:
    main = page.locator("main")
    return " ".join((main.first.inner_text() if main.count() else page.locator("body").inner_text()).split())


def headline(page) -> str:
    return page.locator("main h1").first.inner_text().strip() if page.locator("main h1").count() else ""


def signed_in(page) -> bool:
    return page.locator("header.topbar form[action='/logout'] button").count() == 1


def submit_account_form(page) -> int:
    """Submits #account-form; returns the POST's status (the page follows any redirect)."""
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        with page.expect_navigation(wait_until="load"):
            page.locator("#account-form button[type=submit]").click()
    return posted.value.status


def allow_refused_link(log) -> None:
    """The refused sign-in link is answered 404 on purpose: not an error of that page."""
    log.errors = [e for e in log.errors if not ("/signin/" in e and "404" in e)]


# ---------------------------------------------------------------------------------------------
# The flows


def flow_invite(browser, server: Server, logs: list, results: Results) -> None:
    base = server.base
    state: dict = {}

    def invite_by_api() -> str:
        status, body = api(server, "POST", "/api/auth/login", {"email": OWNER[0], "password": OWNER[1]})
        check(status == 200 and body.get("token"), f"owner API login: HTTP {status} {body}")
        token = body["token"]
        status, me = api(server, "GET", "/api/me", token=token)
        check(status == 200 and me.get("memberships"), f"GET /api/me: HTTP {status} {me}")
        org = me["memberships"][0]["organizationId"]
        state["org"] = org
        status, invitation = api(server, "POST", f"/api/orgs/{org}/invitations",
                                 {"email": NEWBIE_EMAIL, "role": "member", "name": "Nina"}, token=token)
        check(status == 201, f"POST /api/orgs/…/invitations: HTTP {status} {invitation}")
        link, _ = outbox_link(server, "invitation", NEWBIE_EMAIL)
        check(re.search(r"/invite/[A-Za-z0-9_-]{20,}$", link) is not None, f"the invitation link is {link!r}")
        state["invite"] = link
        return f"invitation {invitation.get('id')} ({invitation.get('status')}); link {link.split('/invite/')[0]}/invite/…"

    results.run("invite: the owner invites newbie@example.com (API), the mail's link is in the outbox", invite_by_api, critical=True)

    ctx, page, log = new_page(browser, base, "accounts: invited member", logs, **PHONE)
    try:
        def accept() -> str:
            response = page.goto(state["invite"], wait_until="load")
            check(response is not None and response.status == 200, f"/invite/…: HTTP {response.status if response else '—'}: {main_text(page)[:200]}")
            check(page.locator("#account-page").count() == 1, f"/invite/… has no #account-page: {main_text(page)[:200]}")
            title = headline(page)
            check(title.startswith("Join ") and "Lotus & Iron Studio" in title, f"the invitation page's headline is {title!r}")
            check(NEWBIE_EMAIL in main_text(page), f"the invitation page does not name {NEWBIE_EMAIL}: {main_text(page)[:200]}")
            shot(page, "01-invite")
            page.fill("#name", NEWBIE_NAME)
            page.fill("#password", NEWBIE_PASSWORD)
            status = submit_account_form(page)
            check(status in (302, 303), f"POST /invite/… answered {status}: {main_text(page)[:300]}")
            check(re.search(r"/schedule\?org=" + re.escape(state["org"]), page.url) is not None,
                  f"after accepting, the page is {page.url.replace(base, '')}, not /schedule?org={state['org']}")
            check(signed_in(page), f"after accepting, the page shows no Log out button (not signed in): {main_text(page)[:200]}")
            page.locator("#week").wait_for(state="visible")
            shot(page, "02-invite-accepted-schedule")
            assert_no_horizontal_overflow(page, "schedule (phone)")
            return f"signed in on {page.url.replace(base, '')} ({headline(page)})"

        results.run("invite: /invite/<token> → name and password → signed in on /schedule?org=…", accept, critical=True)

        def log_out() -> str:
            with page.expect_navigation(wait_until="load"):
                page.locator("header.topbar form[action='/logout'] button", has_text="Log out").click()
            check(not signed_in(page), f"after Log out the top bar still has Log out: {page.url}")
            check(page.locator("#login-form").count() == 1, f"after Log out there is no login form on {page.url.replace(base, '')}")
            page.goto(base + "/me/bookings", wait_until="load")
            check(page.locator("#login-form").count() == 1, "after Log out /me/bookings does not ask to log in: " + main_text(page)[:200])
            shot(page, "03-logged-out")
            return f"on {page.url.replace(base, '')}: login form"

        results.run("invite: Log out in the top bar signs out", log_out, critical=True)

        def sign_in_again() -> str:
            page.goto(base + "/login", wait_until="load")
            log_in(page, NEWBIE_EMAIL, NEWBIE_PASSWORD, who="newbie (the password chosen on the invitation)")
            page.wait_for_load_state("load")
            check(signed_in(page), f"after logging in with the new password: not signed in on {page.url}: {main_text(page)[:200]}")
            page.goto(base + "/schedule", wait_until="load")
            page.locator("#week").wait_for(state="visible")
            shot(page, "04-login-schedule")
            return f"signed in; /schedule shows {headline(page)!r}"

        results.run("invite: /login with the new password, /schedule opens", sign_in_again, critical=True)

        def book() -> str:
            card = page.locator("article.class-card", has=page.locator("form[action='/schedule/book']")).first
            check(card.count() == 1, "no bookable class on /schedule this week: " + main_text(page)[:300])
            session_id = card.get_attribute("data-session-id")
            name = card.locator(".class-card__name").inner_text().strip()
            when = card.locator(".class-card__time").inner_text().strip()
            label = card.locator("form[action='/schedule/book'] button").inner_text().strip()
            with page.expect_navigation(wait_until="load"):
                card.locator("form[action='/schedule/book'] button[type=submit]").click()
            flash = page.locator("#flash")
            check(flash.count() == 1, f"after “{label}” there is no flash message on {page.url.replace(base, '')}: {main_text(page)[:300]}")
            flash_text = flash.inner_text().strip()
            check("flash--ok" in (flash.get_attribute("class") or "") and flash_text.startswith("Booked"),
                  f"after “{label}” the flash says {flash_text!r} ({flash.get_attribute('class')})")
            booked = page.locator(f"article.class-card[data-session-id='{session_id}']")
            check(booked.locator("form[action='/schedule/cancel']").count() == 1,
                  f"the booked class card offers no Cancel: {booked.inner_text() if booked.count() else 'card gone'}")
            shot(page, "05-booked")
            page.goto(base + "/me/bookings", wait_until="load")
            rows = page.locator("#upcoming li", has=page.locator(".class-card__name", has_text=name))
            check(rows.count() >= 1, f"/me/bookings does not list {name}: {main_text(page)[:300]}")
            # The same times, spaced differently ("22:23–23:23" on the schedule, "22:23 – 23:23" here).
            bare = lambda text: re.sub(r"\s+", "", text)  # noqa: E731
            texts = rows.all_inner_texts()
            check(any(bare(when) in bare(t) for t in texts), f"/me/bookings lists {name} but not at {when}: {texts}")
            row = next(r for r in (rows.nth(i) for i in range(rows.count())) if bare(when) in bare(r.inner_text()))
            status = row.locator(".status-badge").inner_text().strip()
            check(page.locator("#no-upcoming").count() == 0, "/me/bookings says “Nothing booked”")
            shot(page, "06-my-bookings")
            assert_no_horizontal_overflow(page, "/me/bookings (phone)")
            return f"{name} at {when}: {flash_text!r}; /me/bookings: {' '.join(row.inner_text().split())} [{status}]"

        results.run("invite: a class booked on /schedule shows on /me/bookings", book)
    finally:
        close(ctx, log)


def flow_signin_link(browser, server: Server, logs: list, results: Results) -> None:
    base = server.base
    state: dict = {}
    ctx, page, log = new_page(browser, base, "accounts: sign-in link phone", logs, **PHONE)
    other_ctx, other, other_log = new_page(browser, base, "accounts: another browser", logs, **PHONE)
    try:
        def ask_for_link() -> str:
            qr_url = current_qr_url(server)
            state["qr"] = qr_url
            response = page.goto(qr_url, wait_until="load")
            check(response is not None and response.status == 200, f"the QR landing: HTTP {response.status if response else '—'}")
            check(page.locator("#login-form").count() == 1, "the QR landing opened signed out shows no #login-form: " + main_text(page)[:300])
            check(page.locator("#signin-link-form").count() == 1,
                  "the QR landing opened signed out offers no sign-in link (#signin-link-form): " + main_text(page)[:300])
            shot(page, "07-landing-signed-out")
            state["after"] = outbox_last_id(server)
            page.fill("#link-email", LINK_MEMBER)
            with page.expect_response(lambda r: r.request.method == "POST" and r.url.split("?")[0].endswith("/signin-link")) as posted:
                with page.expect_navigation(wait_until="load"):
                    page.locator("#signin-link-form button[type=submit]").click()
            status = posted.value.status
            title = headline(page)
            check(status == 200 and title == "Check your e-mail", f"POST /signin-link answered {status}: {main_text(page)[:300]}")
            check(any(c["name"] == "fd_browser" for c in ctx.cookies(base)), "no fd_browser cookie after asking for a sign-in link")
            shot(page, "08-signin-link-check-email")
            return f"{title}: {main_text(page)[len(title):].strip()[:160]}"

        results.run("sign-in link: the scanned landing, signed out, e-mails a sign-in link", ask_for_link, critical=True)

        def link_queued() -> str:
            link, _ = outbox_link(server, "signin_link", LINK_MEMBER, after_id=state["after"])
            check(re.search(r"/signin/[A-Za-z0-9_-]{20,}$", link) is not None, f"the sign-in link is {link!r}")
            state["link"] = link
            return f"{link.split('/signin/')[0]}/signin/…"

        results.run("sign-in link: the signin_link mail is in the outbox", link_queued, critical=True)

        def refused_elsewhere(step: str, when: str) -> str:
            response = other.goto(state["link"], wait_until="load")
            title = headline(other)
            check(title == "This sign-in link can't be used",
                  f"the link opened in another browser ({when}) shows {title!r} (HTTP {response.status if response else '—'}): {main_text(other)[:300]}")
            check(not signed_in(other), f"the link opened in another browser ({when}) signed it in")
            shot(other, step)
            detail = f"HTTP {response.status if response else '—'}: {title} — {main_text(other)[len(title):].strip()[:120]}"
            allow_refused_link(other_log)
            other.goto(base + "/me/bookings", wait_until="load")
            check(other.locator("#login-form").count() == 1,
                  f"the other browser ({when}) is signed in after all: /me/bookings shows {main_text(other)[:200]}")
            return detail

        results.run("sign-in link: another browser is refused before it is used",
                    refused_elsewhere, "09-signin-link-other-browser", "before")

        def use_link() -> str:
            page.goto(state["link"], wait_until="commit")
            final = page.locator("main#result:not(.result--pending)")
            final.wait_for(state="attached", timeout=10_000)
            page.wait_for_load_state("load")
            result = page.locator("main#result")
            outcome = {
                "auto_submitted": True,
                "classes": result.get_attribute("class") or "",
                "code": result.get_attribute("data-code") or "",
                "headline": page.locator("main#result h1").inner_text().strip(),
                "message": " ".join(page.locator("main#result p").all_inner_texts()),
            }
            shot(page, "10-signin-link-checked-in")
            check("result--fail" not in outcome["classes"].split(), f"#result has the fail class: {outcome}")
            detail = assert_checked_in(outcome, LINK_MEMBER.split("@")[0])
            check(signed_in(page), "checked in, but the page shows no Log out button")
            assert_no_horizontal_overflow(page, "landing after the sign-in link (phone)")
            return detail

        results.run("sign-in link: opened in the same browser → signed in → landing checks in", use_link)
        results.run("sign-in link: another browser is refused after it was used",
                    refused_elsewhere, "11-signin-link-used-other-browser", "after")
    finally:
        close(ctx, log)
        close(other_ctx, other_log)


def flow_forgot(browser, server: Server, logs: list, results: Results) -> None:
    base = server.base
    state: dict = {}
    ctx, page, log = new_page(browser, base, "accounts: forgot password", logs, **PHONE)
    try:
        def ask() -> str:
            page.goto(base + "/login", wait_until="load")
            with page.expect_navigation(wait_until="load"):
                page.locator("#forgot-link").click()
            check(page.url.split("?")[0] == base + "/forgot", f"#forgot-link went to {page.url}")
            check(headline(page) == "Forgot your password?", f"/forgot headline: {headline(page)!r}")
            shot(page, "12-forgot")
            state["after"] = outbox_last_id(server)
            page.fill("#email", NEWBIE_EMAIL)
            status = submit_account_form(page)
            check(status == 200 and headline(page) == "Check your e-mail", f"POST /forgot answered {status}: {main_text(page)[:300]}")
            shot(page, "13-forgot-check-email")
            return f"{headline(page)}: {main_text(page)[len(headline(page)):].strip()[:140]}"

        results.run("forgot: /login → Forgot password? → “Check your e-mail”", ask, critical=True)

        def reset() -> str:
            link, _ = outbox_link(server, "password_reset", NEWBIE_EMAIL, after_id=state["after"])
            check(re.search(r"/reset/[A-Za-z0-9_-]{20,}$", link) is not None, f"the reset link is {link!r}")
            response = page.goto(link, wait_until="load")
            check(response is not None and response.status == 200 and page.locator("#account-form #password").count() == 1,
                  f"/reset/…: HTTP {response.status if response else '—'}: {main_text(page)[:300]}")
            shot(page, "14-reset")
            page.fill("#password", NEWBIE_RESET_PASSWORD)
            status = submit_account_form(page)
            check(status in (302, 303) and page.locator("#login-form").count() == 1,
                  f"POST /reset/… answered {status}, now on {page.url.replace(base, '')}: {main_text(page)[:300]}")
            shot(page, "15-reset-done-login")
            return f"new password set; now on {page.url.replace(base, '')}"

        results.run("forgot: the password_reset link sets a new password", reset, critical=True)

        def log_in_new() -> str:
            log_in(page, NEWBIE_EMAIL, NEWBIE_RESET_PASSWORD, who="newbie (the reset password)")
            page.wait_for_load_state("load")
            check(signed_in(page), f"not signed in after logging in with the reset password: {page.url}: {main_text(page)[:200]}")
            page.goto(base + "/me/bookings", wait_until="load")
            check(headline(page) == "My bookings", f"/me/bookings after the reset: {main_text(page)[:200]}")
            shot(page, "16-reset-logged-in")
            status, _ = api(server, "POST", "/api/auth/login", {"email": NEWBIE_EMAIL, "password": NEWBIE_PASSWORD})
            check(status in (401, 403), f"the old password still logs in after the reset (API login: HTTP {status})")
            return f"logged in with the new password; the old one is refused (HTTP {status})"

        results.run("forgot: logged in with the new password (the old one refused)", log_in_new)
    finally:
        close(ctx, log)


# ---------------------------------------------------------------------------------------------
# The test


def run(binary: Path, chromium: str, results: Results) -> None:
    # The worker would send the mails and clear their payloads: the test reads the links from them.
    run_flows(binary, chromium, results, (flow_invite, flow_signin_link, flow_forgot))


def main(argv: list[str]) -> int:
    return run_suite(argv, run, "accounts-*.png", " (account flows)", OVERALL_TIMEOUT_S)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
