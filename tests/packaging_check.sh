#!/usr/bin/env bash
# Packaging checks run by ctest (tests/CMakeLists.txt):
#   validate SOURCE_DIR           the .desktop file and the AppStream metainfo
#                                 pass desktop-file-validate and appstreamcli
#   deb SOURCE_DIR BUILD_DIR      cpack builds the .deb; it installs with dpkg
#                                 into an empty root; the console starts from
#                                 that root under Xvfb against its in-process
#                                 sim and saves a screenshot, then quits.
set -euo pipefail
mode=$1
src=$2
id=dev.switchboard.Console
case $mode in
validate)
  desktop-file-validate "$src/packaging/$id.desktop"
  appstreamcli validate --no-net "$src/packaging/$id.metainfo.xml"
  ;;
deb)
  build=$3
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) ||
    { cat "$work/cpack.log"; exit 1; }
  deb=$(ls "$work"/out/*.deb)
  echo "built $(basename "$deb") ($(du -h "$deb" | cut -f1))"
  dpkg-deb -f "$deb" Package Version Depends
  dpkg-deb -f "$deb" Depends | grep -q libqt6widgets6 ||
    { echo "Depends lacks Qt Widgets"; exit 1; }
  # An empty root with just dpkg's own database: a clean install, no files
  # from this machine's /usr. Dependencies are this machine's (checked above).
  root=$work/root
  mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
  touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
  dpkg --root="$root" --force-depends --force-not-root --force-script-chrootless \
    --log=/dev/null -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; exit 1; }
  dpkg --root="$root" -L switchboard >"$work/files"
  for f in /usr/bin/switchboard /usr/bin/switchboard-sim \
    /usr/share/applications/$id.desktop /usr/share/metainfo/$id.metainfo.xml \
    /usr/share/icons/hicolor/scalable/apps/$id.svg \
    /usr/share/icons/hicolor/128x128/apps/$id.png; do
    grep -qx "$f" "$work/files" || { echo "not installed: $f"; cat "$work/files"; exit 1; }
    [[ -e $root$f ]] || { echo "missing on disk: $root$f"; exit 1; }
  done
  shot=$work/started.png
  run=(env HOME="$work/home" XDG_DATA_HOME="$work/home/data" XDG_CONFIG_HOME="$work/home/config"
    "$root/usr/bin/switchboard" --sim --cache "$work/cache.sqlite" --screenshot "$shot"
    --screenshot-delay 3 --quit-after-screenshot)
  if command -v xvfb-run >/dev/null; then
    timeout 120 xvfb-run -a -s "-screen 0 1280x800x24" "${run[@]}" >"$work/run.log" 2>&1 ||
      { cat "$work/run.log"; exit 1; }
  else
    timeout 120 env QT_QPA_PLATFORM=offscreen "${run[@]}" >"$work/run.log" 2>&1 ||
      { cat "$work/run.log"; exit 1; }
  fi
  size=$(stat -c %s "$shot")
  echo "started from the package; screenshot $size bytes"
  ((size > 20000)) || { echo "the screenshot looks empty"; exit 1; }
  ;;
*)
  echo "usage: $0 validate SRC | deb SRC BUILD" >&2
  exit 2
  ;;
esac
