#!/usr/bin/env bash
# install-deps.sh — idempotently install the system packages Frontdesk needs.
#
# Target: a fresh Debian 12 (bookworm) machine with the Swift toolchain
# already unpacked at /opt/swift. Normally run as root; when not root, `sudo`
# is used if it is available.
#
# Packages:
#   libqrencode-dev  QR code generation (linked by the Swift package)
#   pkg-config       lets SwiftPM locate system libraries
#   postgresql       server binaries for the throwaway test cluster (PG 15)
#   zbar-tools       zbarimg, used by tests to decode generated QR codes
#   librsvg2-bin     rsvg-convert, used to rasterise SVG output in tests
#   libsqlite3-dev   SQLite, the default embedded database
# With --test (the test command), also:
#   chromium         headless browser for the page tests (screenshots, QR round trip)
#   python3-venv     the browser and SMTP tests' private Python environments (Playwright, aiosmtpd)
#   openssl          the SMTP tests' throw-away certificate authority
#   sqlite3          the fault tests' integrity check of the database file
#   faketime         libfaketime: the offline display browser test sets the server's clock
#
# apt-get is only invoked when at least one package is actually missing, so
# re-running this script is cheap and needs no network.
set -euo pipefail

PACKAGES=(
  libqrencode-dev
  pkg-config
  postgresql
  zbar-tools
  librsvg2-bin
  libsqlite3-dev
)
if [[ "${1:-}" == "--test" ]]; then
  PACKAGES+=(chromium python3-venv openssl sqlite3 faketime)
fi

# A package counts as present only if dpkg says it is fully installed.
# (`dpkg -s` alone also succeeds for packages that were removed but not
# purged, i.e. status "deinstall ok config-files".)
is_installed() {
  local status
  status="$(dpkg -s "$1" 2>/dev/null | sed -n 's/^Status: //p')" || return 1
  [[ "$status" == "install ok installed" ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! is_installed "$pkg"; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all system packages already installed (${PACKAGES[*]})"
  exit 0
fi

# Escalate only when needed: root runs apt directly, others go through sudo.
SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-deps: not root and sudo is not available; cannot install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-deps: installing missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# `env` carries DEBIAN_FRONTEND through sudo, which would otherwise drop it.
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"
echo "install-deps: done"
