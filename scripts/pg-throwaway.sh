#!/usr/bin/env bash
# pg-throwaway.sh — a disposable PostgreSQL cluster for the test suite.
#
# Usage:
#   scripts/pg-throwaway.sh start <dir> <port>
#       Creates a fresh cluster under <dir> (wiping any leftover cluster from
#       a crashed earlier run in the same <dir> first), starts it listening on
#       127.0.0.1:<port> only, creates database "frontdesk_test", and prints
#       its connection URL as the LAST line on stdout:
#         postgres://postgres@127.0.0.1:<port>/frontdesk_test?sslmode=disable
#       Progress and diagnostics go to stderr.
#   scripts/pg-throwaway.sh stop <dir>
#       Stops the cluster (pg_ctl stop -m fast) and removes <dir>.
#
# Layout of <dir>:
#   <dir>/.pg-throwaway   marker: this script owns <dir> and may wipe it
#   <dir>/data/           PGDATA
#   <dir>/postgres.log    server log
#   <dir>/.s.PGSQL.<port> Unix socket (unix_socket_directories = <dir>, so
#                         nothing touches /var/run/postgresql)
#
# PostgreSQL refuses to run as root. When this script runs as root, initdb
# and pg_ctl are run as the `postgres` system user (created by the Debian
# postgresql package) via runuser, falling back to su; <dir> is chowned to
# postgres. As any other user they run directly as that user.
#
# Authentication is "trust" and the server listens on loopback only: this is
# strictly for tests. fsync stays ON (the default) so tests see real
# durability behaviour; max_connections is raised to 2500: Swift Testing runs suites in parallel, each test with its own pools and listeners.
set -euo pipefail

readonly MARKER=".pg-throwaway"
readonly DB_NAME="frontdesk_test"
readonly DB_USER="postgres"
readonly START_TIMEOUT=30   # seconds to wait for the server to accept connections

# Make sure ambient libpq settings cannot redirect our client commands.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGOPTIONS PGDATA || true

log() { echo "pg-throwaway: $*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  cat >&2 <<'USAGE'
usage: pg-throwaway.sh start <dir> <port>
       pg-throwaway.sh stop <dir>
       pg-throwaway.sh pause <dir>     stop the server, keep the cluster (fault tests)
       pg-throwaway.sh resume <dir>    start a paused cluster again
USAGE
  exit 2
}

