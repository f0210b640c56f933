#!/usr/bin/env bash
# Frontdesk check-in display launcher: shows one signed display URL full-screen in Chromium.
#
# Usage: kiosk-launch.sh [URL_FILE]
#
#   URL_FILE holds the display's signed URL, as printed by `frontdesk display create|url|rotate`:
#   https://studio.example.com/display/<id>?exp=<unix time>&sig=<signature>
#   Blank lines and lines starting with # are ignored. The URL is a credential: keep the file
#   owned by the kiosk user, mode 0600. Which file: the argument, else $FRONTDESK_DISPLAY_URL_FILE,
#   else /etc/frontdesk/display-url.
#
# What it does: checks the URL, waits (bounded) for the server's /healthz, turns screen blanking
# off and hides the pointer (X11), clears Chromium's crash flags so no "restore pages?" bubble
# appears, then replaces itself with Chromium in kiosk mode (exec). It does not loop: when
# Chromium exits, the systemd unit (frontdesk-kiosk.service, Restart=always) starts it again.
#
# Environment (all optional):
#   FRONTDESK_DISPLAY_URL_FILE    the URL file when no argument is given
#   FRONTDESK_KIOSK_DRY_RUN=1     check everything, then print the Chromium command (signature
#                                 redacted) instead of running it; changes nothing on the machine.
#                                 =full prints the URL unredacted.
#   FRONTDESK_KIOSK_BROWSER       browser binary (default: chromium, else chromium-browser)
#   FRONTDESK_KIOSK_PROFILE_DIR   Chromium profile directory
#                                 (default: ${XDG_STATE_HOME:-~/.local/state}/frontdesk-kiosk/chromium)
#   FRONTDESK_KIOSK_EXTRA_ARGS    extra Chromium flags, split on whitespace, e.g.
#                                 "--force-device-scale-factor=1.5" for a 4K TV. A second
#                                 --disable-features replaces the one below: repeat Translate in it.
#   FRONTDESK_KIOSK_WAIT_SECONDS  how long to wait for <base URL>/healthz before starting Chromium
#                                 anyway (default 90; 0 = do not wait). Also covers a clock that is
#                                 not yet synchronised after boot, which makes TLS fail.
#   FRONTDESK_KIOSK_ERROR_DELAY   under systemd, seconds to pause before exiting on a URL file
#                                 problem, so the restart loop does not flood the journal (default 30)
#
# Exit status (before Chromium starts): 0 dry run; 64 usage; 65 the file does not hold a display
# URL; 66 URL file missing or unreadable; 69 no browser or no graphical session; 75 a Chromium
# already uses the profile; 77 run as root.
#
# Requires bash >= 4.4 and a GNU userland (Debian, Raspberry Pi OS, Ubuntu).
set -euo pipefail

readonly prog="frontdesk-kiosk"
readonly default_url_file="/etc/frontdesk/display-url"

log() { printf '%s: %s\n' "$prog" "$*" >&2; }
warn() { log "warning: $*"; }
die() {
    local status=$1
    shift
    log "error: $*"
    exit "$status"
}

me="$(id -un)"
uid="$(id -u)"
dry_run="${FRONTDESK_KIOSK_DRY_RUN:-0}"
case "$dry_run" in
    0 | "") dry_run="" ;;
    1 | yes | true) dry_run="redacted" ;;
    full) dry_run="full" ;;
    *) die 64 "FRONTDESK_KIOSK_DRY_RUN must be 1 or full, got '$dry_run'" ;;
esac

# A problem with the URL file needs a person to fix it. Under systemd (INVOCATION_ID is set) pause
# before exiting: Restart=always retries, and picks up a corrected file by itself.
die_config() {
    local status=$1
    shift
    log "error: $*"
    if [[ -n "${INVOCATION_ID:-}" && -z "$dry_run" ]]; then
        local delay="${FRONTDESK_KIOSK_ERROR_DELAY:-30}"
        [[ "$delay" =~ ^[0-9]+$ ]] || delay=30
        log "retrying in ${delay}s (fix the file; nothing else needs restarting)"
        sleep "$delay"
    fi
    exit "$status"
}

# The URL with its signature hidden, for logs and error messages.
redact() { printf '%s' "$1" | sed -E 's/([?&]sig=)[^&#]*/\1<redacted>/g'; }

if (($# > 1)); then die 64 "usage: ${0##*/} [URL_FILE]"; fi
case "${1:-}" in
    -h | --help)
        sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
        exit 0
        ;;
    *) ;;
esac
url_file="${1:-${FRONTDESK_DISPLAY_URL_FILE:-$default_url_file}}"

# ---- Read and check the URL ------------------------------------------------------------------

[[ -e "$url_file" ]] || die_config 66 "URL file $url_file does not exist. Create a display
  (frontdesk display create --org ORG --location LOC) and write its URL there:
  sudo kiosk-config/install-kiosk.sh --user $me --url -   (paste the URL, then Enter)"
[[ -f "$url_file" ]] || die_config 66 "URL file $url_file is not a regular file"
[[ -r "$url_file" ]] || die_config 66 "cannot read URL file $url_file as user $me;
  it should be owned by $me with mode 0600: sudo chown $me: $url_file && sudo chmod 600 $url_file"

