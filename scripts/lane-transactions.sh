#!/usr/bin/env bash
# Where a booking lane's transaction spends its statements, on PostgreSQL.
#
#   scripts/lane-transactions.sh <frontdesk> <frontdesk-bench> [seconds]
#
# Starts a throwaway PostgreSQL cluster (scripts/pg-throwaway.sh) that logs every statement with its
# duration, one server on it, runs `frontdesk-bench mix` for [seconds] (default 8), then groups the log
# by backend into lane transactions (from the advisory lock to the unlock) and prints how many there
# were, their wall time, their statements and the statements' time inside PostgreSQL, by statement.
# docs/benchmarks.md, "Session 2026-11-29 (7)", shows what it found.
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
SERVER="$(realpath "$1")" BENCH="$(realpath "$2")" SECONDS_RUN="${3:-8}"
PORT=18193
WORK="$(mktemp -d /tmp/frontdesk-lanes.XXXXXX)"
chmod 755 "$WORK"
PID=""
cleanup() {
  [[ -n "$PID" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  bash "$SCRIPT_DIR/pg-throwaway.sh" stop "$WORK/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cd "$REPO_ROOT"
PG="$(bash "$SCRIPT_DIR/pg-throwaway.sh" start "$WORK/pg" 55543 | tail -n 1)"
BASE="${PG%/*}"
psql -q "$PG" -c "CREATE DATABASE lanes" >/dev/null
psql -q "$PG" -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
"$SERVER" migrate --database-url "$BASE/lanes" --log-level warning >/dev/null
FRONTDESK_MAX_STREAMS_PER_DISPLAY=64 "$SERVER" serve --database-url "$BASE/lanes" --port "$PORT" --log-level error >"$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 150); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
FRONTDESK_SECRETS_KEY_FILE="$REPO_ROOT/data/frontdesk-secrets.key" \
  "$BENCH" mix --url "http://127.0.0.1:$PORT" --database-url "$BASE/lanes" --seconds "$SECONDS_RUN"
python3 - "$WORK/pg/postgres.log" <<'PY'
import collections, datetime, re, statistics, sys
line_re = re.compile(r'^(\S+ \S+) UTC \[(\d+)\] LOG:  duration: ([\d.]+) ms  (?:execute|statement|parse|bind) ?[^:]*: ?(.*)$')
open_by_pid, done = {}, []
for line in open(sys.argv[1], errors='replace'):
    m = line_re.match(line)
    if not m: continue
    stamp, pid, ms, sql = m.groups()
    at = datetime.datetime.strptime(stamp, '%Y-%m-%d %H:%M:%S.%f').timestamp()
    ms = float(ms)
    if 'pg_advisory_lock(' in sql:
        open_by_pid[pid] = {'start': at - ms / 1000, 'statements': []}
    if pid in open_by_pid:
        tx = open_by_pid[pid]
        tx['statements'].append((ms, re.sub(r'\s+', ' ', sql)[:70]))
        if 'pg_advisory_unlock(' in sql:
            tx['end'] = at
            done.append(open_by_pid.pop(pid))
if not done: sys.exit("no lane transactions in the log")
wall = [(tx['end'] - tx['start']) * 1000 for tx in done]
print(f"lane transactions: {len(done)}")
print(f"wall time: p50 {statistics.median(wall):.1f} ms, mean {statistics.mean(wall):.1f} ms, max {max(wall):.1f} ms")
print(f"statements each: p50 {statistics.median(len(tx['statements']) for tx in done)}, mean {statistics.mean(len(tx['statements']) for tx in done):.1f}")
print(f"time inside PostgreSQL each: p50 {statistics.median(sum(ms for ms, _ in tx['statements']) for tx in done):.1f} ms")
count, total = collections.Counter(), collections.Counter()
for tx in done:
    for ms, sql in tx['statements']:
        count[sql] += 1
        total[sql] += ms
print("   total ms   count  statement")
for sql, ms in total.most_common(20):
    print(f"{ms:11.1f} {count[sql]:7d}  {sql}")
PY
