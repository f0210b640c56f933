#!/usr/bin/env bash
# Installs the Frontdesk check-in display kiosk for one desktop user; safe to run again.
#
# Usage: sudo kiosk-config/install-kiosk.sh --user USER [--url URL | --url -] [--destdir DIR]
#
#   --user USER    the unprivileged user whose automatic desktop login shows the display
#   --url URL      write the display's signed URL to /etc/frontdesk/display-url (owner USER, mode
#                  0600) and restart a running kiosk. Single-quote it: it contains '&'. A URL on
#                  the command line lands in shell history and `ps`; `--url -` reads it from
#                  standard input instead (paste it, then Enter).
#   --destdir DIR  install under DIR instead of / (building an image); no systemctl calls
#
# What it installs (each step prints installed, updated or unchanged):
#   /usr/local/bin/frontdesk-kiosk-launch                      kiosk-launch.sh
#   /usr/local/share/doc/frontdesk-kiosk/README.md             README.md
#   ~USER/.config/systemd/user/frontdesk-kiosk.service         the user unit, enabled for
#                                                              graphical-session.target
#   ~USER/.config/autostart/frontdesk-kiosk.desktop            starts the unit at desktop login
#   /etc/frontdesk/display-url                                 only with --url; otherwise an
#                                                              existing file gets owner and mode fixed
# It installs no packages; it says which ones are missing.
set -euo pipefail

readonly prog="install-kiosk"
readonly unit="frontdesk-kiosk.service"
readonly launcher_path="/usr/local/bin/frontdesk-kiosk-launch"
readonly doc_path="/usr/local/share/doc/frontdesk-kiosk/README.md"
readonly url_path="/etc/frontdesk/display-url"

say() { printf '%s: %s\n' "$prog" "$*"; }
warn() { printf '%s: warning: %s\n' "$prog" "$*" >&2; }
die() {
    printf '%s: error: %s\n' "$prog" "$*" >&2
    exit 1
}
usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
    exit "${1:-0}"
}

