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
REPO_ROOT="$(dirname "$SCRIPT_DIR")"
TEST_DIR="$REPO_ROOT/tests/browser"
VENV="$REPO_ROOT/.build/browser-venv"

if [[ $# -gt 1 ]]; then
  echo "usage: $0 [path-to-frontdesk-binary]" >&2
  exit 2
fi
# Resolve the binary against the caller's cwd before anything changes directory.
BINARY="${1:-$REPO_ROOT/.build/debug/frontdesk}"
if [[ "$BINARY" != /* ]]; then
  BINARY="$PWD/$BINARY"
fi

CHROMIUM="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$CHROMIUM" ]]; then
  echo "browser tests SKIPPED: chromium is not installed (apt-get install chromium)"
  exit 0
fi
if ! command -v zbarimg >/dev/null 2>&1; then
  echo "browser-test.sh: zbarimg is not installed: apt-get install zbar-tools (or run scripts/install-deps.sh)" >&2
  exit 1
fi
if [[ ! -x "$BINARY" ]]; then
  echo "browser-test.sh: no frontdesk binary at $BINARY (run \`swift build\` first, or pass its path)" >&2
  exit 1
fi

# shellcheck source=browser-venv.sh
source "$SCRIPT_DIR/browser-venv.sh"
browser_venv "$VENV" "$TEST_DIR/requirements.txt" "browser-test.sh"

export CHROMIUM
status=0
"$PY" "$TEST_DIR/floor_test.py" "$BINARY" || status=$?
exit "$status"
