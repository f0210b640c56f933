#!/usr/bin/env bash
# browser-venv.sh — sourced by the browser scripts (browser-test.sh, display-memory.sh).
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
