#!/usr/bin/env bash
# Packaging: `cmake --install BUILD --prefix /usr` into a DESTDIR lays out what
# cmake/Packaging.cmake promises and the installed binary runs from there (it finds its
# mappings in /usr/share/meabridge, not in the source tree); then `cpack -G DEB` builds a .deb
# whose contents and control data dpkg-deb shows as expected.
# usage: install_test.sh BUILD_DIR [--no-deb]
set -euo pipefail
build=${1:?usage: install_test.sh BUILD_DIR [--no-deb]}
deb=yes
[ "${2:-}" = "--no-deb" ] && deb=no
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >"$work/check.log" 2>&1; then
    echo "ok: $what"
  else
    echo "FAIL: $what" >&2
    cat "$work/check.log" >&2
    fail=1
  fi
}

root="$work/root"
DESTDIR="$root" cmake --install "$build" --prefix /usr >"$work/install.log" 2>&1 || {
  cat "$work/install.log" >&2
  exit 1
}
for f in usr/bin/meabridge \
  usr/share/meabridge/mappings/profiles/national-reporting-contacts.json \
  usr/share/meabridge/mappings/status-csv/memberships.json \
  usr/share/meabridge/config/example.xml usr/share/meabridge/config/default.xml \
  etc/meabridge/meabridge.xml \
  usr/lib/systemd/system/meabridge.service usr/lib/systemd/system/meabridge-export@.service \
  usr/lib/systemd/system/meabridge-export@.timer \
  usr/lib/sysusers.d/meabridge.conf usr/lib/tmpfiles.d/meabridge.conf \
  usr/share/doc/meabridge/README.md usr/share/doc/meabridge/export.md \
  usr/share/doc/meabridge/installing.md usr/share/doc/meabridge/copyright \
  usr/share/doc/meabridge/changelog.Debian.gz usr/share/man/man1/meabridge.1.gz \
  usr/share/man/man5/meabridge.xml.5.gz; do
  check "installed /$f" test -f "$root/$f"
done
check "the binary is executable" test -x "$root/usr/bin/meabridge"
# The manual pages hold what the binary says: each command's --help, each configuration key.
gz_has() { zcat "$1" | grep -qF -- "$2"; }  # gz_has FILE.gz TEXT
man1="$root/usr/share/man/man1/meabridge.1.gz"
man5="$root/usr/share/man/man5/meabridge.xml.5.gz"
check "meabridge(1) has a section per command" gz_has "$man1" '.SS "meabridge mapping test"'
check "meabridge(1) holds export's --help text" gz_has "$man1" 'usage: meabridge export \-\-entity'
check "meabridge.xml(5) documents <server> port" gz_has "$man5" '\fBport\fR (integer 1 to 65535'
check "the Debian changelog names the package's version" bash -c \
  "zcat '$root/usr/share/doc/meabridge/changelog.Debian.gz' | head -1 | grep -q '^meabridge (0\\.[0-9.]*-[0-9]*) '"
if [ -d "$(dirname "$0")/../../demo" ]; then
  check "the demo data is installed" test -d "$root/usr/share/meabridge/demo"
fi
# The installed binary, with no source tree to fall back on (MEABRIDGE_DATADIR unset, run from /).
bin="$root/usr/bin/meabridge"
run() { (cd / && env -u MEABRIDGE_DATADIR "$bin" "$@"); }
check "meabridge --version" run --version
check "check-config of the installed /etc/meabridge/meabridge.xml" \
  run check-config --config "$root/etc/meabridge/meabridge.xml"
# The example names mappings by relative path (they resolve against the installed share
# folder) and the demo data beside it (../demo).
check "check-config of the installed example" \
  run check-config --config "$root/usr/share/meabridge/config/example.xml"
check "vocab lookup countries France" bash -c \
  "cd / && env -u MEABRIDGE_DATADIR '$bin' vocab lookup countries France | grep -q '^France	FR	'"

if [ "$deb" = yes ]; then
  if ! command -v dpkg-deb >/dev/null || ! command -v dpkg-shlibdeps >/dev/null; then
    echo "FAIL: dpkg-deb and dpkg-shlibdeps are needed for the .deb check (Debian's dpkg-dev)" >&2
    exit 1
  fi
  (cd "$build" && cpack -G DEB -B "$work/deb" >"$work/cpack.log" 2>&1) || {
    cat "$work/cpack.log" >&2
    exit 1
  }
  pkg=$(ls "$work"/deb/meabridge_*.deb)
  echo "ok: cpack built $(basename "$pkg") ($(du -h "$pkg" | cut -f1))"
  dpkg-deb -I "$pkg" >"$work/info.txt"
  dpkg-deb -c "$pkg" >"$work/contents.txt"
  for field in "Package: meabridge" "Maintainer: meabridge maintainers <maintainers@meabridge.org>" \
    "Version: [0-9.]+-[0-9]+" "Depends: .*iso-codes" "Depends: .*media-types" "Depends: .*libc6" "Depends: .*libsqlite3" \
    "Depends: .*systemd \\(>= 248\\)" "Depends: .*procps" "Depends: .*passwd" \
    "Description: data-exchange connector for MEA secretariats"; do
    check "control: $field" grep -qE "^ ?$field" "$work/info.txt"
  done
  for script in postinst prerm postrm conffiles; do
    check "control member $script" grep -qE "^ +[0-9]+ bytes, .* $script( |\$)" "$work/info.txt"
  done
  check "conffiles names /etc/meabridge/meabridge.xml" \
    bash -c "dpkg-deb --ctrl-tarfile '$pkg' | tar -xO ./conffiles | grep -qx /etc/meabridge/meabridge.xml"
  for f in ./usr/bin/meabridge ./etc/meabridge/meabridge.xml \
    ./usr/lib/systemd/system/meabridge.service ./usr/lib/systemd/system/meabridge-export@.timer \
    ./usr/lib/sysusers.d/meabridge.conf ./usr/lib/tmpfiles.d/meabridge.conf \
    ./usr/share/meabridge/mappings/status-csv/memberships.json \
    ./usr/share/doc/meabridge/installing.md ./usr/share/doc/meabridge/copyright \
    ./usr/share/man/man1/meabridge.1.gz; do
    check "package holds $f" grep -qE " $f\$" "$work/contents.txt"
  done
fi
exit $fail
