#!/usr/bin/env bash
# outbox-crash-test.sh — notifications survive SIGKILL and two instances share the work.
#
#   1. 1,000 e-mails are queued (due in a few seconds) in a PostgreSQL database; a server is started
#      and killed with SIGKILL before they are due: all 1,000 are still there, nothing sent.
#   2. Two servers drain the backlog to a real SMTP server (aiosmtpd); one is killed with SIGKILL in
#      the middle and restarted; its lease runs out and the others finish its share.
#   3. Every queued e-mail arrived (by its Message-ID, which is the outbox row's id), none twice —
#      except at most four for the killed worker (`OutboxWorker.unmarkedLimit`): the message on the
#      wire at the moment of the kill and those sent just before it can be sent and not yet marked
#      (marks are written together, behind the sends; delivery is at-least-once, and the stable
#      Message-ID lets receivers drop the copy). The script prints what it saw and fails on any loss
#      or a fifth duplicate.
#   4. `frontdesk outbox list` counts them; a dead row is listed and `outbox retry --all-dead` requeues it.
#
# Usage: scripts/outbox-crash-test.sh   (env: BIN_DIR, default .build/debug; FRONTDESK_CRASH_DATABASE_URL,
#        an empty PostgreSQL database, default: a throwaway cluster)
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(dirname "$SCRIPT_DIR")"
cd "$REPO_ROOT"
BIN="${BIN_DIR:-.build/debug}/frontdesk"
COUNT=1000

WORK="$(mktemp -d /tmp/frontdesk-crash.XXXXXX)"
PG_DIR=""
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true; done
  bash "$SCRIPT_DIR/smtp-test-servers.sh" stop "$WORK/smtp" >/dev/null 2>&1 || true
  if [[ -n "$PG_DIR" ]]; then bash "$SCRIPT_DIR/pg-throwaway.sh" stop "$PG_DIR" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

URL="${FRONTDESK_CRASH_DATABASE_URL:-}"
if [[ -z "$URL" ]]; then
  PG_DIR="$(mktemp -d /tmp/frontdesk-crash-pg.XXXXXX)"
  URL="$(bash "$SCRIPT_DIR/pg-throwaway.sh" start "$PG_DIR" "${FRONTDESK_CRASH_PG_PORT:-55498}" | tail -n 1)"
fi
bash "$SCRIPT_DIR/smtp-test-servers.sh" start "$WORK/smtp" >/dev/null
# shellcheck disable=SC1091
source "$WORK/smtp/env"

"$BIN" migrate --database-url "$URL" --log-level warning >/dev/null
"$BIN" demo --database-url "$URL" --log-level warning >/dev/null
sql() { psql "$URL" -qtAX -c "$1"; }
sql "INSERT INTO notification_outbox (id, organization_id, user_id, channel, template, payload, dedupe_key, status, attempts, available_at, created_at)
     SELECT gen_random_uuid()::text, m.organization_id, m.user_id, 'email', 'booking_confirmed', '{}', 'crash-' || g, 'pending', 0,
            extract(epoch from now())::bigint + 10, extract(epoch from now())::bigint
     FROM generate_series(1, $COUNT) g
     CROSS JOIN LATERAL (SELECT organization_id, user_id FROM memberships WHERE role = 'member' ORDER BY id OFFSET (g % 3) LIMIT 1) m"
sent() { sql "SELECT COUNT(*) FROM notification_outbox WHERE dedupe_key LIKE 'crash-%' AND status = 'sent'"; }

start_server() {  # port -> pid in LAST_PID
  FRONTDESK_EMAIL_TRANSPORT=smtp FRONTDESK_SMTP_HOST=127.0.0.1 FRONTDESK_SMTP_PORT="$FRONTDESK_TEST_SMTP_PORT" \
  FRONTDESK_SMTP_SECURITY=none FRONTDESK_EMAIL_FROM=studio@crash.frontdesk.test FRONTDESK_OUTBOX_LEASE_SECONDS=5 \
    "$BIN" serve --database-url "$URL" --port "$1" --log-level warning >>"$WORK/serve-$1.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server on $1 did not become ready"; cat "$WORK/serve-$1.log"; exit 1
}

