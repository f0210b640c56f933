#!/usr/bin/env python3
"""Browser test of the public schedule and the website widget (issue 19).

Headless Chromium against a real `frontdesk serve --demo` (FRONTDESK_RUN_JOBS=false), with the floor
test's helpers:

  1. the demo owner turns the public schedule on in /admin/settings and lists one website origin
     (`http://localhost:<port A>`); the page then shows the one-line embed snippet;
  2. signed out, /studios/<org>/schedule shows the week's classes with places left and "Book" links,
     at 1920×1080 and 390×844 (no sideways scrolling on the phone);
  3. a foreign page served by this test from http://localhost:<port A> (another origin than the
     server) holds only the snippet: the widget appears in it, sized to its content, with classes;
  4. the same snippet on http://localhost:<port B> (not listed) shows no schedule: the browser refuses
     to render the frame (CSP frame-ancestors);
  5. "Book" in the widget opens a new tab: the login form, then the class with "Book my place", then
     the member's week saying the class is booked;
  6. in German: a German browser (de-DE) gets the public schedule in German at 390 px, "Buchen" leads to
     the German login and book pages (the top bar's three labels whole and apart at 390 px), and the
     snippet with `widget.js?lang=de` shows the German widget on the studio's website in an English browser.

Screenshots: $FRONTDESK_SCREENSHOT_DIR/public-*.png (default .build/screenshots).
Usage: public_test.py [path-to-frontdesk-binary]     (default <repo>/.build/debug/frontdesk)
Environment: FRONTDESK_SCREENSHOT_DIR, CHROMIUM, FRONTDESK_PUBLIC_TIMEOUT (overall seconds, default 150).
The last line is "browser: N passed, N failed (public schedule and widget)".
"""

from __future__ import annotations

import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from admin_common import flash, log_in_at, submit  # noqa: E402
from floor_test import (  # noqa: E402
    FULL_HD,
    PHONE,
    PageLog,
    Results,
    Server,
    assert_no_horizontal_overflow,
    check,
    close,
    free_port,
    log_in,
    new_page,
    run_flows,
    run_suite,
    screenshot,
)

OVERALL_TIMEOUT_S = int(os.environ.get("FRONTDESK_PUBLIC_TIMEOUT", "150"))
MEMBER = ("maya@demo.frontdesk.test", "demo-member-pass")


class ForeignSite:
    """A studio's website on another origin: one page that holds `snippet` and nothing of ours."""

    def __init__(self, title: str) -> None:
        self.port = free_port()
        self.origin = f"http://localhost:{self.port}"
        self.title = title
        self.snippet = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
                if self.path != "/":
                    self.send_error(404)
                    return
                body = (
                    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>" + site.title + "</title>"
                    "<style>body{font-family:sans-serif;margin:0;background:#f4efe6}header{background:#3d2c1e;color:#fff;"
                    "padding:24px 32px}main{max-width:1100px;margin:24px auto;padding:0 16px}</style></head><body>"
                    "<header><h1>" + site.title + "</h1><p>Our studio's own website</p></header><main><h2>Classes this week</h2>"
                    + site.snippet + "<p id='after-widget'>Questions? Call us.</p></main></body></html>"
                ).encode()
                self.send_response(200)
                self.send_header("content-type", "text/html; charset=utf-8")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def widget_frame(page):
    """The widget's frame in a foreign page (the iframe the snippet inserted)."""
    page.wait_for_selector("iframe[data-frontdesk-widget]", state="attached")
    for frame in page.frames:
        if "/widget" in frame.url and frame != page.main_frame:
            return frame
    return None


