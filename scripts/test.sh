#!/usr/bin/env bash
# The README's second command, and what CI runs (.ci/run): installs what is missing, builds,
# and runs the whole test suite twice (a normal build with warnings as errors, then under
# ASan + UBSan), then the fuzz targets for a bounded time.
#
#   scripts/test.sh            everything
#   scripts/test.sh --quick    the normal build's tests only (for development)
#
# Tests that read ../shared/corpus skip themselves, saying so, when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = "--quick" ] && quick=1

scripts/setup.sh

step() { printf '\n==== %s\n' "$*"; }

step "build (warnings as errors)"
scripts/build.sh test
step "tests"
ctest --test-dir build/test --output-on-failure --timeout 1800
[ $quick -eq 1 ] && exit 0

step "build under ASan + UBSan"
scripts/build.sh asan
step "tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure --timeout 3600

if [ -x scripts/fuzz.sh ]; then
  step "fuzz targets (bounded time)"
  scripts/fuzz.sh
fi
step "all tests passed"
