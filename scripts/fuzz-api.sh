#!/usr/bin/env bash
# fuzz-api.sh — schemathesis (PyPI) against a seeded server, driven by the OpenAPI document.
#
# Starts `frontdesk serve --demo` on SQLite, logs in as the demo owner and as a member, points the
# fuzzer's path parameters at the demo studio's real ids (so requests get past the 404s), and runs
# schemathesis as each of them with these checks: no 5xx, every response matches the document
# (status, content type, schema). Afterwards the database invariants must still hold: no class over
# capacity (capacity overrides aside), no member with two active bookings in one class, every
# limited subscription's credits equal to its grants plus its ledger, a dense waitlist everywhere.
#
# Usage: scripts/fuzz-api.sh [max-examples per operation, default 25]   (BIN_DIR, default .build/debug)
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(dirname "$SCRIPT_DIR")"
cd "$REPO_ROOT"
BIN="${BIN_DIR:-.build/debug}/frontdesk"
EXAMPLES="${1:-25}"
VENV="$REPO_ROOT/.build/fuzz-venv"
WORK="$(mktemp -d /tmp/frontdesk-fuzz.XXXXXX)"
PID=""
cleanup() { [[ -n "$PID" ]] && kill "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

if [[ ! -x "$VENV/bin/schemathesis" ]]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'schemathesis==4.32.5'
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
FRONTDESK_RUN_JOBS=false "$BIN" serve --demo --data-dir "$WORK/data" --port "$PORT" --public-base-url "$BASE" --log-level error \
  >"$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

# Real ids of the demo studio for the path parameters, and a token per role.
python3 - "$BASE" "$WORK" <<'PY'
import json, sys, urllib.request
base, work = sys.argv[1], sys.argv[2]
def call(path, token=None, body=None):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})})
    return json.load(urllib.request.urlopen(request))
owner = call("/api/auth/login", body={"email": "owner@demo.frontdesk.test", "password": "demo-owner-pass"})["token"]
member = call("/api/auth/login", body={"email": "maya@demo.frontdesk.test", "password": "demo-member-pass"})["token"]
org = call("/api/me", owner)["memberships"][0]["organizationId"]
sessions = call(f"/api/orgs/{org}/sessions", owner)["items"]
ids = {
    "org": org,
    "session": sessions[0]["id"],
    "location": call(f"/api/orgs/{org}/locations", owner)["items"][0]["id"],
    "membership": [m for m in call(f"/api/orgs/{org}/members", owner)["members"] if m["role"] == "member"][0]["membershipId"],
}
for role, token in (("owner", owner), ("member", member)):
    with open(f"{work}/{role}.toml", "w") as f:
        f.write(f'headers = {{ Authorization = "Bearer {token}" }}\n[parameters]\n')
        for name, value in ids.items():
            f.write(f'"path.{name}" = "{value}"\n')
print("fuzzing org", org)
PY

status=0
for role in owner member; do
  echo "=== schemathesis as the demo $role ==="
  "$VENV/bin/schemathesis" --config-file "$WORK/$role.toml" run "$BASE/openapi.json" --url "$BASE" \
      --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
      --max-examples "$EXAMPLES" --exclude-path /api/auth/logout --request-timeout 20 --no-color \
      --phases coverage,fuzzing --seed 20261126 2>&1 | tee "$WORK/$role.log" | tail -n 25 || status=1
done

echo "=== database invariants after fuzzing ==="
DB="$WORK/data/frontdesk.sqlite"
q() { sqlite3 "$DB" "$1"; }
overbooked=$(q "SELECT COUNT(*) FROM class_sessions s WHERE s.capacity < (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id
                AND b.status IN ('confirmed', 'attended') AND b.capacity_override = 0)")
doubles=$(q "SELECT COUNT(*) FROM (SELECT 1 FROM bookings WHERE status IN ('confirmed', 'waitlisted', 'attended') GROUP BY session_id, membership_id HAVING COUNT(*) > 1)")
credits=$(q "SELECT COUNT(*) FROM subscriptions s WHERE s.credits_remaining IS NOT NULL AND s.credits_remaining <>
             s.credits_granted + COALESCE((SELECT SUM(l.amount) FROM credit_ledger l WHERE l.subscription_id = s.id), 0)")
gaps=$(q "SELECT COUNT(*) FROM (SELECT session_id FROM bookings WHERE status = 'waitlisted' GROUP BY session_id
          HAVING MIN(waitlist_position) <> 1 OR MAX(waitlist_position) <> COUNT(*))")
echo "classes over capacity: $overbooked, members twice in a class: $doubles, subscriptions off their ledger: $credits, waitlists with gaps: $gaps"
[[ "$overbooked$doubles$credits$gaps" == "0000" ]] || status=1
[[ $status -eq 0 ]] && echo "fuzzing PASSED" || echo "fuzzing FAILED"
exit $status
