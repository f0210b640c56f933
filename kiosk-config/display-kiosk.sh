#!/usr/bin/env bash
# Frontdesk display kiosk: shows one display URL full-screen in Chromium and keeps it there.
#
# Usage: display-kiosk.sh [DISPLAY_URL]
#   The URL is the signed display URL printed by `frontdesk display create`
#   (https://studio.example/display/<id>?exp=<unix>&sig=<hmac>). Without an argument it is read
#   from FRONTDESK_DISPLAY_URL (set it in an EnvironmentFile, not on the command line of a unit
#   that other users can read).
#
# Optional environment:
#   CHROMIUM                       Chromium binary (default: first of chromium, chromium-browser,
#                                  google-chrome on PATH)
#   FRONTDESK_KIOSK_EXTRA_ARGS     extra Chromium flags, split on spaces
#   FRONTDESK_KIOSK_WAIT_SECONDS   how long to wait for the server's /healthz before the first
#                                  launch (default 120; 0 skips the wait)
#   FRONTDESK_KIOSK_ALLOW_ROOT=1   run as root (adds --no-sandbox); a kiosk should not run as root
#   FRONTDESK_KIOSK_DRY_RUN=1      print the Chromium command line once and exit
set -euo pipefail

log() { printf 'display-kiosk: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

url="${1:-${FRONTDESK_DISPLAY_URL:-}}"
[[ -n "$url" ]] || die "no display URL: pass it as the first argument or set FRONTDESK_DISPLAY_URL"
[[ "$url" =~ ^https?://[^[:space:]]+$ ]] || die "the display URL must start with http:// or https:// and contain no spaces"

browser="${CHROMIUM:-}"
if [[ -z "$browser" ]]; then
    for candidate in chromium chromium-browser google-chrome; do
        if command -v "$candidate" >/dev/null 2>&1; then browser="$(command -v "$candidate")"; break; fi
    done
fi
[[ -n "$browser" && -x "$(command -v "$browser" 2>/dev/null || true)" ]] \
    || die "Chromium not found: install it (Debian: apt-get install chromium) or set CHROMIUM"

extra_sandbox_args=()
if [[ "$(id -u)" -eq 0 ]]; then
    [[ "${FRONTDESK_KIOSK_ALLOW_ROOT:-0}" == 1 || "${FRONTDESK_KIOSK_DRY_RUN:-0}" == 1 ]] \
        || die "refusing to run Chromium as root; run the kiosk as an unprivileged user (or set FRONTDESK_KIOSK_ALLOW_ROOT=1)"
    extra_sandbox_args=(--no-sandbox)
fi

# A fresh profile per launch: no "restore pages?" or "Chromium didn't shut down correctly" bubble
# after a power cut, and nothing accumulates on the SD card.
profile_root="${XDG_RUNTIME_DIR:-/tmp}"
profile=""
new_profile() {
    if [[ -n "$profile" ]]; then rm -rf -- "$profile"; fi
    profile="$(mktemp -d "$profile_root/frontdesk-kiosk.XXXXXX")"
}

read -r -a user_extra_args <<<"${FRONTDESK_KIOSK_EXTRA_ARGS:-}"

chromium_args() {
    printf '%s\n' \
        --kiosk \
        --noerrdialogs \
        --disable-infobars \
        --incognito \
        --check-for-update-interval=31536000 \
        --autoplay-policy=no-user-gesture-required \
        --no-first-run \
        --no-default-browser-check \
        --disable-session-crashed-bubble \
        --disable-translate \
        --disable-features=Translate,TranslateUI \
        --disable-pinch \
        --overscroll-history-navigation=0 \
        --password-store=basic \
        --user-data-dir="$profile"
}

if [[ "${FRONTDESK_KIOSK_DRY_RUN:-0}" == 1 ]]; then
    profile="${profile_root}/frontdesk-kiosk.DRYRUN"
    mapfile -t args < <(chromium_args)
    printf '%q ' "$browser" "${args[@]}" "${extra_sandbox_args[@]}" "${user_extra_args[@]}" "$url"
    printf '\n'
    exit 0
fi

# Keep the screen on. xset only works on X11; on Wayland configure the compositor instead
# (see README.md).
if [[ -n "${DISPLAY:-}" ]] && command -v xset >/dev/null 2>&1; then
    xset s off || true
    xset s noblank || true
    xset -dpms || true
else
    log "xset not available or no X display: screen blanking left as configured"
fi
if [[ -n "${DISPLAY:-}" ]] && command -v unclutter >/dev/null 2>&1; then
    unclutter -idle 1 -root >/dev/null 2>&1 &
fi

# Wait for the server before the first launch: a Chromium error page would not retry by itself.
wait_seconds="${FRONTDESK_KIOSK_WAIT_SECONDS:-120}"
origin="$(printf '%s' "$url" | sed -E 's#^(https?://[^/?#]+).*#\1#')"
if [[ "$wait_seconds" =~ ^[0-9]+$ ]] && (( wait_seconds > 0 )) && command -v curl >/dev/null 2>&1; then
    deadline=$(( SECONDS + wait_seconds ))
    until curl -fsS --max-time 5 -o /dev/null "$origin/healthz"; do
        if (( SECONDS >= deadline )); then
            log "$origin/healthz not reachable after ${wait_seconds}s; launching anyway"
            break
        fi
        sleep 3
    done
fi

child=""
sleeper=""
stopping=0
cleanup() {
    stopping=1
    if [[ -n "$sleeper" ]]; then kill "$sleeper" 2>/dev/null || true; fi
    if [[ -n "$child" ]] && kill -0 "$child" 2>/dev/null; then
        kill -TERM "$child" 2>/dev/null || true
        wait "$child" 2>/dev/null || true
    fi
    if [[ -n "$profile" ]]; then rm -rf -- "$profile"; fi
}
trap 'cleanup; exit 0' TERM INT HUP
trap cleanup EXIT

# Restart Chromium whenever it exits (crash, OOM kill, someone closing it). Back off when it dies
# right away so a broken setup does not spin the CPU.
delay=2
while (( ! stopping )); do
    new_profile
    mapfile -t args < <(chromium_args)
    started=$SECONDS
    log "starting $browser on ${origin}/display/…"
    "$browser" "${args[@]}" "${extra_sandbox_args[@]}" "${user_extra_args[@]}" "$url" &
    child=$!
    status=0
    wait "$child" || status=$?
    child=""
    (( stopping )) && break
    if (( SECONDS - started > 60 )); then delay=2; else delay=$(( delay * 2 > 60 ? 60 : delay * 2 )); fi
    log "Chromium exited with status $status; restarting in ${delay}s"
    sleep "$delay" &
    sleeper=$!
    wait "$sleeper" || true
    sleeper=""
done
