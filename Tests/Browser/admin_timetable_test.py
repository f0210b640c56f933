#!/usr/bin/env python3
"""Browser test of the back office's timetable, walked as the demo owner (and once as the coach).

Headless Chromium (the system's, through Playwright) against a real `frontdesk serve --demo` with
FRONTDESK_RUN_JOBS=false (e-mails stay in `notification_outbox`, where the test finds them):

  1. log in from /admin/timetable; create a weekly series (Tuesdays and Thursdays 06:15, from
     tomorrow, published, no coach or room) → the database holds exactly the classes of the
     8-week horizon (tomorrow through today + 56 days in the studio's zone);
  2. a demo member books its second class (through the JSON API); from that class's page "edit this
     and following" to 07:15 → the series is split and the member's class_changed e-mail is queued;
  3. closures: close the studio on the date of the series' third class → preview (classes and
     members) → confirm → that class is cancelled;
  4. tick two classes of the week → the bulk preview; end the series → its preview;
  5. the demo coach sees a published class locked, and a posted edit is refused with 403;
  6. every timetable page at 1920×1080 and 390×844: a screenshot (.build/screenshots/
     admin-timetable-*.png), no sideways scrolling on the phone (the days stack), axe-core with no
     serious or critical violation, and no console errors, page errors or failed requests.

Usage: admin_timetable_test.py [path-to-frontdesk-binary]     (default <repo>/.build/debug/frontdesk)
Environment: FRONTDESK_SCREENSHOT_DIR, CHROMIUM, FRONTDESK_ADMIN_TIMEOUT (overall seconds, default 180).
The last line is "browser: N passed, N failed (admin timetable)".
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from admin_common import axe_check, count, flash, log_in_at, log_in_to_section, rows, submit, sweep, tab_reaches  # noqa: E402
from floor_test import COACH, FULL_HD, Results, Server, api, check, close, new_page, run_flows, run_suite, screenshot  # noqa: E402

OVERALL_TIMEOUT_S = int(os.environ.get("FRONTDESK_ADMIN_TIMEOUT", "180"))
MEMBER = ("maya@demo.frontdesk.test", "demo-member-pass")
HORIZON_WEEKS = 8


def walk(browser, server: Server, logs: list, results: Results) -> None:
    base = server.base
    state: dict = {}

    context, page, log = new_page(browser, base, "owner 1920×1080", logs, **FULL_HD)
    try:
        def login() -> str:
            log_in_to_section(page, base, "/admin/timetable", "timetable")
            state["org"] = page.locator("input[name=org]").first.get_attribute("value")
            zone = rows(server, "SELECT timezone FROM organizations WHERE id = ?", state["org"])[0][0]
            state["zone"] = ZoneInfo(zone)
            return f"the login form returned to /admin/timetable ({zone})"

        results.run("owner: log in to the timetable", login, critical=True)
        org = state["org"]

        def create_series() -> str:
            today = datetime.now(state["zone"]).date()
            first = today + timedelta(days=1)
            page.locator("#new-series summary").click()
            page.select_option("#series-type", index=0)
            page.select_option("#series-location", value="")
            page.select_option("#series-coach", value="")
            page.check("#series-day-2")
            page.check("#series-day-4")
            page.fill("#series-time", "06:15")
            page.fill("#series-first", first.isoformat())
            page.fill("#series-capacity", "10")
            page.check("#series-publish")
            submit(page, "#series-form")
            check(flash(page).startswith("Weekly series created"), f"flash after creating the series: {flash(page)!r}")
            series = rows(server, "SELECT id FROM class_series WHERE start_time = '06:15' AND deleted_at IS NULL")
            check(len(series) == 1, f"{len(series)} series at 06:15")
            state["series"] = series[0][0]
            horizon = today + timedelta(days=7 * HORIZON_WEEKS)
            expected = [first + timedelta(days=n) for n in range((horizon - first).days + 1)]
            expected = [d for d in expected if d.isoweekday() in (2, 4)]
            made = rows(server, "SELECT series_date FROM class_sessions WHERE series_id = ? AND deleted_at IS NULL ORDER BY series_date",
                        state["series"])
            check([r[0] for r in made] == [d.isoformat() for d in expected],
                  f"classes {[r[0] for r in made]} != expected {[d.isoformat() for d in expected]}")
            state["dates"] = [d.isoformat() for d in expected]
            return f"{len(made)} classes, {expected[0]} to {expected[-1]}, as the horizon says"

        results.run("series: create a weekly series → exactly the horizon's classes", create_series, critical=True)

        def edit_following() -> str:
            second = state["dates"][1]
            session = rows(server, "SELECT id FROM class_sessions WHERE series_id = ? AND series_date = ?", state["series"], second)[0][0]
            status, login_answer = api(server, "POST", "/api/auth/login", body={"email": MEMBER[0], "password": MEMBER[1]})
            check(status == 200, f"member login answered {status}")
            status, booked = api(server, "POST", f"/api/sessions/{session}/bookings", token=login_answer["token"], body={})
            check(status in (200, 201), f"booking answered {status}: {booked}")
            page.goto(f"{base}/admin/timetable?org={org}&week={second}")
            with page.expect_navigation(wait_until="load"):
                page.locator(f"#class-link-{session}").click()
            check("1 of 10 places booked" in page.locator("#class-counts").inner_text(), "the class page does not count the booking")
            state["class_page"] = page.url
            with page.expect_navigation(wait_until="load"):
                page.locator("#edit-following").click()
            state["series_page"] = page.url
            check(page.input_value("#edit-from") == second, f"from is {page.input_value('#edit-from')}, not {second}")
            page.fill("#edit-time", "07:15")
            submit(page, "#series-edit-form")
            check(flash(page).startswith(f"Series changed from {second}") and "1 member told" in flash(page),
                  f"flash after the edit: {flash(page)!r}")
            changed = count(server, "SELECT COUNT(*) FROM notification_outbox WHERE template = 'class_changed'")
            check(changed >= 1, "no class_changed row in the outbox")
            split = rows(server, "SELECT id FROM class_series WHERE split_from_series_id = ?", state["series"])
            check(len(split) == 1, "the series was not split")
            state["new_series"] = split[0][0]
            return f"split; {changed} class_changed outbox row(s); {flash(page)}"

        results.run("series: edit this and following with a booked member → class_changed queued", edit_following)

        def closure() -> str:
            third = state["dates"][2]
            page.goto(f"{base}/admin/timetable/closures?org={org}")
            state["closures_page"] = page.url
            page.fill("#closure-from", third)
            page.fill("#closure-to", third)
            page.fill("#closure-reason", "Floor repairs")
            submit(page, "#closure-form")
            check(page.locator("#preview-classes").count() == 1, "the closure preview lists no classes")
            state["closure_preview_html"] = page.content()
            screenshot(page, "admin-timetable-closure-preview-1080p.png")
            axe_check(page, "closure preview")
            submit(page, "#confirm-form")
            check(flash(page).startswith("Closure added"), f"flash after the closure: {flash(page)!r}")
            cancelled = count(server, "SELECT COUNT(*) FROM class_sessions WHERE series_date = ? AND series_id = ? AND status = 'cancelled'",
                              third, state["new_series"])
            check(cancelled == 1, f"the series' class on {third} is not cancelled")
            return f"{third} closed; its class cancelled; {flash(page)}"

        results.run("closures: add one → preview → confirm → its classes cancelled", closure)

        def bulk_and_end() -> str:
            fourth = state["dates"][3]
            page.goto(f"{base}/admin/timetable?org={org}&week={fourth}")
            boxes = page.locator("input[name='sessions[]']")
            check(boxes.count() >= 2, f"{boxes.count()} classes to tick this week")
            boxes.nth(0).check()
            boxes.nth(1).check()
            submit(page, "#select-form")
            check(page.locator("#preview-totals").inner_text().startswith("2 classes"), "the bulk preview is not of two classes")
            state["bulk_preview"] = True
            screenshot(page, "admin-timetable-bulk-preview-1080p.png")
            axe_check(page, "bulk preview")
            page.goto(f"{base}/admin/timetable/series/{state['new_series']}/end?org={org}&from={fourth}")
            check(page.locator("#preview-totals").count() == 1, "no end preview")
            screenshot(page, "admin-timetable-series-end-1080p.png")
            axe_check(page, "series end preview")
            return "bulk preview of two ticked classes; series end preview"

        results.run("bulk: tick two classes → preview; end the series → preview", bulk_and_end)
    finally:
        close(context, log)

    # --- The coach: a published class is locked, a posted edit refused. -----------------------------
    context, page, log = new_page(browser, base, "coach 1920×1080", logs, **FULL_HD)
    try:
        def coach() -> str:
            log_in_at(page, "", state["class_page"], who="coach", account=COACH)
            check(page.locator("#class-locked").count() == 1, "the coach is not told the published class is locked")
            check(page.locator("#edit-form").count() == 0, "the coach gets the edit form of a published class")
            csrf = next(c["value"] for c in context.cookies() if c["name"] == "fd_csrf")
            session = state["class_page"].split("/classes/")[1].split("?")[0]
            answer = page.request.post(
                f"{base}/admin/timetable/classes/{session}",
                form={"csrf": csrf, "org": state["org"], "classType": "x", "date": "2030-01-01", "time": "10:00"},
                max_redirects=0)
            check(answer.status in (403, 404), f"the coach's edit answered {answer.status}")
            # A malformed class type is an unknown one (404) before the role rule; with the real one: 403.
            real = rows(server, "SELECT class_type_id, capacity, duration_min FROM class_sessions WHERE id = ?", session)[0]
            answer = page.request.post(
                f"{base}/admin/timetable/classes/{session}",
                form={"csrf": csrf, "org": state["org"], "classType": real[0], "date": "2030-01-01", "time": "10:00",
                      "capacity": str(real[1]), "duration": str(real[2])},
                max_redirects=0)
            check(answer.status == 403, f"the coach's edit of a published class answered {answer.status}")
            return "locked page; posted edit 403"

        results.run("coach: cannot edit a published class", coach)
    finally:
        close(context, log)

    # --- Every page at both sizes. -------------------------------------------------------------------
    fourth = state["dates"][3]
    session = state["class_page"].split("/classes/")[1].split("?")[0]
    pages = [
        ("week", f"/admin/timetable?org={org}"),
        ("week-series", f"/admin/timetable?org={org}&week={fourth}"),
        ("class", f"/admin/timetable/classes/{session}?org={org}"),
        ("cancel", f"/admin/timetable/classes/{session}/cancel?org={org}"),
        ("series", f"/admin/timetable/series/{state['new_series']}?org={org}&from={fourth}"),
        ("series-end", f"/admin/timetable/series/{state['new_series']}/end?org={org}&from={fourth}"),
        ("closures", f"/admin/timetable/closures?org={org}"),
    ]

    def days_laid_out(page, name: str, size_name: str) -> None:
        if name.startswith("week"):
            page.locator("#new-class summary").click()
            tops = page.evaluate("() => [...document.querySelectorAll('.tt-day')].map(d => d.getBoundingClientRect().top)")
            if size_name == "phone":
                check(tops == sorted(tops) and len(set(tops)) == 7, f"the days do not stack on a phone: {tops}")
            else:
                check(len(set(round(t) for t in tops)) == 1, f"the days are not columns at 1080p: {tops}")
        page.evaluate("() => window.scrollTo(0, 0)")

    def keyboard(page, size_name: str) -> None:
        def reaches_a_class() -> str:
            page.goto(f"{base}/admin/timetable?org={org}&week={fourth}")
            return tab_reaches(page, ".tt-class", "a class", 40)

        if size_name == "1080p":
            results.run("keyboard: Tab reaches the week's classes with a visible focus", reaches_a_class)

    sweep(browser, server, logs, results, "/admin/timetable", pages, "admin-timetable-", prepare=days_laid_out, after=keyboard)


def run(binary: Path, chromium: str, results: Results) -> None:
    run_flows(binary, chromium, results, (walk,))


def main(argv: list[str]) -> int:
    return run_suite(argv, run, "admin-timetable-*.png", " (admin timetable)", OVERALL_TIMEOUT_S)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
