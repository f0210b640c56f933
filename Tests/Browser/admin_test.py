#!/usr/bin/env python3
"""Browser test of the back office's admin pages, walked as the demo owner.

Headless Chromium (the system's, through Playwright) against a real `frontdesk serve --demo`, with
the shared back-office helpers (admin_common.py) on the floor test's. The server runs with FRONTDESK_RUN_JOBS=false
so the invitation e-mail stays in `notification_outbox`, where the test finds it.

  1. log in from /admin/members (the login form returns to it);
  2. members: invite newcoach@example.com as a coach → an invitation row and an outbox e-mail;
  3. one member: give a plan, grant credits with a reason → a ledger row, shown on the page;
  4. plans: create a plan; catalog: create a location, its coordinates filled by "use this device's
     location" (the browser's geolocation is set to Berlin); settings: change the GPS radius;
  5. every admin page at 1920×1080 and 390×844: a screenshot (.build/screenshots/admin-*.png), no
     sideways scrolling on the phone, an axe-core check (axe.min.js from the axe-playwright-python
     wheel on PyPI) with no serious or critical violation, the keyboard reaches the navigation with
     a visible focus ring, and no console errors, page errors or failed requests anywhere.

Usage: admin_test.py [path-to-frontdesk-binary]     (default <repo>/.build/debug/frontdesk)
Environment: FRONTDESK_SCREENSHOT_DIR, CHROMIUM, FRONTDESK_ADMIN_TIMEOUT (overall seconds, default 150).
The last line is "browser: N passed, N failed (admin pages)".
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from admin_common import count, flash, log_in_to_section, open_member, submit, sweep  # noqa: E402
from floor_test import FULL_HD, Results, Server, check, close, new_page, run_flows, run_suite  # noqa: E402

OVERALL_TIMEOUT_S = int(os.environ.get("FRONTDESK_ADMIN_TIMEOUT", "150"))
INVITEE = "newcoach@example.com"
BERLIN = {"latitude": 52.520008, "longitude": 13.404954}
PAGES = [
    ("members", "/admin/members"),
    ("plans", "/admin/plans"),
    ("catalog", "/admin/catalog"),
    ("settings", "/admin/settings"),
    ("batches", "/admin/batches"),
    ("dashboard", "/admin/analytics"),
]


def walk(browser, server: Server, logs: list, results: Results) -> None:
    base = server.base
    org = None

    # --- The flows, at laptop size. ---------------------------------------------------------------
    context, page, log = new_page(
        browser, base, "owner 1920×1080", logs, **FULL_HD, permissions=["geolocation"], geolocation=BERLIN)
    try:
        results.run("owner: log in to the back office", log_in_to_section, page, base, "/admin/members", "members", critical=True)
        org = page.locator("input[name=org]").first.get_attribute("value")

        def invite() -> str:
            page.fill("#invite-email", INVITEE)
            page.fill("#invite-name", "Nico Coach")
            page.select_option("#invite-role", "coach")
            submit(page, "#invite-form")
            check(flash(page) == "Invitation sent.", f"flash after inviting: {flash(page)!r}")
            check(INVITEE in page.locator("#invitations").inner_text(), "the invitation is not listed as pending")
            check(count(server, "SELECT COUNT(*) FROM invitations WHERE email = ? AND role = 'coach'", INVITEE) == 1, "no invitation row")
            check(count(server, "SELECT COUNT(*) FROM notification_outbox WHERE template = 'invitation'") >= 1, "no invitation e-mail")
            return "invitation row and outbox e-mail"

        results.run("members: invite a coach", invite)

        def credits() -> str:
            page.goto(f"{base}/admin/plans?org={org}")
            page.fill("#plan-name", "Ten-class pass")
            page.fill("#plan-credits", "10")
            page.fill("#plan-price", "120")
            submit(page, "#plan-form")
            check(flash(page) == "Plan created.", f"flash after creating a plan: {flash(page)!r}")
            open_member(page, base, org, "maya")
            page.select_option("#subscribe-plan", label="Ten-class pass")
            submit(page, "#subscribe-form")
            check(flash(page) == "Plan assigned.", f"flash after giving the plan: {flash(page)!r}")
            form = page.locator("form[id^=credits-form-]").first
            form.locator("input[name=amount]").fill("3")
            form.locator("input[name=reason]").fill("Welcome bonus")
            with page.expect_navigation(wait_until="load"):
                form.locator("button[type=submit]").click()
            check(flash(page).startswith("Credits changed"), f"flash after granting credits: {flash(page)!r}")
            check("Welcome bonus" in page.locator("table[id^=ledger-]").first.inner_text(), "the ledger does not show the reason")
            rows = count(server, "SELECT COUNT(*) FROM credit_ledger WHERE reason = 'Welcome bonus' AND amount = 3")
            check(rows == 1, f"{rows} ledger rows for the grant")
            return "plan created and given; +3 credits with a ledger row"

        results.run("member: create a plan, give it, grant credits", credits)

        def location() -> str:
            page.goto(f"{base}/admin/catalog?org={org}")
            page.locator("#location-form").locator("xpath=ancestor::details/summary").click()
            page.fill("#location-name", "Rooftop")
            page.fill("#location-address", "Unter den Linden 1")
            page.locator("#use-location").click()
            page.wait_for_function("() => document.querySelector('#location-latitude').value !== ''")
            check(page.input_value("#location-latitude").startswith("52.52"), "the device's latitude was not filled in")
            submit(page, "#location-form")
            check(flash(page) == "Location saved.", f"flash after creating a location: {flash(page)!r}")
            check(count(server, "SELECT COUNT(*) FROM locations WHERE name = 'Rooftop' AND latitude BETWEEN 52.5 AND 52.6") == 1,
                  "no location row with the device's coordinates")
            return "location with the device's coordinates"

        results.run("catalog: create a location with this device's location", location)

        def settings() -> str:
            page.goto(f"{base}/admin/settings?org={org}")
            page.fill("#set-gps", "250")
            submit(page, "#settings-form")
            check(flash(page) == "Settings saved.", f"flash after saving settings: {flash(page)!r}")
            check(count(server, "SELECT gps_max_meters FROM organizations WHERE id = ?", org) == 250, "gpsMaxMeters not stored")
            page.fill("#set-gps", "1")
            page.evaluate("() => document.querySelector('#settings-form').noValidate = true")
            with page.expect_response(lambda r: r.request.method == "POST") as answer:
                submit(page, "#settings-form")
            check(answer.value.status == 400, f"an out-of-range radius answered {answer.value.status}")
            check("gpsMaxMeters" in flash(page), f"the refusal's message is not shown: {flash(page)!r}")
            # The refusal's 400 is the point of this step, not a page error.
            log.errors[:] = [e for e in log.errors if not ("400" in e and "/admin/settings" in e)]
            return "saved 250 m; 1 m refused with the API's message"

        results.run("settings: change the GPS radius (and see a refusal)", settings)
    finally:
        close(context, log)

    # --- Every page at both sizes: screenshots, layout, accessibility, keyboard. --------------------
    pages = [(name, f"{path}?org={org}") for name, path in PAGES]
    pages.append(("member", lambda page: open_member(page, base, org, "maya")))
    sweep(browser, server, logs, results, "/admin/members", pages, "admin-", keyboard_nav=True)


def run(binary: Path, chromium: str, results: Results) -> None:
    run_flows(binary, chromium, results, (walk,))


def main(argv: list[str]) -> int:
    # Only this test's screenshots: the other admin tests' (admin-timetable-*, admin-ops-*) stay.
    shots = tuple(f"admin-{name}-*.png" for name, _ in PAGES + [("member", None)])
    return run_suite(argv, run, shots, " (admin pages)", OVERALL_TIMEOUT_S)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
