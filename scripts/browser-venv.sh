#!/usr/bin/env bash
# browser-venv.sh — sourced by the browser scripts (browser-test.sh, display-memory.sh).
#
# browser_setup <caller-name> <what-is-skipped> [path-to-frontdesk-binary]
#   Sets BINARY (default .build/debug/frontdesk, resolved against the caller's cwd), CHROMIUM (the
#   system Chromium; without one it prints "<what-is-skipped> SKIPPED" and exits 0), TEST_DIR and
#   VENV, and exits 1/2 on a missing binary or wrong arguments.
#
# browser_venv <venv-dir> <requirements.txt> <caller-name>
#   Creates the git-ignored venv when missing and installs the pinned Playwright only when the
#   versions in requirements.txt are not already there (no network on later runs). Playwright drives
#   the system Chromium, so its own browser download is never used. Sets PY to the venv's python.
browser_venv() {
  local venv="$1" requirements="$2" caller="$3"
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  PY="$venv/bin/python"
  if [[ ! -x "$PY" ]]; then
    mkdir -p "$(dirname "$venv")"
    python3 -m venv "$venv"
  fi
  if ! "$PY" - "$requirements" <<'PYEOF' 2>/dev/null
import sys
from importlib.metadata import version, PackageNotFoundError
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line:
        continue
    name, _, wanted = line.partition("==")
    try:
        if wanted and version(name.strip()) != wanted.strip():
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PYEOF
  then
    echo "$caller: installing $(tr '\n' ' ' <"$requirements")into $venv"
    "$PY" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  fi
}

browser_setup() {
  local caller="$1" skipped="$2"
  shift 2
  local repo_root
  repo_root="$(dirname "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)")"
  TEST_DIR="$repo_root/Tests/Browser"
  VENV="$repo_root/.build/browser-venv"
  if [[ $# -gt 1 ]]; then
    echo "usage: $caller [path-to-frontdesk-binary]" >&2
    exit 2
  fi
  BINARY="${1:-$repo_root/.build/debug/frontdesk}"
  if [[ "$BINARY" != /* ]]; then
    BINARY="$PWD/$BINARY"
  fi
  CHROMIUM="$(command -v chromium || command -v chromium-browser || true)"
  if [[ -z "$CHROMIUM" ]]; then
    echo "$skipped SKIPPED: chromium is not installed (apt-get install chromium)"
    exit 0
  fi
  if [[ ! -x "$BINARY" ]]; then
    echo "$caller: no frontdesk binary at $BINARY (run \`swift build\` first, or pass its path)" >&2
    exit 1
  fi
}

