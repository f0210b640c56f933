#!/usr/bin/env bash
# attack-test.sh — red-team checks against a real server (scripts/attack_test.py).
#
# Usage: scripts/attack-test.sh [path-to-frontdesk-binary]
#        (default: $BIN_DIR/frontdesk, BIN_DIR defaulting to .build/debug; build it first)
#
# Starts `frontdesk serve --demo` on a free port with a temporary data directory (and, for the
# publicBaseURL check, a second short-lived one), repeats the attacks of the security review and
# asserts each is refused: account pre-hijacking through invitations, CSRF by path spelling, a
# parallel login race and X-Forwarded-For spoofing, a 1 MB e-mail and login CSRF, slow request heads,
# idle connections and event streams per display, the scan landing page's proof of scan, /metrics
# behind its token, publicBaseURL following --port, and staff check-in of a no-show.
# Prints one PASS/FAIL line per check and `attack-test: N passed, M failed`; exits non-zero on any
# failure. Python 3 standard library only; about 10 s (a watchdog stops it after 90 s). The servers are always stopped and the
# temporary directories removed (also on Ctrl-C / TERM).
#
# Works from any cwd.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(dirname "$SCRIPT_DIR")"
cd "$REPO_ROOT"
BIN_DIR="${BIN_DIR:-.build/debug}"
BINARY="${1:-$BIN_DIR/frontdesk}"

if [[ ! -x "$BINARY" ]]; then
  echo "attack-test.sh: $BINARY not found; build it first (swift build --build-tests)" >&2
  exit 1
fi

# exec: INT/TERM reach the Python script directly, which stops its servers and cleans up.
exec python3 "$SCRIPT_DIR/attack_test.py" "$BINARY"
