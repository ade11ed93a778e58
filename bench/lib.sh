# Shared by the benchmark scripts that source it: `here`, BUILD_DIR and WORK must be set.

# build_release TARGET...: configures BUILD_DIR as a Release build without tests and builds
# the targets (the log in $WORK/build.log, its tail shown when the build fails). With
# SKIP_BUILD=1 it uses what BUILD_DIR holds as it is (BUILD_DIR=build/test after
# scripts/build.sh test: the same -O2, without a second build).
build_release() {
  if [ "${SKIP_BUILD:-0}" = 1 ]; then
    printf '\n== using the build in %s as it is (SKIP_BUILD=1)\n' "$BUILD_DIR" >&2
    return
  fi
  printf '\n== build (Release) in %s\n' "$BUILD_DIR" >&2
  cmake -S "$here" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DMEABRIDGE_TESTS=OFF >/dev/null
  cmake --build "$BUILD_DIR" -j2 --target "$@" >"$WORK/build.log" 2>&1 ||
    { tail -30 "$WORK/build.log"; exit 1; }
}

# load_contacts N: N generated contacts (../shared/peers/gen_contacts.py) in $WORK/data, loaded
# into $WORK/store.db by publish_loader (REQUIRES: built).
load_contacts() {
  printf '\n== data: %s contacts in %s\n' "$1" "$WORK" >&2
  /usr/bin/python3 "$PEERS/gen_contacts.py" "$1" "$WORK/data" >&2
  rm -f "$WORK/store.db"*
  "$BUILD_DIR/bench/publish_loader" load "$WORK/store.db" "$WORK/data/contacts-odata-v4.json" >&2
}