# --- locating the PostgreSQL server binaries --------------------------------
# /usr/bin only has Debian's wrapper scripts (and this machine also has
# /usr/local/bin/initdb and pg_ctl symlinks), so look for the real versioned
# bindir that contains initdb, pg_ctl, pg_isready and createdb together.
find_bindir() {
  local candidates=() d
  if command -v pg_config >/dev/null 2>&1; then
    candidates+=("$(pg_config --bindir 2>/dev/null || true)")
  fi
  # Prefer PostgreSQL 15 (Debian 12's version), then any other, newest first.
  candidates+=(/usr/lib/postgresql/15/bin)
  while IFS= read -r d; do candidates+=("$d"); done < <(
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -rn || true)
  # Last resort: whatever directory initdb on PATH lives in.
  if command -v initdb >/dev/null 2>&1; then
    candidates+=("$(dirname "$(readlink -f "$(command -v initdb)")")")
  fi
  for d in "${candidates[@]}"; do
    [[ -n "$d" ]] || continue
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/pg_isready" && -x "$d/createdb" ]]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

# --- running commands as the cluster owner ----------------------------------
IS_ROOT=0
[[ "$(id -u)" -eq 0 ]] && IS_ROOT=1

# as_owner CMD ARGS... : run as `postgres` when we are root, else as ourselves.
# The command runs with cwd=/ so the postgres user never trips over an
# unreadable cwd such as /root.
as_owner() {
  if [[ $IS_ROOT -eq 1 ]]; then
    if command -v runuser >/dev/null 2>&1; then
      (cd / && runuser -u postgres -- "$@")
    else
      local quoted
      printf -v quoted '%q ' "$@"
      (cd / && su postgres -s /bin/bash -c "$quoted")
    fi
  else
    (cd / && "$@")
  fi
}

# --- helpers -----------------------------------------------------------------
abs_path() {
  # realpath -m works for paths that do not exist yet.
  realpath -m -- "$1"
}

# Refuse to wipe anything that is not clearly ours: it must be missing, empty,
# or carry our marker file.
check_dir_is_ours() {
  local dir="$1"
  [[ "$dir" != "/" ]] || die "refusing to use / as cluster dir"
  if [[ -e "$dir" && ! -d "$dir" ]]; then
    die "$dir exists and is not a directory"
  fi
  if [[ -d "$dir" && ! -e "$dir/$MARKER" ]] && [[ -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
    die "$dir is not empty and was not created by pg-throwaway.sh; refusing to wipe it"
  fi
}

# Stop whatever server may be running from <dir>/data. Quiet if none is.
stop_cluster_in() {
  local dir="$1" bindir="$2"
  local pgdata="$dir/data"
  [[ -f "$pgdata/postmaster.pid" ]] || return 0
  # A postmaster killed by a crash can linger as an unreaped zombie (seen in
  # containers whose PID 1 reaps lazily); pg_ctl would treat it as alive and
  # wait for its full timeout. A missing or zombie PID means nothing to stop.
  local pid state
  pid="$(head -n 1 "$pgdata/postmaster.pid" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]]; then
    state="$(ps -o stat= -p "$pid" 2>/dev/null || true)"
    if [[ -z "$state" || "$state" == Z* ]]; then
      log "leftover cluster in $pgdata is not running (stale postmaster.pid)"
      return 0
    fi
  fi
  if as_owner "$bindir/pg_ctl" status -D "$pgdata" >/dev/null 2>&1; then
    log "stopping server in $pgdata"
    if ! as_owner "$bindir/pg_ctl" stop -D "$pgdata" -m fast -w -t 30 >&2; then
      log "fast shutdown failed; trying immediate shutdown"
      as_owner "$bindir/pg_ctl" stop -D "$pgdata" -m immediate -w -t 30 >&2 || true
    fi
  fi
}

wipe_dir() {
  local dir="$1"
  [[ -e "$dir" ]] || return 0
  rm -rf -- "$dir"
}

# --- subcommands ---------------------------------------------------------------
cmd_start() {
  local dir port bindir pgdata logfile
  dir="$(abs_path "$1")"
  port="$2"
  [[ "$port" =~ ^[0-9]+$ ]] && (( port > 0 && port < 65536 )) || die "invalid port: $port"

  bindir="$(find_bindir)" || die "PostgreSQL server binaries not found (run scripts/install-deps.sh)"
  log "using PostgreSQL binaries in $bindir"

  # Unix socket paths are limited to ~107 bytes.
  local sock="$dir/.s.PGSQL.$port"
  (( ${#sock} < 100 )) || die "cluster dir path too long for a Unix socket: $sock"

  # Tolerate a leftover cluster from a crashed previous run: stop, then wipe.
  check_dir_is_ours "$dir"
  if [[ -e "$dir" ]]; then
    stop_cluster_in "$dir" "$bindir"
    wipe_dir "$dir"
  fi

  mkdir -p -- "$dir"
  touch -- "$dir/$MARKER"
  pgdata="$dir/data"
  logfile="$dir/postgres.log"
  if [[ $IS_ROOT -eq 1 ]]; then
    getent passwd postgres >/dev/null || die "running as root but there is no 'postgres' user (is the postgresql package installed?)"
    chown postgres: -- "$dir"
    # Every parent directory must be traversable by postgres.
    as_owner test -x "$dir" || die "user postgres cannot access $dir (check parent directory permissions)"
  fi
  chmod 700 -- "$dir"

  log "initdb in $pgdata"
  # --no-sync only skips flushing initdb's own files; the server keeps fsync=on.
  if ! as_owner "$bindir/initdb" -D "$pgdata" --auth=trust -U "$DB_USER" \
        --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    die "initdb failed"
  fi

  # Settings are appended to postgresql.conf; the last occurrence wins.
  as_owner tee -a "$pgdata/postgresql.conf" >/dev/null <<CONF

# --- added by scripts/pg-throwaway.sh ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 2500
fsync = on
CONF

  log "starting server on 127.0.0.1:$port (log: $logfile)"
  if ! as_owner "$bindir/pg_ctl" start -D "$pgdata" -l "$logfile" -w -t "$START_TIMEOUT" >&2; then
    log "server failed to start; last log lines:"
    tail -n 30 "$logfile" >&2 2>/dev/null || true
    die "pg_ctl start failed (is port $port already in use?)"
  fi

  # pg_ctl -w already waited, but double-check over TCP (what the tests use).
  local waited=0
  until "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres; do
    (( waited < START_TIMEOUT )) || { tail -n 30 "$logfile" >&2 || true; die "server not ready after ${START_TIMEOUT}s"; }
    sleep 1
    waited=$((waited + 1))
  done

  "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$DB_USER" "$DB_NAME" \
    || die "createdb $DB_NAME failed"
  log "ready"

  echo "postgres://$DB_USER@127.0.0.1:$port/$DB_NAME?sslmode=disable"
}

cmd_stop() {
  local dir bindir
  dir="$(abs_path "$1")"
  if [[ ! -e "$dir" ]]; then
    log "$dir does not exist; nothing to stop"
    return 0
  fi
  check_dir_is_ours "$dir"
  if bindir="$(find_bindir)"; then
    stop_cluster_in "$dir" "$bindir"
  else
    log "warning: PostgreSQL binaries not found; only removing $dir"
  fi
  wipe_dir "$dir"
  log "stopped and removed $dir"
}

cmd_pause() {
  local dir bindir
  dir="$(abs_path "$1")"
  check_dir_is_ours "$dir"
  bindir="$(find_bindir)" || die "PostgreSQL binaries not found"
  stop_cluster_in "$dir" "$bindir"
  log "paused $dir"
}

cmd_resume() {
  local dir bindir
  dir="$(abs_path "$1")"
  check_dir_is_ours "$dir"
  bindir="$(find_bindir)" || die "PostgreSQL binaries not found"
  as_owner "$bindir/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" -w -t "$START_TIMEOUT" >&2 || die "pg_ctl start failed"
  log "resumed $dir"
}

main() {
  [[ $# -ge 1 ]] || usage
  case "$1" in
    start) [[ $# -eq 3 ]] || usage; cmd_start "$2" "$3" ;;
    stop)  [[ $# -eq 2 ]] || usage; cmd_stop "$2" ;;
    pause)  [[ $# -eq 2 ]] || usage; cmd_pause "$2" ;;
    resume) [[ $# -eq 2 ]] || usage; cmd_resume "$2" ;;
    *)     usage ;;
  esac
}

main "$@"
