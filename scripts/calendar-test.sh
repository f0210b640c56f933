#!/usr/bin/env bash
# calendar-test.sh — the calendar feeds read by a real iCalendar parser (Tests/Calendar/calendar_feed_test.py).
#
# Usage: scripts/calendar-test.sh [path-to-frontdesk-binary]
#        (default: .build/debug/frontdesk in the repository; build it first)
#
# Starts `frontdesk serve --demo` sending mail to a local aiosmtpd server, books classes either
# side of the change to summer time in Berlin, and parses the member's feed and the booking e-mail's
# .ics with Python's `icalendar`. icalendar and aiosmtpd (Tests/Calendar/requirements.txt) go into
# the git-ignored venv .build/calendar-venv, installed only when missing. Works from any cwd.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(dirname "$SCRIPT_DIR")"
# shellcheck source=browser-venv.sh
source "$SCRIPT_DIR/browser-venv.sh"
BINARY="${1:-$REPO_ROOT/.build/debug/frontdesk}"
if [[ ! -x "$BINARY" ]]; then
  echo "calendar-test.sh: no frontdesk binary at $BINARY (run \`swift build\` first, or pass its path)" >&2
  exit 1
fi
browser_venv "$REPO_ROOT/.build/calendar-venv" "$REPO_ROOT/Tests/Calendar/requirements.txt" "calendar-test.sh"
exec "$PY" "$REPO_ROOT/Tests/Calendar/calendar_feed_test.py" "$BINARY"
