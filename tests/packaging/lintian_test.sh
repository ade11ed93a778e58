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
# lintian exits non-zero on errors only; any line of its default output (errors, warnings) fails.
out=$(lintian --no-tag-display-limit "$deb" 2>&1) || true
if [ -n "$out" ]; then
  echo "FAIL: lintian reports:" >&2
  echo "$out" >&2
  exit 1
fi
echo "ok: lintian: no error, no warning"
info=$(lintian --display-info --no-tag-display-limit "$deb" 2>&1 | grep '^I: ' || true)
[ -z "$info" ] || printf 'informational (not failed on):\n%s\n' "$info"
