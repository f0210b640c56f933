#!/usr/bin/env python3
"""Browser test of the back office's displays, notifications and audit pages, walked as the demo owner.

Headless Chromium against a real `frontdesk serve --demo` (FRONTDESK_RUN_JOBS=false, so queued
e-mails stay in the outbox), with the floor test's server, page and screenshot helpers and the
admin test's axe-core check:

  1. displays: create a display for the Loft; the page shows its signed URL and a QR code, and a
     screenshot of the code decodes with `zbarimg` to exactly that URL; the URL opens the wall
     screen, after which the display reads "Online"; rotate: a new URL, and the old one is refused
     (403 invalid_display_url);
  2. notifications: a dead e-mail of the studio (written into the database as the worker would
     leave it) is listed with its error; Retry makes it pending;
  3. audit: suspend and reactivate a member from their page, follow "Audit log of this member",
     see both actions; filter by action;
  4. the three pages at 1920×1080 and 390×844: screenshots (.build/screenshots/admin-ops-*.png), no
     sideways scrolling on the phone, axe-core with no serious or critical violation, and no console
     errors, page errors or failed requests anywhere.

Usage: admin_ops_test.py [path-to-frontdesk-binary]     (default <repo>/.build/debug/frontdesk)
Environment: FRONTDESK_SCREENSHOT_DIR, CHROMIUM, FRONTDESK_ADMIN_OPS_TIMEOUT (overall seconds, default 150).
The last line is "browser: N passed, N failed (admin displays, notifications, audit)".
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from admin_test import axe_check, count, flash, submit  # noqa: E402
from floor_test import (  # noqa: E402
    FULL_HD,
    OUT_DIR,
    PHONE,
    CheckFailed,
    Results,
    Server,
    assert_no_horizontal_overflow,
    check,
    close,
    log_in,
    new_page,
    run_suite,
    screenshot,
    zbar_decode,
)

OVERALL_TIMEOUT_S = int(os.environ.get("FRONTDESK_ADMIN_OPS_TIMEOUT", "150"))
OWNER = ("owner@demo.frontdesk.test", "demo-owner-pass")
PAGES = [("displays", "/admin/displays"), ("notifications", "/admin/notifications"), ("audit", "/admin/audit")]


def dead_message(server: Server, org: str) -> str:
    """A dead e-mail of the studio to Maya, as the worker leaves one after its last attempt."""
    message = str(uuid.uuid4())
    now = int(time.time())
    with sqlite3.connect(str(server.tmp / "data" / "frontdesk.sqlite"), timeout=10) as db:
        db.execute(
            """
            INSERT INTO notification_outbox (id, organization_id, user_id, channel, template, payload, dedupe_key, status,
                attempts, available_at, last_error, created_at)
            SELECT ?, ?, u.id, 'email', 'booking_confirmed', '{}', ?, 'dead', 8, ?, '550 5.1.1 mailbox unavailable', ?
            FROM users u WHERE u.email = 'maya@demo.frontdesk.test'
            """,
            (message, org, "browser-test:" + message, now, now),
        )
    return message


def walk(browser, server: Server, logs: list, results: Results) -> None:
    base = server.base
    org = None
    context, page, log = new_page(browser, base, "owner 1920×1080", logs, **FULL_HD)
    try:
        def login() -> str:
            page.goto(base + "/admin/displays")
            log_in(page, *OWNER, who="owner")
            page.wait_for_load_state("load")
            check(page.url.split("?")[0].endswith("/admin/displays"), f"after the login the browser is at {page.url}")
            check(page.locator("#nav-displays[aria-current=page]").count() == 1, "the displays section is not marked current")
            return "the login form returned to /admin/displays"

        results.run("owner: log in to the displays page", login, critical=True)
        org = page.locator("input[name=org]").first.get_attribute("value")
        state: dict = {}

        def create_display() -> str:
            page.select_option("#display-location", label="Loft (Mitte)")
            page.fill("#display-name", "Entrance tablet")
            submit(page, "#display-form")
            check(flash(page).startswith("Display created."), f"flash after creating: {flash(page)!r}")
            display = count(server, "SELECT COUNT(*) FROM displays WHERE name = 'Entrance tablet' AND revoked_at IS NULL")
            check(display == 1, f"{display} display rows named Entrance tablet")
            row = page.locator("li.display-row", has_text="Entrance tablet")
            display_id = row.get_attribute("data-display-id")
            check(page.locator(f"#setup-{display_id}").get_attribute("open") is not None, "the new display's set-up is not open")
            url = page.input_value(f"#url-{display_id}")
            check(url.startswith(f"{base}/display/{display_id}?exp="), f"the shown URL {url!r} is not the display's")
            check(page.locator(f"#presence-{display_id}").inner_text().strip() == "Never seen", "a new display is not 'Never seen'")
            state.update(id=display_id, url=url)
            return f"display {display_id[:8]}…, signed URL shown"

        results.run("displays: create a display for the Loft", create_display, critical=True)

        def qr_decodes() -> str:
            shot = screenshot(page, "admin-ops-displays-created-1080p.png")
            code = OUT_DIR / "admin-ops-display-qr.png"
            page.locator(f"#qr-{state['id']} svg").screenshot(path=str(code))
            decoded = zbar_decode(code)
            check(decoded == [state["url"]], f"zbarimg read {decoded} from the QR, the page shows {state['url']}")
            whole = zbar_decode(shot)
            check(state["url"] in whole, f"zbarimg read {whole} from the full-page screenshot")
            return f"{code.name} and {shot.name} decode to the shown URL"

        results.run("displays: the QR code decodes (zbarimg) to the shown URL", qr_decodes)

        def online() -> str:
            screen = context.new_page()
            screen.goto(state["url"])
            check(screen.locator("body.display").count() == 1, "the display URL does not open the wall screen")
            screen.close()
            page.reload()
            presence = page.locator(f"#presence-{state['id']}").inner_text().strip()
            check(presence == "Online", f"after the screen opened, the display reads {presence!r}")
            return "the screen opened; the display reads Online"

        results.run("displays: opening the URL makes the display online", online)

        def rotate() -> str:
            old = state["url"]
            submit(page, f"#setup-{state['id']} form[action$='/rotate']")
            check(flash(page).startswith("New link made."), f"flash after rotating: {flash(page)!r}")
            new = page.input_value(f"#url-{state['id']}")
            check(new != old and new.startswith(f"{base}/display/{state['id']}?"), f"the URL after rotating is {new!r}")
            versions = count(server, "SELECT key_version FROM displays WHERE id = ?", state["id"])
            check(versions == 2, f"key version {versions} after rotating")
            refused = page.request.get(old.replace("?", "/state?"))
            check(refused.status == 403 and "invalid_display_url" in refused.text(), f"the old URL answered {refused.status}")
            accepted = page.request.get(new.replace("?", "/state?"))
            check(accepted.status == 200, f"the new URL answered {accepted.status}")
            code = OUT_DIR / "admin-ops-display-qr-rotated.png"
            page.locator(f"#qr-{state['id']} svg").screenshot(path=str(code))
            check(zbar_decode(code) == [new], "the rotated QR does not decode to the new URL")
            return "new URL and QR; the old URL is 403 invalid_display_url"

        results.run("displays: rotate ends the old URL", rotate)

        def notifications() -> str:
            message = dead_message(server, org)
            page.goto(f"{base}/admin/notifications?org={org}")
            row = page.locator(f"tr[data-message-id='{message}']")
            check(row.count() == 1, "the dead message is not listed")
            check("550 5.1.1 mailbox unavailable" in row.inner_text(), "the last error is not shown")
            check(page.locator("#total-dead").inner_text().strip() == "1", "the dead count is not 1")
            with page.expect_navigation(wait_until="load"):
                page.locator(f"#retry-{message}").click()
            check(flash(page).startswith("The notification is back in line"), f"flash after retry: {flash(page)!r}")
            pending = count(server, "SELECT COUNT(*) FROM notification_outbox WHERE id = ? AND status = 'pending' AND attempts = 0", message)
            check(pending == 1, "the retried message is not pending with fresh attempts")
            return "dead message listed with its error; Retry made it pending"

        results.run("notifications: retry a dead message", notifications)

        def audit() -> str:
            page.goto(f"{base}/admin/members?org={org}&q=jonas")
            with page.expect_navigation(wait_until="load"):
                page.locator("#members a.admin-row__name").first.click()
            submit(page, "form:has(#suspend)")
            check(flash(page) == "Membership suspended.", f"flash after suspending: {flash(page)!r}")
            submit(page, "form:has(#reactivate)")
            check(flash(page) == "Membership reactivated.", f"flash after reactivating: {flash(page)!r}")
            with page.expect_navigation(wait_until="load"):
                page.locator("#member-audit").click()
            check(page.url.split("?")[0].endswith("/admin/audit") and "member=" in page.url, f"the member's audit link led to {page.url}")
            actions = page.locator("#audit-entries > li").evaluate_all("els => els.map(e => e.dataset.action)")
            # Both happened within one second here, so their order is the ids' (the log is newest first by second).
            check(sorted(actions) == ["member.reactivate", "member.suspend"], f"the member's audit shows {actions}")
            check("Jonas" in page.locator("#filter-member").inner_text(), "the member filter is not shown")
            screenshot(page, "admin-ops-audit-member-1080p.png")
            page.select_option("#audit-action", "member")
            submit(page, "#audit-filters")
            filtered = page.locator("#audit-entries > li").evaluate_all("els => els.map(e => e.dataset.action)")
            check(filtered and all(a.startswith("member.") for a in filtered), f"the action filter shows {filtered}")
            check("status: active → suspended" in page.locator("#audit-entries").inner_text(), "before → after is not shown")
            return f"{len(actions)} rows for the member, newest first; action filter keeps {len(filtered)}"

        results.run("audit: suspend and reactivate a member, read the member's audit", audit)
    finally:
        close(context, log)

    for size_name, size in (("1080p", FULL_HD), ("phone", PHONE)):
        context, page, log = new_page(browser, base, f"owner {size_name}", logs, **size)
        try:
            page.goto(base + "/admin/displays")
            log_in(page, *OWNER, who=f"owner ({size_name})")
            page.wait_for_load_state("load")
            for name, path in PAGES:
                def visit(name=name, path=path) -> str:
                    page.goto(f"{base}{path}?org={org}")
                    if name == "displays":
                        page.locator("details.display-setup summary").first.click()
                    check(page.locator("#admin-nav").count() == 1, f"{name}: no admin navigation")
                    shot = screenshot(page, f"admin-ops-{name}-{size_name}.png")
                    if size_name == "phone":
                        assert_no_horizontal_overflow(page, f"{name} at 390 px")
                    return f"{shot.name}; {axe_check(page, name)}"

                results.run(f"{name} page ({size_name})", visit)
        finally:
            close(context, log)


def run(binary: Path, chromium: str, results: Results) -> None:
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
                try:
                    walk(browser, server, logs, results)
                except CheckFailed:
                    pass  # recorded
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


def main(argv: list[str]) -> int:
    def zbar():
        if shutil.which("zbarimg") is None:
            return "zbarimg is not installed (apt-get install zbar-tools, or scripts/install-deps.sh)"
        return None

    return run_suite(argv, run, "admin-ops-*.png", " (admin displays, notifications, audit)", OVERALL_TIMEOUT_S, extra_setup=zbar)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
