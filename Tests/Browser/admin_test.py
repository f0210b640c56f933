#!/usr/bin/env python3
"""Browser test of the back office's admin pages, walked as the demo owner.

Headless Chromium (the system's, through Playwright) against a real `frontdesk serve --demo`, with
the floor test's server, page and screenshot helpers. The server runs with FRONTDESK_RUN_JOBS=false
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
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from floor_test import (  # noqa: E402  (the floor test's helpers, so all browser tests behave alike)
    FULL_HD,
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
)

OVERALL_TIMEOUT_S = int(os.environ.get("FRONTDESK_ADMIN_TIMEOUT", "150"))
OWNER = ("owner@demo.frontdesk.test", "demo-owner-pass")
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


def database(server: Server) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{server.tmp / 'data' / 'frontdesk.sqlite'}?mode=ro", uri=True, timeout=10)


def count(server: Server, query: str, *args) -> int:
    with database(server) as db:
        return int(db.execute(query, args).fetchone()[0])


def flash(page) -> str:
    locator = page.locator("#flash")
    return locator.inner_text().strip() if locator.count() else ""


def submit(page, form_selector: str) -> None:
    """Submits a form with its submit button and waits for the page it lands on."""
    with page.expect_navigation(wait_until="load"):
        page.locator(f"{form_selector} button[type=submit]").first.click()


def axe_check(page, what: str) -> str:
    """axe-core in the page: no serious or critical violation."""
    from axe_playwright_python import sync_playwright as axe_module

    script = (Path(axe_module.__file__).parent / "axe.min.js").read_text()
    page.evaluate(script)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]
    summary = "; ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])}×: {v['nodes'][0]['target']})" for v in bad)
    check(not bad, f"{what}: axe-core found {summary}")
    minor = [v["id"] for v in result["violations"]]
    return f"{what}: no serious or critical violations" + (f" (minor: {', '.join(minor)})" if minor else "")


def keyboard_reaches_nav(page, what: str) -> str:
    """Tab from the top of the page reaches the back-office navigation, and the focus is visible."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    for _ in range(12):
        page.keyboard.press("Tab")
        inside = page.evaluate("() => !!document.activeElement.closest('#admin-nav')")
        if inside:
            ring = page.evaluate("() => getComputedStyle(document.activeElement).boxShadow")
            check(ring and ring != "none", f"{what}: the focused navigation link shows no focus ring")
            return f"{what}: Tab reaches the navigation, focus ring {ring[:40]}"
    raise CheckFailed(f"{what}: 12 presses of Tab did not reach the navigation")


def walk(browser, server: Server, logs: list, results: Results) -> None:
    base = server.base
    org = None

    # --- The flows, at laptop size. ---------------------------------------------------------------
    context, page, log = new_page(
        browser, base, "owner 1920×1080", logs, **FULL_HD, permissions=["geolocation"], geolocation=BERLIN)
    try:
        def login() -> str:
            page.goto(base + "/admin/members")
            log_in(page, *OWNER, who="owner")
            page.wait_for_load_state("load")
            check(page.url.split("?")[0].endswith("/admin/members"), f"after the login the browser is at {page.url}")
            check(page.locator("#nav-members[aria-current=page]").count() == 1, "the members section is not marked current")
            return "the login form returned to /admin/members"

        results.run("owner: log in to the back office", login, critical=True)
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
            page.goto(f"{base}/admin/members?org={org}&q=maya")
            with page.expect_navigation(wait_until="load"):
                page.locator("#members a.admin-row__name").first.click()
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
    for size_name, size in (("1080p", FULL_HD), ("phone", PHONE)):
        context, page, log = new_page(browser, base, f"owner {size_name}", logs, **size)
        try:
            page.goto(base + "/admin/members")
            log_in(page, *OWNER, who=f"owner ({size_name})")
            page.wait_for_load_state("load")
            pages = PAGES + [("member", None)]
            for name, path in pages:
                def visit(name=name, path=path) -> str:
                    if path is None:
                        page.goto(f"{base}/admin/members?org={org}&q=maya")
                        with page.expect_navigation(wait_until="load"):
                            page.locator("#members a.admin-row__name").first.click()
                    else:
                        page.goto(f"{base}{path}?org={org}")
                    check(page.locator("#admin-nav").count() == 1, f"{name}: no admin navigation")
                    shot = screenshot(page, f"admin-{name}-{size_name}.png")
                    if size_name == "phone":
                        assert_no_horizontal_overflow(page, f"{name} at 390 px")
                    detail = axe_check(page, name)
                    if size_name == "1080p":
                        detail += "; " + keyboard_reaches_nav(page, name)
                    return f"{shot.name}; {detail}"

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
    return run_suite(argv, run, "admin-*.png", " (admin pages)", OVERALL_TIMEOUT_S)


if __name__ == "__main__":
    started = time.monotonic()
    sys.exit(main(sys.argv))
