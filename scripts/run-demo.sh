#!/usr/bin/env bash
# run-demo.sh — THE run command for Frontdesk (see README).
#
# Installs the system packages if needed, then builds and starts the server
# with a seeded demo studio:
#   swift run frontdesk serve --demo [extra args...]
# `serve --demo` seeds a demo studio into ./data/frontdesk.sqlite (relative to
# the repository root) and prints the demo logins. Extra arguments are passed
# through to `frontdesk serve`.
#
# Works from any cwd: it cds to the repository root (parent of scripts/).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(dirname "$SCRIPT_DIR")"
cd "$REPO_ROOT"

# The toolchain lives in /opt/swift; make sure it is reachable.
if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi

bash "$SCRIPT_DIR/install-deps.sh"

# exec so signals (Ctrl-C, TERM) go straight to swift run / the server.
exec swift run frontdesk serve --demo "$@"
