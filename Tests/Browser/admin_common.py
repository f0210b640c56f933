"""What the back-office browser tests (admin_test.py, admin_timetable_test.py, admin_ops_test.py) share.

Not a test itself (its name does not match the `admin_*_test.py` that scripts/browser-test.sh runs):
the demo owner's login, the demo database read from the test, form helpers, the axe-core and
keyboard checks, and the sweep of a set of pages at 1920×1080 and 390×844 (a screenshot, no
sideways scrolling on the phone, axe-core), on top of the floor test's server, page and screenshot
helpers.
"""

from __future__ import annotations

import sqlite3
import sys
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
    screenshot,
)

OWNER = ("owner@demo.frontdesk.test", "demo-owner-pass")
SIZES = (("1080p", FULL_HD), ("phone", PHONE))


def database(server: Server) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{server.tmp / 'data' / 'frontdesk.sqlite'}?mode=ro", uri=True, timeout=10)


def count(server: Server, query: str, *args) -> int:
    with database(server) as db:
        return int(db.execute(query, args).fetchone()[0])


def rows(server: Server, query: str, *args) -> list:
    with database(server) as db:
        return db.execute(query, args).fetchall()


def flash(page) -> str:
    locator = page.locator("#flash")
    return locator.inner_text().strip() if locator.count() else ""


def submit(page, form_selector: str) -> None:
    """Submits a form with its submit button and waits for the page it lands on."""
    with page.expect_navigation(wait_until="load"):
        page.locator(f"{form_selector} button[type=submit]").first.click()


def log_in_at(page, base: str, path: str, who: str = "owner", account: tuple[str, str] = OWNER) -> None:
    """Opens `path` signed out and logs in with the form it shows (which returns to `path`)."""
    page.goto(base + path)
    log_in(page, *account, who=who)
    page.wait_for_load_state("load")


def log_in_to_section(page, base: str, path: str, section: str) -> str:
    """The demo owner logs in from `path`: back there, with `section` marked current in the navigation."""
    log_in_at(page, base, path)
    check(page.url.split("?")[0].endswith(path), f"after the login the browser is at {page.url}")
    check(page.locator(f"#nav-{section}[aria-current=page]").count() == 1, f"the {section} section is not marked current")
    return f"the login form returned to {path}"


def open_member(page, base: str, org: str, query: str) -> None:
    """The first member the members page finds for `query`, opened from the list."""
    page.goto(f"{base}/admin/members?org={org}&q={query}")
    with page.expect_navigation(wait_until="load"):
        page.locator("#members a.admin-row__name").first.click()


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


def tab_reaches(page, selector: str, what: str, presses: int) -> str:
    """Tab from the top of the page reaches an element inside `selector` (`what`), with a visible focus."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => !!document.activeElement.closest(selector)", selector):
            ring = page.evaluate("() => getComputedStyle(document.activeElement).boxShadow")
            check(ring and ring != "none", f"the focused element of {what} shows no focus ring")
            return f"Tab reaches {what}, focus ring {ring[:40]}"
    raise CheckFailed(f"{presses} presses of Tab did not reach {what}")


def keyboard_reaches_nav(page, what: str) -> str:
    """Tab from the top of the page reaches the back-office navigation, and the focus is visible."""
    return f"{what}: " + tab_reaches(page, "#admin-nav", f"the navigation ({what})", 12)


def sweep(browser, server: Server, logs: list, results: Results, start: str, pages: list, prefix: str,
          prepare=None, keyboard_nav: bool = False, after=None) -> None:
    """Every page of `pages` ((name, path or a function that opens it on the page)) at 1920×1080 and
    390×844, as the demo owner logged in from `start`: the back-office navigation, `prepare(page, name,
    size_name)` when given, a screenshot `<prefix><name>-<size>.png`, no sideways scrolling on the
    phone, axe-core, and at 1080p the keyboard reaching the navigation when `keyboard_nav`;
    then `after(page, size_name)` in the same browser when given."""
    base = server.base
    for size_name, size in SIZES:
        context, page, log = new_page(browser, base, f"owner {size_name}", logs, **size)
        try:
            log_in_at(page, base, start, who=f"owner ({size_name})")
            for name, path in pages:
                def visit(name=name, path=path) -> str:
                    if callable(path):
                        path(page)
                    else:
                        page.goto(base + path)
                    check(page.locator("#admin-nav").count() == 1, f"{name}: no admin navigation")
                    if prepare is not None:
                        prepare(page, name, size_name)
                    shot = screenshot(page, f"{prefix}{name}-{size_name}.png")
                    if size_name == "phone":
                        assert_no_horizontal_overflow(page, f"{name} at 390 px")
                    detail = axe_check(page, name)
                    if keyboard_nav and size_name == "1080p":
                        detail += "; " + keyboard_reaches_nav(page, name)
                    return f"{shot.name}; {detail}"

                results.run(f"{name} page ({size_name})", visit)
            if after is not None:
                after(page, size_name)
        finally:
            close(context, log)
