#!/usr/bin/env bash
# smtp-test-servers.sh — real SMTP servers for the test suite (aiosmtpd from PyPI).
#
# Usage:
#   scripts/smtp-test-servers.sh start <dir>   start three servers on free loopback ports:
#       plain (no auth), STARTTLS + AUTH, implicit TLS + AUTH, with a throw-away CA in <dir>/certs;
#       every received message is written as JSON into <dir>/mail. Writes the variables the
#       tests read (FRONTDESK_TEST_SMTP_*) to <dir>/env, to be sourced.
#   scripts/smtp-test-servers.sh stop <dir>    stop them and remove <dir>.
#
# aiosmtpd goes into the git-ignored venv .build/smtp-venv (installed only when missing).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(dirname "$SCRIPT_DIR")"
VENV="$REPO_ROOT/.build/smtp-venv"
PY="$VENV/bin/python"

usage() { echo "usage: $0 start|stop <dir>" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
DIR="$2"

case "$1" in
  stop)
    if [[ -f "$DIR/pids" ]]; then
      while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$DIR/pids"
      while read -r pid; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      done <"$DIR/pids"
    fi
    rm -rf "$DIR"
    exit 0 ;;
  start) ;;
  *) usage ;;
esac

if [[ ! -x "$PY" ]] || ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'aiosmtpd==1.4.6'
fi
mkdir -p "$DIR/mail"
bash "$REPO_ROOT/Tests/SMTPServer/gen-certs.sh" "$DIR/certs"
: >"$DIR/pids"

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_server() {  # mode port
  "$PY" "$REPO_ROOT/Tests/SMTPServer/smtp_server.py" --mode "$1" --port "$2" --outdir "$DIR/mail" \
    --cert "$DIR/certs/server.pem" --key "$DIR/certs/server.key" \
    --user frontdesk --password s3cret-pass \
    --reject-permanent gone@example.com --reject-transient busy@example.com >"$DIR/$1.log" 2>&1 &
  echo $! >>"$DIR/pids"
}

PLAIN=$(free_port); start_server plain "$PLAIN"
STARTTLS=$(free_port); start_server starttls "$STARTTLS"
IMPLICIT=$(free_port); start_server tls "$IMPLICIT"
for mode in plain starttls tls; do
  for _ in $(seq 100); do
    grep -q '^READY' "$DIR/$mode.log" 2>/dev/null && break
    sleep 0.1
  done
  if ! grep -q '^READY' "$DIR/$mode.log"; then
    echo "smtp-test-servers: the $mode server did not start:" >&2
    cat "$DIR/$mode.log" >&2
    exit 1
  fi
done
cat >"$DIR/env" <<ENV
export FRONTDESK_TEST_SMTP_PORT=$PLAIN
export FRONTDESK_TEST_SMTP_TLS_PORT=$STARTTLS
export FRONTDESK_TEST_SMTP_IMPLICIT_TLS_PORT=$IMPLICIT
export FRONTDESK_TEST_SMTP_DIR=$DIR/mail
export FRONTDESK_TEST_SMTP_CA=$DIR/certs/ca.pem
export FRONTDESK_TEST_SMTP_USER=frontdesk
export FRONTDESK_TEST_SMTP_PASSWORD=s3cret-pass
export FRONTDESK_TEST_SMTP_REJECT_PERMANENT=gone@example.com
export FRONTDESK_TEST_SMTP_REJECT_TRANSIENT=busy@example.com
ENV
echo "smtp-test-servers: plain=$PLAIN starttls=$STARTTLS tls=$IMPLICIT mail=$DIR/mail"
