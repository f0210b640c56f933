#!/usr/bin/env bash
# test.sh — THE test command for Frontdesk (README; called by .ci/run).
#
# What it does:
#   1. scripts/install-deps.sh      (no-op when the system packages are present)
#   2. swift build --build-tests    once, reporting the elapsed time
#   3. starts a throwaway PostgreSQL cluster (scripts/pg-throwaway.sh) in a
#      temp dir on a free port (55432 preferred); a trap always stops and
#      removes it on exit, including failures, Ctrl-C (INT) and TERM
#   4. swift test --skip-build once per backend:
#        FRONTDESK_TEST_BACKEND=sqlite
#        FRONTDESK_TEST_BACKEND=postgres FRONTDESK_TEST_POSTGRES_URL=<url>
#      each run's output is shown live and tee'd to a log file
#      with three real SMTP servers (smtp-test-servers.sh, aiosmtpd) for the e-mail tests
#   4b. two frontdesk serve processes on one PostgreSQL (race-two-instances.sh), and the
#       outbox under SIGKILL with two servers delivering to a real SMTP server (outbox-crash-test.sh),
#       and the fault tests (fault-test.sh)
#   4b'. schemathesis against /openapi.json as owner and member, then the invariants (fuzz-api.sh)
#   4b''. the attacks of the security review against a real server, each asserted refused
#       (attack-test.sh; skipped with FRONTDESK_TEST_FILTER)
#   4c. the browser tests (browser-test.sh; skipped with FRONTDESK_TEST_FILTER)
#   4d. the calendar feeds read by Python's icalendar (calendar-test.sh; skipped with FRONTDESK_TEST_FILTER)
#   5. prints one summary line per backend with the counts reported by
#      Swift Testing / XCTest, and exits non-zero if any run failed.
#
# Optional environment:
#   FRONTDESK_TEST_BACKENDS  backends to run, space separated
#                            (default "sqlite postgres"); the PostgreSQL
#                            cluster is only started when "postgres" is listed
#   FRONTDESK_TEST_FILTER    passed to every run as `swift test --filter <value>`
#   FRONTDESK_TEST_LOG_DIR   where the per-backend logs go
#                            (default <repo>/.build/test-logs)
#   FRONTDESK_TEST_PG_WIDTH  most tests at once on PostgreSQL (default 32)
#   FRONTDESK_TEST_SUITE_LIMIT  a backend's whole run is stopped (failed) after this
#                            (default 25m, a `timeout` duration)
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

BACKENDS_RAW="${FRONTDESK_TEST_BACKENDS:-sqlite postgres}"
FILTER="${FRONTDESK_TEST_FILTER:-}"
LOG_DIR="${FRONTDESK_TEST_LOG_DIR:-$REPO_ROOT/.build/test-logs}"

# Validate the backend list up front so a typo fails fast (before building).
read -r -a BACKENDS <<<"$BACKENDS_RAW" || true
if [[ ${#BACKENDS[@]} -eq 0 ]]; then
  echo "test.sh: FRONTDESK_TEST_BACKENDS is empty" >&2
  exit 2
fi
NEED_POSTGRES=0
for b in "${BACKENDS[@]}"; do
  case "$b" in
    sqlite) ;;
    postgres) NEED_POSTGRES=1 ;;
    *) echo "test.sh: unknown backend '$b' in FRONTDESK_TEST_BACKENDS (expected sqlite and/or postgres)" >&2
       exit 2 ;;
  esac
done

# --- cleanup: always stop the throwaway cluster --------------------------------
PG_DIR=""        # set once the cluster dir exists
SMTP_DIR=""      # set once the SMTP test servers run
TEST_PGID=""     # process group of a running `swift test` pipeline, if any

