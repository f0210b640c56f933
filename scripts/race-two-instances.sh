#!/usr/bin/env bash
# race-two-instances.sh — two `frontdesk serve` processes on one PostgreSQL, driven at once.
#
# Starts a throwaway PostgreSQL cluster (unless FRONTDESK_RACE_DATABASE_URL names one), migrates it,
# starts two servers on two ports and runs a `frontdesk-bench` scenario with its clients spread over
# both; fails if any invariant breaks. Uses the binaries in BIN_DIR (default: the debug build).
#
#   scripts/race-two-instances.sh [rush] [--members N] [--clients C] [--capacity K]
#       the class-release rush: exactly `capacity` confirmed, a dense waitlist, no member twice
#   scripts/race-two-instances.sh floor [--members N] [--capacity K]
#       bookings, cancels and QR check-ins at both servers; the display on the second hears every
#       check-in made on the first within 2 s
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(dirname "$SCRIPT_DIR")"
cd "$REPO_ROOT"
BIN_DIR="${BIN_DIR:-.build/debug}"
PORT_A="${FRONTDESK_RACE_PORT_A:-18081}"
PORT_B="${FRONTDESK_RACE_PORT_B:-18082}"

PG_DIR=""
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]:-}"; do
    [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true
  done
  if [[ -n "$PG_DIR" ]]; then bash "$SCRIPT_DIR/pg-throwaway.sh" stop "$PG_DIR" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT INT TERM

URL="${FRONTDESK_RACE_DATABASE_URL:-}"
if [[ -z "$URL" ]]; then
  PG_DIR="$(mktemp -d /tmp/frontdesk-race-pg.XXXXXX)"
  URL="$(bash "$SCRIPT_DIR/pg-throwaway.sh" start "$PG_DIR" "${FRONTDESK_RACE_PG_PORT:-55499}" | tail -n 1)"
fi

"$BIN_DIR/frontdesk" migrate --database-url "$URL" --log-level warning
LOG_DIR="$(mktemp -d /tmp/frontdesk-race-logs.XXXXXX)"
for port in "$PORT_A" "$PORT_B"; do
  "$BIN_DIR/frontdesk" serve --database-url "$URL" --port "$port" --log-level warning >"$LOG_DIR/serve-$port.log" 2>&1 &
  PIDS+=("$!")
done
for port in "$PORT_A" "$PORT_B"; do
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { echo "server on $port did not become ready"; cat "$LOG_DIR/serve-$port.log"; exit 1; }
done
SCENARIO=rush
if [[ $# -gt 0 && "$1" != --* ]]; then SCENARIO="$1"; shift; fi
echo "=== two servers (ports $PORT_A and $PORT_B) on one PostgreSQL: $SCENARIO ==="
"$BIN_DIR/frontdesk-bench" "$SCENARIO" --url "http://127.0.0.1:$PORT_A" --url "http://127.0.0.1:$PORT_B" --database-url "$URL" "$@"
