#!/usr/bin/env bash
# Configures and builds one flavour of meabridge in build/FLAVOUR:
#   release  the binary only (what scripts/serve.sh runs)
#   test     everything, warnings as errors (what scripts/test.sh runs)
#   asan     everything under AddressSanitizer + UndefinedBehaviorSanitizer, warnings as errors
#   tsan     under ThreadSanitizer, warnings as errors: only the test binaries of the modules
#            that run threads (store, harvest, daemon, publish) and what they need
#   package  the binary and its manual pages with Debian's hardening flags (dpkg-buildflags),
#            what the .deb is made of; its ctest runs lintian and the system test on it
#            (docs/installing.md)
# usage: scripts/build.sh FLAVOUR [extra cmake target...]
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:?usage: scripts/build.sh release|test|asan|tsan|package [target...]}
shift || true
jobs=$(nproc)
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=Release -DMEABRIDGE_TESTS=OFF -DMEABRIDGE_BENCH=OFF) ;;
  test)    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DMEABRIDGE_WERROR=ON) ;;
  asan)    args=(-DCMAKE_BUILD_TYPE=Debug -DMEABRIDGE_WERROR=ON -DMEABRIDGE_SANITIZE=ON -DMEABRIDGE_BENCH=OFF) ;;
  tsan)    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DMEABRIDGE_WERROR=ON -DMEABRIDGE_TSAN=ON -DMEABRIDGE_BENCH=OFF)
           [ $# -gt 0 ] || set -- meabridge_store_tests meabridge_harvest_tests meabridge_daemon_tests \
                                  meabridge_publish_tests ;;
  package) args=(-DCMAKE_BUILD_TYPE=Release -DMEABRIDGE_TESTS=OFF -DMEABRIDGE_BENCH=OFF
                 -DMEABRIDGE_DPKG_BUILDFLAGS=ON) ;;
  *) echo "build.sh: unknown flavour '$flavour' (release, test, asan, tsan or package)" >&2; exit 2 ;;
esac
# ccache, where the machine has it, makes a rebuild of unchanged files (another flavour's
# checkout, a fresh clone on the same machine) nearly free; nothing needs it.
# Paths under the checkout are hashed relative to it (CCACHE_BASEDIR), so that every checkout
# and worktree shares the same objects.
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
  args+=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "build/$flavour" "${args[@]}" >/dev/null
if [ $# -gt 0 ]; then
  cmake --build "build/$flavour" -j"$jobs" --target "$@"
else
  cmake --build "build/$flavour" -j"$jobs"
fi
