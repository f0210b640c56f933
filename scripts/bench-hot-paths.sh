#!/usr/bin/env bash
# bench-hot-paths.sh — the write and read figures of docs/benchmarks.md ("Past one commit at a time"),
# one server build at a time, each measurement on a fresh database:
#
#   scripts/bench-hot-paths.sh [FRONTDESK_BINARY] [BENCH_BINARY]
#
# Defaults: .build-release/release/frontdesk and .build-release/release/frontdesk-bench, built with
#   swift build -c release --scratch-path .build-release --product frontdesk
#   swift build -c release --scratch-path .build-release --product frontdesk-bench
# To compare two builds in the same hour, run it once per FRONTDESK_BINARY with the same bench binary.
#
# What it runs (release builds; server, PostgreSQL 15 and load share the machine's cores):
#   pgbench   the one-row durable-commit limit (shared/bench/hot-row/read-committed-conditional-update.sql, 64 clients)
#   rush      1,000 members, 64 clients, 20 places: PostgreSQL with one and two servers, SQLite
#   checkins  2,000 booked members, 32 clients: PostgreSQL, SQLite
#   reads     wrk -t2 -c32 -d10s: /healthz, a member's week, the display state poll: PostgreSQL, SQLite
#   mix       frontdesk-bench mix, 32 clients, 20 s: PostgreSQL, SQLite
# BENCH_ONLY="rush checkins" limits it to some of them. A throwaway PostgreSQL cluster is started
# (scripts/pg-throwaway.sh) and stopped afterwards.
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(dirname "$SCRIPT_DIR")"
cd "$REPO_ROOT"
SERVER="${1:-.build-release/release/frontdesk}"
BENCH="${2:-.build-release/release/frontdesk-bench}"
ONLY="${BENCH_ONLY:-pgbench rush checkins reads mix}"
HOT_ROW="${HOT_ROW_SQL:-$REPO_ROOT/../shared/bench/hot-row/read-committed-conditional-update.sql}"
PORT_A=18191
PORT_B=18192
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null

WORK="$(mktemp -d /tmp/frontdesk-bench.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
stop_servers() {
  for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
cleanup() {
  stop_servers
  bash "$SCRIPT_DIR/pg-throwaway.sh" stop "$WORK/pg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

mkdir -p "$WORK/pg"
PG="$(bash "$SCRIPT_DIR/pg-throwaway.sh" start "$WORK/pg" 55531 | tail -n 1)"
PG_BASE="${PG%/*}"

# A fresh PostgreSQL database (migrated) or SQLite directory; prints its URL.
# (Called in a subshell, so the name comes from the clock, not a counter.)
fresh() {
  local name="bench_$(date +%s%N)"
  if [[ "$1" == postgres ]]; then
    psql -q "$PG" -c "CREATE DATABASE $name" >/dev/null
    "$SERVER" migrate --database-url "$PG_BASE/$name" --log-level warning >/dev/null
    echo "$PG_BASE/$name"
  else
    mkdir -p "$WORK/$name"
    echo "$WORK/$name/frontdesk.sqlite"
  fi
}

# serve URL PORT...: starts one server per port on the database and waits until each is ready.
serve() {
  local url="$1"; shift
  for port in "$@"; do
    if [[ "$url" == postgres* ]]; then
      FRONTDESK_MAX_STREAMS_PER_DISPLAY=64 "$SERVER" serve --database-url "$url" --port "$port" --log-level error >"$WORK/serve-$port.log" 2>&1 &
    else
      FRONTDESK_MAX_STREAMS_PER_DISPLAY=64 "$SERVER" serve --data-dir "$(dirname "$url")" --port "$port" --log-level error >"$WORK/serve-$port.log" 2>&1 &
    fi
    PIDS+=("$!")
  done
  for port in "$@"; do
    for _ in $(seq 1 150); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$WORK/serve-$port.log"; exit 1; }
  done
}

urls() { for port in "$@"; do printf -- "--url http://127.0.0.1:%s " "$port"; done; }

run() { # run BACKEND SERVERS SUBCOMMAND ARGS...
  local backend="$1" servers="$2"; shift 2
  local url ports=("$PORT_A")
  [[ "$servers" == 2 ]] && ports=("$PORT_A" "$PORT_B")
  url="$(fresh "$backend")"
  serve "$url" "${ports[@]}"
  echo "--- $1 on $backend, $servers server(s)"
  # The bench signs QR codes and display links with the server's keys: the same secrets key file.
  local secrets="$REPO_ROOT/data/frontdesk-secrets.key"
  [[ "$backend" == sqlite ]] && secrets="$(dirname "$url")/frontdesk-secrets.key"
  # shellcheck disable=SC2046
  FRONTDESK_SECRETS_KEY_FILE="$secrets" "$BENCH" "$@" $(urls "${ports[@]}") --database-url "$url" || echo "(exit $?)"
  stop_servers
}

echo "=== $(date -u +%FT%TZ) server $SERVER ($(git -C "$REPO_ROOT" rev-parse --short HEAD)), $(nproc) cores"
for what in $ONLY; do
  case "$what" in
    pgbench)
      psql -q "$PG" -c "DROP TABLE IF EXISTS s, b; CREATE TABLE s(id int primary key, cap int, booked int);
        INSERT INTO s VALUES (1, 1000000000, 0);
        CREATE TABLE b(id bigserial primary key, sid int, mid int, status text); CREATE INDEX ON b(sid, mid);" >/dev/null
      echo "--- pgbench one-row durable commit, 64 clients, 15 s"
      pgbench -n -f "$HOT_ROW" -c 64 -j 2 -T 15 "$PG" 2>&1 | grep -E "^tps|latency average"
      ;;
    rush)
      run postgres 1 rush --members 1000 --clients 64 --capacity 20
      run postgres 2 rush --members 1000 --clients 64 --capacity 20
      run sqlite 1 rush --members 1000 --clients 64 --capacity 20
      ;;
    checkins)
      run postgres 1 checkins --members 2000 --clients 32
      run sqlite 1 checkins --members 2000 --clients 32
      ;;
    reads)
      run postgres 1 reads --clients 32 --threads 2 --seconds 10
      run sqlite 1 reads --clients 32 --threads 2 --seconds 10
      ;;
    mix)
      run postgres 1 mix --clients 32 --seconds 20
      run sqlite 1 mix --clients 32 --seconds 20
      ;;
    *) echo "unknown measurement $what" >&2; exit 2 ;;
  esac
done
