#!/usr/bin/env bash
# display-memory.sh — the wall display's memory over an hour of QR rotation (Tests/Browser/display_memory.py).
#
# Usage: scripts/display-memory.sh [path-to-frontdesk-binary]
#        (default: .build/debug/frontdesk in the repository; build it first)
#
# Starts `frontdesk serve --demo` on a free port, measures the real server's state polls (with and
# without the SVG) and event-stream frames, then opens the display in headless Chromium on a fake
# clock, runs an hour of page time in 1 s steps (a new QR code every minute from a stub that
# follows the fake clock, real check-in events over the real event stream) and reads the JS heap,
# DOM nodes and event listeners after garbage collection every 10 simulated minutes. Prints a
# table and the bytes per poll / per event; fails when the heap or the DOM grows, or on any console
# or page error. Takes well under a minute of real time.
#
#   - no Chromium (chromium / chromium-browser on PATH): prints why and exits 0 (skipped);
#   - Playwright (Tests/Browser/requirements.txt) goes into the git-ignored venv
#     .build/browser-venv, installed only when missing; it drives the system Chromium.
#   - FRONTDESK_MEMORY_MINUTES: simulated minutes (default 60).
#
# Works from any cwd; exits with the measurement's status.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# shellcheck source=browser-venv.sh
source "$SCRIPT_DIR/browser-venv.sh"
browser_setup "display-memory.sh" "display memory" "$@"
browser_venv "$VENV" "$TEST_DIR/requirements.txt" "display-memory.sh"

export CHROMIUM
status=0
"$PY" "$TEST_DIR/display_memory.py" "$BINARY" || status=$?
exit "$status"