echo "=== 1. SIGKILL while $COUNT e-mails are pending ==="
start_server 18091
kill -KILL "$LAST_PID"; wait "$LAST_PID" 2>/dev/null || true
pending=$(sql "SELECT COUNT(*) FROM notification_outbox WHERE dedupe_key LIKE 'crash-%' AND status = 'pending'")
echo "after the kill: $pending pending, $(sent) sent"
[[ "$pending" -eq "$COUNT" ]] || { echo "FAILED: expected $COUNT pending"; exit 1; }

echo "=== 2. two servers drain them; one is killed mid-way and restarted ==="
drain_start=$SECONDS
start_server 18091; A=$LAST_PID
start_server 18092
for _ in $(seq 1 300); do
  [[ "$(sent)" -ge 100 ]] && break
  sleep 0.1
done
echo "killing one server with $(sent) sent"
kill -KILL "$A"; wait "$A" 2>/dev/null || true
start_server 18091
for _ in $(seq 1 900); do
  [[ "$(sent)" -ge "$COUNT" ]] && break
  sleep 0.1
done

echo "drained in $((SECONDS - drain_start)) s (the backlog became due about 10 s after it was queued)"
echo "=== 3. what arrived ==="
EXPECTED="$WORK/expected.txt"
sql "SELECT id FROM notification_outbox WHERE dedupe_key LIKE 'crash-%'" >"$EXPECTED"
"$REPO_ROOT/.build/smtp-venv/bin/python" - "$FRONTDESK_TEST_SMTP_DIR" "$EXPECTED" <<'PY'
import collections, json, os, sys
mail_dir, expected_file = sys.argv[1], sys.argv[2]
expected = {line.strip() for line in open(expected_file) if line.strip()}
seen = collections.Counter()
for name in os.listdir(mail_dir):
    if name.endswith(".json"):
        message_id = json.load(open(os.path.join(mail_dir, name))).get("message_id") or ""
        seen[message_id.strip("<>").split("@")[0]] += 1
missing = expected - set(seen)
duplicates = {k: n for k, n in seen.items() if n > 1}
print(f"queued {len(expected)}, arrived {len(set(seen) & expected)}, missing {len(missing)}, duplicated {len(duplicates)} {sorted(duplicates.values())}")
sys.exit(0 if not missing and sum(n - 1 for n in duplicates.values()) <= 4 and not (set(seen) - expected) else 1)
PY
status=$(sql "SELECT status || ' ' || COUNT(*) FROM notification_outbox WHERE dedupe_key LIKE 'crash-%' GROUP BY status ORDER BY status" | paste -sd ',' -)
echo "outbox: $status"
[[ "$(sent)" -eq "$COUNT" ]] || { echo "FAILED: not every e-mail is marked sent"; exit 1; }

echo "=== 4. the operators' commands ==="
listing="$("$BIN" outbox list --status sent --limit 2 --database-url "$URL" --log-level warning)"
echo "$listing" | head -n 3
grep -q "sent $COUNT" <<<"$listing" || { echo "FAILED: outbox list does not count $COUNT sent"; exit 1; }
dead_id=$(sql "UPDATE notification_outbox SET status = 'dead', last_error = 'test' WHERE id = (SELECT id FROM notification_outbox
               WHERE dedupe_key LIKE 'crash-%' ORDER BY id LIMIT 1) RETURNING id")
"$BIN" outbox list --status dead --database-url "$URL" --log-level warning | grep -q "$dead_id" || { echo "FAILED: dead row not listed"; exit 1; }
retried="$("$BIN" outbox retry --all-dead --database-url "$URL" --log-level warning)"
echo "$retried"
[[ "$retried" == "1 notification queued again" ]] || { echo "FAILED: retry --all-dead"; exit 1; }
[[ "$(sql "SELECT status FROM notification_outbox WHERE id = '$dead_id'")" == pending ]] || { echo "FAILED: retried row not pending"; exit 1; }
echo "outbox crash test PASSED"
