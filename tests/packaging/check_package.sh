#!/usr/bin/env bash
# Builds the Debian package with CPack into a dedicated folder and checks it as a user gets it:
# contents, dependencies, desktop file, AppStream metainfo, man page, version, and a run of the
# unpacked binary. Usage: check_package.sh STEP  (STEP: build, or one of the checks below).
# Settings come from the environment (set by tests/packaging/CMakeLists.txt).
set -euo pipefail
step=$1
: "${PKG_DIR:?}" "${BUILD_DIR:?}" "${SOURCE_DIR:?}" "${VERSION:?}" "${APP_ID:?}" "${ICON_SIZES:?}"
root="$PKG_DIR/root"
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

the_deb() {
  local debs=("$PKG_DIR"/*.deb)
  [ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected exactly one .deb in $PKG_DIR, found: ${debs[*]}"
  echo "${debs[0]}"
}

expected_files() {
  echo ./usr/bin/sinkscope
  echo "./usr/share/applications/$APP_ID.desktop"
  echo "./usr/share/metainfo/$APP_ID.metainfo.xml"
  echo "./usr/share/icons/hicolor/scalable/apps/$APP_ID.svg"
  for size in $ICON_SIZES; do echo "./usr/share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"; done
  echo ./usr/share/man/man1/sinkscope.1.gz
  echo ./usr/share/doc/sinkscope/copyright
}

# The package that owns a shared library path (usr-merged systems register /lib or /usr/lib).
owner_of() {
  local path=$1 alt
  case $path in /usr/lib/*) alt=${path#/usr} ;; /lib/*) alt=/usr$path ;; *) alt=$path ;; esac
  { dpkg -S "$path" 2>/dev/null || dpkg -S "$alt" 2>/dev/null || true; } | head -n1 | cut -d: -f1
}

case $step in
build)
  rm -rf "$PKG_DIR"
  mkdir -p "$PKG_DIR"
  cpack_log="$PKG_DIR/cpack.log"
  "${CPACK:-cpack}" -G DEB -B "$PKG_DIR" --config "$BUILD_DIR/CPackConfig.cmake" >"$cpack_log" 2>&1 ||
    { cat "$cpack_log" >&2; fail "cpack -G DEB failed"; }
  deb=$(the_deb)
  dpkg-deb -x "$deb" "$root"
  echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes) and unpacked it into $root"
  ;;
contents)
  listing=$(dpkg-deb -c "$(the_deb)" | awk '{print $NF}')
  missing=0
  while read -r file; do
    grep -qxF "$file" <<<"$listing" || { echo "missing from the package: $file" >&2; missing=1; }
  done < <(expected_files)
  [ $missing -eq 0 ] || fail "dpkg-deb -c does not list every file the package must install"
  [ -x "$root/usr/bin/sinkscope" ] || fail "usr/bin/sinkscope is not executable"
  for size in $ICON_SIZES; do
    png="$root/usr/share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
    file -b "$png" | grep -q "PNG image data, $size x $size" || fail "$png is not a ${size}x${size} PNG: $(file -b "$png")"
  done
  echo "all $(expected_files | wc -l) files present; icons have their nominal sizes"
  ;;
depends)
  depends=$(dpkg-deb -f "$(the_deb)" Depends)
  echo "Depends: $depends"
  binary="$root/usr/bin/sinkscope"
  mapfile -t needed < <(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  [ ${#needed[@]} -gt 0 ] || fail "readelf found no NEEDED entries in $binary"
  for soname in "${needed[@]}"; do
    # ldd prints "soname => path", except for the dynamic loader, which it prints as its path alone.
    path=$(ldd "$binary" | awk -v s="$soname" '$1 == s {print $3} $1 ~ ("/" s "$") {print $1}' | head -n 1)
    [ -n "$path" ] || fail "$soname (NEEDED by sinkscope) does not resolve on this system"
    package=$(owner_of "$path")
    [ -n "$package" ] || fail "no Debian package owns $path ($soname)"
    sed 's/, /\n/g; s/ |/\n/g' <<<"$depends" | awk '{print $1}' | grep -qxF "$package" || fail "Depends lacks $package, which provides $soname"
    echo "$soname -> $package: listed"
  done
  ;;
desktop)
  desktop-file-validate "$root/usr/share/applications/$APP_ID.desktop"
  grep -qx "Icon=$APP_ID" "$root/usr/share/applications/$APP_ID.desktop" || fail "desktop file does not name the icon $APP_ID"
  grep -qx "Exec=sinkscope" "$root/usr/share/applications/$APP_ID.desktop" || fail "desktop file does not start sinkscope"
  echo "desktop-file-validate passed"
  ;;
metainfo)
  metainfo="$root/usr/share/metainfo/$APP_ID.metainfo.xml"
  appstreamcli validate --no-net "$metainfo"
  appstreamcli validate-tree --no-net "$root"  # the metainfo together with the desktop file it launches
  grep -q "<launchable type=\"desktop-id\">$APP_ID.desktop</launchable>" "$metainfo" || fail "metainfo has no launchable $APP_ID.desktop"
  grep -q '<project_license>GPL-3.0-or-later</project_license>' "$metainfo" || fail "metainfo project_license is not GPL-3.0-or-later"
  [ "$(grep -c '<screenshot' "$metainfo")" -ge 6 ] || fail "metainfo lists fewer than 6 screenshots"
  ;;
screenshots)
  shots="$SOURCE_DIR/docs/screenshots"
  [ -d "$shots" ] || skip "$shots does not exist yet, so the screenshots the metainfo names cannot be checked"
  missing=0
  for name in $(sed -n 's|.*<image>.*/\([^/<]*\)</image>.*|\1|p' "$root/usr/share/metainfo/$APP_ID.metainfo.xml"); do
    [ -f "$shots/$name" ] || { echo "metainfo names $name, which is not in docs/screenshots/" >&2; missing=1; }
  done
  [ $missing -eq 0 ] || fail "screenshots named by the metainfo are missing from docs/screenshots/"
  echo "every screenshot the metainfo names is in docs/screenshots/"
  ;;
manpage)
  page="$root/usr/share/man/man1/sinkscope.1.gz"
  gzip -t "$page" || fail "$page is not a valid gzip file"
  if command -v groff >/dev/null; then
    warnings=$(zcat "$page" | groff -man -Tutf8 -ww -z 2>&1)
    [ -z "$warnings" ] || fail "groff warns about the man page: $warnings"
  fi
  text=$(zcat "$page")
  for command in $("$root/usr/bin/sinkscope" --help | awk '/^[A-Z].*Commands/ {on=1; next} on && NF==0 {exit} on {print $1}'); do
    grep -qF ".SS \"sinkscope $command\"" <<<"$text" || fail "the man page has no section for 'sinkscope $command'"
  done
  if grep -qF "$BUILD_DIR" <<<"$text"; then fail "the man page names the build folder $BUILD_DIR"; fi
  echo "man page is valid roff with a section per command"
  ;;
version)
  deb=$(the_deb)
  [ "$(dpkg-deb -f "$deb" Version)" = "$VERSION" ] || fail "package Version $(dpkg-deb -f "$deb" Version) is not $VERSION"
  printed=$(cd "$PKG_DIR" && "$root/usr/bin/sinkscope" --version)
  [ "$printed" = "sinkscope $VERSION" ] || fail "the unpacked binary prints '$printed', expected 'sinkscope $VERSION'"
  grep -q "<release version=\"$VERSION\"" "$root/usr/share/metainfo/$APP_ID.metainfo.xml" || fail "metainfo has no release $VERSION"
  zcat "$root/usr/share/man/man1/sinkscope.1.gz" | grep -q "^\.TH SINKSCOPE 1 .*\"SinkScope $VERSION\"" || fail "man page is not for $VERSION"
  echo "package, --version, metainfo and man page all say $VERSION"
  ;;
plan)
  binary="$root/usr/bin/sinkscope"
  "$binary" plan --help >/dev/null 2>&1 || skip "'sinkscope plan --help' fails in this build: the plan command is not implemented yet"
  json=$(cd "$PKG_DIR" && "$binary" plan --model mistral-7b-v0.1 --hardware h100-sxm-80gb --context 32768 --mitigation ntk --json) ||
    fail "the unpacked binary's plan failed"
  for field in '"model"' '"context": 32768' '"kv_bytes_per_token"' '"confidence"' '"context_cap"' '"max_context_that_fits"'; do
    grep -qF "$field" <<<"$json" || fail "plan --json lacks $field"
  done
  echo "the unpacked binary planned Mistral 7B at 32K on an H100"
  ;;
*)
  fail "unknown step '$step'"
  ;;
esac
