#!/usr/bin/env bash
# browser-test.sh — headless-Chromium test of the check-in floor (tests/browser/floor_test.py).
#
# Usage: scripts/browser-test.sh [path-to-frontdesk-binary]
#        (default: .build/debug/frontdesk in the repository; build it first)
#
# Starts `frontdesk serve --demo` on a free port, screenshots the wall display, decodes its QR
# code with zbarimg, checks a member in on a phone-sized page, and checks the display and the
# coach tablet follow. Screenshots go to $FRONTDESK_SCREENSHOT_DIR (default .build/screenshots).
#
#   - no Chromium (chromium / chromium-browser on PATH): prints why and exits 0 (skipped);
#   - no zbarimg: fails (scripts/install-deps.sh installs zbar-tools);
#   - Playwright (tests/browser/requirements.txt) goes into the git-ignored venv
#     .build/browser-venv, installed only when missing; it drives the system Chromium, so its
#     own browser download is never used.
#
# Works from any cwd; exits with the test's status.
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
exit "$status"
