#!/usr/bin/env python3
"""Browser test of the two languages (issue 19, "German pages").

Headless Chromium (the system's, through Playwright) against a real `frontdesk serve --demo`, with
browsers whose language is German (`de-DE`, so Chromium sends `Accept-Language: de-DE,de`) or English:

  1. signed out, a German phone gets the login page in German (`<html lang="de">`);
  2. the demo member's week in German: title, day names ("Mo. 24."), places left, the book button;
     the same member picks English on /me/language and the German browser now gets English;
  3. the demo owner sets the studio's default to German on /admin/language; a member with an
     English browser and no choice of their own then gets German; the owner clears it again;
  4. My bookings in German, with its link to the language choice;
     the owner's back office (settings and catalog) in German for the owner's German browser;
  5. every German page is screenshotted at 390×844 (and the schedule at 1920×1080) into
     $FRONTDESK_SCREENSHOT_DIR (i18n-*.png) and must not scroll sideways on the phone.

Usage: i18n_test.py [path-to-frontdesk-binary]     (default <repo>/.build/debug/frontdesk)
Exit status: 0 when every check passed (or Chromium is missing: skipped), 1 when any failed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from admin_common import OWNER, flash, submit  # noqa: E402
from floor_test import (  # noqa: E402
    FULL_HD,
    MEMBER_PASSWORD,
    PHONE,
    PageLog,
    assert_no_horizontal_overflow,
    check,
    close,
    log_in,
    run_flows,
    run_suite,
    screenshot,
)

OVERALL_TIMEOUT_S = 150
MEMBER = "maya@demo.frontdesk.test"
OTHER_MEMBER = "jonas@demo.frontdesk.test"


def browser_page(browser, base: str, name: str, logs: list, locale: str, size: dict):
    """A page in a browser whose language is `locale` (Chromium's Accept-Language follows it)."""
    context = browser.new_context(locale=locale, timezone_id="Europe/Berlin", **size)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log = PageLog(page, name, base)
    logs.append(log)
    return context, page, log


def lang(page) -> str:
    return page.evaluate("() => document.documentElement.lang")


def german_shot(page, name: str, phone: bool = True) -> str:
    shot = screenshot(page, f"i18n-{name}.png")
    if phone:
        assert_no_horizontal_overflow(page, f"{name} at 390 px")
    return shot.name


def walk(browser, server, logs: list, results) -> None:
    base = server.base
    context, page, log = browser_page(browser, base, "member, German phone", logs, "de-DE", PHONE)
    try:
        def login_in_german() -> str:
            page.goto(base + "/login")
            check(lang(page) == "de", f"<html lang> is {lang(page)!r}")
            heading = page.locator("h1").inner_text().strip()
            check(heading == "Anmelden", f"the heading is {heading!r}")
            check(page.locator("#forgot-link").inner_text().strip() == "Passwort vergessen?", "the forgot link is not German")
            return german_shot(page, "login-phone")

        results.run("signed out, a German browser gets the login page in German", login_in_german, critical=True)

        def schedule_in_german() -> str:
            page.goto(base + "/schedule")
            log_in(page, MEMBER, MEMBER_PASSWORD, who="member")
            page.wait_for_load_state("load")
            check(lang(page) == "de", f"<html lang> is {lang(page)!r}")
            check(page.title().startswith("Kursplan"), f"the title is {page.title()!r}")
            days = [h.strip() for h in page.locator(".day h2").all_inner_texts()]
            check(len(days) == 7, f"{len(days)} days shown")
            german_days = ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So.")
            check(all(day.startswith(german_days) and day.endswith(".") for day in days), f"day labels {days}")
            states = page.locator(".class-card__state").all_inner_texts()
            check(any("frei" in s or "Voll" in s or "Gebucht" in s for s in states), f"class states {states[:4]}")
            buttons = {b.strip() for b in page.locator(".class-card button").all_inner_texts()}
            check(buttons <= {"Buchen", "Auf die Warteliste", "Stornieren"} and buttons, f"buttons {buttons}")
            nav = page.locator("header.topbar nav").inner_text()
            check("Meine Buchungen" in nav and "Abmelden" in nav, f"the top bar says {nav!r}")
            return german_shot(page, "schedule-phone") + f"; days {days[0]} … {days[-1]}"

        results.run("the member's week in German (Accept-Language), fits 390 px", schedule_in_german, critical=True)

        def book_in_german() -> str:
            button = page.locator(".class-card form[action='/schedule/book'] button").first
            check(button.count() == 1, "no class to book")
            with page.expect_navigation(wait_until="load"):
                button.click()
            message = flash(page)
            check(message in ("Gebucht – bis bald!", "Der Kurs ist voll: Du stehst auf der Warteliste und erfährst es, wenn ein Platz frei wird."),
                  f"the message is {message!r}")
            return german_shot(page, "schedule-booked-phone") + f"; {message}"

        results.run("booking from the German week answers in German", book_in_german)

        def bookings_in_german() -> str:
            page.goto(base + "/me/bookings")
            heading = page.locator("h1").inner_text().strip()
            check(heading == "Meine Buchungen", f"the heading is {heading!r}")
            check(page.locator("#language-link").count() == 1, "no link to the language choice")
            badges = {b.strip() for b in page.locator("#upcoming .status-badge").all_inner_texts()}
            check(badges and badges <= {"Gebucht", "Warteliste", "Eingecheckt"}, f"statuses {badges}")
            return german_shot(page, "bookings-phone") + f"; statuses {sorted(badges)}"

        results.run("My bookings in German, fits 390 px", bookings_in_german)

        def choose_english() -> str:
            page.goto(base + "/me/language")
            check(page.locator("h1").inner_text().strip() == "Deine Sprache", "the language page is not German")
            german_shot(page, "language-phone")
            page.check("#language-en")
            submit(page, "#language-form")
            check(flash(page) == "Saved.", f"the message is {flash(page)!r}")
            page.goto(base + "/schedule")
            check(lang(page) == "en", f"after choosing English the German browser gets lang={lang(page)!r}")
            check(page.title().startswith("Schedule"), f"the title is {page.title()!r}")
            page.goto(base + "/me/language")
            page.check("#language-none")
            submit(page, "#language-form")
            page.goto(base + "/schedule")
            check(lang(page) == "de", "without a choice the browser decides again")
            return "English chosen: English pages in a German browser; no choice: German again"

        results.run("the member's own choice beats the browser's language", choose_english)
    finally:
        close(context, log)

    # The whole week at 1080p, German.
    context, page, log = browser_page(browser, base, "member, German 1080p", logs, "de-DE", FULL_HD)
    try:
        def wide() -> str:
            page.goto(base + "/schedule")
            log_in(page, MEMBER, MEMBER_PASSWORD, who="member 1080p")
            page.wait_for_load_state("load")
            check(lang(page) == "de", f"lang={lang(page)!r}")
            return german_shot(page, "schedule-1080p", phone=False)

        results.run("the German week at 1920×1080", wide)
    finally:
        close(context, log)

    # The owner sets the studio's default; an English browser without a choice gets German.
    context, page, log = browser_page(browser, base, "owner, German phone", logs, "de-DE", PHONE)
    other, other_page, other_log = browser_page(browser, base, "member, English phone", logs, "en-GB", PHONE)
    try:
        def studio_default() -> str:
            other_page.goto(base + "/schedule")
            log_in(other_page, OTHER_MEMBER, MEMBER_PASSWORD, who="English member")
            other_page.wait_for_load_state("load")
            check(lang(other_page) == "en", f"an English browser first gets lang={lang(other_page)!r}")
            page.goto(base + "/admin/language")
            log_in(page, *OWNER, who="owner")
            page.wait_for_load_state("load")
            check(page.locator("#admin-nav").count() == 1, "no back-office navigation")
            page.check("#language-de")
            submit(page, "#language-form")
            check(flash(page) == "Gespeichert.", f"the message is {flash(page)!r}")
            nav = page.locator("#admin-nav").inner_text()
            check("Stundenplan" in nav and "Einstellungen" in nav, f"the navigation says {nav[:80]!r}")
            shot = german_shot(page, "admin-language-phone")
            other_page.reload()
            check(lang(other_page) == "de", f"with the studio's default German, the English browser gets {lang(other_page)!r}")
            german_shot(other_page, "schedule-studio-default-phone")
            page.check("#language-none")
            submit(page, "#language-form")
            other_page.reload()
            check(lang(other_page) == "en", "with the default cleared, the browser decides again")
            return shot + "; the English browser got German while the default was set"

        results.run("the studio's default beats the browser; cleared, the browser decides", studio_default)

        def back_office_in_german() -> str:
            # The owner's browser is German and the owner has no choice of their own.
            page.goto(base + "/admin/settings")
            check(lang(page) == "de", f"the settings page has lang={lang(page)!r}")
            heading = page.locator("main h1").inner_text().strip()
            check(heading == "Einstellungen", f"the settings heading is {heading!r}")
            check(page.locator("#save-settings").inner_text().strip() == "Einstellungen speichern", "the save button is not German")
            filled = page.locator("#settings-form").get_attribute("data-geo-filled") or ""
            check(filled.startswith("Eingetragen") and "{accuracy}" in filled, f"the location script's words are {filled!r}")
            shot = german_shot(page, "admin-settings-phone")
            page.goto(base + "/admin/catalog")
            heading = page.locator("main h1").inner_text().strip()
            check(heading == "Katalog", f"the catalog heading is {heading!r}")
            metas = [m.strip() for m in page.locator("#class-types .admin-row__meta").all_inner_texts()]
            check(metas and all(("Plätze" in m or "Platz" in m) and m.endswith("Min.") for m in metas), f"class types {metas[:3]}")
            german_shot(page, "admin-catalog-phone")
            return shot + f"; class types like {metas[0]!r}"

        results.run("the back office's settings and catalog in German, fit 390 px", back_office_in_german)
    finally:
        close(context, log)
        close(other, other_log)


def run(binary: Path, chromium: str, results) -> None:
    run_flows(binary, chromium, results, (walk,))


def main(argv: list[str]) -> int:
    return run_suite(argv, run, "i18n-*.png", " (two languages)", OVERALL_TIMEOUT_S)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
