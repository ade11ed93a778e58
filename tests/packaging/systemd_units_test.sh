#!/usr/bin/env bash
# The shipped systemd units: `systemd-analyze verify` finds nothing to say about them, and
# `systemd-analyze security --offline=true` rates each service's exposure at most 2.0
# (docs/installing.md quotes the figures).
# usage: systemd_units_test.sh SOURCE_DIR MEABRIDGE_BINARY
set -euo pipefail
src=${1:?usage: systemd_units_test.sh SOURCE_DIR MEABRIDGE_BINARY}
bin=${2:?usage: systemd_units_test.sh SOURCE_DIR MEABRIDGE_BINARY}
max_exposure=2.0

if ! command -v systemd-analyze >/dev/null; then
  echo "systemd-analyze is missing: install Debian's systemd package (scripts/setup.sh does)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# verify: the units as installed, the binary's path replaced by the build's (verify checks that
# ExecStart's program exists) and the template instantiated.
cp "$src/systemd/meabridge.service" "$work/meabridge.service"
cp "$src/systemd/meabridge-export@.service" "$work/meabridge-export@test.service"
cp "$src/systemd/meabridge-export@.timer" "$work/meabridge-export@test.timer"
sed -i "s|/usr/bin/meabridge|$bin|g" "$work"/*.service
(cd "$work" && systemd-analyze verify --man=no meabridge.service meabridge-export@test.service \
  meabridge-export@test.timer) >"$work/verify.log" 2>&1 || true
# Lines about the host's own units (verify loads their dependencies) are not ours.
if grep -E "meabridge" "$work/verify.log" >"$work/ours.log"; then
  echo "FAIL: systemd-analyze verify complains about the shipped units:" >&2
  cat "$work/ours.log" >&2
  fail=1
else
  echo "ok: systemd-analyze verify: meabridge.service, meabridge-export@.service, meabridge-export@.timer"
fi

for unit in meabridge.service meabridge-export@test.service; do
  out=$(cd "$work" && systemd-analyze security --offline=true --no-pager "./$unit" 2>&1) || true
  line=$(grep -E "Overall exposure level for" <<<"$out" || true)
  level=$(sed -nE 's/.*Overall exposure level for [^:]+: ([0-9]+\.[0-9]+).*/\1/p' <<<"$line")
  if [ -z "$level" ]; then
    echo "FAIL: no exposure level for $unit in systemd-analyze's output:" >&2
    echo "$out" >&2
    fail=1
    continue
  fi
  if awk -v l="$level" -v m="$max_exposure" 'BEGIN { exit !(l > m) }'; then
    echo "FAIL: $unit exposure $level is above $max_exposure; what is left open:" >&2
    grep "✗" <<<"$out" >&2 || true
    fail=1
  else
    echo "ok: $unit exposure $level (at most $max_exposure)"
  fi
done
exit $fail