# True while any non-zombie process is left in process group $1. (Zombies are
# ignored: in containers whose PID 1 reaps lazily they linger after death.)
group_alive() {
  ps -e -o pgid=,stat= 2>/dev/null \
    | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # If we were interrupted while tests ran, stop them first (their own
  # process group, started below; nothing else is signalled).
  if [[ -n "$TEST_PGID" ]]; then
    echo "test.sh: interrupted; stopping the running swift test (process group $TEST_PGID)" >&2
    kill -TERM -- "-$TEST_PGID" 2>/dev/null || true
    local i
    for i in $(seq 1 20); do                    # give it up to ~10 s
      group_alive "$TEST_PGID" || break
      sleep 0.5
    done
    kill -KILL -- "-$TEST_PGID" 2>/dev/null || true
    wait "$TEST_PGID" 2>/dev/null || true
  fi
  if [[ -n "${SMTP_DIR:-}" ]]; then
    bash "$SCRIPT_DIR/smtp-test-servers.sh" stop "$SMTP_DIR" >/dev/null 2>&1 || true
  fi
  if [[ -n "$PG_DIR" ]]; then
    echo "test.sh: stopping throwaway PostgreSQL cluster in $PG_DIR" >&2
    bash "$SCRIPT_DIR/pg-throwaway.sh" stop "$PG_DIR" >/dev/null 2>&1 \
      || echo "test.sh: warning: could not stop cluster in $PG_DIR" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. system packages -----------------------------------------------------------
bash "$SCRIPT_DIR/install-deps.sh" --test

# --- 1b. house rules: swift format lint (.swift-format, lines <= 140) ------------------
mkdir -p "${FRONTDESK_TEST_LOG_DIR:-$REPO_ROOT/.build/test-logs}"
echo "=== swift format lint --strict (.swift-format) ==="
FORMAT_LOG="${FRONTDESK_TEST_LOG_DIR:-$REPO_ROOT/.build/test-logs}/format-lint.log"
FORMAT_RC=0
swift format lint --strict --recursive Sources Tests Package.swift >"$FORMAT_LOG" 2>&1 || FORMAT_RC=$?
echo "format lint: $(grep -c 'warning:\|error:' "$FORMAT_LOG" || true) findings (log: $FORMAT_LOG)"
[[ $FORMAT_RC -eq 0 ]] || head -20 "$FORMAT_LOG"

# --- 2. build once ----------------------------------------------------------------
echo "=== swift build --build-tests ==="
build_start=$SECONDS
if ! swift build --build-tests; then
  echo "test.sh: swift build --build-tests FAILED after $((SECONDS - build_start))s" >&2
  exit 1
fi
echo "test.sh: swift build --build-tests took $((SECONDS - build_start))s"

# --- 3. throwaway PostgreSQL --------------------------------------------------------
# A port counts as busy if something accepts a TCP connection on 127.0.0.1.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Print the first free port from 55432 upwards, after the given one.
next_free_port() {
  local p="$1"
  while (( p < 55632 )); do
    if ! port_in_use "$p"; then
      echo "$p"
      return 0
    fi
    p=$((p + 1))
  done
  return 1
}

PG_URL=""
if [[ $NEED_POSTGRES -eq 1 ]]; then
  # Under /tmp so the `postgres` user can reach it when we run as root, and
  # short so the Unix socket path stays within limits.
  PG_DIR="$(mktemp -d /tmp/frontdesk-pg.XXXXXX)"
  port=55431
  for attempt in 1 2 3 4 5; do
    port="$(next_free_port $((port + 1)))" || { echo "test.sh: no free port found for PostgreSQL" >&2; exit 1; }
    echo "test.sh: starting throwaway PostgreSQL on 127.0.0.1:$port (attempt $attempt)"
    # Last stdout line of `start` is the URL; a failed start (e.g. the port
    # was grabbed in the meantime) is retried on the next free port.
    if PG_URL="$(bash "$SCRIPT_DIR/pg-throwaway.sh" start "$PG_DIR" "$port" | tail -n 1)" \
        && [[ "$PG_URL" == postgres://* ]]; then
      break
    fi
    PG_URL=""
  done
  if [[ -z "$PG_URL" ]]; then
    echo "test.sh: could not start the throwaway PostgreSQL cluster" >&2
    exit 1
  fi
  echo "test.sh: PostgreSQL ready at $PG_URL"
fi

# --- 4. run the suite per backend -----------------------------------------------------
# Real SMTP servers (aiosmtpd) for the notification e-mail tests, stopped by cleanup.
SMTP_DIR="$(mktemp -d /tmp/frontdesk-smtp.XXXXXX)"
bash "$SCRIPT_DIR/smtp-test-servers.sh" start "$SMTP_DIR"
# shellcheck disable=SC1091
source "$SMTP_DIR/env"

mkdir -p "$LOG_DIR"
declare -A RESULT=()   # backend -> exit status of swift test
SUITE_LIMIT="${FRONTDESK_TEST_SUITE_LIMIT:-25m}"   # per backend; a whole run takes minutes

run_backend() {
  local backend="$1"
  local log="$LOG_DIR/test-$backend.log"
  local args=(test --skip-build)
  if [[ -n "$FILTER" ]]; then
    args+=(--filter "$FILTER")
  fi

  # Each backend runs under a different host time zone, so the whole suite proves the server
  # behaves the same whatever TZ the process has (org-local maths must never use the host's zone).
  local tz="Asia/Kolkata"
  local envs=(FRONTDESK_TEST_BACKEND="$backend")
  if [[ "$backend" == postgres ]]; then
    envs+=(FRONTDESK_TEST_POSTGRES_URL="$PG_URL")
    tz="UTC"
    # At most this many tests at once against the one PostgreSQL server. Unbounded, all ~600 tests
    # start together (each with its own pools and four LISTEN connections, ~500 server backends on
    # two cores): tests then took minutes each, and twice a run stalled for good with no connection
    # and nothing running. Swift Testing reads the width from this variable (SwiftPM has no flag).
    envs+=(SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${FRONTDESK_TEST_PG_WIDTH:-32}")
  fi
  envs+=(TZ="$tz")

  echo
  echo "=== Frontdesk tests on backend: $backend (host TZ=$tz) ==="
  # Run the pipeline in the background, in its own process group (set -m),
  # and `wait` for it: that way an INT/TERM sent to this script is handled
  # immediately (the trap kills that group and stops PostgreSQL) instead of
  # only after swift test has finished. With pipefail the pipeline's status
  # is swift test's status unless tee itself fails.
  local rc=0
  set -m
  # A run that stops making progress fails after SUITE_LIMIT instead of hanging CI.
  ( env -u FRONTDESK_TEST_POSTGRES_URL "${envs[@]}" timeout --kill-after=30s "$SUITE_LIMIT" swift "${args[@]}" </dev/null 2>&1 \
      | tee "$log" ) &
  TEST_PGID=$!
  set +m
  wait "$TEST_PGID" || rc=$?
  TEST_PGID=""
  RESULT[$backend]=$rc
  echo "test.sh: backend $backend finished with exit status $rc (log: $log)"
}

for b in "${BACKENDS[@]}"; do
  run_backend "$b"
done

# --- 4b. two server processes on one PostgreSQL, rushed at once ---------------------------
RACE_RC=""
FLOOR_RC=""
if [[ $NEED_POSTGRES -eq 1 ]]; then
  echo
  echo "=== Two frontdesk serve processes on one PostgreSQL (scripts/race-two-instances.sh) ==="
  race_db="frontdesk_race"
  RACE_URL="${PG_URL%/*}/$race_db?sslmode=disable"
  psql "${PG_URL}" -qc "CREATE DATABASE $race_db" >/dev/null
  RACE_RC=0
  FRONTDESK_RACE_DATABASE_URL="$RACE_URL" bash "$SCRIPT_DIR/race-two-instances.sh" \
      --members 300 --clients 32 --capacity 12 </dev/null 2>&1 | tee "$LOG_DIR/race-two-instances.log" || RACE_RC=$?
  # Bookings, cancels and QR check-ins at both servers; the display on one hears the other's check-ins.
  echo "=== Two servers: bookings, cancels, check-ins and a display (scripts/race-two-instances.sh floor) ==="
  psql "${PG_URL}" -qc "CREATE DATABASE frontdesk_floor" >/dev/null
  FLOOR_RC=0
  FRONTDESK_RACE_DATABASE_URL="${PG_URL%/*}/frontdesk_floor?sslmode=disable" bash "$SCRIPT_DIR/race-two-instances.sh" floor \
      --members 160 --capacity 80 </dev/null 2>&1 | tee "$LOG_DIR/floor-two-instances.log" || FLOOR_RC=$?
fi

# --- 4b'. notifications survive SIGKILL; two servers share the outbox ---------------------
CRASH_RC=""
if [[ $NEED_POSTGRES -eq 1 ]]; then
  echo
  echo "=== Outbox under SIGKILL, two servers (scripts/outbox-crash-test.sh) ==="
  crash_db="frontdesk_outbox_crash"
  psql "${PG_URL}" -qc "CREATE DATABASE $crash_db" >/dev/null
  CRASH_RC=0
  FRONTDESK_CRASH_DATABASE_URL="${PG_URL%/*}/$crash_db?sslmode=disable" bash "$SCRIPT_DIR/outbox-crash-test.sh" </dev/null 2>&1 \
      | tee "$LOG_DIR/outbox-crash-test.log" || CRASH_RC=$?
fi

# --- 4b''. faults: a server killed mid-rush, PostgreSQL stopped, SQLite disk full / read-only ---
FAULT_RC=""
if [[ $NEED_POSTGRES -eq 1 ]]; then
  echo
  echo "=== Faults (scripts/fault-test.sh) ==="
  FAULT_RC=0
  bash "$SCRIPT_DIR/fault-test.sh" </dev/null 2>&1 | tee "$LOG_DIR/fault-test.log" || FAULT_RC=$?
fi

# --- 4b'''. schemathesis against the OpenAPI document, then the database invariants ----------
FUZZ_RC=""
if [[ -z "${FRONTDESK_TEST_FILTER:-}" ]]; then
  echo
  echo "=== API fuzzing (scripts/fuzz-api.sh) ==="
  FUZZ_RC=0
  bash "$SCRIPT_DIR/fuzz-api.sh" 15 </dev/null 2>&1 | tee "$LOG_DIR/fuzz-api.log" || FUZZ_RC=$?
fi

# --- 4b''''. red team: the security review's attacks against a real server ------------------
# Account pre-hijacking, CSRF by path spelling, the login race and X-Forwarded-For spoofing, login
# CSRF, slow request heads and idle connections, event streams per display, the scan landing's proof
# of scan, /metrics behind its token, publicBaseURL following --port, staff check-in of a no-show.
ATTACK_RC=""
if [[ -z "${FRONTDESK_TEST_FILTER:-}" ]]; then
  echo
  echo "=== Attacks (scripts/attack-test.sh) ==="
  ATTACK_RC=0
  bash "$SCRIPT_DIR/attack-test.sh" "$REPO_ROOT/.build/debug/frontdesk" </dev/null 2>&1 | tee "$LOG_DIR/attack-test.log" || ATTACK_RC=$?
fi

# --- 4c. the pages in a real browser ------------------------------------------------------
# Headless Chromium loads the demo studio's display, zbarimg reads its QR code off a screenshot, a
# member's phone opens the decoded URL and checks in, the display shows them; screenshots of the
# pages at phone, tablet and 1080p sizes are kept in .build/screenshots.
BROWSER_RC=""
if [[ -z "${FRONTDESK_TEST_FILTER:-}" ]]; then
  echo
  echo "=== Browser tests (scripts/browser-test.sh) ==="
  BROWSER_RC=0
  bash "$SCRIPT_DIR/browser-test.sh" "$REPO_ROOT/.build/debug/frontdesk" </dev/null 2>&1 | tee "$LOG_DIR/browser-test.log" || BROWSER_RC=$?
fi

# --- 4d. the calendar feeds read by a real iCalendar parser ---------------------------------
# A demo server sending mail to a local SMTP server; Python's icalendar reads the member's feed and
# the booking e-mail's .ics (classes across the change to summer time in Berlin, UID, SEQUENCE, CANCELLED).
CALENDAR_RC=""
if [[ -z "${FRONTDESK_TEST_FILTER:-}" ]]; then
  echo
  echo "=== Calendar feeds (scripts/calendar-test.sh) ==="
  CALENDAR_RC=0
  bash "$SCRIPT_DIR/calendar-test.sh" "$REPO_ROOT/.build/debug/frontdesk" </dev/null 2>&1 | tee "$LOG_DIR/calendar-test.log" || CALENDAR_RC=$?
fi

# --- 5. summary --------------------------------------------------------------------------
# Best effort: pull the final totals out of each log. Swift Testing prints
#   "✔ Test run with N tests in M suites passed after X seconds." / "✘ ... failed ..."
# and XCTest prints "Executed N tests, with F failures (U unexpected) in ...";
# the last occurrence of each is the overall total.
summarize() {
  local log="$1" clean st xc out=""
  clean="$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$log" 2>/dev/null || true)"
  st="$(grep -E 'Test run with [0-9]+ tests?' <<<"$clean" | tail -n 1 | sed 's/^[[:space:]]*//' || true)"
  xc="$(grep -E 'Executed [0-9]+ tests?, with [0-9]+ failures?' <<<"$clean" | tail -n 1 | sed 's/^[[:space:]]*//' || true)"
  if [[ -n "$st" ]]; then out+=" | Swift Testing: $st"; fi
  if [[ -n "$xc" ]]; then out+=" | XCTest: $xc"; fi
  if [[ -z "$out" ]]; then out=" | (no test totals found in log)"; fi
  printf '%s' "$out"
}

echo
echo "=== Frontdesk test summary ==="
overall=0
for b in "${BACKENDS[@]}"; do
  rc="${RESULT[$b]}"
  if [[ "$rc" -eq 0 ]]; then status="PASSED"; else status="FAILED"; overall=1; fi
  printf '%-9s %s (exit %s)%s\n' "$b:" "$status" "$rc" "$(summarize "$LOG_DIR/test-$b.log")"
done

# One summary line for a script-driven part: its label, exit status (empty: did not run), log, and
# the lines of the log (an extended regex) that say what it saw.
report_part() {
  local label="$1" rc="$2" log="$3" pattern="$4"
  [[ -n "$rc" ]] || return 0
  if [[ "$rc" -eq 0 ]]; then
    printf '%-9s PASSED (exit 0) | %s\n' "$label:" "$(grep -E "$pattern" "$log" | tr -s ' ' | paste -sd ';' -)"
  else
    printf '%-9s FAILED (exit %s, log: %s)\n' "$label:" "$rc" "$log"
    overall=1
  fi
}
report_part format "$FORMAT_RC" "$FORMAT_LOG" 'NONE^'
report_part "2 servers" "$RACE_RC" "$LOG_DIR/race-two-instances.log" 'result|throughput'
report_part floor "$FLOOR_RC" "$LOG_DIR/floor-two-instances.log" 'display|result'
report_part fuzzing "$FUZZ_RC" "$LOG_DIR/fuzz-api.log" 'generated|over capacity'
report_part faults "$FAULT_RC" "$LOG_DIR/fault-test.log" 'acknowledged but missing|back to 200|integrity_check|SKIPPED'
report_part outbox "$CRASH_RC" "$LOG_DIR/outbox-crash-test.log" '^queued'
report_part attacks "$ATTACK_RC" "$LOG_DIR/attack-test.log" '^attack-test: [0-9]+ passed'
report_part browser "$BROWSER_RC" "$LOG_DIR/browser-test.log" 'SKIPPED|browser: .* passed'
report_part calendar "$CALENDAR_RC" "$LOG_DIR/calendar-test.log" '^calendar: [0-9]+ passed'

if [[ $overall -ne 0 ]]; then
  echo "test.sh: at least one part FAILED" >&2
fi
exit "$overall"
