#!/usr/bin/env bash
# fault-test.sh — what the server does when things break (issue 10, faults).
#
#   1. SIGKILL of one of two servers in the middle of a class-release rush on PostgreSQL: every
#      booking a client saw acknowledged is stored, whole (with its notification), and the class's
#      invariants hold (frontdesk-bench durability).
#   2. PostgreSQL stopped under a running server: /readyz and database-backed requests answer 503
#      `database_unavailable` (never a hang or a 500); once PostgreSQL is back the server reconnects
#      by itself and a new rush succeeds.
#   3. SQLite on a full disk (a small tmpfs filled up; needs root, skipped with a reason otherwise):
#      writes answer 503 `database_unavailable`, reads keep working, the file passes
#      `PRAGMA integrity_check`, and writes work again once there is room.
#   4. SQLite file read-only: the server refuses to start with a clear message.
#
# Usage: scripts/fault-test.sh   (BIN_DIR, default .build/debug)
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(dirname "$SCRIPT_DIR")"
cd "$REPO_ROOT"
BIN_DIR="${BIN_DIR:-.build/debug}"
WORK="$(mktemp -d /tmp/frontdesk-faults.XXXXXX)"
chmod 755 "$WORK"   # part 4 runs the server as an unprivileged user
PG_DIR="$WORK/pg"
TMPFS=""
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true; done
  if [[ -n "$TMPFS" ]]; then umount "$TMPFS" 2>/dev/null || umount -l "$TMPFS" 2>/dev/null || true; fi
  bash "$SCRIPT_DIR/pg-throwaway.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
  chmod -R u+w "$WORK" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
fail() { echo "FAILED: $*"; exit 1; }

serve() {  # port database-url -> LAST_PID
  FRONTDESK_RUN_JOBS=false "$BIN_DIR/frontdesk" serve --database-url "$2" --port "$1" --log-level warning >>"$WORK/serve-$1.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$WORK/serve-$1.log"; fail "server on $1 did not start"
}
status_of() { curl -s -o "$WORK/body" -w '%{http_code}' "$@"; }

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="$(bash "$SCRIPT_DIR/pg-throwaway.sh" start "$PG_DIR" "$PORT" 2>/dev/null | tail -n 1)"
"$BIN_DIR/frontdesk" migrate --database-url "$URL" --log-level warning >/dev/null

echo "=== 1. SIGKILL of one of two servers mid-rush (PostgreSQL) ==="
serve 18111 "$URL"; A=$LAST_PID
serve 18112 "$URL"
"$BIN_DIR/frontdesk-bench" durability --url http://127.0.0.1:18111 --url http://127.0.0.1:18112 --database-url "$URL" \
    --members 600 --capacity 40 --clients 8 --pause-ms 15 >"$WORK/rush.log" 2>&1 &
BENCH=$!
sleep 1.5
kill -KILL "$A"; echo "killed the server on 18111 mid-rush"
wait "$BENCH" || { cat "$WORK/rush.log"; fail "acknowledged bookings lost or invariants broken"; }
cat "$WORK/rush.log"