user=""
url=""
url_given=""
destdir=""
while (($# > 0)); do
    case "$1" in
        --user)
            (($# >= 2)) || die "--user needs a user name"
            user="$2"
            shift 2
            ;;
        --user=*)
            user="${1#*=}"
            shift
            ;;
        --url)
            (($# >= 2)) || die "--url needs a URL, or - to read it from standard input"
            url="$2"
            url_given=1
            shift 2
            ;;
        --url=*)
            url="${1#*=}"
            url_given=1
            shift
            ;;
        --destdir)
            (($# >= 2)) || die "--destdir needs a directory"
            destdir="${2%/}"
            shift 2
            ;;
        -h | --help) usage 0 ;;
        *)
            warn "unknown argument '$1'"
            usage 64 >&2
            ;;
    esac
done

[[ -n "$user" ]] || die "give the kiosk user: --user USER (see --help)"
[[ "$(id -u)" -eq 0 ]] || die "run as root (sudo): it writes to /usr/local, /etc and the user's home"
[[ -z "$destdir" || -d "$destdir" ]] || die "--destdir $destdir is not a directory"

here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
for file in kiosk-launch.sh "$unit" frontdesk-kiosk.desktop README.md; do
    [[ -f "$here/$file" ]] || die "$here/$file is missing; run this script from the kiosk-config folder it came with"
done

passwd_entry="$(getent passwd "$user")" || die "no user '$user'; create it first: sudo adduser $user"
IFS=: read -r _ _ user_uid user_gid _ user_home _ <<<"$passwd_entry"
[[ "$user_uid" -ne 0 ]] || die "the kiosk must not run as root; pick an unprivileged user"
[[ -n "$user_home" && "$user_home" == /* ]] || die "user '$user' has no home directory"
user_group="$(getent group "$user_gid" | cut -d: -f1)"
user_group="${user_group:-$user_gid}"
[[ -d "$destdir$user_home" ]] || die "home directory $destdir$user_home does not exist"

# ---- The URL, checked like the launcher does --------------------------------------------------

redact() { printf '%s' "$1" | sed -E 's/([?&]sig=)[^&#]*/\1<redacted>/g'; }

check_url() {
    local shape='^https?://[^/?#[:space:]]+(/[^?#[:space:]]*)?/display/[^/?#[:space:]]+[?][^#[:space:]]*$'
    if [[ ! "$1" =~ $shape ]]; then
        echo "not a Frontdesk display URL: expected https://<host>/display/<id>?exp=<unix time>&sig=<signature>, got '$(redact "$1")'"
    elif [[ ! "$1" =~ [?\&]exp=[0-9]+(\&|$) || ! "$1" =~ [?\&]sig=[^\&#]+ ]]; then
        echo "the URL lacks exp= or sig= ('$(redact "$1")'): copy the whole URL, and single-quote it in a shell (an unquoted & cuts it short)"
    fi
}

# One line as the launcher reads it: whitespace trimmed; the earlier launcher's environment-file
# form FRONTDESK_DISPLAY_URL='…' is accepted too.
trim() {
    local text="${1%$'\r'}"
    text="${text#"${text%%[![:space:]]*}"}"
    text="${text%"${text##*[![:space:]]}"}"
    text="${text#FRONTDESK_DISPLAY_URL=}"
    if [[ "$text" =~ ^\'(.*)\'$ || "$text" =~ ^\"(.*)\"$ ]]; then text="${BASH_REMATCH[1]}"; fi
    printf '%s' "$text"
}

if [[ -n "$url_given" ]]; then
    if [[ "$url" == "-" ]]; then
        [[ -t 0 ]] && printf 'Paste the display URL, then press Enter: ' >&2
        IFS= read -r url || [[ -n "$url" ]] || die "no URL on standard input"
    fi
    url="$(trim "$url")"
    problem="$(check_url "$url")"
    [[ -z "$problem" ]] || die "$problem"
fi

# ---- Helpers: every step says what it did ------------------------------------------------------

changed=""

# ensure_dir DIR OWNER GROUP MODE: creates DIR (and missing parents) with that owner; leaves an
# existing directory as it is.
ensure_dir() {
    local dir="$1" owner="$2" group="$3" mode="$4"
    [[ -d "$dir" ]] && return 0
    ensure_dir "$(dirname -- "$dir")" "$owner" "$group" "$mode"
    install -d -o "$owner" -g "$group" -m "$mode" -- "$dir"
    say "created $dir"
}

# put SOURCE DEST OWNER GROUP MODE: copies when the content, owner or mode differ.
put() {
    local src="$1" dest="$2" owner="$3" group="$4" mode="$5" what="installed"
    if [[ -e "$dest" ]]; then
        if cmp -s -- "$src" "$dest" && [[ "$(stat -c '%U:%G %a' -- "$dest")" == "$owner:$group ${mode#0}" ]]; then
            say "unchanged $dest"
            return 0
        fi
        what="updated"
    fi
    install -o "$owner" -g "$group" -m "$mode" -- "$src" "$dest"
    say "$what $dest"
    changed=1
}

# ---- System-wide parts ---------------------------------------------------------------------

ensure_dir "$destdir$(dirname "$launcher_path")" root root 0755
put "$here/kiosk-launch.sh" "$destdir$launcher_path" root root 0755
ensure_dir "$destdir$(dirname "$doc_path")" root root 0755
put "$here/README.md" "$destdir$doc_path" root root 0644

# ---- The user's parts ----------------------------------------------------------------------

home="$destdir$user_home"
unit_dir="$home/.config/systemd/user"
ensure_dir "$unit_dir" "$user" "$user_group" 0755
put "$here/$unit" "$unit_dir/$unit" "$user" "$user_group" 0644

# "Enable" the way systemctl --user enable does, which needs no running user manager.
wants_dir="$unit_dir/graphical-session.target.wants"
ensure_dir "$wants_dir" "$user" "$user_group" 0755
link_target="$user_home/.config/systemd/user/$unit"
if [[ -L "$wants_dir/$unit" && "$(readlink -- "$wants_dir/$unit")" == "$link_target" ]]; then
    say "unchanged $wants_dir/$unit (enabled)"
else
    ln -sfn -- "$link_target" "$wants_dir/$unit"
    chown -h "$user:$user_group" -- "$wants_dir/$unit"
    say "enabled $unit for graphical-session.target ($wants_dir/$unit)"
    changed=1
fi

ensure_dir "$home/.config/autostart" "$user" "$user_group" 0755
put "$here/frontdesk-kiosk.desktop" "$home/.config/autostart/frontdesk-kiosk.desktop" "$user" "$user_group" 0644

# ---- The URL file ----------------------------------------------------------------------------

url_file="$destdir$url_path"
url_changed=""
if [[ -n "$url_given" ]]; then
    url_dir="$(dirname -- "$url_file")"
    ensure_dir "$url_dir" root root 0755
    if [[ -f "$url_file" && "$(cat -- "$url_file")" == "$url" \
        && "$(stat -c '%U:%G %a' -- "$url_file")" == "$user:$user_group 600" ]]; then
        say "unchanged $url_file"
    else
        tmp="$(mktemp -- "$url_dir/.display-url.XXXXXX")" # created with mode 0600
        trap 'rm -f -- "$tmp"' EXIT
        printf '%s\n' "$url" >"$tmp"
        chown "$user:$user_group" -- "$tmp"
        chmod 0600 -- "$tmp"
        mv -f -- "$tmp" "$url_file"
        trap - EXIT
        say "wrote $url_file (owner $user, mode 0600): $(redact "$url")"
        url_changed=1
    fi
elif [[ -f "$url_file" ]]; then
    if [[ "$(stat -c '%U:%G %a' -- "$url_file")" != "$user:$user_group 600" ]]; then
        chown "$user:$user_group" -- "$url_file"
        chmod 0600 -- "$url_file"
        say "fixed owner and mode of $url_file ($user, 0600)"
    else
        say "unchanged $url_file"
    fi
    existing="$(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' -- "$url_file" | head -n 1 || true)"
    problem="$(check_url "$(trim "${existing:-}")")"
    [[ -z "$problem" ]] || warn "$url_file: $problem"
else
    say "no $url_file yet: create a display, then run again with --url - and paste its URL"
fi

# The user must be able to reach the file through /etc/frontdesk.
if [[ -z "$destdir" && -f "$url_file" ]] && ! runuser -u "$user" -- test -r "$url_file"; then
    warn "$user cannot read $url_file: a directory above it is closed to $user (sudo chmod 755 $(dirname "$url_path"))"
fi

# ---- Tell the running session, if there is one -----------------------------------------------

if [[ -z "$destdir" ]]; then
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "user@$user_uid.service" 2>/dev/null; then
        if [[ -n "$changed$url_changed" ]]; then
            if systemctl --user -M "$user@" daemon-reload 2>/dev/null \
                && systemctl --user -M "$user@" try-restart "$unit" 2>/dev/null; then
                say "reloaded $user's systemd user manager; restarted $unit if it was running"
            else
                warn "could not reach $user's user manager; as $user run: systemctl --user daemon-reload && systemctl --user restart $unit"
            fi
        fi
        if ! systemctl --user -M "$user@" is-active --quiet "$unit" 2>/dev/null; then
            say "to start it now in $user's running session: sudo systemctl --user -M $user@ start $unit"
        fi
    else
        say "$user is not logged in: the display starts at the next automatic desktop login (reboot to test)"
    fi
fi

missing=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
command -v xset >/dev/null 2>&1 || missing+=(x11-xserver-utils)
command -v unclutter >/dev/null 2>&1 || missing+=(unclutter)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if ((${#missing[@]} > 0)); then
    say "missing packages: sudo apt-get install ${missing[*]}   (xset and unclutter matter on X11 only)"
fi
say "done. Check without starting Chromium: sudo -u $user env FRONTDESK_KIOSK_DRY_RUN=1 $launcher_path"
