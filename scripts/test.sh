#!/usr/bin/env bash
# The README's second command, and what CI runs (.ci/run): installs what is missing, builds,
# and runs the whole test suite twice (a normal build with warnings as errors, then under
# ASan + UBSan), after the normal build's tests the benchmark regression guard
# (bench/regression_guard.sh: store and mapping against their same-run baselines, under a
# minute), the store, harvest, daemon and publish tests under ThreadSanitizer, the package's
# tests (lintian, the system test booting the .deb under systemd; beside the ASan and TSan
# runs), then the fuzz targets for a bounded time.
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
# Independent test processes (tests/CMakeLists.txt: one per binary or shard), one per core.
ctest --test-dir build/test --output-on-failure -j"$(nproc)"
[ $quick -eq 1 ] && exit 0

step "benchmark regression guard (store, mapping; fails only on a ratio far below its range)"
BUILD_DIR=build/test bench/regression_guard.sh

step "build the package flavour (hardened binary, manual pages)"
scripts/build.sh package
# The package's tests (the .deb, lintian, the system test in a Debian 12 container) wait on
# dpkg, apt and systemd more than they compute: they run beside the ASan build and its tests,
# their output kept until those are done.
step "package tests (.deb, lintian, system test) started in the background"
package_log=build/package/ctest.log
ctest --test-dir build/package --output-on-failure >"$package_log" 2>&1 &
package_pid=$!
trap 'kill "$package_pid" 2>/dev/null || true' EXIT

step "build under ASan + UBSan"
scripts/build.sh asan
step "tests under ASan + UBSan"
# tests/lsan.supp: leaks inside third-party libraries only, each with its reason.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp" \
  ctest --test-dir build/asan --output-on-failure -j"$(nproc)"

step "build under ThreadSanitizer (the store, harvest, daemon and publish tests)"
scripts/build.sh tsan
step "tests under ThreadSanitizer"
# tests/tsan.supp: reports inside third-party libraries only, each with its reason.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp" \
  ctest --test-dir build/tsan --output-on-failure -j"$(nproc)" -L '^(store|harvest|daemon|publish)$'

step "package tests (.deb, lintian, system test)"
package_rc=0
wait "$package_pid" || package_rc=$?
trap - EXIT
cat "$package_log"
[ "$package_rc" -eq 0 ] || { echo "package tests failed" >&2; exit "$package_rc"; }

if [ -x scripts/fuzz.sh ]; then
  step "fuzz targets (bounded time)"
  scripts/fuzz.sh
fi
step "all tests passed"
