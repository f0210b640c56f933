#!/usr/bin/env python3
"""Browser test of the back office's displays, notifications and audit pages, walked as the demo owner.

Headless Chromium against a real `frontdesk serve --demo` (FRONTDESK_RUN_JOBS=false, so queued
e-mails stay in the outbox), with the shared back-office helpers (admin_common.py) on the floor test's:

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
import sqlite3
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from admin_common import count, flash, log_in_to_section, open_member, submit, sweep  # noqa: E402
from floor_test import (  # noqa: E402
    FULL_HD,
    OUT_DIR,
    Results,
    Server,
    check,
    close,
    need_zbar,
    new_page,
    run_flows,
    run_suite,
    screenshot,
    zbar_decode,
)

OVERALL_TIMEOUT_S = int(os.environ.get("FRONTDESK_ADMIN_OPS_TIMEOUT", "150"))
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
        results.run("owner: log in to the displays page", log_in_to_section, page, base, "/admin/displays", "displays", critical=True)
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
            open_member(page, base, org, "jonas")
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

    def open_setup(page, name: str, size_name: str) -> None:
        if name == "displays":
            page.locator("details.display-setup summary").first.click()

    pages = [(name, f"{path}?org={org}") for name, path in PAGES]
    sweep(browser, server, logs, results, "/admin/displays", pages, "admin-ops-", prepare=open_setup)


def run(binary: Path, chromium: str, results: Results) -> None:
    run_flows(binary, chromium, results, (walk,))


def main(argv: list[str]) -> int:
    return run_suite(argv, run, "admin-ops-*.png", " (admin displays, notifications, audit)", OVERALL_TIMEOUT_S, extra_setup=need_zbar)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