def walk(browser, server: Server, logs: list, results: Results) -> None:
    base = server.base
    allowed, unlisted = ForeignSite("Loft Yoga Berlin"), ForeignSite("Somebody else's site")
    state: dict = {}
    try:
        context, page, log = new_page(browser, base, "owner settings", logs, **FULL_HD)
        try:
            def publish() -> str:
                log_in_at(page, base, "/admin/settings")
                state["org"] = page.locator("#public-schedule-form input[name=org]").get_attribute("value")
                page.check("#set-public")
                page.fill("#set-origins", allowed.origin)
                submit(page, "#public-schedule-form")
                check(flash(page) == "Public schedule settings saved.", f"flash after saving: {flash(page)!r}")
                snippet = page.input_value("#public-snippet")
                check(snippet == f'<script src="{base}/studios/{state["org"]}/widget.js" async></script>', f"snippet {snippet!r}")
                check(page.input_value("#set-origins") == allowed.origin, "the saved origin is not shown")
                allowed.snippet = unlisted.snippet = state["snippet"] = snippet
                page.locator("#public-schedule").scroll_into_view_if_needed()
                return f"{screenshot(page, 'public-settings-1080p.png').name}; snippet {snippet}"

            results.run("settings: turn on the public schedule with one website", publish, critical=True)
        finally:
            close(context, log)

        for size_name, size in (("1080p", FULL_HD), ("phone", PHONE)):
            context, page, log = new_page(browser, base, f"public schedule {size_name}", logs, **size)
            try:
                def public_page(page=page, size_name=size_name) -> str:
                    page.goto(f"{base}/studios/{state['org']}/schedule", wait_until="load")
                    check(page.locator("#login-form").count() == 0, "the public schedule asks to log in")
                    cards = page.locator("article.class-card")
                    check(cards.count() > 0, "no classes on the public schedule")
                    states = cards.locator(".class-card__state").all_inner_texts()
                    check(any("place" in s or "Full" in s for s in states), f"no places left shown: {states[:5]}")
                    check(page.locator("a[data-book]").count() > 0, "no Book link")
                    text = page.locator("main").inner_text()
                    check("@" not in text, "an e-mail address on the public schedule")
                    shot = screenshot(page, f"public-schedule-{size_name}.png")
                    if size_name == "phone":
                        assert_no_horizontal_overflow(page, "the public schedule at 390 px")
                    return f"{cards.count()} classes; {shot.name}"

                results.run(f"public schedule signed out ({size_name})", public_page)
            finally:
                close(context, log)

        context, page, log = new_page(browser, allowed.origin, "foreign page (listed)", logs, **FULL_HD)
        try:
            def embedded() -> str:
                page.goto(allowed.origin + "/", wait_until="load")
                frame = widget_frame(page)
                check(frame is not None, "the snippet inserted no widget frame")
                frame.wait_for_selector("#public-widget article.class-card", timeout=10_000)
                deadline = time.monotonic() + 5
                height = 0
                while time.monotonic() < deadline:
                    height = page.evaluate("() => document.querySelector('iframe[data-frontdesk-widget]').getBoundingClientRect().height")
                    if height > 430:
                        break
                    time.sleep(0.1)
                check(height > 430, f"the frame was not resized to its content (height {height})")
                check(page.locator("#after-widget").is_visible(), "the page's own content after the widget is gone")
                shot = screenshot(page, "public-widget-foreign-1080p.png")
                state["frame"] = frame
                return f"{frame.locator('article.class-card').count()} classes in the frame, {height:.0f} px high; {shot.name}"

            results.run("widget: the snippet shows the schedule on the listed website", embedded, critical=True)

            def book_from_widget() -> str:
                frame = state["frame"]
                link = frame.locator("a[data-book]").first
                check(link.get_attribute("target") == "_blank", "Book does not leave the frame")
                with page.context.expect_page() as opened:
                    link.click()
                tab = opened.value
                tab.wait_for_load_state("load")
                log_in(tab, *MEMBER, who="maya")
                tab.wait_for_load_state("load")
                check("/book/" in tab.url, f"after the login the member is at {tab.url}")
                screenshot(tab, "public-book-1080p.png")
                check(tab.locator("#book-confirm").count() == 1, "no Book button: " + tab.locator("main").inner_text()[:200])
                with tab.expect_navigation(wait_until="load"):
                    tab.locator("#book-confirm").click()
                message = tab.locator("#flash").inner_text().strip() if tab.locator("#flash").count() else ""
                check(message.startswith("Booked") or "waitlist" in message, f"after booking: {message!r}")
                shot = screenshot(tab, "public-booked-1080p.png")
                tab.close()
                return f"{message}; {shot.name}"

            results.run("widget: Book → log in → book the class", book_from_widget)

            def german_widget() -> str:
                allowed.snippet = state["snippet"].replace('/widget.js"', '/widget.js?lang=de"')
                check("?lang=de" in allowed.snippet, f"the snippet was not changed: {allowed.snippet!r}")
                page.goto(allowed.origin + "/", wait_until="load")
                frame = widget_frame(page)
                check(frame is not None, "the snippet inserted no widget frame")
                check("lang=de" in frame.url, f"the frame is {frame.url}")
                frame.wait_for_selector("#public-widget article.class-card", timeout=10_000)
                lang = frame.evaluate("() => document.documentElement.lang")
                check(lang == "de", f"the widget's <html lang> is {lang!r}")
                labels = {t.strip() for t in frame.locator("a[data-book]").all_inner_texts()}
                check(labels and labels <= {"Buchen", "Auf die Warteliste"}, f"book links {labels}")
                later = frame.locator("#next-week").inner_text().strip()
                check(later == "Später ›", f"the Later button says {later!r}")
                check("lang=de" in (frame.locator("#next-week").get_attribute("href") or ""), "Later drops ?lang=de")
                title = page.locator("iframe[data-frontdesk-widget]").get_attribute("title") or ""
                check(title.endswith("· Kursplan"), f"the frame's title is {title!r}")
                shot = screenshot(page, "public-widget-de-1080p.png")
                return f"German widget in an English browser ({sorted(labels)}); {shot.name}"

            results.run("widget: ?lang=de in the snippet gives the German widget", german_widget)
        finally:
            close(context, log)

        # A German browser (Chromium sends Accept-Language: de-DE,de) on the public page, phone width.
        context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", **PHONE)
        context.set_default_timeout(10_000)
        page = context.new_page()
        log = PageLog(page, "public schedule, German phone", base)
        logs.append(log)
        try:
            def german_page() -> str:
                page.goto(f"{base}/studios/{state['org']}/schedule", wait_until="load")
                lang = page.evaluate("() => document.documentElement.lang")
                check(lang == "de", f"<html lang> is {lang!r}")
                check(page.title().startswith("Kursplan"), f"the title is {page.title()!r}")
                days = [d.strip() for d in page.locator(".day h2").all_inner_texts()]
                german_days = ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So.")
                check(len(days) == 7 and all(d.startswith(german_days) for d in days), f"day labels {days}")
                states = page.locator(".class-card__state").all_inner_texts()
                check(states and all("frei" in s or "Voll" in s or "begonnen" in s for s in states), f"class states {states[:5]}")
                intro = page.locator("#public-intro").inner_text()
                check(intro.startswith("Die Kurse von"), f"the intro says {intro!r}")
                nav = page.locator("header.topbar nav").inner_text()
                check("Anmelden" in nav, f"the top bar says {nav!r}")
                shot = screenshot(page, "public-schedule-de-phone.png")
                assert_no_horizontal_overflow(page, "the German public schedule at 390 px")
                return f"days {days[0]} … {days[-1]}; {shot.name}"

            results.run("public schedule in German (de-DE browser, 390 px)", german_page)

            def german_book() -> str:
                link = page.locator("a[data-book]").first
                check(link.inner_text().strip() in ("Buchen", "Auf die Warteliste"), f"the book link says {link.inner_text()!r}")
                with page.expect_navigation(wait_until="load"):
                    link.click()
                check(page.locator("#login-form").count() == 1, f"Buchen did not lead to the login form: {page.url}")
                check(page.locator("h1").inner_text().strip() == "Anmelden", "the login form is not German")
                log_in(page, *MEMBER, who="maya (German)")
                page.wait_for_load_state("load")
                check("/book/" in page.url, f"after the login the member is at {page.url}")
                heading = page.locator("h1").inner_text().strip()
                check(heading in ("Diesen Kurs buchen", "Dein Kurs"), f"the book page's heading is {heading!r}")
                check(page.locator("#book-schedule").inner_text().strip() == "Die ganze Woche ansehen", "the week link is not German")
                # The top bar at 390 px: "Kursplan", "Meine Buchungen", "Abmelden" whole, apart, on the screen.
                boxes = page.evaluate("""() => [...document.querySelectorAll('header.topbar nav a, header.topbar nav button')]
                    .map(e => { const r = e.getBoundingClientRect(); return {text: e.textContent.trim(), left: r.left, right: r.right,
                      top: r.top, bottom: r.bottom, fits: e.scrollWidth <= e.clientWidth}; })""")
                labels = [b["text"] for b in boxes]
                check(labels == ["Kursplan", "Meine Buchungen", "Abmelden"], f"the top bar says {labels}")
                for box in boxes:
                    check(box["left"] >= 0 and box["right"] <= 390 and box["fits"], f"{box['text']!r} is cut off: {box}")
                for a_box, b_box in zip(boxes, boxes[1:]):
                    apart = a_box["right"] <= b_box["left"] or a_box["bottom"] <= b_box["top"]
                    check(apart, f"{a_box['text']!r} and {b_box['text']!r} run together: {a_box}, {b_box}")
                shot = screenshot(page, "public-book-de-phone.png")
                assert_no_horizontal_overflow(page, "the German book page at 390 px")
                return f"{heading}; top bar {labels} apart; {shot.name}"

            results.run("German: Buchen → Anmelden → the book page, top bar whole at 390 px", german_book)
        finally:
            close(context, log)

        # Not through new_page: the refused frame is an expected console error, not a failure of ours.
        context = browser.new_context(locale="en-GB", timezone_id="Europe/Berlin", **FULL_HD)
        try:
            page = context.new_page()
            refusals: list[str] = []
            page.on("console", lambda message: refusals.append(message.text) if "frame-ancestors" in message.text else None)

            def refused() -> str:
                page.goto(unlisted.origin + "/", wait_until="load")
                page.wait_for_selector("iframe[data-frontdesk-widget]", state="attached")
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline and not refusals:
                    time.sleep(0.1)
                frame = page.frame_locator("iframe[data-frontdesk-widget]")
                check(frame.locator("#public-widget").count() == 0, "the unlisted website shows the schedule")
                check(refusals, "the browser did not report a frame-ancestors refusal")
                shot = screenshot(page, "public-widget-unlisted-1080p.png")
                return f"frame refused ({refusals[0][:90]}…); {shot.name}"

            results.run("widget: an unlisted website cannot show it", refused)
        finally:
            context.close()
    finally:
        allowed.stop()
        unlisted.stop()


def run(binary: Path, chromium: str, results: Results) -> None:
    run_flows(binary, chromium, results, (walk,))


def main(argv: list[str]) -> int:
    return run_suite(argv, run, "public-*.png", " (public schedule and widget)", OVERALL_TIMEOUT_S)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
