#!/usr/bin/env bash
# browser-test.sh — headless-Chromium tests of the check-in floor (Tests/Browser/floor_test.py), of
# the account flows (Tests/Browser/accounts_test.py) and of the back office (Tests/Browser/admin*_test.py).
#
# Usage: scripts/browser-test.sh [path-to-frontdesk-binary]
#        (default: .build/debug/frontdesk in the repository; build it first)
#
# Starts `frontdesk serve --demo` on a free port, screenshots the wall display, decodes its QR
# code with zbarimg, checks a member in on a phone-sized page, and checks the display and the
# coach tablet follow. Then, on a second demo server (FRONTDESK_RUN_JOBS=false, mail links read
# from its outbox), walks the account flows at phone width: invitation → password → log in → book;
# scan → e-mailed sign-in link → checked in (and refused in another browser); forgot password.
# Screenshots go to $FRONTDESK_SCREENSHOT_DIR (default .build/screenshots; accounts-*.png for the
# account flows).
#
#   - no Chromium (chromium / chromium-browser on PATH): prints why and exits 0 (skipped);
#   - no zbarimg: fails (scripts/install-deps.sh installs zbar-tools);
#   - Playwright (Tests/Browser/requirements.txt) goes into the git-ignored venv
#     .build/browser-venv, installed only when missing; it drives the system Chromium, so its
#     own browser download is never used.
#
# Works from any cwd; exits 0 only when both tests pass.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# shellcheck source=browser-venv.sh
source "$SCRIPT_DIR/browser-venv.sh"
browser_setup "browser-test.sh" "browser tests" "$@"
if ! command -v zbarimg >/dev/null 2>&1; then
  echo "browser-test.sh: zbarimg is not installed: apt-get install zbar-tools (or run scripts/install-deps.sh)" >&2
  exit 1
fi
browser_venv "$VENV" "$TEST_DIR/requirements.txt" "browser-test.sh"

export CHROMIUM
status=0
"$PY" "$TEST_DIR/floor_test.py" "$BINARY" || status=$?
echo
"$PY" "$TEST_DIR/accounts_test.py" "$BINARY" || status=$?
# The wall display through a three-minute outage, on a fake clock (libfaketime and Playwright's clock).
echo
"$PY" "$TEST_DIR/offline_display_test.py" "$BINARY" || status=$?
# The back office, walked as the demo owner (each admin_*test.py; screenshots admin-*.png, axe-core).
for admin_test in "$TEST_DIR"/admin_test.py "$TEST_DIR"/admin_*_test.py; do
  [[ -f "$admin_test" ]] || continue
  echo
  "$PY" "$admin_test" "$BINARY" || status=$?
done
# Two languages (German pages at phone width and 1080p; screenshots i18n-*.png).
echo
"$PY" "$TEST_DIR/i18n_test.py" "$BINARY" || status=$?
# The public schedule and the website widget, signed out and in a foreign page (screenshots public-*.png).
echo
"$PY" "$TEST_DIR/public_test.py" "$BINARY" || status=$?
# The door kiosk on a tablet: name, PIN pad, the wall display following, and in German (kiosk-*.png).
echo
"$PY" "$TEST_DIR/kiosk_test.py" "$BINARY" || status=$?
exit "$status"
