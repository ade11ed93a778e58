#!/usr/bin/env bash
# lintian on the .deb the package flavour builds (scripts/build.sh package): Debian's lintian
# must have nothing to say, no error and no warning (overrides only with a written reason, in
# packaging/). The informational tags are printed for the record and do not fail.
# usage: lintian_test.sh DEB_FOLDER
set -euo pipefail
folder=${1:?usage: lintian_test.sh DEB_FOLDER}
command -v lintian >/dev/null || {
  echo "FAIL: lintian is missing: install Debian's lintian package (scripts/setup.sh does)" >&2
  exit 1
}
deb=$(ls "$folder"/meabridge_*.deb)
echo "lintian $(lintian --version | awk '{print $2}') on $(basename "$deb")"
# One run with the informational tags: an error or a warning (E: or W:, or anything else but
# an I: line) fails; the informational tags are printed and do not fail. lintian's notes on
# stderr (running as root) are shown apart.
lintian --display-info --tag-display-limit 0 "$deb" >"$folder/lintian.txt" 2>"$folder/lintian.err" || true
grep -v '^running with root privileges' "$folder/lintian.err" >&2 || true
tags=$(grep -v '^I: ' "$folder/lintian.txt" || true)
info=$(grep '^I: ' "$folder/lintian.txt" || true)
[ -z "$info" ] || printf 'informational (not failed on):\n%s\n' "$info"
if [ -n "$tags" ]; then
  echo "FAIL: lintian reports:" >&2
  echo "$tags" >&2
  exit 1
fi
echo "ok: lintian: no error, no warning (output: empty)"
