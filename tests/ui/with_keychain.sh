#!/bin/sh
# Runs a command on a private D-Bus session with a fresh, unlocked
# gnome-keyring (the Secret Service QtKeychain talks to) whose files live in a
# temporary home, so the user's own keyrings are never touched. The keyring
# daemon leaves with the session bus.
set -eu
command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null || {
  echo "with_keychain: needs dbus and gnome-keyring (scripts/deps installs them)" >&2
  exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/run" && chmod 700 "$tmp/run"
HOME=$tmp XDG_DATA_HOME=$tmp/data XDG_CONFIG_HOME=$tmp/config XDG_RUNTIME_DIR=$tmp/run \
  dbus-run-session -- sh -c '
    printf "%s" "switchboard-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    SB_KEYCHAIN_UNDER_TEST=1 exec "$@"' sh "$@"