url=""
while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line%$'\r'}"
    line="${line#"${line%%[![:space:]]*}"}" # trim leading whitespace
    line="${line%"${line##*[![:space:]]}"}" # trim trailing whitespace
    [[ -z "$line" || "$line" == \#* ]] && continue
    # Also accept the old environment-file form FRONTDESK_DISPLAY_URL='…'.
    line="${line#FRONTDESK_DISPLAY_URL=}"
    if [[ "$line" =~ ^\'(.*)\'$ || "$line" =~ ^\"(.*)\"$ ]]; then line="${BASH_REMATCH[1]}"; fi
    [[ -z "$url" ]] || die_config 65 "URL file $url_file holds more than one URL; keep exactly one"
    url="$line"
done <"$url_file"

[[ -n "$url" ]] || die_config 65 "URL file $url_file is empty; put the display's signed URL in it"

readonly expected="expected https://<host>/display/<id>?exp=<unix time>&sig=<signature>"
url_shape='^https?://[^/?#[:space:]]+(/[^?#[:space:]]*)?/display/[^/?#[:space:]]+([?][^#[:space:]]*)?$'
if [[ "$url" =~ [[:space:]] ]]; then
    die_config 65 "the URL in $url_file contains spaces; $expected"
elif [[ ! "$url" =~ ^https?:// ]]; then
    die_config 65 "the URL in $url_file does not start with http:// or https://: '$(redact "$url")'; $expected"
elif [[ ! "$url" =~ $url_shape ]]; then
    die_config 65 "the URL in $url_file is not a Frontdesk display URL (no /display/<id> path): '$(redact "$url")'; $expected"
elif [[ ! "$url" =~ [?\&]exp=[0-9]+(\&|$) || ! "$url" =~ [?\&]sig=[^\&#]+ ]]; then
    die_config 65 "the URL in $url_file lacks exp= or sig=: '$(redact "$url")'. Copy the whole URL;
  in a shell, single-quote it (an unquoted & cuts it short)"
fi

base="${url%%/display/*}" # the server's publicBaseURL
host="${base#*://}"
host="${host%%/*}"
if [[ "$url" == http://* ]]; then
    case "$host" in
        localhost | localhost:* | 127.* | "[::1]"*) ;;
        *) warn "the display URL uses plain http:// to $host: its signature travels unencrypted; use https://" ;;
    esac
fi
if [[ "$url" =~ [?\&]exp=([0-9]{1,12})(\&|$) ]] && ((10#${BASH_REMATCH[1]} <= $(date +%s))); then
    expires="$((10#${BASH_REMATCH[1]}))"
    warn "the display URL expired on $(date -d "@$expires" 2>/dev/null || echo "$expires") by this machine's clock:
  mint a new one (frontdesk display url <id>) or check the clock (timedatectl)"
fi
mode="$(stat -L -c %a -- "$url_file" 2>/dev/null || echo 600)"
if (((8#$mode & 8#077) != 0)); then
    warn "$url_file has mode $mode: other users can read the display URL; chmod 600 $url_file"
fi

# ---- Browser, user, session -------------------------------------------------------------------

if [[ "$uid" -eq 0 && -z "$dry_run" ]]; then
    die 77 "refusing to run Chromium as root; run the kiosk as an unprivileged user (see README.md)"
fi

browser="${FRONTDESK_KIOSK_BROWSER:-}"
if [[ -z "$browser" ]]; then
    for candidate in chromium chromium-browser; do
        if command -v "$candidate" >/dev/null 2>&1; then
            browser="$(command -v "$candidate")"
            break
        fi
    done
fi
if [[ -z "$browser" ]] || ! command -v "$browser" >/dev/null 2>&1; then
    [[ -n "$dry_run" ]] || die 69 "Chromium not found: sudo apt-get install chromium (older Raspberry Pi OS: chromium-browser), or set FRONTDESK_KIOSK_BROWSER"
    warn "Chromium not found; the command below names 'chromium'"
    browser="${browser:-chromium}"
fi

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
    [[ -n "$dry_run" ]] || die 69 "no graphical session: neither DISPLAY nor WAYLAND_DISPLAY is set. Under systemd --user
  the desktop must pass them on: systemctl --user import-environment DISPLAY XAUTHORITY WAYLAND_DISPLAY
  (the frontdesk-kiosk.desktop autostart entry does this at login)"
    warn "no DISPLAY or WAYLAND_DISPLAY; Chromium would not start here"
fi

if [[ -z "${FRONTDESK_KIOSK_PROFILE_DIR:-}" ]]; then
    [[ -n "${HOME:-}" ]] || die 64 "HOME is not set; set FRONTDESK_KIOSK_PROFILE_DIR"
fi
profile="${FRONTDESK_KIOSK_PROFILE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/frontdesk-kiosk/chromium}"

args=(
    --kiosk
    --noerrdialogs
    --disable-infobars
    --no-first-run
    --no-default-browser-check
    --disable-session-crashed-bubble
    --hide-crash-restore-bubble
    --disable-features=Translate
    --check-for-update-interval=31536000
    --overscroll-history-navigation=0
    --disable-pinch
    --autoplay-policy=no-user-gesture-required
    # No "unlock your keyring" prompt after an automatic login; the profile stores no passwords.
    --password-store=basic
    "--user-data-dir=$profile"
)
# Native Wayland when the session is Wayland (otherwise Chromium runs through Xwayland).
if [[ -n "${WAYLAND_DISPLAY:-}" ]]; then args+=(--ozone-platform-hint=auto); fi
read -r -a extra_args <<<"${FRONTDESK_KIOSK_EXTRA_ARGS:-}"
args+=("${extra_args[@]}")

if [[ -n "$dry_run" ]]; then
    shown_url="$url"
    [[ "$dry_run" == full ]] || shown_url="$(redact "$url")"
    log "dry run: $url_file holds a display URL for $base; would turn blanking off, hide the pointer,"
    log "clear the crash flags in $profile/Default/Preferences and run:"
    printf '%q ' exec "$browser" "${args[@]}"
    printf '%q\n' "$shown_url"
    exit 0
fi

# ---- Prepare the machine ---------------------------------------------------------------------

# Screen blanking. On X11, xset switches off the X screensaver, its blanking and DPMS power saving.
# On Wayland (Raspberry Pi OS Bookworm: labwc or Wayfire; GNOME; sway) xset has no effect: blanking
# belongs to the compositor and its idle daemon. Turn it off there instead, e.g.:
#   - Raspberry Pi OS: sudo raspi-config nonint do_blanking 1  (or raspi-config > Display > Screen Blanking)
#   - labwc/sway/Wayfire: do not start swayidle (remove it from ~/.config/labwc/autostart)
#   - GNOME: gsettings set org.gnome.desktop.session idle-delay 0
# and, if an output was switched off, switch it on with `wlr-randr --output HDMI-A-1 --on`.
if [[ -n "${DISPLAY:-}" ]] && command -v xset >/dev/null 2>&1; then
    xset s off || warn "xset s off failed"
    xset -dpms || warn "xset -dpms failed (no DPMS on this display?)"
    xset s noblank || warn "xset s noblank failed"
elif [[ -n "${DISPLAY:-}" ]]; then
    warn "xset not installed (apt-get install x11-xserver-utils): screen blanking left as configured"
else
    log "Wayland session: turn blanking off in the compositor (see README.md)"
fi

# Hide the mouse pointer (X11 only; on Wayland unplug the mouse or park the pointer in a corner).
if [[ -n "${DISPLAY:-}" ]] && command -v unclutter >/dev/null 2>&1 \
    && ! pgrep -u "$uid" -x unclutter >/dev/null 2>&1; then
    unclutter -idle 1 -root >/dev/null 2>&1 &
fi

if pgrep -u "$uid" -f -- "--user-data-dir=${profile}( |$)" >/dev/null 2>&1; then
    die 75 "a Chromium already runs with the profile $profile; stop it first (systemctl --user stop frontdesk-kiosk)"
fi

# A dedicated profile, kept between starts (cache, site settings). After a power cut or a crash
# Chromium would offer to restore the session: mark the last exit as clean. Lock files left by a
# power cut, or by a copied SD card with another host name, would make Chromium refuse the profile.
mkdir -p -- "$profile"
chmod 700 -- "$profile"
prefs="$profile/Default/Preferences"
if [[ -f "$prefs" ]]; then
    sed -i -E \
        -e 's/"exited_cleanly":[[:space:]]*false/"exited_cleanly":true/g' \
        -e 's/"exit_type":[[:space:]]*"[^"]*"/"exit_type":"Normal"/g' \
        -- "$prefs" || warn "could not clear the crash flags in $prefs"
fi
rm -f -- "$profile/SingletonLock" "$profile/SingletonSocket" "$profile/SingletonCookie"

# Wait for the server, so Chromium does not start on an error page while the network, the clock
# (TLS) or the server is still coming up. Bounded: after the wait Chromium starts anyway, and the
# display page keeps retrying by itself once it has loaded.
wait_seconds="${FRONTDESK_KIOSK_WAIT_SECONDS:-90}"
[[ "$wait_seconds" =~ ^[0-9]+$ ]] || die 64 "FRONTDESK_KIOSK_WAIT_SECONDS must be a number of seconds, got '$wait_seconds'"
if ((wait_seconds > 0)) && command -v curl >/dev/null 2>&1; then
    deadline=$((SECONDS + wait_seconds))
    reported=""
    until error="$(curl -fsS --max-time 5 -o /dev/null -- "$base/healthz" 2>&1)"; do
        if [[ -z "$reported" ]]; then
            log "waiting up to ${wait_seconds}s for $base/healthz: ${error:-no answer}"
            reported=1
        fi
        if ((SECONDS >= deadline)); then
            warn "$base/healthz still not reachable; starting Chromium anyway"
            break
        fi
        sleep 3
    done
fi

log "starting $browser on $base/display/… (profile $profile)"
exec "$browser" "${args[@]}" "$url"