echo "=== 2. PostgreSQL stopped and started under a running server ==="
[[ "$(status_of http://127.0.0.1:18112/readyz)" == 200 ]] || fail "readyz before the outage"
bash "$SCRIPT_DIR/pg-throwaway.sh" pause "$PG_DIR" 2>/dev/null
ready=$(status_of --max-time 10 http://127.0.0.1:18112/readyz)
login=$(status_of --max-time 30 -X POST -H 'content-type: application/json' -d '{"email":"a@b.c","password":"whatever-long"}' \
        http://127.0.0.1:18112/api/auth/login)
echo "during the outage: /readyz $ready, login $login $(cat "$WORK/body")"
[[ "$ready" == 503 && "$login" == 503 ]] || fail "expected 503 during the outage"
grep -q database_unavailable "$WORK/body" || fail "expected database_unavailable"
bash "$SCRIPT_DIR/pg-throwaway.sh" resume "$PG_DIR" 2>/dev/null
start=$SECONDS
until [[ "$(status_of http://127.0.0.1:18112/readyz)" == 200 ]]; do
  (( SECONDS - start < 30 )) || fail "readyz did not recover within 30 s"
  sleep 0.2
done
echo "readyz back to 200 $((SECONDS - start)) s after PostgreSQL came back"
"$BIN_DIR/frontdesk-bench" durability --url http://127.0.0.1:18112 --database-url "$URL" --members 60 --capacity 20 --clients 4 --pause-ms 0 \
    >"$WORK/after.log" 2>&1 || { cat "$WORK/after.log"; fail "bookings after the outage"; }
grep -E "acknowledged|invariants" "$WORK/after.log"

echo "=== 3. SQLite on a full disk ==="
TMPFS="$WORK/small-disk"
mkdir -p "$TMPFS"
if mount -t tmpfs -o size=4m tmpfs "$TMPFS" 2>/dev/null; then
  DB="$TMPFS/frontdesk.sqlite"
  "$BIN_DIR/frontdesk" demo --database-url "$DB" --log-level warning >/dev/null
  serve 18113 "$DB"
  token=$(curl -s -X POST -H 'content-type: application/json' -d '{"email":"maya@demo.frontdesk.test","password":"demo-member-pass"}' \
          http://127.0.0.1:18113/api/auth/login | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  session=$(sqlite3 "$DB" "SELECT id FROM class_sessions WHERE status = 'published' AND starts_at > strftime('%s','now') + 3600 ORDER BY starts_at LIMIT 1")
  [[ -n "$session" ]] || fail "no class to book"
  dd if=/dev/zero of="$TMPFS/filler" bs=64k 2>/dev/null || true   # fill the disk
  booking=$(status_of -X POST -H "authorization: Bearer $token" http://127.0.0.1:18113/api/sessions/$session/bookings)
  echo "booking on a full disk: $booking $(cat "$WORK/body")"
  [[ "$booking" == 503 ]] && grep -q database_unavailable "$WORK/body" || fail "expected 503 database_unavailable on a full disk"
  [[ "$(status_of -H "authorization: Bearer $token" http://127.0.0.1:18113/api/me/bookings)" == 200 ]] || fail "reads on a full disk"
  rm -f "$TMPFS/filler"
  booking=$(status_of -X POST -H "authorization: Bearer $token" http://127.0.0.1:18113/api/sessions/$session/bookings)
  echo "booking once there is room again: $booking"
  [[ "$booking" == 201 ]] || fail "expected the booking to work again"
  check=$(sqlite3 "$DB" "PRAGMA integrity_check")
  echo "integrity_check: $check"
  [[ "$check" == ok ]] || fail "the database file is damaged"
else
  echo "SKIPPED: cannot mount a small tmpfs here (needs root)"
fi

echo "=== 4. SQLite file read-only ==="
RO="$WORK/readonly"
mkdir -p "$RO"
"$BIN_DIR/frontdesk" migrate --database-url "$RO/frontdesk.sqlite" --log-level warning >/dev/null
chmod 444 "$RO"/frontdesk.sqlite*; chmod 555 "$RO"
set +e
if [[ "$(id -u)" == 0 ]]; then
  out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN_DIR/frontdesk" serve --database-url "$RO/frontdesk.sqlite" --port 18114 2>&1 & pid=$!; sleep 3; kill $pid 2>/dev/null; wait $pid; echo "exit $?")
else
  out=$("$BIN_DIR/frontdesk" serve --database-url "$RO/frontdesk.sqlite" --port 18114 2>&1 & pid=$!; sleep 3; kill $pid 2>/dev/null; wait $pid; echo "exit $?")
fi
set -e
echo "$out" | tail -n 3
echo "$out" | grep -qiE "read-?only|readonly|permission|unable to open" || fail "expected a clear message about the read-only file"
echo "fault tests PASSED"
